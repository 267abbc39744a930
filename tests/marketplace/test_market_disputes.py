"""Disputes, rulings, the arbitration timeout, finalization, credits and fees."""

from __future__ import annotations

from conftest import PRICE, STAKE
from deai.deploy.marketplace import MarketplaceParams
from deai.testing.reverts import expect_revert
from market_model import Status, collateral, payout

HOUR = 3_600
H = MarketplaceParams().holdback  # earnings younger than this cannot be withdrawn (the fixtures' default)
BOND_BPS = MarketplaceParams().dispute_bond_bps  # held back from the refund of a running lease when disputed
DURATION = H + HOUR  # long enough to withdraw from before it ends
REASON = b"\x0d" * 32


def disputed_lease(market, roles, at_second=600, withdraw_at=None):
    """A `DURATION` lease, optionally withdrawn from at `withdraw_at`, disputed by the client `at_second` after
    start."""
    m = market.contract
    lease_id, start = market.running_lease(roles.alice, roles.bob, duration=DURATION)
    if withdraw_at is not None:
        market.at(start + withdraw_at)
        m.withdrawEarnings(lease_id, sender=roles.bob)
    market.fund(roles.alice, DURATION * PRICE)  # a bond the refund cannot cover is pulled
    market.at(start + at_second)
    receipt = m.dispute(lease_id, REASON, sender=roles.alice)
    return lease_id, start, receipt


def test_a_providers_slashes_add_up(market, roles):
    """Two disputes the provider loses, each slashing part of the lease's collateral: the registry's totalSlashed is
    their sum and the free stake falls by both (each lease re-stakes STAKE).
    Kills: ASOR `info.totalSlashed += uint128(slash)` -> `=` in ProviderRegistry.release."""
    m, slashes = market.contract, []
    for divisor in (3, 5):
        lease_id, _, _ = disputed_lease(market, roles)
        slash = market.registry.providerInfo(roles.bob).lockedStake // divisor  # this lease's collateral only
        m.resolveDispute(lease_id, 7_001, slash, sender=roles.arbiter)
        slashes.append(slash)
    info = market.registry.providerInfo(roles.bob)
    assert 0 not in slashes
    assert (info.totalSlashed, info.disputesLost, info.lockedStake, info.freeStake) == (
        sum(slashes), 2, 0, 2 * STAKE - sum(slashes))


def test_dispute_of_a_running_lease_stops_it_and_freezes_the_unwithdrawn_earnings(market, roles):
    m, alice = market.contract, roles.alice
    lease_id, start = market.running_lease(alice, roles.bob, duration=DURATION)
    with expect_revert(m, "NotClient", roles.bob.address):
        m.dispute(lease_id, REASON, sender=roles.bob)
    market.at(start + H + 100)
    m.withdrawEarnings(lease_id, sender=roles.bob)  # the first 100 seconds
    market.at(start + H + 600)
    before = market.token.balanceOf(alice)
    receipt = m.dispute(lease_id, REASON, sender=alice)
    event = [e for e in receipt.events if e.event_name == "DisputeOpened"][0]
    frozen = (H + 500) * PRICE
    bond = frozen * BOND_BPS // 10_000
    refund = (DURATION - H - 600) * PRICE - bond
    assert (event.client, event.reasonHash, event.frozen, event.refund, event.bond) == (
        alice.address, REASON, frozen, refund, bond)
    assert market.token.balanceOf(alice) - before == refund
    lease = m.getLease(lease_id)
    assert (lease.status, lease.frozen, lease.disputedAt, lease.arbiter, lease.disputeBond) == (
        Status.DISPUTED, frozen, start + H + 600, roles.arbiter.address, bond)
    # the terms stay as agreed; the stop and what it refunded (before the bond) are beside them
    assert (lease.deposit, lease.end, lease.stoppedAt, lease.refunded) == (
        DURATION * PRICE, start + DURATION, start + H + 600, (DURATION - H - 600) * PRICE)
    assert market.token.balanceOf(m) == m.totalOwed(market.token) == frozen + bond + m.accruedFees(market.token)
    assert m.earned(lease_id) == 0 and m.refundable(lease_id) == 0
    for call in (lambda: m.withdrawEarnings(lease_id, sender=roles.bob), lambda: m.closeLease(lease_id, sender=alice),
                 lambda: m.finalize(lease_id, sender=alice), lambda: m.dispute(lease_id, REASON, sender=alice)):
        with expect_revert(m, "WrongStatus", lease_id, Status.DISPUTED):
            call()


def test_dispute_window_after_the_end(market, roles, mp_params):
    m, alice = market.contract, roles.alice
    lease_id, start = market.running_lease(alice, roles.bob, duration=HOUR)
    deadline = start + HOUR + mp_params.dispute_window
    market.at(deadline + 1)
    with expect_revert(m, "DisputeWindowClosed", lease_id, deadline):
        m.dispute(lease_id, REASON, sender=alice)

    second, start = market.running_lease(alice, roles.bob, duration=HOUR)
    deadline = start + HOUR + mp_params.dispute_window
    market.fund(alice, HOUR * PRICE)
    before = market.token.balanceOf(alice)
    market.at(deadline)  # the last second of the window
    receipt = m.dispute(second, REASON, sender=alice)
    # after the end nothing is refunded, so the whole bond is pulled from the client
    bond = HOUR * PRICE * BOND_BPS // 10_000
    assert [(e.frozen, e.refund, e.bond) for e in receipt.events if e.event_name == "DisputeOpened"] == [
        (HOUR * PRICE, 0, bond)]
    assert before - market.token.balanceOf(alice) == bond


