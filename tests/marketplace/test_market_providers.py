"""Providers (the ProviderRegistry the marketplace deploys): registration, stake deposits, the unstake cooldown, what
is locked by leases, and that only the marketplace locks and releases."""

from __future__ import annotations

from conftest import DAY, STAKE
from deai.testing.reverts import expect_revert


def test_register_and_update_metadata(market, roles):
    m, r, bob = market.contract, market.registry, roles.bob
    assert not r.providerInfo(bob).registered
    receipt = r.registerProvider("ipfs://a", sender=bob)
    assert [(e.event_arguments["provider"], e.metadataURI) for e in receipt.events] == [(bob.address, "ipfs://a")]
    r.registerProvider("ipfs://b", sender=bob)
    info = r.providerInfo(bob)
    assert info.registered and info.metadataURI == "ipfs://b"
    assert (info.freeStake, info.lockedStake, info.pendingStake, info.leasesCompleted) == (0, 0, 0, 0)


def test_deposit_stake(market, roles):
    m, r, bob = market.contract, market.registry, roles.bob
    with expect_revert(r, "NotRegistered", bob.address):
        r.depositStake(1, sender=bob)
    market.provider(bob, stake=0)
    with expect_revert(r, "InvalidParameter"):
        r.depositStake(0, sender=bob)
    market.fund(bob, STAKE, market.stake, spender=r)
    receipt = r.depositStake(STAKE, sender=bob)
    assert [(e.event_arguments["provider"], e.amount) for e in receipt.events if e.event_name == "StakeDeposited"] == [(bob.address, STAKE)]
    assert r.providerInfo(bob).freeStake == STAKE
    assert market.stake.balanceOf(r) == STAKE == r.totalStake()
    r.registerProvider("ipfs://c", sender=bob)  # re-registering keeps the stake
    assert r.providerInfo(bob).freeStake == STAKE
    m.pause(sender=roles.admin)
    with expect_revert(r, "EnforcedPause"):
        r.depositStake(1, sender=bob)


def test_unstake_cooldown(market, roles, mp_params):
    m, r, bob = market.contract, market.registry, roles.bob
    market.provider(bob)
    with expect_revert(r, "InvalidParameter"):
        r.requestUnstake(0, sender=bob)
    with expect_revert(r, "InsufficientStake", STAKE, STAKE + 1):
        r.requestUnstake(STAKE + 1, sender=bob)
    with expect_revert(r, "NothingPending"):
        r.withdrawStake(sender=bob)
    with expect_revert(r, "NothingPending"):
        r.cancelUnstake(sender=bob)
    t0 = market.chain.pending_timestamp + 10
    market.at(t0)
    receipt = r.requestUnstake(STAKE // 4, sender=bob)
    assert [(e.amount, e.unlockAt) for e in receipt.events] == [(STAKE // 4, t0 + mp_params.unstake_cooldown)]
    t1 = t0 + DAY
    market.at(t1)
    r.requestUnstake(STAKE // 4, sender=bob)  # a second request restarts the cooldown for all pending stake
    unlock = t1 + mp_params.unstake_cooldown
    info = r.providerInfo(bob)
    assert (info.freeStake, info.pendingStake, info.unlockAt) == (STAKE // 2, STAKE // 2, unlock)
    market.at(unlock - 1)
    with expect_revert(r, "CooldownActive", unlock):
        r.withdrawStake(sender=bob)
    market.at(unlock)
    before = market.stake.balanceOf(bob)
    r.withdrawStake(sender=bob)
    assert market.stake.balanceOf(bob) - before == STAKE // 2
    info = r.providerInfo(bob)
    assert (info.freeStake, info.pendingStake, info.unlockAt) == (STAKE // 2, 0, 0)
    assert r.totalStake() == STAKE // 2 == market.stake.balanceOf(r)


def test_cancel_unstake(market, roles):
    m, r, bob = market.contract, market.registry, roles.bob
    market.provider(bob)
    r.requestUnstake(STAKE // 3, sender=bob)
    receipt = r.cancelUnstake(sender=bob)
    assert [e.amount for e in receipt.events] == [STAKE // 3]
    info = r.providerInfo(bob)
    assert (info.freeStake, info.pendingStake, info.unlockAt) == (STAKE, 0, 0)


def test_locked_collateral_cannot_be_unstaked(market, roles, mp_params):
    m, r, bob = market.contract, market.registry, roles.bob
    lease_id, _ = market.running_lease(roles.alice, bob)
    locked = m.getLease(lease_id).collateral
    assert locked == m.getLease(lease_id).deposit * mp_params.collateral_bps // 10_000 > 0
    info = r.providerInfo(bob)
    assert (info.freeStake, info.lockedStake) == (STAKE - locked, locked)
    with expect_revert(r, "InsufficientStake", STAKE - locked, STAKE):
        r.requestUnstake(STAKE, sender=bob)


def test_only_the_marketplace_locks_and_releases(market, roles):
    """The registry's lock and release take orders only from the marketplace that deployed it (not the admin, not
    the disputes module called directly)."""
    r, bob = market.registry, roles.bob
    market.provider(bob)
    for caller in (roles.mallory, roles.admin):
        with expect_revert(r, "NotMarketplace", caller.address):
            r.lock(bob, 1, sender=caller)
        with expect_revert(r, "NotMarketplace", caller.address):
            r.release(bob, 0, 0, 0, 0, 0, sender=caller)
        with expect_revert(r, "NotMarketplace", caller.address):
            r.unlock(bob, 0, sender=caller)
    assert r.marketplace() == market.contract.address
