"""Leases: open, accept, cancel, top up, withdraw, close, results, and the views, with exact amounts and times."""

from __future__ import annotations

from conftest import DAY, PRICE, STAKE, UNIT_RATE
from deai.testing.reverts import expect_revert
from market_model import Status, collateral, payout, withdrawable

HOUR = 3_600


def test_open_lease_escrows_and_snapshots(market, roles, mp_params):
    m, bob, alice = market.contract, roles.bob, roles.alice
    market.provider(bob)
    offer_id = market.offer(bob)
    lease_id, receipt = market.open(alice, offer_id, HOUR)
    opened = market.time_of(receipt)
    event = [e for e in receipt.events if e.event_name == "LeaseOpened"][0]
    assert (event.leaseId, event.client, event.event_arguments["provider"], event.offerId, event.deposit, event.pricePerSecond,
            event.feeBps) == (1, alice.address, bob.address, offer_id, PRICE * HOUR, PRICE, mp_params.fee_bps)
    lease = m.getLease(lease_id)
    assert (lease.client, lease.provider, lease.paymentToken, lease.deposit, lease.start, lease.end, lease.status,
            lease.feeBps) == (alice.address, bob.address, market.token.address, PRICE * HOUR, opened, 0, Status.OPEN,
                              mp_params.fee_bps)
    assert market.token.balanceOf(m) == PRICE * HOUR == m.totalOwed(market.token)
    assert m.refundable(lease_id) == PRICE * HOUR and m.earned(lease_id) == 0
    m.setFeeBps(1_000, sender=roles.admin)  # the lease keeps the fee it was opened with
    assert m.getLease(lease_id).feeBps == mp_params.fee_bps


def test_open_lease_rejections(market, roles):
    m, bob, alice = market.contract, roles.bob, roles.alice
    market.provider(bob)
    offer_id = market.offer(bob, min_duration=60, max_duration=DAY)
    market.fund(alice, PRICE * 2 * DAY)
    with expect_revert(m, "UnknownOffer", 7):
        m.openLease(7, HOUR, PRICE, sender=alice)
    with expect_revert(m, "DurationOutOfRange", 59, 60, DAY):
        m.openLease(offer_id, 59, PRICE, sender=alice)
    with expect_revert(m, "DurationOutOfRange", DAY + 1, 60, DAY):
        m.openLease(offer_id, DAY + 1, PRICE, sender=alice)
    with expect_revert(m, "PriceAboveMax", PRICE, PRICE - 1):
        m.openLease(offer_id, HOUR, PRICE - 1, sender=alice)
    m.setPaymentToken(market.token, False, 0, sender=roles.admin)
    with expect_revert(m, "TokenNotAllowed", market.token.address):
        m.openLease(offer_id, HOUR, PRICE, sender=alice)
    m.setPaymentToken(market.token, True, UNIT_RATE, sender=roles.admin)
    m.pause(sender=roles.admin)
    with expect_revert(m, "EnforcedPause"):
        m.openLease(offer_id, HOUR, PRICE, sender=alice)
    m.unpause(sender=roles.admin)
    market.token.approve(m, 0, sender=alice)
    with expect_revert(market.token, "ERC20InsufficientAllowance", m.address, 0, PRICE * HOUR):
        m.openLease(offer_id, HOUR, PRICE, sender=alice)


def test_accept_lease_locks_collateral_and_starts_the_clock(market, roles, mp_params):
    m, bob, alice = market.contract, roles.bob, roles.alice
    market.provider(bob)
    offer_id = market.offer(bob)
    lease_id, receipt = market.open(alice, offer_id, HOUR)
    opened = market.time_of(receipt)
    with expect_revert(m, "NotProvider", alice.address):
        m.acceptLease(lease_id, sender=alice)
    with expect_revert(m, "UnknownLease", 9):
        m.acceptLease(9, sender=bob)
    start = opened + mp_params.accept_window  # the last second of the accept window
    receipt = market.accept(lease_id, bob, at=start)
    locked = collateral(PRICE * HOUR, mp_params.collateral_bps)
    event = [e for e in receipt.events if e.event_name == "LeaseAccepted"][0]
    assert (event.leaseId, event.event_arguments["provider"], event.start, event.end, event.collateral) == (
        lease_id, bob.address, start, start + HOUR, locked)
    lease = m.getLease(lease_id)
    assert (lease.status, lease.start, lease.end, lease.collateral) == (Status.ACTIVE, start, start + HOUR, locked)
    info = market.registry.providerInfo(bob)
    assert (info.freeStake, info.lockedStake) == (STAKE - locked, locked)
    with expect_revert(m, "WrongStatus", lease_id, Status.ACTIVE):
        m.acceptLease(lease_id, sender=bob)