def test_arbiter_ruling_splits_and_slashes(market, roles, mp_params):
    m, alice, bob = market.contract, roles.alice, roles.bob
    lease_id, start, _ = disputed_lease(market, roles, at_second=H + 1_000, withdraw_at=H + 200)
    # the dispute stopped the lease: only the collateral of what it still holds stays locked
    frozen, locked = (H + 800) * PRICE, collateral((H + 1_000) * PRICE, mp_params.collateral_bps)
    with expect_revert(m, "NotArbiter", alice.address):
        m.resolveDispute(lease_id, 5_000, 0, sender=alice)
    with expect_revert(m, "InvalidShare", 10_001):
        m.resolveDispute(lease_id, 10_001, 0, sender=roles.arbiter)
    with expect_revert(m, "SlashExceedsCollateral", locked + 1, locked):
        m.resolveDispute(lease_id, 5_000, locked + 1, sender=roles.arbiter)
    share, slash = 7_001, locked // 3
    receipt = m.resolveDispute(lease_id, share, slash, sender=roles.arbiter)
    client_part = frozen * share // 10_000
    provider_gross = frozen - client_part
    bond = frozen * BOND_BPS // 10_000  # the client was ruled right: the bond comes back
    provider_net, fee = payout(200 * PRICE + provider_gross, 200 * PRICE, mp_params.fee_bps)
    event = [e for e in receipt.events if e.event_name == "DisputeResolved"][0]
    assert (event.clientAmount, event.providerAmount, event.slashed, event.byTimeout, event.bondTo, event.bond) == (
        client_part, provider_gross, slash, False, alice.address, bond)
    assert m.credit(market.token, alice) == client_part + bond
    assert m.credit(market.token, bob) == provider_net
    assert m.credit(market.stake, alice) == slash
    info = market.registry.providerInfo(bob)
    assert (info.freeStake, info.lockedStake, info.totalSlashed, info.disputesLost, info.disputesWon,
            info.leasesCompleted, info.valueFinalized) == (STAKE - slash, 0, slash, 1, 0, 0, 0)
    lease = m.getLease(lease_id)  # the terms stay readable; the client's part is deposit - refunded - withdrawn
    assert (lease.status, lease.frozen, lease.deposit, lease.end, lease.stoppedAt) == (
        Status.RESOLVED, frozen, DURATION * PRICE, start + DURATION, start + H + 1_000)
    assert (lease.refunded, lease.deposit - lease.refunded - lease.withdrawn) == (
        (DURATION - H - 1_000) * PRICE, client_part)
    with expect_revert(m, "WrongStatus", lease_id, Status.RESOLVED):
        m.resolveDispute(lease_id, 0, 0, sender=roles.arbiter)
    for token, who in ((market.token, alice), (market.token, bob), (market.stake, alice)):
        m.withdrawCredit(token, sender=who)
    assert market.token.balanceOf(m) == m.accruedFees(market.token) == m.totalOwed(market.token)
    assert m.accruedFees(market.token) == -(-(200 * PRICE) * mp_params.fee_bps // 10_000) + fee


def test_ruling_for_the_provider_does_not_count_as_lost(market, roles, mp_params):
    m = market.contract
    lease_id, start, _ = disputed_lease(market, roles)
    receipt = m.resolveDispute(lease_id, 5_000, 0, sender=roles.arbiter)
    info = market.registry.providerInfo(roles.bob)
    paid = 600 * PRICE - 600 * PRICE * 5_000 // 10_000  # the provider's half, valued 1:1 (UNIT_RATE)
    assert (info.disputesLost, info.disputesWon, info.leasesCompleted, info.valueFinalized) == (0, 1, 1, paid)
    bond = 600 * PRICE * BOND_BPS // 10_000  # the provider won: the client's bond is its
    assert [(e.bondTo, e.bond) for e in receipt.events if e.event_name == "DisputeResolved"] == [
        (roles.bob.address, bond)]
    assert m.credit(market.token, roles.bob) == payout(paid, 0, mp_params.fee_bps)[0] + bond
    assert m.credit(market.token, roles.alice) == 600 * PRICE - paid


def test_arbitration_window_and_timeout(market, roles, mp_params):
    m, alice = market.contract, roles.alice
    lease_id, start, receipt = disputed_lease(market, roles, at_second=DURATION + 60)  # after the end
    disputed_at = market.time_of(receipt)
    deadline = disputed_at + mp_params.arbitration_window
    market.at(deadline)
    with expect_revert(m, "ArbitrationWindowOpen", lease_id, deadline):
        m.resolveDisputeByTimeout(lease_id, sender=roles.mallory)
    market.at(deadline + 1)
    with expect_revert(m, "ArbitrationWindowClosed", lease_id, deadline):
        m.resolveDispute(lease_id, 0, 0, sender=roles.arbiter)
    receipt = m.resolveDisputeByTimeout(lease_id, sender=roles.mallory)
    event = [e for e in receipt.events if e.event_name == "DisputeResolved"][0]
    assert (event.clientAmount, event.providerAmount, event.slashed, event.byTimeout) == (
        DURATION * PRICE, 0, 0, True)
    assert m.credit(market.token, alice) == DURATION * PRICE * (10_000 + BOND_BPS) // 10_000  # with the bond
    info = market.registry.providerInfo(roles.bob)  # a timeout is neither won nor lost and completes nothing
    assert (info.freeStake, info.lockedStake, info.disputesLost, info.disputesWon, info.leasesCompleted) == (
        STAKE, 0, 0, 0, 0)
    with expect_revert(m, "WrongStatus", lease_id, Status.RESOLVED):
        m.resolveDisputeByTimeout(lease_id, sender=roles.mallory)


def test_arbiter_rules_on_the_last_second(market, roles, mp_params):
    m = market.contract
    lease_id, start, receipt = disputed_lease(market, roles)
    market.at(market.time_of(receipt) + mp_params.arbitration_window)
    m.resolveDispute(lease_id, 10_000, 0, sender=roles.arbiter)
    assert m.credit(market.token, roles.alice) == 600 * PRICE + 600 * PRICE * BOND_BPS // 10_000  # award + bond


def test_finalize_pays_the_provider_and_releases_collateral(market, roles, mp_params):
    m, alice, bob = market.contract, roles.alice, roles.bob
    lease_id, start = market.running_lease(alice, bob, duration=2 * HOUR)
    market.at(start + H + 1_000)
    m.withdrawEarnings(lease_id, sender=bob)  # the first 1,000 seconds
    deadline = start + 2 * HOUR + mp_params.dispute_window
    market.at(deadline)
    with expect_revert(m, "DisputeWindowOpen", lease_id, deadline):
        m.finalize(lease_id, sender=bob)
    market.at(deadline + 1)
    before = market.token.balanceOf(bob)
    receipt = m.finalize(lease_id, sender=bob)
    net, fee = payout(2 * HOUR * PRICE, 1_000 * PRICE, mp_params.fee_bps)
    event = [e for e in receipt.events if e.event_name == "LeaseFinalized"][0]
    assert (event.by, event.providerAmount, event.fee, event.collateral) == (
        bob.address, net, fee, collateral(2 * HOUR * PRICE, mp_params.collateral_bps))
    assert market.token.balanceOf(bob) - before == net
    info = market.registry.providerInfo(bob)
    assert (info.freeStake, info.lockedStake, info.leasesCompleted, info.valueFinalized) == (
        STAKE, 0, 1, 2 * HOUR * PRICE)
    assert m.getLease(lease_id).status == Status.FINALIZED
    with expect_revert(m, "WrongStatus", lease_id, Status.FINALIZED):
        m.finalize(lease_id, sender=bob)
    assert m.accruedFees(market.token) == -(-2 * HOUR * PRICE * mp_params.fee_bps // 10_000)
    assert market.token.balanceOf(m) == m.totalOwed(market.token) == m.accruedFees(market.token)


def test_finalize_by_anyone_credits_the_provider(market, roles, mp_params):
    m, bob = market.contract, roles.bob
    lease_id, start = market.running_lease(roles.alice, bob, duration=HOUR)
    market.at(start + 10)
    m.closeLease(lease_id, sender=roles.alice)  # the window counts from the early end
    market.at(start + 10 + mp_params.dispute_window + 1)
    m.finalize(lease_id, sender=roles.mallory)
    net, _ = payout(10 * PRICE, 0, mp_params.fee_bps)
    assert m.credit(market.token, bob) == net
    assert market.token.balanceOf(roles.mallory) == 0


def test_credit_and_fee_withdrawal_rules(market, roles, mp_params):
    m = market.contract
    with expect_revert(m, "NothingToWithdraw"):
        m.withdrawCredit(market.token, sender=roles.alice)
    with expect_revert(m, "NotTreasury", roles.alice.address):
        m.withdrawFees(market.token, sender=roles.alice)
    with expect_revert(m, "NothingToWithdraw"):
        m.withdrawFees(market.token, sender=roles.treasury)
    lease_id, start = market.running_lease(roles.alice, roles.bob, duration=HOUR)
    market.at(start + HOUR)
    m.finalize(lease_id, sender=roles.alice)  # the client confirms at the end
    fees = -(-HOUR * PRICE * mp_params.fee_bps // 10_000)
    receipt = m.withdrawFees(market.token, sender=roles.treasury)
    assert [(e.token, e.treasury, e.amount) for e in receipt.events if e.event_name == "FeesWithdrawn"] == [
        (market.token.address, roles.treasury.address, fees)]
    assert market.token.balanceOf(roles.treasury) == fees and m.accruedFees(market.token) == 0
