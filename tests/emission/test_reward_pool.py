"""RewardPool in both modes: every function, revert path and access rule, zero-weight gaps, paused splitter."""

from __future__ import annotations

import pytest

from deai.deploy.contracts import container
from deai.deploy.emission import MANAGED, STAKING, deploy_pool
from deai.testing.reverts import expect_revert
from deai.testing.tokens import deploy_token as deploy_zoo_token

DAY = 86_400
ZERO = "0x" + "00" * 20


def bucket_total(splitter, bucket, t):
    """A 24% bucket's entitlement at time t (single epoch), from the independent model."""
    from emission_oracle import curve_of
    return curve_of(splitter).emitted(t) * 2400 // 10_000


def block_time(chain, receipt):
    return chain.blocks[receipt.block_number].timestamp


def test_constructor_validation(roles, params):
    from deai.deploy.emission import deploy_token
    token = deploy_token(roles.deployer, params)
    lp = deploy_zoo_token("standard18", roles.deployer)
    factory = container("RewardPool")
    for args in [(ZERO, 0, STAKING, lp, ZERO), (token, 0, STAKING, ZERO, ZERO), (token, 0, STAKING, token, ZERO),
                 (token, 0, STAKING, lp, roles.admin), (token, 1, MANAGED, ZERO, ZERO), (token, 1, MANAGED, lp, roles.admin)]:
        with expect_revert(factory, "InvalidConfiguration"):
            roles.deployer.deploy(factory, *args)


def test_splitter_is_set_once_by_the_deployer(pools, roles):
    staking, splitter = pools["staking"], pools["splitter"]
    assert staking.splitter() == splitter.address
    with expect_revert(staking, "NotDeployer", roles.mallory.address):
        staking.setSplitter(roles.mallory, sender=roles.mallory)
    with expect_revert(staking, "SplitterAlreadySet", splitter.address):
        staking.setSplitter(roles.mallory, sender=roles.deployer)


def test_mode_and_access_rules(pools, roles):
    staking, managed = pools["staking"], pools["managed"]
    with expect_revert(staking, "WrongMode", STAKING):
        staking.setWeights([roles.alice], [1], sender=roles.admin)
    with expect_revert(managed, "WrongMode", MANAGED):
        managed.stake(1, sender=roles.alice)
    with expect_revert(managed, "WrongMode", MANAGED):
        managed.withdraw(1, sender=roles.alice)
    with expect_revert(managed, "NotManager", roles.mallory.address):
        managed.setWeights([roles.alice], [1], sender=roles.mallory)
    with expect_revert(managed, "LengthMismatch", 1, 2):
        managed.setWeights([roles.alice], [1, 2], sender=roles.admin)
    with expect_revert(managed, "ZeroAmount"):
        managed.setWeights([ZERO], [1], sender=roles.admin)
    with expect_revert(staking, "ZeroAmount"):
        staking.stake(0, sender=roles.alice)
    with expect_revert(staking, "ZeroAmount"):
        staking.withdraw(0, sender=roles.alice)
    with expect_revert(staking, "InsufficientStake", roles.alice.address, 0, 5):
        staking.withdraw(5, sender=roles.alice)
    with expect_revert(staking, "ZeroAmount"):
        staking.claimRewardTo(ZERO, sender=roles.alice)


def test_staking_pro_rata_and_exact_payout(pools, roles, chain):
    staking, token, splitter, start = pools["staking"], pools["token"], pools["splitter"], pools["start"]
    chain.pending_timestamp = start - 100
    staking.stake(3 * 10**18, sender=roles.alice)
    staking.stake(1 * 10**18, sender=roles.bob)
    chain.pending_timestamp = start + 2 * DAY
    receipt = staking.pull(sender=roles.mallory)
    arrived = bucket_total(splitter, 0, block_time(chain, receipt))
    assert token.balanceOf(staking) == arrived
    assert staking.earned(roles.alice) == arrived * 3 // 4 or abs(staking.earned(roles.alice) - arrived * 3 // 4) <= 1
    assert staking.earned(roles.alice) + staking.earned(roles.bob) <= arrived
    before = token.balanceOf(roles.carol)
    amount = staking.earned(roles.alice)
    receipt = staking.claimRewardTo(roles.carol, sender=roles.alice)
    [log] = receipt.decode_logs(staking.RewardClaimed)
    assert (log.account, log.to) == (roles.alice.address, roles.carol.address)
    assert token.balanceOf(roles.carol) - before == log.amount >= amount
    assert staking.earned(roles.alice) == 0


