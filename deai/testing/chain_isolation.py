"""Chain isolation for property-based tests.

Ape's pytest plugin isolates each test function, but not the many examples hypothesis runs inside one
test: without help, example N+1 would start from the state example N left. `isolate_examples` wraps a
test body so each example runs inside `chain.isolate()` (a snapshot, restored afterwards), and
`ChainStateMachine` snapshots when a state-machine run begins and restores in `teardown`.

Both work on whichever chain the test's backend selected (`use_chain`, set by the `backend` fixture of
deai.testing.pytest_plugin): Ape's chain by default, or the in-process `deai.testing.revm.RevmChain`. The machines
count their steps (`ChainStateMachine.steps`) so `make bench` and `make audit` can report steps per second.
"""

from __future__ import annotations

import functools
from contextlib import contextmanager
from typing import Any, Callable, Iterator, TypeVar

from hypothesis.stateful import RuleBasedStateMachine

F = TypeVar("F", bound=Callable[..., Any])
START_MARGIN = 3_600  # seconds
_chain: Any = None  # the chain the current test runs on; None means Ape's


def current_chain() -> Any:
    """The chain state machines and isolated examples run on: the selected backend's, else Ape's."""
    if _chain is not None:
        return _chain
    from ape import chain

    return chain


@contextmanager
def use_chain(chain: Any) -> Iterator[None]:
    """Within the block, ChainStateMachine and isolate_examples run on `chain` (None: Ape's)."""
    global _chain
    previous, _chain = _chain, chain
    try:
        yield
    finally:
        _chain = previous


def isolate_examples(test: F) -> F:
    """Decorate a test body (under `@given`) so every hypothesis example starts from the same chain state."""

    @functools.wraps(test)
    def run_isolated(*args: Any, **kwargs: Any) -> Any:
        with current_chain().isolate():
            return test(*args, **kwargs)

    return run_isolated  # type: ignore[return-value]


class ChainStateMachine(RuleBasedStateMachine):
    """A RuleBasedStateMachine whose every run starts from the chain state it was created in."""

    steps = 0  # steps run by every machine in this process (invariant checks after a step), for bench and audit
    runs = 0
    latest: type | None = None  # the class of the machine that ran last (`make bench` measures its rules alone)

    def __init__(self) -> None:
        chain = current_chain()
        super().__init__()
        self.chain = chain
        self._snapshot = chain.snapshot()
        # The first timestamp a step may use: later than the head block, and far enough ahead of the wall clock
        # that Ape's in-process EVM (whose pending block follows the wall clock) never overtakes the model's time.
        self.start_time = max(int(chain.pending_timestamp), int(chain.blocks.head.timestamp) + 1) + START_MARGIN
        self.now = self.start_time  # the model's clock; `wait` rules move it, `tick` uses it
        ChainStateMachine.steps -= 1  # the check when the run starts is not a step
        ChainStateMachine.runs += 1
        ChainStateMachine.latest = type(self)

    def check_invariants(self, *args: Any, **kwargs: Any) -> None:
        # hypothesis checks the invariants once when a run starts and once after every step
        ChainStateMachine.steps += 1
        read_ahead = getattr(type(self.chain), "read_ahead", None)  # the in-process chain reads the invariants'
        if read_ahead is not None:  # views the last step made stale in one EVM call (deai.testing.revm)
            read_ahead(self.chain)
        super().check_invariants(*args, **kwargs)

    def teardown(self) -> None:
        self.chain.restore(self._snapshot)

    def tick(self) -> int:
        """Timestamp of the next transaction: one second after the model's clock (and after the head block), set as
        the next block's time so the model knows exactly when the transaction runs."""
        self.now = max(self.now + 1, int(self.chain.blocks.head.timestamp) + 1)
        self.chain.pending_timestamp = self.now
        return self.now

    def advance_time(self, seconds: int) -> int:
        """Move the next block's timestamp forward by `seconds`; return it."""
        self.chain.pending_timestamp = self.chain.pending_timestamp + seconds
        return self.chain.pending_timestamp
