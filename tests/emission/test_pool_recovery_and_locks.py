"""Issue #13, the two acceptance items round 5 built: item 6's last sentence (a pool recovers reward tokens above
what it owes: a transfer by mistake is not stuck) and item 8's claim lock (Morpheus's claim lock after a stake and
after a claim). Each test here failed on the round-4 contracts (recoverable(rewardToken) was always 0 and
recoverToken took no amount; there was no claim lock)."""

from __future__ import annotations

from emission_oracle import curve_of

from deai.deploy.contracts import container
from deai.deploy.emission import MANAGED, STAKING, PoolSpec, deploy_emission
from deai.testing.reverts import expect_revert
from deai.testing.tokens import deploy_token as deploy_zoo_token

DAY = 86_400
DELAY = 48 * 3600
E18 = 10**18
ZERO = "0x" + "00" * 20


def block_time(chain, receipt):
    return chain.blocks[receipt.block_number].timestamp


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
    chain.pending_timestamp = start + DAY + 1
    receipt = staking.claimReward(sender=roles.alice)
    paid = receipt.decode_logs(staking.RewardClaimed)[0].amount
    assert paid > owed_minted - 2  # a day and a second, less rounding; part minted, the day from the balance
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
