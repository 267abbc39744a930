"""Gas of the emission system (receipt gasUsed on anvil), with the issue's budgets."""

from __future__ import annotations

DAY = 86_400
CLAIM_REPEAT, CLAIM_FIRST, CLAIM_REWARD_REPEAT = 70_000, 110_000, 70_000


def test_gas_splitter_claims(emission, roles, chain, gas):
    _, splitter, start = emission
    chain.pending_timestamp = start + DAY
    gas.record("EmissionSplitter.claim (first claim of a recipient)", splitter.claim(0, sender=roles.alice),
               budget=CLAIM_FIRST)
    chain.pending_timestamp = start + 2 * DAY
    gas.record("EmissionSplitter.claim (repeat)", splitter.claim(0, sender=roles.alice), budget=CLAIM_REPEAT)
    chain.pending_timestamp = start + 3 * DAY
    gas.record("EmissionSplitter.claim (protection, first)", splitter.claim(4, sender=roles.alice))
    chain.pending_timestamp = start + 4 * DAY
    gas.record("EmissionSplitter.claimAll", splitter.claimAll(sender=roles.alice))
    receipt = splitter.proposeShares([2500, 2500, 2000, 2000, 1000], sender=roles.governance)
    gas.record("EmissionSplitter.proposeShares", receipt)
    chain.pending_timestamp = chain.blocks[receipt.block_number].timestamp + 48 * 3600
    gas.record("EmissionSplitter.executeShares", splitter.executeShares(sender=roles.mallory))
    gas.record("EmissionSplitter.pause", splitter.pause(sender=roles.guardian))


def test_gas_reward_pool(pools, roles, chain, gas):
    staking, managed, start = pools["staking"], pools["managed"], pools["start"]
    chain.pending_timestamp = start + DAY
    gas.record("RewardPool.stake (first)", staking.stake(10**18, sender=roles.alice))
    chain.pending_timestamp = start + DAY + 12
    staking.stake(10**18, sender=roles.bob)
    chain.pending_timestamp = start + 2 * DAY
    gas.record("RewardPool.claimReward (first)", staking.claimReward(sender=roles.alice))
    chain.pending_timestamp = start + 3 * DAY
    gas.record("RewardPool.claimReward (repeat, the pull mints)", staking.claimReward(sender=roles.alice))
    chain.pending_timestamp = start + 3 * DAY + 12
    gas.record("RewardPool.stake (repeat)", staking.stake(10**18, sender=roles.alice))
    chain.pending_timestamp = start + 3 * DAY + 24
    gas.record("RewardPool.withdraw (the pull mints)", staking.withdraw(10**18, sender=roles.bob))
    chain.pending_timestamp = start + 3 * DAY + 36
    gas.record("RewardPool.setWeights (2 accounts, first pull of the pool)",
               managed.setWeights([roles.alice, roles.bob], [1, 3], sender=roles.admin))
