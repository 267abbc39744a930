"""RewardPool in both modes: every function, revert path and access rule, zero-weight gaps, paused splitter,
third-party claims and recipient changes. Expected amounts come from the independent curve model."""

from __future__ import annotations

import pytest
from emission_oracle import curve_of

from deai.deploy.contracts import container
from deai.deploy.emission import MANAGED, STAKING, PoolSpec, deploy_emission
from deai.testing.blocks import block_time
from deai.testing.reverts import expect_revert
from deai.testing.tokens import deploy_token as deploy_zoo_token

DAY = 86_400
PRECISION = 10**18
ZERO = "0x" + "00" * 20


def bucket_total(splitter, bucket, t):
    """A 24% bucket's entitlement at time t (single epoch), from the independent model."""
    curve = curve_of(splitter)
    return curve.epoch_share(curve.start, t, 2400)


def at(chain, t):
    """Mine an empty block at `t`: views then run at that time."""
    chain.mine(timestamp=t)
    return t


def paid(pool, receipt):
    return receipt.decode_logs(pool.RewardClaimed)[0].amount


def test_constructor_validation(roles, pools):
    token, lp, splitter = pools["token"], pools["lp"], pools["splitter"]
    factory = container("RewardPool")
    for args in [(ZERO, token, 0, STAKING, lp, ZERO), (splitter, ZERO, 0, STAKING, lp, ZERO),
                 (splitter, token, 0, STAKING, ZERO, ZERO), (splitter, token, 0, STAKING, token, ZERO),
                 (splitter, token, 0, STAKING, lp, roles.admin), (splitter, token, 1, MANAGED, ZERO, ZERO),
                 (splitter, token, 1, MANAGED, lp, roles.admin)]:
        with expect_revert(factory, "InvalidConfiguration"):
            roles.deployer.deploy(factory, *args, 0, 0, 0, 0)


def test_splitter_is_fixed_at_deployment(pools):
    staking, managed, splitter = pools["staking"], pools["managed"], pools["splitter"]
    assert staking.splitter() == managed.splitter() == splitter.address
    assert list(splitter.recipients())[:2] == [staking.address, managed.address]
    functions = {item.name for item in staking.contract_type.abi if item.type == "function"}
    assert not {name for name in functions if name.startswith("set") and name != "setWeights"}  # no setter
    assert "setSplitter" not in functions and "recoverable" in functions