def test_accept_window_and_stake_limits(market, roles, mp_params):
    m, bob, alice = market.contract, roles.bob, roles.alice
    market.provider(bob, stake=10**15)
    offer_id = market.offer(bob)
    lease_id, receipt = market.open(alice, offer_id, HOUR)
    deadline = market.time_of(receipt) + mp_params.accept_window
    needed = collateral(PRICE * HOUR, mp_params.collateral_bps)
    with expect_revert(m, "InsufficientStake", 10**15, needed):
        m.acceptLease(lease_id, sender=bob)
    market.at(deadline + 1)
    with expect_revert(m, "AcceptWindowClosed", lease_id, deadline):
        m.acceptLease(lease_id, sender=bob)


def test_cancel_rules(market, roles, mp_params):
    m, bob, alice, carol = market.contract, roles.bob, roles.alice, roles.carol
    market.provider(bob)
    offer_id = market.offer(bob)
    deposit = PRICE * HOUR
    # the client cancels at once and is paid directly
    first, _ = market.open(alice, offer_id, HOUR)
    before = market.token.balanceOf(alice)
    receipt = m.cancelLease(first, sender=alice)
    assert [(e.leaseId, e.by, e.refund) for e in receipt.events if e.event_name == "LeaseCancelled"] == [
        (first, alice.address, deposit)]
    assert market.token.balanceOf(alice) - before == deposit
    lease = m.getLease(first)  # the terms stay readable: the whole deposit, all refunded
    assert (lease.status, lease.deposit, lease.refunded, lease.end) == (Status.CANCELLED, deposit, deposit, 0)
    with expect_revert(m, "WrongStatus", first, Status.CANCELLED):
        m.cancelLease(first, sender=alice)
    # the provider declines: the refund is credited to the client
    second, _ = market.open(alice, offer_id, HOUR)
    m.cancelLease(second, sender=bob)
    assert m.credit(market.token, alice) == deposit
    # a third party only after the accept window, and the refund is credited
    third, receipt = market.open(alice, offer_id, HOUR)
    deadline = market.time_of(receipt) + mp_params.accept_window
    market.at(deadline)
    with expect_revert(m, "AcceptWindowOpen", third, deadline):
        m.cancelLease(third, sender=carol)
    market.at(deadline + 1)
    receipt = m.cancelLease(third, sender=carol)
    assert [(e.token, e.account, e.amount) for e in receipt.events if e.event_name == "Credited"] == [
        (market.token.address, alice.address, deposit)]
    assert m.credit(market.token, alice) == 2 * deposit
    before = market.token.balanceOf(alice)
    m.withdrawCredit(market.token, sender=alice)
    assert market.token.balanceOf(alice) - before == 2 * deposit
    assert market.token.balanceOf(m) == 0 == m.totalOwed(market.token)
    # an accepted lease cannot be cancelled
    fourth, _ = market.open(alice, offer_id, HOUR)
    market.accept(fourth, bob)
    with expect_revert(m, "WrongStatus", fourth, Status.ACTIVE):
        m.cancelLease(fourth, sender=alice)


