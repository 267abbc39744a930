"""Every hypothesis example and every state-machine run starts from the same chain state."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RULE_MARKER, invariant, rule

from deai.deploy.contracts import deploy
from deai.testing.chain_isolation import ChainStateMachine, isolate_examples, measuring_own_time


@pytest.fixture(scope="module")
def probe(roles):
    return deploy("RevertProbe", roles.deployer)


@given(bumps=st.integers(min_value=1, max_value=3), seconds=st.integers(min_value=1, max_value=10**6))
@settings(max_examples=6)
@isolate_examples
def test_examples_do_not_leak_state(probe, roles, chain, bumps, seconds):
    assert probe.counter() == 0, "state leaked from an earlier example"
    start = chain.pending_timestamp
    for _ in range(bumps):
        probe.bump(sender=roles.alice)
    chain.pending_timestamp += seconds
    chain.mine()
    assert probe.counter() == bumps
    assert chain.blocks.head.timestamp >= start + seconds


def test_without_isolation_the_same_check_fails(probe, roles):
    """The check above is sensitive: the same body without `isolate_examples` sees leaked state."""

    @given(st.integers(min_value=0, max_value=10**9))
    @settings(max_examples=3, database=None)
    def leaky(_):
        assert probe.counter() == 0
        probe.bump(sender=roles.alice)

    with pytest.raises(AssertionError):
        leaky()


def test_state_machine_runs_start_from_the_same_state(probe, roles, chain):
    class Machine(ChainStateMachine):
        def __init__(self):
            super().__init__()
            assert probe.counter() == 0, "state leaked from an earlier run"
            self.ghost = 0

        @rule()
        def bump(self):
            probe.bump(sender=roles.alice)
            self.ghost += 1

        @rule(seconds=st.integers(min_value=1, max_value=86_400))
        def wait(self, seconds):
            self.advance_time(seconds)

        @invariant()
        def counter_matches_ghost(self):
            assert probe.counter() == self.ghost

    Machine.TestCase.settings = settings(max_examples=4, stateful_step_count=5, deadline=None)
    Machine.TestCase().runTest()
    assert probe.counter() == 0


def burn(seconds: float) -> None:
    """Spend `seconds` of CPU time."""
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def test_machines_defined_while_measuring_time_their_own_work_and_others_are_untouched(roles, chain):
    """`make bench` and `--machine-stats` split a run's CPU time into the machine's own work and hypothesis's: every
    rule body, invariant check, constructor and teardown of a machine defined while measuring is timed, and nothing
    of a machine defined otherwise."""
    work = 0.002

    def define():
        class Busy(ChainStateMachine):
            def __init__(self):
                super().__init__()
                burn(work)  # the model's set-up is the machine's own work too

            @rule()
            def spend(self):
                burn(work)

            @invariant()
            def also_spends(self):
                burn(work)

        return Busy

    plain = define()
    assert not hasattr(getattr(plain.spend, RULE_MARKER).function, "__wrapped__")  # not wrapped: no clock read
    assert not any(hasattr(getattr(plain, name), "__wrapped__")
                   for name in ("__init__", "check_invariants", "teardown"))
    with measuring_own_time():
        timed = define()
    body = getattr(timed.spend, RULE_MARKER).function
    assert body.__name__ == "spend" and not hasattr(body.__wrapped__, "__wrapped__")  # wrapped once

    timed.TestCase.settings = settings(max_examples=3, stateful_step_count=4, deadline=None, database=None)
    ChainStateMachine.reset_clock()
    steps, runs, start = ChainStateMachine.steps, ChainStateMachine.runs, time.process_time()
    timed.TestCase().runTest()
    end = time.process_time()
    steps, runs = ChainStateMachine.steps - steps, ChainStateMachine.runs - runs
    # Each step spends `work` in its rule and again in the invariant check after it; each run spends it in its
    # constructor and in the check at its start. All of it is the machine's own, and it began with the first run.
    assert ChainStateMachine.own_seconds >= (2 * steps + 2 * runs) * work
    assert start <= ChainStateMachine.first_run_cpu <= end - ChainStateMachine.own_seconds
    hypothesis_own = end - ChainStateMachine.first_run_cpu - ChainStateMachine.own_seconds
    assert 0 < hypothesis_own < ChainStateMachine.own_seconds  # 2 ms a rule, a check, a set-up dwarf hypothesis's part

    ChainStateMachine.reset_clock()
    plain.TestCase.settings = settings(max_examples=2, stateful_step_count=3, deadline=None, database=None)
    plain.TestCase().runTest()
    assert ChainStateMachine.own_seconds == 0 and ChainStateMachine.first_run_cpu is None