def test_weights_are_bounded(pools, roles):
    managed, staking, lp = pools["managed"], pools["staking"], pools["lp"]
    top = 2**96 - 1
    with expect_revert(managed, "WeightTooLarge", top + 1, top):
        managed.setWeights([roles.alice], [top + 1], sender=roles.admin)
    managed.setWeights([roles.alice, roles.bob], [top, top], sender=roles.admin)
    assert managed.totalWeight() == 2 * top and managed.weightOf(roles.bob) == top
    lp.mint(roles.dave, top + 1, sender=roles.dave)
    lp.approve(staking, top + 1, sender=roles.dave)
    staking.stake(top, sender=roles.dave)
    with expect_revert(staking, "WeightTooLarge", top + 1, top):
        staking.stake(1, sender=roles.dave)


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
    t = at(chain, start + 2 * DAY)
    accrued = bucket_total(splitter, 0, t)
    per_weight = accrued * PRECISION // (4 * 10**18)
    assert staking.rewardPerWeight() == 1 + per_weight  # the accumulator starts at 1
    assert staking.earned(roles.alice) == 3 * 10**18 * per_weight // PRECISION
    assert staking.earned(roles.bob) == 10**18 * per_weight // PRECISION
    assert accrued - 1 <= staking.earned(roles.alice) + staking.earned(roles.bob) <= accrued
    before = token.balanceOf(roles.carol)
    receipt = staking.claimRewardTo(roles.carol, sender=roles.alice)
    t = block_time(chain, receipt)
    expected = 3 * 10**18 * (bucket_total(splitter, 0, t) * PRECISION // (4 * 10**18)) // PRECISION
    [log] = receipt.decode_logs(staking.RewardClaimed)
    assert (log.account, log.to, log.amount) == (roles.alice.address, roles.carol.address, expected)
    # minted by the splitter straight to the receiver: the pool never holds it
    [minted] = receipt.decode_logs(splitter.Claimed)
    assert (minted.bucket, minted.recipient, minted.to, minted.amount) == (0, staking.address, roles.carol.address, expected)
    assert token.balanceOf(roles.carol) - before == expected and token.balanceOf(staking) == 0
    assert staking.earned(roles.alice) == 0
    assert staking.claimReward.call(sender=roles.alice) == 0  # nothing more in the same second


def test_rewards_during_zero_weight_are_forfeited_to_the_protection_fund(pools, roles, chain):
    managed, splitter, token, start = pools["managed"], pools["splitter"], pools["token"], pools["start"]
    t = at(chain, start + 5 * DAY)
    assert managed.forfeited() == managed.sinkOwed() == bucket_total(splitter, 1, t) > 0
    assert managed.totalWeight() == 0 and managed.sink() == roles.treasury.address
    assert managed.rewardPerWeight() == 1  # starts at 1: only differences matter
    receipt = managed.setWeights([roles.alice, roles.bob], [1, 3], sender=roles.admin)
    t0 = block_time(chain, receipt)
    [log] = receipt.decode_logs(managed.RewardsForfeited)
    assert log.amount == log.total == bucket_total(splitter, 1, t0)
    assert not receipt.decode_logs(managed.RewardDistributed)  # nobody held weight: nothing distributed
    t = at(chain, t0 + 600)
    assert managed.forfeited() == bucket_total(splitter, 1, t0)  # weight again: the forfeit stops growing
    # only what accrued since t0 goes to the weights set at t0
    per_weight = (bucket_total(splitter, 1, t) - bucket_total(splitter, 1, t0)) * PRECISION // 4
    assert managed.earned(roles.alice) == per_weight // PRECISION
    assert managed.earned(roles.bob) == 3 * per_weight // PRECISION
    # dropping every weight forfeits again; the next holders do not get it
    receipt = managed.setWeights([roles.alice, roles.bob], [0, 0], sender=roles.admin)
    t1 = block_time(chain, receipt)
    [log] = receipt.decode_logs(managed.RewardDistributed)
    assert log.amount == bucket_total(splitter, 1, t1) - bucket_total(splitter, 1, t0)
    t = at(chain, t1 + DAY)
    assert managed.forfeited() == bucket_total(splitter, 1, t0) + bucket_total(splitter, 1, t) - bucket_total(
        splitter, 1, t1)
    before = managed.earned(roles.alice)
    receipt = managed.setWeights([roles.carol], [7], sender=roles.admin)
    t2 = block_time(chain, receipt)
    assert managed.earned(roles.alice) == before  # weightless accounts earn nothing more
    owed = bucket_total(splitter, 1, t0) + bucket_total(splitter, 1, t2) - bucket_total(splitter, 1, t1)
    assert managed.sinkOwed() == owed
    receipt = managed.releaseForfeited(sender=roles.mallory)  # anyone may send it
    [log] = receipt.decode_logs(managed.ForfeitReleased)
    assert (log.sink, log.amount) == (roles.treasury.address, owed)
    [minted] = receipt.decode_logs(splitter.Claimed)  # minted straight to the sink by the bucket
    assert minted.amount == owed and token.balanceOf(roles.treasury) == owed
    assert managed.sinkOwed() == 0 and managed.releaseForfeited.call(sender=roles.mallory) == 0


def test_withdraw_and_claim_work_while_the_splitter_is_paused(pools, roles, chain):
    staking, token, lp, splitter, start = (pools[k] for k in ("staking", "token", "lp", "splitter", "start"))
    chain.pending_timestamp = start - 10
    staking.stake(10**18, sender=roles.alice)
    chain.pending_timestamp = start + 2 * DAY
    splitter.claim(0, sender=roles.mallory)  # the pool now holds two days' worth
    held = token.balanceOf(staking)
    splitter.pause(0, sender=roles.guardian)
    chain.pending_timestamp = start + 3 * DAY
    balance = lp.balanceOf(roles.alice)
    receipt = staking.withdraw(10**18, sender=roles.alice)
    t = block_time(chain, receipt)
    assert lp.balanceOf(roles.alice) == balance + 10**18
    owed = staking.earned(roles.alice)
    assert owed >= bucket_total(splitter, 0, t) - 1 > held
    # paused: the pool pays what it holds, the rest stays earned (not lost)
    receipt = staking.claimReward(sender=roles.alice)
    assert paid(staking, receipt) == held and token.balanceOf(staking) == 0
    assert staking.earned(roles.alice) == owed - held
    assert staking.claimReward.call(sender=roles.alice) == 0
    splitter.unpause(0, sender=roles.guardian)
    receipt = staking.claimReward(sender=roles.alice)
    assert paid(staking, receipt) == owed - held and staking.earned(roles.alice) == 0
    assert token.balanceOf(roles.alice) == owed


def test_fee_on_transfer_deposit_credits_what_arrived(roles, params, recipients, chain):
    fot = deploy_zoo_token("fee_on_transfer", roles.deployer)
    pool = deploy_emission(roles.deployer, params, [PoolSpec(STAKING, deposit_token=fot)] + recipients[1:],
                           roles.governance, roles.guardian, chain.pending_timestamp).pools[0]
    fot.mint(roles.alice, 10_000, sender=roles.alice)
    fot.approve(pool, 10_000, sender=roles.alice)
    receipt = pool.stake(10_000, sender=roles.alice)
    assert receipt.decode_logs(pool.Staked)[0].amount == pool.weightOf(roles.alice) == 9_900 == pool.totalWeight()
    pool.withdraw(9_900, sender=roles.alice)
    assert fot.balanceOf(pool) == 0


def test_a_third_party_claim_for_the_pool_is_distributed_not_stuck(pools, roles, chain):
    """Anyone may call splitter.claim(bucket): the tokens it mints to the pool pay the stakers (no double count)."""
    staking, token, splitter, start = pools["staking"], pools["token"], pools["splitter"], pools["start"]
    chain.pending_timestamp = start - 10
    staking.stake(10**18, sender=roles.alice)
    chain.pending_timestamp = start + 30 * DAY
    receipt = splitter.claim(0, sender=roles.mallory)
    minted = receipt.decode_logs(splitter.Claimed)[0].amount
    assert token.balanceOf(staking) == minted > 0
    assert staking.earned(roles.alice) == minted  # already earned: the accrual, not the balance, counts
    chain.pending_timestamp = start + 31 * DAY
    receipt = staking.claimReward(sender=roles.alice)
    accrued = bucket_total(splitter, 0, block_time(chain, receipt))
    # minted from the bucket what it can (one day), the rest from the pool's balance
    assert paid(staking, receipt) == accrued and token.balanceOf(roles.alice) == accrued
    assert receipt.decode_logs(splitter.Claimed)[0].amount == accrued - minted
    assert token.balanceOf(staking) == 0 and splitter.claimable(0) == 0


def test_recipient_change_away_from_the_pool_and_back(pools, roles, chain):
    """Governance moves the bucket elsewhere: the pool keeps (and pays) what had accrued, earns nothing more until
    it is the recipient again, and then continues where it stopped."""
    staking, token, splitter, start = pools["staking"], pools["token"], pools["splitter"], pools["start"]
    chain.pending_timestamp = start - 10
    staking.stake(10**18, sender=roles.alice)

    def switch(to, at_time):
        chain.pending_timestamp = at_time
        receipt = splitter.proposeRecipient(0, to, False, sender=roles.governance)
        chain.pending_timestamp = block_time(chain, receipt) + 48 * 3600
        return block_time(chain, splitter.executeRecipient(0, sender=roles.mallory))

    t1 = switch(roles.carol, start + DAY)
    first = bucket_total(splitter, 0, t1)
    assert token.balanceOf(staking) == first  # paid to the pool as the previous recipient
    at(chain, t1 + 10 * DAY)
    assert staking.earned(roles.alice) == first  # the new recipient's accrual is not the pool's
    receipt = staking.claimReward(sender=roles.alice)
    assert paid(staking, receipt) == first and token.balanceOf(staking) == 0
    t2 = switch(staking, t1 + 20 * DAY)
    t = at(chain, t2 + DAY)
    since = curve_of(splitter).epoch_share(t2, t, 2400)  # the epoch that began at t2
    assert tuple(splitter.accrual(0, staking)) == (first + since, since)
    assert staking.earned(roles.alice) == since
