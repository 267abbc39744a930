"""The wall-clock jitter used to prove gas measurements deterministic (`make gas-determinism`): it moves every block
time a test left to the clock, and none that a test set. And the proof itself, in every `make test`: the gas tests
under random delays measure exactly the committed snapshot."""

from __future__ import annotations

import pytest

from deai import gas_determinism
from deai.deploy.contracts import deploy
from deai.testing.gas import jittered_clock, load_snapshot


@pytest.fixture
def node(chain):
    if chain.provider.name != "foundry":
        pytest.skip("the jitter drives anvil's clock (evm_increaseTime)")
    return chain


def test_jitter_moves_unset_block_times_and_keeps_set_ones(node, roles):
    token = deploy("MockERC20", roles.deployer, "T", "T", 18)
    with jittered_clock(node.provider, seed=7) as delays:
        before = node.blocks.head.timestamp
        receipt = token.mint(roles.alice, 1, sender=roles.alice)  # time left to the clock: jumps by the delay
        assert node.blocks[receipt.block_number].timestamp >= before + delays[-1]
        fixed = node.blocks.head.timestamp + 5
        node.pending_timestamp = fixed
        receipt = token.mint(roles.alice, 1, sender=roles.alice)  # time set by the test: unchanged
        assert node.blocks[receipt.block_number].timestamp == fixed
    assert len(delays) == 2 and all(1 <= d <= 900 for d in delays)
    assert "send_transaction" not in vars(node.provider)  # the provider is restored


@pytest.mark.node_only("runs the gas tests on anvil in a child `ape test`")
def test_random_delays_change_no_figure_of_the_committed_snapshot(request):
    """Issue 16 (7): every gas figure is the same whatever the wall clock does between transactions, and whatever ran
    before in the session. The gas tests (`-k gas`, a child session with its own anvil) run with a random 1-900 s
    delay before every transaction, and must measure every figure of gas-snapshot.json exactly (`make gas-snapshot`
    writes it from a plain run of the same tests; `make test` checks its own measurements within 2%). A test that
    leaves a time it depends on to the clock, or signs a time it read from it, fails here; so does one whose timeline
    a delay breaks. `make gas-determinism` compares a plain and a jittered run with any seed."""
    # Its name has no "gas" in it, so the child's `-k gas` does not select it again; a child run never starts one.
    if request.config.getoption("--time-jitter") is not None:
        pytest.skip("inside the jittered child run")
    measured, _ = gas_determinism.measure(["tests"], jitter=20_261_202, strict=True)  # a failing test fails this one
    snapshot = load_snapshot()
    stale = sorted(set(snapshot) - set(measured))
    assert not stale, (f"in gas-snapshot.json but measured by no `-k gas` test: {stale}; delete them (`make "
                       "gas-snapshot` merges into the file and never removes an entry)")
    changed = {op: (snapshot.get(op), measured[op]) for op in sorted(measured) if snapshot.get(op) != measured[op]}
    assert not changed, f"gas under random delays differs from gas-snapshot.json (snapshot, measured): {changed}"