def test_rewards_during_zero_weight_are_queued_not_lost(pools, roles, chain):
    managed, token, splitter, start = pools["managed"], pools["token"], pools["splitter"], pools["start"]
    chain.pending_timestamp = start + 5 * DAY
    receipt = managed.pull(sender=roles.mallory)
    queued = bucket_total(splitter, 1, block_time(chain, receipt))
    assert receipt.decode_logs(managed.RewardReceived)[0].queued
    assert managed.queuedRewards() == queued > 0 and managed.totalWeight() == 0
    receipt = managed.setWeights([roles.alice, roles.bob], [1, 1], sender=roles.admin)
    got = bucket_total(splitter, 1, block_time(chain, receipt))
    assert managed.queuedRewards() == 0
    assert managed.earned(roles.alice) + managed.earned(roles.bob) >= got - 2  # all of it, less rounding dust
    assert token.balanceOf(managed) == got


def test_withdraw_and_claim_work_while_the_splitter_is_paused(pools, roles, chain):
    staking, lp, splitter, start = pools["staking"], pools["lp"], pools["splitter"], pools["start"]
    chain.pending_timestamp = start + DAY
    staking.stake(10**18, sender=roles.alice)
    chain.pending_timestamp = start + 2 * DAY
    staking.pull(sender=roles.alice)
    splitter.pause(sender=roles.guardian)
    chain.pending_timestamp = start + 3 * DAY
    balance = lp.balanceOf(roles.alice)
    staking.withdraw(10**18, sender=roles.alice)
    assert lp.balanceOf(roles.alice) == balance + 10**18
    assert staking.claimReward(sender=roles.alice).decode_logs(staking.RewardClaimed)[0].amount > 0


def test_fee_on_transfer_deposit_credits_what_arrived(roles, params, chain):
    from deai.deploy.emission import deploy_token
    token = deploy_token(roles.deployer, params)
    fot = deploy_zoo_token("fee_on_transfer", roles.deployer)
    pool = deploy_pool(roles.deployer, token, 0, STAKING, deposit_token=fot)
    fot.mint(roles.alice, 10_000, sender=roles.alice)
    fot.approve(pool, 10_000, sender=roles.alice)
    receipt = pool.stake(10_000, sender=roles.alice)
    assert receipt.decode_logs(pool.Staked)[0].amount == pool.weightOf(roles.alice) == 9_900 == pool.totalWeight()
    pool.withdraw(9_900, sender=roles.alice)
    assert fot.balanceOf(pool) == 0


def test_a_third_party_claim_for_the_pool_is_distributed_not_stuck(pools, roles, chain):
    """Anyone may call splitter.claim(bucket); tokens it mints to the pool must reach the stakers."""
    staking, token, splitter, start = pools["staking"], pools["token"], pools["splitter"], pools["start"]
    chain.pending_timestamp = start - 10
    staking.stake(10**18, sender=roles.alice)
    chain.pending_timestamp = start + 30 * DAY
    receipt = splitter.claim(0, sender=roles.mallory)
    minted = receipt.decode_logs(splitter.Claimed)[0].amount
    assert token.balanceOf(staking) == minted > 0 and staking.earned(roles.alice) == 0
    receipt = staking.claimReward(sender=roles.alice)
    paid = receipt.decode_logs(staking.RewardClaimed)[0].amount
    assert paid >= minted - 1
    assert token.balanceOf(staking) <= 1  # only rounding dust stays
