"""The wall-clock jitter used to prove gas measurements deterministic (`make gas-determinism`): it moves every block
time a test left to the clock, and none that a test set."""

from __future__ import annotations

import pytest

from deai.deploy.contracts import deploy
from deai.testing.gas import jittered_clock


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