def test_withdraw_earnings_streams_per_second_with_cumulative_fee(market, roles, mp_params):
    m, bob, alice = market.contract, roles.bob, roles.alice
    lease_id, start = market.running_lease(alice, bob, duration=2 * HOUR)
    deposit, fee_bps = PRICE * 2 * HOUR, mp_params.fee_bps
    withdrawn, paid, fees = 0, 0, 0
    h = mp_params.holdback  # earnings younger than this stay in the lease, and the lease's last h seconds too
    # nothing during the first holdback, then second by second, a jump, past the end, and again with nothing new
    # (no transfer, no event)
    for t in (start + 1, start + h, start + h + 1, start + h + 2, start + h + 777, start + 2 * HOUR + h + 500,
              start + 2 * HOUR + h + 600):
        market.at(t)
        before = market.token.balanceOf(bob)
        receipt = m.withdrawEarnings(lease_id, sender=bob)
        total = withdrawable(start, t, PRICE, deposit, h)
        net, fee = payout(total, withdrawn, fee_bps)
        assert market.token.balanceOf(bob) - before == net
        events = [(e.amount, e.fee) for e in receipt.events if e.event_name == "EarningsWithdrawn"]
        assert events == ([(net, fee)] if total > withdrawn else [])
        withdrawn, paid, fees = total, paid + net, fees + fee
    assert withdrawn == deposit - h * PRICE  # the last holdback waits for the finalization
    assert m.earned(lease_id) == 0
    with expect_revert(m, "NotProvider", alice.address):
        m.withdrawEarnings(lease_id, sender=alice)
    m.finalize(lease_id, sender=alice)  # the client confirms: the provider is credited the rest
    net, fee = payout(deposit, withdrawn, fee_bps)
    assert m.credit(market.token, bob) == net
    paid, fees = paid + net, fees + fee
    assert fees == -(-deposit * fee_bps // 10_000) and paid == deposit - fees
    assert m.accruedFees(market.token) == fees
    assert m.getLease(lease_id).withdrawn == deposit
    assert m.earned(lease_id) == 0 and m.refundable(lease_id) == 0


def test_fee_is_charged_on_cumulative_earnings_so_small_withdrawals_do_not_dodge_it(market, roles, mp_params):
    """At 7 units a second and 2.5%, each one-second withdrawal alone would round its fee (0.175) down to zero."""
    m, bob, alice = market.contract, roles.bob, roles.alice
    lease_id, start = market.running_lease(alice, bob, duration=2 * HOUR, price=7)
    fees = 0
    for second in range(1, 41):
        market.at(start + mp_params.holdback + second)
        receipt = m.withdrawEarnings(lease_id, sender=bob)
        fees += sum(e.fee for e in receipt.events if e.event_name == "EarningsWithdrawn")
    assert fees == -(-40 * 7 * mp_params.fee_bps // 10_000) == 7
    assert m.accruedFees(market.token) == 7


def test_earned_and_refundable_views(market, roles, mp_params):
    m, bob, alice = market.contract, roles.bob, roles.alice
    lease_id, start = market.running_lease(alice, bob, duration=2 * HOUR)
    market.chain.mine(timestamp=start + 100)
    assert m.earned(lease_id) == 0  # all of it younger than the holdback
    assert m.refundable(lease_id) == PRICE * 2 * HOUR - 100 * PRICE
    market.chain.mine(timestamp=start + mp_params.holdback + 100)
    assert m.earned(lease_id) == payout(100 * PRICE, 0, mp_params.fee_bps)[0]
    assert m.refundable(lease_id) == PRICE * (2 * HOUR - mp_params.holdback - 100)
    market.chain.mine(timestamp=start + 2 * HOUR + mp_params.holdback)
    assert m.earned(lease_id) == payout(2 * HOUR * PRICE - mp_params.holdback * PRICE, 0, mp_params.fee_bps)[0]
    assert m.refundable(lease_id) == 0
    with expect_revert(m, "UnknownLease", 5):
        m.earned(5)


def test_close_by_client_refunds_directly(market, roles, mp_params):
    m, bob, alice = market.contract, roles.bob, roles.alice
    lease_id, start = market.running_lease(alice, bob, duration=HOUR)
    with expect_revert(m, "NotParty", roles.mallory.address):
        m.closeLease(lease_id, sender=roles.mallory)
    market.at(start + 600)
    before = market.token.balanceOf(alice)
    receipt = m.closeLease(lease_id, sender=alice)
    refund = PRICE * (HOUR - 600)
    assert [(e.by, e.refund, e.end) for e in receipt.events if e.event_name == "LeaseClosed"] == [
        (alice.address, refund, start + 600)]
    assert market.token.balanceOf(alice) - before == refund
    lease = m.getLease(lease_id)
    assert (lease.deposit, lease.end, lease.stoppedAt, lease.refunded, lease.status) == (
        HOUR * PRICE, start + HOUR, start + 600, refund, Status.ACTIVE)
    assert m.refundable(lease_id) == 0
    with expect_revert(m, "LeaseEnded", lease_id, start + 600):
        m.closeLease(lease_id, sender=alice)
    market.chain.mine(timestamp=start + 600 + mp_params.holdback)
    assert m.earned(lease_id) == 0  # all 600 s are in the stopped lease's last holdback: they wait for finalize


def test_close_by_provider_credits_the_client(market, roles):
    m, bob, alice = market.contract, roles.bob, roles.alice
    lease_id, start = market.running_lease(alice, bob, duration=HOUR)
    market.at(start + HOUR - 1)
    m.closeLease(lease_id, sender=bob)
    assert m.credit(market.token, alice) == PRICE
    market.at(start + HOUR + 5)
    with expect_revert(m, "LeaseEnded", lease_id, start + HOUR - 1):
        m.closeLease(lease_id, sender=alice)


def test_close_after_end_is_refused(market, roles):
    m, bob, alice = market.contract, roles.bob, roles.alice
    lease_id, start = market.running_lease(alice, bob, duration=HOUR)
    market.at(start + HOUR)
    with expect_revert(m, "LeaseEnded", lease_id, start + HOUR):
        m.closeLease(lease_id, sender=alice)


def test_top_up_extends_at_the_snapshotted_price(market, roles, mp_params):
    """Only the client, never below the offer's current price, never past the offer's longest duration; what is
    added is collateralised."""
    m, bob, alice, carol = market.contract, roles.bob, roles.alice, roles.carol
    lease_id, start = market.running_lease(alice, bob, duration=HOUR)
    market.fund(alice, PRICE * 2 * HOUR)
    market.fund(carol, PRICE * HOUR)
    with expect_revert(m, "NotClient", carol.address):
        m.topUp(lease_id, HOUR, sender=carol)
    with expect_revert(m, "DurationOutOfRange", HOUR, 60, 30 * DAY):
        m.topUp(lease_id, 0, sender=alice)
    with expect_revert(m, "DurationOutOfRange", 30 * DAY + 1, 60, 30 * DAY):
        m.topUp(lease_id, 30 * DAY + 1 - HOUR, sender=alice)
    m.setOfferPrice(1, PRICE + 1, sender=bob)
    with expect_revert(m, "PriceAboveMax", PRICE + 1, PRICE):
        m.topUp(lease_id, HOUR, sender=alice)
    m.setOfferPrice(1, PRICE // 2, sender=bob)  # a cheaper offer: the lease still extends at its own price
    m.setOfferActive(1, False, sender=bob)
    with expect_revert(m, "OfferInactive", 1):
        m.topUp(lease_id, HOUR, sender=alice)
    m.setOfferActive(1, True, sender=bob)
    locked = market.registry.providerInfo(bob).lockedStake
    market.at(start + 100)  # after the set-up transactions above (the in-process EVM needs rising block times)
    receipt = m.topUp(lease_id, HOUR, sender=alice)
    added = collateral(PRICE * HOUR, mp_params.collateral_bps)
    assert [(e.client, e.amount, e.end, e.collateral) for e in receipt.events if e.event_name == "LeaseToppedUp"] == [
        (alice.address, PRICE * HOUR, start + 2 * HOUR, added)]
    lease = m.getLease(lease_id)
    assert (lease.deposit, lease.end, lease.collateral) == (2 * PRICE * HOUR, start + 2 * HOUR, locked + added)
    assert market.registry.providerInfo(bob).lockedStake == locked + added
    market.at(start + 2 * HOUR)
    with expect_revert(m, "LeaseEnded", lease_id, start + 2 * HOUR):
        m.topUp(lease_id, 1, sender=alice)
    m.pause(sender=roles.admin)
    with expect_revert(m, "EnforcedPause"):
        m.topUp(lease_id, 1, sender=alice)


def test_top_up_needs_the_providers_free_stake(market, roles, mp_params):
    m, bob, alice = market.contract, roles.bob, roles.alice
    needed = collateral(PRICE * HOUR, mp_params.collateral_bps)
    market.provider(bob, stake=needed)
    lease_id, _ = market.open(alice, market.offer(bob), HOUR)
    market.accept(lease_id, bob)
    market.fund(alice, PRICE * HOUR)
    with expect_revert(m, "InsufficientStake", 0, needed):
        m.topUp(lease_id, HOUR, sender=alice)


def test_top_up_of_an_open_lease_is_refused(market, roles):
    """An open lease's terms are what the provider accepts: nobody, not even the client, changes them."""
    m, bob, alice = market.contract, roles.bob, roles.alice
    market.provider(bob)
    offer_id = market.offer(bob)
    lease_id, _ = market.open(alice, offer_id, HOUR)
    market.fund(alice, PRICE * HOUR)
    with expect_revert(m, "WrongStatus", lease_id, Status.OPEN):
        m.topUp(lease_id, HOUR, sender=alice)
    market.accept(lease_id, bob)


def test_top_up_of_a_terminal_lease_is_refused(market, roles):
    m, bob, alice = market.contract, roles.bob, roles.alice
    market.provider(bob)
    lease_id, _ = market.open(alice, market.offer(bob), HOUR)
    m.cancelLease(lease_id, sender=alice)
    with expect_revert(m, "WrongStatus", lease_id, Status.CANCELLED):
        m.topUp(lease_id, 60, sender=alice)


def test_submit_result_once(market, roles):
    m, bob, alice = market.contract, roles.bob, roles.alice
    market.provider(bob)
    lease_id, _ = market.open(alice, market.offer(bob), HOUR)
    digest = b"\xab" * 32
    with expect_revert(m, "WrongStatus", lease_id, Status.OPEN):
        m.submitResult(lease_id, digest, sender=bob)
    market.accept(lease_id, bob)
    with expect_revert(m, "NotProvider", alice.address):
        m.submitResult(lease_id, digest, sender=alice)
    with expect_revert(m, "InvalidParameter"):
        m.submitResult(lease_id, b"\x00" * 32, sender=bob)
    receipt = m.submitResult(lease_id, digest, sender=bob)
    assert [(e.leaseId, e.event_arguments["provider"], e.resultHash) for e in receipt.events] == [(lease_id, bob.address, digest)]
    assert m.getLease(lease_id).resultHash == digest
    with expect_revert(m, "ResultAlreadySubmitted", lease_id, digest):
        m.submitResult(lease_id, b"\xcd" * 32, sender=bob)
