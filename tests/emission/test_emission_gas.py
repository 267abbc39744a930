"""Gas of the emission system (receipt gasUsed on anvil), with the issue's budgets."""

from __future__ import annotations

DAY = 86_400
CLAIM_REPEAT, CLAIM_FIRST = 70_000, 110_000  # the budgets


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
    gas.record("EmissionSplitter.pause (one bucket)", splitter.pause(3, sender=roles.guardian))


def test_gas_reward_pool(pools, roles, chain, gas):
    """Steady state: another bucket has been claimed (the token has a supply) and the pool has paid someone before
    (its bucket's slot is warm); "first of an account" is an account's first claim (its token balance starts at 0)."""
    staking, managed, splitter, start = pools["staking"], pools["managed"], pools["splitter"], pools["start"]
    chain.pending_timestamp = start + DAY
    gas.record("RewardPool.stake (first)", staking.stake(10**18, sender=roles.alice))
    chain.pending_timestamp = start + DAY + 12
    staking.stake(10**18, sender=roles.bob)
    splitter.claim(2, sender=roles.carol)
    chain.pending_timestamp = start + 2 * DAY
    gas.record("RewardPool.claimReward (the pool's first payout)", staking.claimReward(sender=roles.alice))
    chain.pending_timestamp = start + 2 * DAY + 12
    gas.record("RewardPool.claimReward (first of an account)", staking.claimReward(sender=roles.bob),
               budget=CLAIM_FIRST)
    chain.pending_timestamp = start + 3 * DAY
    gas.record("RewardPool.claimReward (repeat)", staking.claimReward(sender=roles.alice), budget=CLAIM_REPEAT)
    chain.pending_timestamp = start + 3 * DAY + 12
    gas.record("RewardPool.stake (repeat)", staking.stake(10**18, sender=roles.alice))
    chain.pending_timestamp = start + 3 * DAY + 24
    gas.record("RewardPool.withdraw", staking.withdraw(10**18, sender=roles.bob))
    chain.pending_timestamp = start + 3 * DAY + 36
    gas.record("RewardPool.setWeights (2 accounts, first)",
               managed.setWeights([roles.alice, roles.bob], [1, 3], sender=roles.admin))
