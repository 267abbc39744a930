"""Issue #13, the two acceptance items round 5 built: item 6's last sentence (a pool recovers reward tokens above
what it owes: a transfer by mistake is not stuck) and item 8's claim lock (Morpheus's claim lock after a stake and
after a claim). Each test here failed on the round-4 contracts (recoverable(rewardToken) was always 0 and
recoverToken took no amount; there was no claim lock)."""

from __future__ import annotations

from conftest import fund, staking_system
from emission_oracle import curve_of

from deai.deploy.contracts import container
from deai.deploy.emission import MANAGED, STAKING, PoolSpec, deploy_emission
from deai.testing.blocks import block_time
from deai.testing.reverts import expect_revert
from deai.testing.tokens import deploy_token as deploy_zoo_token

DAY = 86_400
DELAY = 48 * 3600
E18 = 10**18
ZERO = "0x" + "00" * 20


# ---------------------------------------------------------------- item 6: reward tokens sent by mistake

def test_reward_tokens_sent_by_mistake_are_recoverable_above_what_the_pool_owes(pools, roles, chain):
    """The pool holds reward tokens it owes (minted to it by a third party's splitter claim) and a mistaken plain
    transfer: governance recovers exactly the transfer, to a named address, with an event; one wei more reverts; the
    stakers are then paid everything they earned."""
    staking, splitter, token, start = pools["staking"], pools["splitter"], pools["token"], pools["start"]
    chain.pending_timestamp = start - 10
    staking.stake(E18, sender=roles.alice)
    chain.pending_timestamp = start + DAY
    owed_minted = splitter.claim(0, sender=roles.mallory).decode_logs(splitter.Claimed)[0].amount  # to the pool
    assert splitter.mintedToRecipient(0, staking) == owed_minted == token.balanceOf(staking)
    assert staking.recoverable(token) == 0  # all of it is the stakers'
    splitter.claim(2, sender=roles.carol)
    mistake = 5 * E18 + 7
    token.transfer(staking, mistake, sender=roles.carol)  # a plain transfer, not through the splitter
    assert staking.recoverable(token) == mistake
    # alice claims: the bucket owes nothing more to the pool yet, so the pool pays from what it holds
    chain.pending_timestamp = start + DAY + 60
    receipt = staking.claimReward(sender=roles.alice)
    paid = receipt.decode_logs(staking.RewardClaimed)[0].amount
    assert paid > owed_minted - 2  # a day and a minute, less rounding; part minted, the day from the balance
    assert staking.recoverable(token) == mistake  # what the pool paid from its balance is no longer owed
    with expect_revert(staking, "NotGovernance", roles.mallory.address):
        staking.recoverToken(token, roles.mallory, mistake, sender=roles.mallory)
    with expect_revert(staking, "ZeroAmount"):
        staking.recoverToken(token, ZERO, mistake, sender=roles.governance)
    with expect_revert(staking, "ZeroAmount"):
        staking.recoverToken(token, roles.treasury, 0, sender=roles.governance)
    with expect_revert(staking, "ExceedsRecoverable", token.address, mistake + 1, mistake):
        staking.recoverToken(token, roles.treasury, mistake + 1, sender=roles.governance)
    before = token.balanceOf(roles.treasury)
    receipt = staking.recoverToken(token, roles.treasury, mistake, sender=roles.governance)
    [log] = receipt.decode_logs(staking.TokenRecovered)
    assert (log.token, log.to, log.amount) == (token.address, roles.treasury.address, mistake)
    assert token.balanceOf(roles.treasury) - before == mistake and staking.recoverable(token) == 0
    with expect_revert(staking, "ExceedsRecoverable", token.address, 1, 0):
        staking.recoverToken(token, roles.treasury, 1, sender=roles.governance)
    # the stakers lost nothing: alice, the only staker, is paid the bucket's whole accrual (less rounding dust)
    chain.pending_timestamp = start + 10 * DAY
    t = block_time(chain, staking.exit(sender=roles.alice))
    accrued = curve_of(splitter).epoch_share(start, t, 2400)
    assert accrued - 2 <= token.balanceOf(roles.alice) <= accrued
    assert staking.earned(roles.alice) == 0 and token.balanceOf(staking) <= 2


