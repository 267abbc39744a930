"""Issue 12, item 9 (the last open review finding of the marketplace): a stopped lease keeps its original terms.

A close or a dispute of a running lease used to shrink `getLease().deposit` to what had streamed, so `end` became
the stop time and a front end showed a fully-run (or barely-run) lease as a short one. `getLease` now keeps the
original terms (`deposit` with every top-up, `end` from it) and shows the outcome beside them: `stoppedAt` (when
a close or a dispute stopped the lease before its end, 0 if it never was) and `refunded` (what that stop, or a
cancellation, returned to the client, before any dispute bond). At a terminal status `withdrawn` is what the
provider was paid (gross), so `deposit - refunded - withdrawn` is what a ruling gave the client from the frozen
earnings. Each test failed on the contract before the fix (no `stoppedAt`/`refunded`, shrunk `deposit`/`end`)."""

from __future__ import annotations

from conftest import DAY, PRICE
from deai.testing.reverts import expect_revert
from market_model import Status

HOUR = 3_600
REASON = b"\x01" * 32


def _terms(lease) -> tuple:
    return lease.status, lease.deposit, lease.end, lease.stoppedAt, lease.refunded, lease.withdrawn


def test_a_closed_lease_keeps_its_terms_beside_the_stop(market, roles):
    m, client, provider = market.contract, roles.alice, roles.bob
    lease_id, start = market.running_lease(client, provider, duration=DAY)
    stop = start + HOUR
    market.at(stop)
    m.closeLease(lease_id, sender=client)
    refund = (DAY - HOUR) * PRICE
    assert _terms(m.getLease(lease_id)) == (Status.ACTIVE, DAY * PRICE, start + DAY, stop, refund, 0)
    market.at(stop + 1)
    m.finalize(lease_id, sender=client)  # the client confirms at once: the stop is the paid time's end
    assert _terms(m.getLease(lease_id)) == (Status.FINALIZED, DAY * PRICE, start + DAY, stop, refund, HOUR * PRICE)


def test_a_lease_disputed_while_running_and_ruled_keeps_its_terms(market, roles, mp_params):
    m, client, provider = market.contract, roles.alice, roles.bob
    lease_id, start = market.running_lease(client, provider, duration=DAY)
    stop = start + 2 * HOUR
    market.at(stop)
    m.dispute(lease_id, REASON, sender=client)
    refund = (DAY - 2 * HOUR) * PRICE  # before the bond, which is held back from it (`disputeBond`)
    frozen = 2 * HOUR * PRICE  # nothing withdrawn
    lease = m.getLease(lease_id)
    assert _terms(lease) == (Status.DISPUTED, DAY * PRICE, start + DAY, stop, refund, 0)
    assert (lease.frozen, lease.disputeBond) == (frozen, frozen * mp_params.dispute_bond_bps // 10_000)
    market.at(stop + 1)
    m.resolveDispute(lease_id, 3_000, 0, sender=roles.arbiter)
    to_client = frozen * 3_000 // 10_000
    lease = m.getLease(lease_id)
    assert _terms(lease) == (Status.RESOLVED, DAY * PRICE, start + DAY, stop, refund, frozen - to_client)
    assert lease.deposit - lease.refunded - lease.withdrawn == to_client


def test_a_timed_out_dispute_keeps_the_terms(market, roles, mp_params):
    m, client, provider = market.contract, roles.alice, roles.bob
    lease_id, start = market.running_lease(client, provider, duration=10 * DAY)
    market.at(start + 3 * DAY)
    m.withdrawEarnings(lease_id, sender=provider)
    stop = start + 3 * DAY + 1
    market.at(stop)
    m.dispute(lease_id, REASON, sender=client)
    market.at(stop + mp_params.arbitration_window + 1)
    m.resolveDisputeByTimeout(lease_id, sender=roles.carol)
    withdrawn = (3 * DAY - mp_params.holdback) * PRICE  # the timeout returns all that was frozen
    lease = m.getLease(lease_id)
    assert _terms(lease) == (Status.RESOLVED, 10 * DAY * PRICE, start + 10 * DAY, stop,
                             (10 * DAY - 3 * DAY - 1) * PRICE, withdrawn)
    assert lease.frozen == (3 * DAY + 1) * PRICE - withdrawn


def test_a_topped_up_then_closed_lease_keeps_the_topped_up_terms(market, roles):
    m, client, provider = market.contract, roles.alice, roles.bob
    lease_id, start = market.running_lease(client, provider, duration=DAY)
    market.fund(client, PRICE * 2 * DAY)
    market.at(start + 10)
    m.topUp(lease_id, 2 * DAY, sender=client)
    stop = start + 5 * HOUR
    market.at(stop)
    m.closeLease(lease_id, sender=provider)  # the provider closes: the client's refund is credited
    assert _terms(m.getLease(lease_id)) == (Status.ACTIVE, 3 * DAY * PRICE, start + 3 * DAY, stop,
                                            (3 * DAY - 5 * HOUR) * PRICE, 0)
    assert m.credit(market.token, client) == (3 * DAY - 5 * HOUR) * PRICE


def test_a_lease_that_ran_to_its_end_and_a_cancelled_one(market, roles):
    """No stop: `stoppedAt` and `refunded` are 0 and the end is the paid end; a cancelled lease keeps its deposit
    and shows it all refunded."""
    m, client, provider = market.contract, roles.alice, roles.bob
    lease_id, start = market.running_lease(client, provider, duration=DAY)
    market.at(start + DAY)
    m.finalize(lease_id, sender=client)
    assert _terms(m.getLease(lease_id)) == (Status.FINALIZED, DAY * PRICE, start + DAY, 0, 0, DAY * PRICE)
    cancelled, _ = market.open(client, m.offerCount(), HOUR)
    m.cancelLease(cancelled, sender=client)
    assert _terms(m.getLease(cancelled)) == (Status.CANCELLED, HOUR * PRICE, 0, 0, HOUR * PRICE, 0)


def test_a_top_up_that_takes_the_deposit_to_2_112_reverts(market, roles, mp_params):
    """The original deposit is kept in 112 bits beside the price and the stop (one slot). What is owed in a token
    stays below 2^112, but a lease's deposit with its top-ups can exceed what it still holds once the provider has
    withdrawn: such a top-up reverts instead of truncating the terms."""
    m, client, provider = market.contract, roles.alice, roles.bob
    m.setPaymentToken(market.token, True, 1, sender=roles.admin)  # the smallest rate: collateral is a few units
    price, seconds = 2**95, 2**16  # the deposit is 2^111
    lease_id, start = market.running_lease(client, provider, duration=seconds, price=price)
    market.fund(client, price * seconds)
    market.at(start + seconds - 10)
    m.withdrawEarnings(lease_id, sender=provider)  # what is owed drops below 2^111
    market.at(start + seconds - 9)
    with expect_revert(m, "AmountTooLarge", 2**112):
        m.topUp(lease_id, seconds, sender=client)
    market.at(start + seconds - 8)
    m.topUp(lease_id, seconds - 1, sender=client)  # one second less fits: 2^112 - 2^95
    assert m.getLease(lease_id).deposit == 2**112 - price
