"""Chain isolation for property-based tests.

Ape's pytest plugin isolates each test function, but not the many examples hypothesis runs inside one
test: without help, example N+1 would start from the state example N left. `isolate_examples` wraps a
test body so each example runs inside `chain.isolate()` (a snapshot, restored afterwards), and
`ChainStateMachine` snapshots when a state-machine run begins and restores in `teardown`.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

from hypothesis.stateful import RuleBasedStateMachine

F = TypeVar("F", bound=Callable[..., Any])
START_MARGIN = 3_600  # seconds


def isolate_examples(test: F) -> F:
    """Decorate a test body (under `@given`) so every hypothesis example starts from the same chain state."""

    @functools.wraps(test)
    def run_isolated(*args: Any, **kwargs: Any) -> Any:
        from ape import chain

        with chain.isolate():
            return test(*args, **kwargs)

    return run_isolated  # type: ignore[return-value]


class ChainStateMachine(RuleBasedStateMachine):
    """A RuleBasedStateMachine whose every run starts from the chain state it was created in."""

    def __init__(self) -> None:
        from ape import chain

        super().__init__()
        self.chain = chain
        self._snapshot = chain.snapshot()
        # The first timestamp a step may use: later than the head block, and far enough ahead of the wall clock
        # that Ape's in-process EVM (whose pending block follows the wall clock) never overtakes the model's time.
        self.start_time = max(int(chain.pending_timestamp), int(chain.blocks.head.timestamp) + 1) + START_MARGIN
        self.now = self.start_time  # the model's clock; `wait` rules move it, `tick` uses it

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