def test_reward_tokens_in_a_paused_pool_are_recoverable_only_above_what_the_bucket_will_not_cover(pools, roles,
                                                                                                   chain):
    """While the bucket is paused a claim is paid from whatever the pool holds, a donation included; the bucket
    still owes the pool that amount, so the donation's remainder stays recoverable and the stakers stay covered."""
    staking, splitter, token, start = pools["staking"], pools["splitter"], pools["token"], pools["start"]
    curve = curve_of(splitter)
    chain.pending_timestamp = start + 2 * DAY
    staked_at = block_time(chain, staking.stake(E18, sender=roles.alice))
    splitter.claim(2, sender=roles.carol)
    gift = 3_000 * E18
    token.transfer(staking, gift, sender=roles.carol)
    splitter.pause(0, sender=roles.guardian)
    chain.pending_timestamp = staked_at + 600
    paid = staking.claimReward(sender=roles.alice).decode_logs(staking.RewardClaimed)[0].amount
    assert 0 < paid < gift and splitter.accrual(0, staking)[1] == 0  # nothing mintable while paused
    assert staking.recoverable(token) == token.balanceOf(staking) == gift - paid
    staking.recoverToken(token, roles.treasury, gift - paid, sender=roles.governance)
    splitter.unpause(0, sender=roles.guardian)
    chain.pending_timestamp = start + 3 * DAY
    t = block_time(chain, staking.claimReward(sender=roles.alice))
    fair = curve.epoch_share(start, t, 2400) - curve.epoch_share(start, staked_at, 2400)
    assert fair - 2 <= token.balanceOf(roles.alice) <= fair  # everything it earned, the rest from the bucket


def test_a_managed_pool_recovers_reward_tokens_and_foreign_tokens(pools, roles, chain):
    managed, splitter, token, start = pools["managed"], pools["splitter"], pools["token"], pools["start"]
    chain.pending_timestamp = start - 10
    managed.setWeights([roles.alice], [3], sender=roles.admin)
    chain.pending_timestamp = start + DAY
    splitter.claim(1, sender=roles.mallory)  # to the pool: the stakers'
    splitter.claim(2, sender=roles.carol)
    token.transfer(managed, 3, sender=roles.carol)
    assert managed.recoverable(token) == 3
    stray = deploy_zoo_token("standard18", roles.deployer)
    stray.mint(managed, 4, sender=roles.mallory)
    assert managed.recoverable(stray) == 4
    with expect_revert(managed, "ExceedsRecoverable", stray.address, 5, 4):
        managed.recoverToken(stray, roles.treasury, 5, sender=roles.governance)
    managed.recoverToken(stray, roles.treasury, 4, sender=roles.governance)
    managed.recoverToken(token, roles.treasury, 3, sender=roles.governance)
    assert stray.balanceOf(roles.treasury) == 4 and token.balanceOf(roles.treasury) == 3
    chain.pending_timestamp = start + 2 * DAY
    t = block_time(chain, managed.claimReward(sender=roles.alice))
    accrued = curve_of(splitter).epoch_share(start, t, 2400)
    assert accrued - 2 <= token.balanceOf(roles.alice) <= accrued


def test_a_reward_claimed_to_the_pool_is_a_donation(pools, roles, chain):
    """An account that claims its own rewards to the pool's address (`claimRewardTo(pool)`) gave them away: they
    are paid, so not owed, and governance may recover them."""
    staking, token, start = pools["staking"], pools["token"], pools["start"]
    chain.pending_timestamp = start - 10
    staking.stake(E18, sender=roles.alice)
    chain.pending_timestamp = start + DAY
    paid = staking.claimRewardTo(staking, sender=roles.alice).decode_logs(staking.RewardClaimed)[0].amount
    assert paid > 0 and staking.recoverable(token) == token.balanceOf(staking) == paid


