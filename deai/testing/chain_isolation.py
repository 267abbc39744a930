"""Chain isolation for property-based tests.

Ape's pytest plugin isolates each test function, but not the many examples hypothesis runs inside one
test: without help, example N+1 would start from the state example N left. `isolate_examples` wraps a
test body so each example runs inside `chain.isolate()` (a snapshot, restored afterwards), and
`ChainStateMachine` snapshots when a state-machine run begins and restores in `teardown`.

Both work on whichever chain the test's backend selected (`use_chain`, set by the `backend` fixture of
deai.testing.pytest_plugin): Ape's chain by default, or the in-process `deai.testing.revm.RevmChain`. The machines
count their steps (`ChainStateMachine.steps`) so `make bench` and `make audit` can report steps per second, and,
while `measuring_own_time` (`--machine-stats`), the CPU time of their own work (`ChainStateMachine.own_seconds`), so
what is left of a run's CPU time is hypothesis's own: the measured ceiling of that machine on any backend.
"""

from __future__ import annotations

import functools
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator, TypeVar

from hypothesis.stateful import INITIALIZE_RULE_MARKER, RULE_MARKER, RuleBasedStateMachine

F = TypeVar("F", bound=Callable[..., Any])
START_MARGIN = 3_600  # seconds
_chain: Any = None  # the chain the current test runs on; None means Ape's
_measuring = False  # machines defined while this is set time their own work (`measuring_own_time`)
_inside_own_work = False  # a timed call is running: calls it makes (super().__init__(), ...) are counted by it


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


@contextmanager
def measuring_own_time() -> Iterator[None]:
    """Machines whose classes are defined within the block time their own work in CPU seconds: their constructors
    (the model's set-up after `super().__init__()` too), rule bodies (initialize rules too), invariant checks (with the
    in-process chain's batched read) and teardowns, into `ChainStateMachine.own_seconds`; `first_run_cpu` is when the
    first run since `ChainStateMachine.reset_clock` began. A test's CPU time from `first_run_cpu` on, less
    `own_seconds`, is then what hypothesis itself took to run the machine (choosing rules, drawing arguments,
    evaluating preconditions, its engine's work between runs): the least any step can cost, so `steps / that` is the
    machine's ceiling on any backend (`--machine-stats`, `make bench`). Outside the block nothing is timed: rule
    functions are not wrapped at all. The clock reads cost about 1 us a step, counted on the machine's side."""
    previous = measure_own_time(True)
    try:
        yield
    finally:
        measure_own_time(previous)


def measure_own_time(on: bool) -> bool:
    """Time the own work of machines defined from now on (`measuring_own_time`), or stop; the previous setting."""
    global _measuring
    previous, _measuring = _measuring, on
    return previous


def _timed(function: Callable[..., Any]) -> Callable[..., Any]:
    """`function` (a machine's own work), adding the CPU time it takes to ChainStateMachine.own_seconds once: a
    timed call made inside another (a constructor's `super().__init__()`) is already counted by the outer one. The
    first timed call since `reset_clock` marks `first_run_cpu` (the first run's constructor)."""

    @functools.wraps(function)
    def timed(*args: Any, **kwargs: Any) -> Any:
        global _inside_own_work
        if _inside_own_work:
            return function(*args, **kwargs)
        start = time.process_time()
        if ChainStateMachine.first_run_cpu is None:
            ChainStateMachine.first_run_cpu = start
        _inside_own_work = True
        try:
            return function(*args, **kwargs)
        finally:
            _inside_own_work = False
            ChainStateMachine.own_seconds += time.process_time() - start

    return timed


class ChainStateMachine(RuleBasedStateMachine):
    """A RuleBasedStateMachine whose every run starts from the chain state it was created in."""

    steps = 0  # steps run by every machine in this process (invariant checks after a step), for bench and audit
    runs = 0
    own_seconds = 0.0  # CPU seconds of the machines' own work since `reset_clock` (classes timed: measuring_own_time)
    first_run_cpu: float | None = None  # CPU clock when the first run since `reset_clock` began (timed classes)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """While measuring_own_time: wrap this class's own rules, and its constructor, invariant check and teardown
        (its own or inherited), in `_timed`. Otherwise nothing: untimed machines run unwrapped."""
        super().__init_subclass__(**kwargs)
        if not _measuring:
            return
        for member in vars(cls).values():  # this class's own rules; inherited ones were wrapped in their class
            for marker in (RULE_MARKER, INITIALIZE_RULE_MARKER):
                if (definition := getattr(member, marker, None)) is not None:
                    definition.function = _timed(definition.function)
        for name in ("__init__", "check_invariants", "teardown"):
            setattr(cls, name, _timed(getattr(cls, name)))

    @classmethod
    def reset_clock(cls) -> None:
        """Start a new measurement of the machines' own time (the pytest plugin does, before each test)."""
        ChainStateMachine.own_seconds, ChainStateMachine.first_run_cpu = 0.0, None

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
