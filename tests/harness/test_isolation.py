"""Every hypothesis example and every state-machine run starts from the same chain state."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule

from deai.deploy.contracts import deploy
from deai.testing.chain_isolation import ChainStateMachine, isolate_examples


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
    assert ChainStateMachine.latest is Machine  # what `make bench --machine-ceiling` runs alone after the test
