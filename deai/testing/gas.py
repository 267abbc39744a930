"""Gas snapshot: the receipt gas of every public operation, committed in gas-snapshot.json.

Like `forge snapshot --check`: in `check` mode a measured operation that costs more than 2% above its
snapshot value, or that is missing from the snapshot, fails the test that measured it; in `update` mode
the measured values are written back at the end of the session. Measured on the project's anvil only
(other providers skip the comparison).
"""

from __future__ import annotations

import json
import random
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from deai.toolchain import PROJECT_ROOT

SNAPSHOT_FILE = PROJECT_ROOT / "gas-snapshot.json"
TOLERANCE = 0.02
MODES = ("off", "check", "update")


class GasRegression(AssertionError):
    """An operation got more expensive than the committed snapshot allows."""


def load_snapshot(path: Path = SNAPSHOT_FILE) -> dict[str, int]:
    return json.loads(path.read_text()) if path.exists() else {}


def compare(name: str, gas: int, snapshot: dict[str, int], tolerance: float = TOLERANCE) -> str | None:
    """A failure message when `gas` is a regression against `snapshot`, else None."""
    if name not in snapshot:
        return f"{name}: {gas} gas is not in {SNAPSHOT_FILE.name}; run `make gas-snapshot` and commit it"
    limit = snapshot[name] * (1 + tolerance)
    if gas > limit:
        return f"{name}: {gas} gas, snapshot {snapshot[name]} (+{gas / snapshot[name] - 1:.2%} > {tolerance:.0%})"
    return None


@dataclass
class GasRecorder:
    mode: str = "off"
    active: bool = True
    snapshot: dict[str, int] = field(default_factory=load_snapshot)
    measured: dict[str, int] = field(default_factory=dict)

    def record(self, name: str, receipt_or_gas: Any, budget: int | None = None) -> int:
        """Record the gas of one operation; on anvil check it against `budget`, and the snapshot in check mode."""
        gas = receipt_or_gas if isinstance(receipt_or_gas, int) else int(receipt_or_gas.gas_used)
        if not self.active:  # budgets and the snapshot are defined on the project's anvil only
            return gas
        if budget is not None and gas > budget:
            raise GasRegression(f"{name}: {gas} gas exceeds its budget of {budget}")
        self.measured[name] = gas
        if self.mode == "check" and (failure := compare(name, gas, self.snapshot)):
            raise GasRegression(failure)
        return gas

    def write(self, path: Path = SNAPSHOT_FILE) -> None:
        merged = {**load_snapshot(path), **self.measured}
        path.write_text(json.dumps(dict(sorted(merged.items())), indent=2) + "\n")


JITTER_SECONDS = (1, 900)
# The block time a gas test sets before the values it signs (commit times, deadlines, a schedule's start). A
# signature's bytes change with what it signs, and each zero byte of calldata costs 12 gas less than a non-zero one,
# so a signed time read from the clock moves a figure by 12-24 gas from one session to the next. anvil's evm_revert
# puts the clock back after the test. 2065: beyond any session's clock (contracts keep times in uint40 or wider).
GAS_EPOCH = 3_000_000_000


@contextmanager
def jittered_clock(provider: Any, seed: int) -> Iterator[list[int]]:
    """Within the block, every transaction `provider` sends is preceded by `evm_increaseTime` of a random 1-900 s,
    as if the machine paused between transactions: a block time the test did not set moves, one it set with
    `chain.pending_timestamp` (evm_setNextBlockTimestamp) does not. Yields the list of delays applied.

    Gas that depends on a time the test left to the wall clock then changes between runs, which
    `make gas-determinism` detects by measuring every gas figure with and without jitter."""
    rng = random.Random(seed)
    delays: list[int] = []
    original = provider.send_transaction

    def send_transaction(txn: Any, *args: Any, **kwargs: Any) -> Any:
        delay = rng.randint(*JITTER_SECONDS)
        delays.append(delay)
        provider.make_request("evm_increaseTime", [delay])
        return original(txn, *args, **kwargs)

    object.__setattr__(provider, "send_transaction", send_transaction)
    try:
        yield delays
    finally:
        object.__delattr__(provider, "send_transaction")
