"""Gas of the emission system (receipt gasUsed on anvil), with the issue's budgets."""

from __future__ import annotations

DAY = 86_400
CLAIM_REPEAT, CLAIM_FIRST = 70_000, 110_000  # the budgets
SETTLED_SLOT_READ = 2_100 + 300  # a cold SLOAD, and the flag test and subtraction around it
# Over the repeat budget, stated in the README: a claim lock after a claim reads and writes a cold slot on
# every claim, and a claim paid from the pool's balance (after a keeper's splitter.claim/claimAll) adds the pool's
# token balance read, its transfer and the paid-from-balance counter. Asserted so they cannot grow unnoticed.
CLAIM_REPEAT_WITH_CLAIM_LOCK = 75_000
CLAIM_REPEAT_FROM_BALANCE = 90_000
# The first claim of an account in a pool with a claim lock after a claim fills its lock slot (22,100): paid from the
# pool's balance as well, over the first-claim budget (stated in the README).
CLAIM_FIRST_FROM_BALANCE_WITH_CLAIM_LOCK = 125_000


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
    repeat = gas.record("RewardPool.claimReward (repeat)", staking.claimReward(sender=roles.alice),
                        budget=CLAIM_REPEAT)
    chain.pending_timestamp = start + 3 * DAY + 12
    gas.record("RewardPool.stake (repeat)", staking.stake(10**18, sender=roles.alice))  # settles alice's rewards
    chain.pending_timestamp = start + 3 * DAY + 24
    gas.record("RewardPool.withdraw", staking.withdraw(10**18, sender=roles.bob))
    chain.pending_timestamp = start + 3 * DAY + 36
    gas.record("RewardPool.setWeights (2 accounts, first)",
               managed.setWeights([roles.alice, roles.bob], [1, 3], sender=roles.admin))
    # A claim that pays settled rewards too reads their slot (cold: 2,100) and nothing more: the emptied slot is not
    # written (nothing reads it once its flag is off, and its stale non-zero value keeps the next settle cheap).
    chain.pending_timestamp = start + 4 * DAY
    gas.record("RewardPool.claimReward (repeat, with settled rewards)", staking.claimReward(sender=roles.alice),
               budget=repeat + SETTLED_SLOT_READ)


def _locked_pool(roles, params, chain, **locks):
    from deai.deploy.emission import MANAGED, STAKING, PoolSpec, deploy_emission
    from deai.testing.tokens import deploy_token as deploy_zoo_token

    lp = deploy_zoo_token("standard18", roles.deployer)
    start = int(chain.pending_timestamp) + 1_000
    recipients = [PoolSpec(STAKING, deposit_token=lp, **locks), PoolSpec(MANAGED, manager=roles.admin), roles.carol,
                  roles.dave, roles.treasury]
    system = deploy_emission(roles.deployer, params, recipients, roles.governance, roles.guardian, start)
    for who in (roles.alice, roles.bob):
        lp.mint(who, 10**24, sender=who)
        lp.approve(system.pools[0], 2**256 - 1, sender=who)
    return system.pools[0], system.splitter, start


def test_gas_reward_pool_claim_locks(roles, params, chain, gas):
    """The same steady state as test_gas_reward_pool, in pools with Morpheus's claim locks: after a stake (a flag in
    the account's slot says when a claim must read the lock, so a repeat claim reads nothing more; the first claim
    after a stake reads it once) and after a claim (every claim reads and writes the lock: a cold slot)."""
    pool, splitter, start = _locked_pool(roles, params, chain, claim_lock_after_stake=DAY)
    chain.pending_timestamp = start + DAY
    pool.stake(10**18, sender=roles.alice)
    chain.pending_timestamp = start + DAY + 12
    pool.stake(10**18, sender=roles.bob)
    splitter.claim(2, sender=roles.carol)
    chain.pending_timestamp = start + 2 * DAY + 12
    pool.claimReward(sender=roles.alice)
    gas.record("RewardPool.claimReward (first of an account, claim lock after a stake)",
               pool.claimReward(sender=roles.bob), budget=CLAIM_FIRST)
    chain.pending_timestamp = start + 3 * DAY
    gas.record("RewardPool.claimReward (repeat, claim lock after a stake)", pool.claimReward(sender=roles.alice),
               budget=CLAIM_REPEAT)
    chain.pending_timestamp = start + 3 * DAY + 12
    gas.record("RewardPool.stake (repeat, claim lock after a stake)", pool.stake(10**18, sender=roles.alice))

    pool, splitter, start = _locked_pool(roles, params, chain, claim_lock_after_claim=DAY)
    chain.pending_timestamp = start + DAY
    pool.stake(10**18, sender=roles.alice)
    chain.pending_timestamp = start + DAY + 12
    pool.stake(10**18, sender=roles.bob)
    splitter.claim(2, sender=roles.carol)
    chain.pending_timestamp = start + 2 * DAY
    pool.claimReward(sender=roles.alice)
    chain.pending_timestamp = start + 2 * DAY + 12
    gas.record("RewardPool.claimReward (first of an account, claim lock after a claim)",
               pool.claimReward(sender=roles.bob), budget=CLAIM_FIRST)
    chain.pending_timestamp = start + 3 * DAY
    gas.record("RewardPool.claimReward (repeat, claim lock after a claim)", pool.claimReward(sender=roles.alice),
               budget=CLAIM_REPEAT_WITH_CLAIM_LOCK)


def _paid_from_balance(roles, params, chain, gas, label, first_budget=CLAIM_FIRST, **locks):
    """A keeper's `splitter.claimAll` mints the bucket to the pool, so the stakers' next claims are paid from what
    the pool holds (plus the second or so minted since): the pool's first payout from its balance, an account's
    first, and a repeat after the keeper's next claimAll."""
    pool, splitter, start = _locked_pool(roles, params, chain, **locks)
    chain.pending_timestamp = start + DAY
    pool.stake(10**18, sender=roles.alice)
    chain.pending_timestamp = start + DAY + 12
    pool.stake(10**18, sender=roles.bob)
    splitter.claim(2, sender=roles.carol)
    chain.pending_timestamp = start + 2 * DAY
    splitter.claimAll(sender=roles.mallory)
    chain.pending_timestamp = start + 2 * DAY + 1
    gas.record(f"RewardPool.claimReward (the pool's first payout from its balance{label})",
               pool.claimReward(sender=roles.alice), budget=first_budget)
    chain.pending_timestamp = start + 2 * DAY + 12
    gas.record(f"RewardPool.claimReward (first of an account, from the balance{label})",
               pool.claimReward(sender=roles.bob), budget=first_budget)
    chain.pending_timestamp = start + 5 * DAY  # past a one-day lock
    splitter.claimAll(sender=roles.mallory)
    chain.pending_timestamp = start + 5 * DAY + 1
    return gas.record(f"RewardPool.claimReward (repeat, from the balance{label})", pool.claimReward(sender=roles.alice),
                      budget=CLAIM_REPEAT_FROM_BALANCE)


def test_gas_reward_pool_paid_from_the_balance(roles, params, chain, gas):
    _paid_from_balance(roles, params, chain, gas, "")
    _paid_from_balance(roles, params, chain, gas, ", claim lock after a claim", CLAIM_FIRST_FROM_BALANCE_WITH_CLAIM_LOCK,
                       claim_lock_after_claim=DAY)
    _paid_from_balance(roles, params, chain, gas, ", claim lock after a stake", claim_lock_after_stake=DAY)