# ---------------------------------------------------------------- item 8: claim locks after a stake and after a claim

def lock_pool(roles, params, chain, lp, **limits):
    """An emission system with a staking pool of `lp` and `limits`; alice, bob and mallory funded."""
    system, start = staking_system(roles, params, chain, lp, **limits)
    fund(lp, system.pools[0], roles.alice, roles.bob, roles.mallory)
    return system, start


def test_claim_lock_after_an_own_stake(roles, params, chain):
    """Morpheus's claim lock after a stake: an own stake locks the account's claims (and so `exit`) for
    `claimLockAfterStake`; withdrawals are never locked by it; a stake made for it by someone else never moves it."""
    lp = deploy_zoo_token("standard18", roles.deployer)
    system, start = lock_pool(roles, params, chain, lp, claim_lock_after_stake=DAY)
    pool, token = system.pools[0], system.token
    assert pool.claimLockAfterStake() == DAY and pool.claimLockAfterClaim() == 0
    chain.pending_timestamp = start + DAY
    t = block_time(chain, pool.stake(10 * E18, sender=roles.alice))
    assert pool.claimableAt(roles.alice) == t + DAY
    # a stranger staking 1 wei for alice, again and again, cannot extend her lock
    for step in (10, DAY - 10):
        chain.pending_timestamp = t + step
        pool.stakeFor(roles.alice, 1, sender=roles.mallory)
        assert pool.claimableAt(roles.alice) == t + DAY
    chain.pending_timestamp = t + DAY - 2
    with expect_revert(pool, "ClaimLocked", t + DAY):
        pool.claimReward(sender=roles.alice)
    chain.pending_timestamp = t + DAY - 1  # (a reverted transaction mines a block)
    with expect_revert(pool, "ClaimLocked", t + DAY):
        pool.claimRewardTo(roles.bob, sender=roles.alice)
    chain.pending_timestamp = t + DAY
    paid = pool.claimReward(sender=roles.alice).decode_logs(pool.RewardClaimed)[0].amount
    assert paid > 0 and token.balanceOf(roles.alice) == paid
    # a new own stake locks again; the withdrawal is never locked by the claim lock, exit is until the unlock
    chain.pending_timestamp = t + 2 * DAY
    t2 = block_time(chain, pool.stake(E18, sender=roles.alice))
    chain.pending_timestamp = t2 + 5
    with expect_revert(pool, "ClaimLocked", t2 + DAY):
        pool.exit(sender=roles.alice)
    pool.withdraw(E18, sender=roles.alice)
    assert pool.earned(roles.alice) > 0  # settled, claimable from the unlock on
    chain.pending_timestamp = t2 + DAY
    pool.exit(sender=roles.alice)
    assert pool.weightOf(roles.alice) == 0 and pool.earned(roles.alice) == 0


def test_claim_lock_after_a_claim(roles, params, chain):
    """Morpheus's claim lock after a claim: a claim that pays something locks the next one for
    `claimLockAfterClaim`; a stake made for the account by someone else does not touch it."""
    lp = deploy_zoo_token("standard18", roles.deployer)
    system, start = lock_pool(roles, params, chain, lp, claim_lock_after_claim=DAY)
    pool = system.pools[0]
    chain.pending_timestamp = start - 10
    pool.stake(10 * E18, sender=roles.alice)
    assert pool.claimableAt(roles.alice) == 0  # a stake does not lock claims in this pool
    chain.pending_timestamp = start + DAY
    t = block_time(chain, pool.claimReward(sender=roles.alice))
    assert pool.claimableAt(roles.alice) == t + DAY
    chain.pending_timestamp = t + DAY - 10
    with expect_revert(pool, "ClaimLocked", t + DAY):
        pool.claimReward(sender=roles.alice)
    chain.pending_timestamp = t + DAY - 5
    pool.stakeFor(roles.alice, 1, sender=roles.mallory)
    assert pool.claimableAt(roles.alice) == t + DAY
    chain.pending_timestamp = t + DAY
    t2 = block_time(chain, pool.claimReward(sender=roles.alice))
    assert pool.claimableAt(roles.alice) == t2 + DAY
    # an account with nothing to claim is not locked by trying
    chain.pending_timestamp = t2 + 2 * DAY
    pool.claimReward(sender=roles.bob)
    assert pool.claimableAt(roles.bob) == 0


