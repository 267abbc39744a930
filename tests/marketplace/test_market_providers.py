"""Providers: registration, stake deposits, the unstake cooldown, and what is locked by leases."""

from __future__ import annotations

from conftest import DAY, STAKE
from deai.testing.reverts import expect_revert


def test_register_and_update_metadata(market, roles):
    m, bob = market.contract, roles.bob
    assert not m.providerInfo(bob).registered
    receipt = m.registerProvider("ipfs://a", sender=bob)
    assert [(e.event_arguments["provider"], e.metadataURI) for e in receipt.events] == [(bob.address, "ipfs://a")]
    m.registerProvider("ipfs://b", sender=bob)
    info = m.providerInfo(bob)
    assert info.registered and info.metadataURI == "ipfs://b"
    assert (info.freeStake, info.lockedStake, info.pendingStake, info.leasesCompleted) == (0, 0, 0, 0)


def test_deposit_stake(market, roles):
    m, bob = market.contract, roles.bob
    with expect_revert(m, "NotRegistered", bob.address):
        m.depositStake(1, sender=bob)
    market.provider(bob, stake=0)
    with expect_revert(m, "InvalidParameter"):
        m.depositStake(0, sender=bob)
    market.fund(bob, STAKE, market.stake)
    receipt = m.depositStake(STAKE, sender=bob)
    assert [(e.event_arguments["provider"], e.amount) for e in receipt.events if e.event_name == "StakeDeposited"] == [(bob.address, STAKE)]
    assert m.providerInfo(bob).freeStake == STAKE
    assert market.stake.balanceOf(m) == STAKE == m.totalOwed(market.stake)


def test_unstake_cooldown(market, roles, mp_params):
    m, bob = market.contract, roles.bob
    market.provider(bob)
    with expect_revert(m, "InvalidParameter"):
        m.requestUnstake(0, sender=bob)
    with expect_revert(m, "InsufficientStake", STAKE, STAKE + 1):
        m.requestUnstake(STAKE + 1, sender=bob)
    with expect_revert(m, "NothingPending"):
        m.withdrawStake(sender=bob)
    with expect_revert(m, "NothingPending"):
        m.cancelUnstake(sender=bob)
    t0 = market.chain.pending_timestamp + 10
    market.at(t0)
    receipt = m.requestUnstake(STAKE // 4, sender=bob)
    assert [(e.amount, e.unlockAt) for e in receipt.events] == [(STAKE // 4, t0 + mp_params.unstake_cooldown)]
    t1 = t0 + DAY
    market.at(t1)
    m.requestUnstake(STAKE // 4, sender=bob)  # a second request restarts the cooldown for all pending stake
    unlock = t1 + mp_params.unstake_cooldown
    info = m.providerInfo(bob)
    assert (info.freeStake, info.pendingStake, info.unlockAt) == (STAKE // 2, STAKE // 2, unlock)
    market.at(unlock - 1)
    with expect_revert(m, "CooldownActive", unlock):
        m.withdrawStake(sender=bob)
    market.at(unlock)
    before = market.stake.balanceOf(bob)
    m.withdrawStake(sender=bob)
    assert market.stake.balanceOf(bob) - before == STAKE // 2
    info = m.providerInfo(bob)
    assert (info.freeStake, info.pendingStake, info.unlockAt) == (STAKE // 2, 0, 0)
    assert m.totalOwed(market.stake) == STAKE // 2 == market.stake.balanceOf(m)


def test_cancel_unstake(market, roles):
    m, bob = market.contract, roles.bob
    market.provider(bob)
    m.requestUnstake(STAKE // 3, sender=bob)
    receipt = m.cancelUnstake(sender=bob)
    assert [e.amount for e in receipt.events] == [STAKE // 3]
    info = m.providerInfo(bob)
    assert (info.freeStake, info.pendingStake, info.unlockAt) == (STAKE, 0, 0)


def test_locked_collateral_cannot_be_unstaked(market, roles, mp_params):
    m, bob = market.contract, roles.bob
    lease_id, _ = market.running_lease(roles.alice, bob)
    locked = m.getLease(lease_id).collateral
    assert locked == m.getLease(lease_id).deposit * mp_params.collateral_bps // 10_000 > 0
    info = m.providerInfo(bob)
    assert (info.freeStake, info.lockedStake) == (STAKE - locked, locked)
    with expect_revert(m, "InsufficientStake", STAKE - locked, STAKE):
        m.requestUnstake(STAKE, sender=bob)