def test_claim_locks_in_a_managed_pool_and_their_bounds(roles, params, chain):
    """A managed pool takes a claim lock after a claim (never one after a stake: nobody stakes); every lock is at
    most MAX_CLAIM_LOCK (30 days), and a deployment above it is refused."""
    lp = deploy_zoo_token("standard18", roles.deployer)
    recipients = [PoolSpec(STAKING, deposit_token=lp), PoolSpec(MANAGED, manager=roles.admin,
                                                                 claim_lock_after_claim=3600),
                  roles.carol, roles.dave, roles.treasury]
    start = int(chain.pending_timestamp) + 100
    system = deploy_emission(roles.deployer, params, recipients, roles.governance, roles.guardian, start)
    managed = system.pools[1]
    assert managed.MAX_CLAIM_LOCK() == 30 * DAY
    chain.pending_timestamp = start - 10
    managed.setWeights([roles.alice], [5], sender=roles.admin)
    chain.pending_timestamp = start + DAY
    t = block_time(chain, managed.claimReward(sender=roles.alice))
    chain.pending_timestamp = t + 3599
    with expect_revert(managed, "ClaimLocked", t + 3600):
        managed.claimReward(sender=roles.alice)
    factory = container("RewardPool")
    splitter = system.splitter
    for args in ((0, STAKING, lp, ZERO, 0, 0, 30 * DAY + 1, 0),   # after a stake, above the maximum
                 (0, STAKING, lp, ZERO, 0, 0, 0, 30 * DAY + 1),   # after a claim, above the maximum
                 (1, MANAGED, ZERO, roles.admin, 0, 0, DAY, 0)):  # a managed pool has no stakes
        with expect_revert(factory, "InvalidConfiguration"):
            roles.deployer.deploy(factory, splitter, system.token, *args)
    roles.deployer.deploy(factory, splitter, system.token, 0, STAKING, lp, ZERO, 0, 30 * DAY, 30 * DAY, 30 * DAY)


def test_claim_locks_never_block_withdrawals_pause_or_handover(roles, params, chain):
    """While its claims are locked an account still withdraws, also with its bucket paused and after governance
    moved the bucket away (keep mode): the pool is paid what it accrued and the account claims it at the unlock."""
    lp = deploy_zoo_token("standard18", roles.deployer)
    system, start = lock_pool(roles, params, chain, lp, claim_lock_after_stake=2 * DAY, withdraw_lock=DAY)
    pool, splitter, token = system.pools[0], system.splitter, system.token
    chain.pending_timestamp = start + DAY
    t = block_time(chain, pool.stake(10 * E18, sender=roles.alice))
    splitter.pause(0, sender=roles.guardian)
    receipt = splitter.proposeRecipient(0, roles.relayer, False, sender=roles.governance)
    chain.pending_timestamp = t + DAY
    pool.withdraw(10 * E18, sender=roles.alice)  # withdraw lock over, claim lock not: the deposit leaves
    assert lp.balanceOf(roles.alice) == 100 * E18
    chain.pending_timestamp = block_time(chain, receipt) + DELAY
    splitter.executeRecipient(0, sender=roles.mallory)  # keep mode, paused: the pool is paid what it accrued
    chain.pending_timestamp = t + 2 * DAY + DELAY + 1
    paid = pool.claimReward(sender=roles.alice).decode_logs(pool.RewardClaimed)[0].amount
    assert paid > 0 and token.balanceOf(roles.alice) == paid and pool.earned(roles.alice) == 0
