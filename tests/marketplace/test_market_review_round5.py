"""Round-5 review of the marketplace: each finding's proof (which passed on the reviewed code), turned into a test of
the fixed behaviour. Expected values are computed here from the rules, never read from the contract."""

from __future__ import annotations

import pytest

from conftest import DAY, PRICE, UNIT_RATE, Market
from deai.deploy.marketplace import deploy_marketplace
from deai.testing.reverts import expect_revert
from deai.testing.tokens import deploy_token
from market_model import BPS, Status, fee_on

HOUR = 3_600
REASON = b"\x01" * 32


def _bond(frozen: int, deposit: int, params) -> int:
    """The bond rule: `disputeBondBps` of what the dispute puts at stake, the frozen amount or, when larger, the
    payment-token value of the collateral it keeps locked (`collateralBps` of the lease's remaining deposit)."""
    return max(frozen, deposit * params.collateral_bps // BPS) * params.dispute_bond_bps // BPS


def _blocklist_lease(market, roles, duration, spare=True):
    """A running lease paid in a USDC-style blocklisting token; returns (token, lease id, start)."""
    m, client, provider = market.contract, roles.alice, roles.bob
    token = deploy_token("blocklist", roles.deployer)
    m.setPaymentToken(token, True, UNIT_RATE, sender=roles.admin)
    market.provider(provider)
    offer_id = market.offer(provider, token=token)
    market.fund(client, PRICE * duration * (2 if spare else 1), token)  # spare balance and allowance for a bond
    m.openLease(offer_id, duration, PRICE, sender=client)
    lease_id = m.leaseCount()
    start = market.time_of(m.acceptLease(lease_id, sender=provider))
    return token, lease_id, start


# ------------------------------------------------------------------ M1: a blocklisted client can always dispute

@pytest.mark.parametrize("provider_closes_first", [True, False])
def test_a_blocklisted_clients_dispute_does_not_depend_on_who_calls_first(market, roles, mp_params,
                                                                          provider_closes_first):
    """M1: the provider's closeLease landing before the client's dispute credits the refund; the bond is then taken
    from that credit (with `CreditSpent`) instead of a transferFrom that the blocked client cannot make. Either order
    leaves the client with the same credit, the same bond held and the same frozen amount."""
    m, client, provider = market.contract, roles.alice, roles.bob
    token, lease_id, start = _blocklist_lease(market, roles, 10 * DAY)
    token.setBlocked(client, True, sender=client)
    frozen, refund = DAY * PRICE, 9 * DAY * PRICE
    bond = _bond(frozen, frozen, mp_params)
    market.at(start + DAY)
    if provider_closes_first:
        m.closeLease(lease_id, sender=provider)  # front-run of the client's dispute
        assert m.credit(token, client) == refund
    market.at(start + DAY + (1 if provider_closes_first else 0))
    receipt = m.dispute(lease_id, REASON, sender=client)
    lease = m.getLease(lease_id)
    assert (lease.status, lease.frozen, lease.disputeBond) == (Status.DISPUTED, frozen, bond)
    assert m.credit(token, client) == refund - bond
    spent = [(e.token, e.account, e.amount) for e in receipt.events if e.event_name == "CreditSpent"]
    assert spent == ([(token.address, client.address, bond)] if provider_closes_first else [])
    assert [(e.bond, e.bondDeferred) for e in receipt.events if e.event_name == "DisputeOpened"] == [(bond, 0)]
    # the frozen day is no longer the provider's by default: a silent arbiter returns it and the bond to the client
    market.at(start + DAY + 1 + mp_params.arbitration_window + 1)
    m.resolveDisputeByTimeout(lease_id, sender=roles.mallory)
    assert m.credit(token, client) == refund + frozen
    assert m.credit(token, provider) == 0


def test_a_blocklisted_client_disputes_near_the_end_and_the_rest_of_the_bond_is_deferred(market, roles,
                                                                                        mp_params):
    """M1: 11 hours before the end of a 10-day lease the bond exceeds the refund, the client has no credit and the
    token refuses its transferFrom: the dispute goes through, the refund is held as the bond and the rest is
    deferred; when the provider wins, the deferred part is taken from the client's share of the frozen amount."""
    m, client, provider = market.contract, roles.alice, roles.bob
    token, lease_id, start = _blocklist_lease(market, roles, 10 * DAY)
    token.setBlocked(client, True, sender=client)
    market.at(start + 10 * DAY - 11 * HOUR)
    refund, frozen = 11 * HOUR * PRICE, (10 * DAY - 11 * HOUR) * PRICE
    bond = _bond(frozen, frozen, mp_params)
    assert bond > refund
    receipt = m.dispute(lease_id, REASON, sender=client)
    assert [(e.frozen, e.refund, e.bond, e.bondDeferred) for e in receipt.events
            if e.event_name == "DisputeOpened"] == [(frozen, 0, refund, bond - refund)]
    assert m.getLease(lease_id).disputeBond == refund
    assert m.credit(token, client) == 0
    share = 1_000  # 10% to the client and no slash: the provider won
    receipt = m.resolveDispute(lease_id, share, 0, sender=roles.arbiter)
    client_part = frozen * share // BPS
    taken = min(bond - refund, client_part)
    provider_gross = frozen - client_part
    fee = fee_on(provider_gross, mp_params.fee_bps)
    assert m.credit(token, client) == client_part - taken
    assert m.credit(token, provider) == provider_gross - fee + refund + taken
    event = [e for e in receipt.events if e.event_name == "DisputeResolved"][0]
    assert (event.clientAmount, event.providerAmount, event.fee, event.bondTo, event.bond) == (
        client_part - taken, provider_gross, fee, provider.address, refund + taken)


def test_a_deferred_bond_is_cancelled_when_the_client_is_ruled_right(market, roles, mp_params):
    """M1: a deferred bond is never charged when the client wins or the arbiter is silent; the held part returns."""
    m, client = market.contract, roles.alice
    token, lease_id, start = _blocklist_lease(market, roles, 10 * DAY, spare=False)
    token.setBlocked(client, True, sender=client)
    market.at(start + 10 * DAY - 11 * HOUR)
    m.dispute(lease_id, REASON, sender=client)
    m.resolveDispute(lease_id, 10_000, 0, sender=roles.arbiter)
    assert m.credit(token, client) == 10 * DAY * PRICE  # the frozen amount and the held refund: everything


def test_a_client_that_can_pay_pays_the_rest_of_the_bond_after_its_credit(market, roles, mp_params):
    """M1: credit first, then the pull: a client with some credit and an allowance pays the rest by transferFrom."""
    m, client, provider = market.contract, roles.alice, roles.bob
    lease_id, start = market.running_lease(client, provider, duration=10 * DAY)
    market.at(start + 10 * DAY)  # ended: no refund
    frozen = 10 * DAY * PRICE
    bond = _bond(frozen, frozen, mp_params)
    # give the client a little credit of the same token: a cancelled lease on another offer
    offer2 = market.offer(provider)
    other, _ = market.open(client, offer2, 60)
    m.cancelLease(other, sender=provider)  # the provider declines: the client is credited
    credited = 60 * PRICE
    market.fund(client, bond)
    balance = market.token.balanceOf(client)
    receipt = m.dispute(lease_id, REASON, sender=client)
    assert m.credit(market.token, client) == 0
    assert balance - market.token.balanceOf(client) == bond - credited
    assert [(e.bond, e.bondDeferred) for e in receipt.events if e.event_name == "DisputeOpened"] == [(bond, 0)]
    assert [e.amount for e in receipt.events if e.event_name == "CreditSpent"] == [credited]


# ------------------------------------------------------------------ L2: the dust rule reads what was paid

def test_a_closed_dust_lease_counts_for_nothing_whatever_was_released_first(market, roles, mp_params):
    """L2: a 10,000-unit lease (collateral 3,000) closed after 1 second and finalized paid 1 unit, whose collateral
    rounds to zero: it counts for nothing, whether or not anyone released the excess collateral first; the fee is
    still charged."""
    m, client, provider, reg = market.contract, roles.alice, roles.bob, market.registry
    market.provider(provider)
    offer_id = market.offer(provider, price=1, min_duration=1)
    fees0 = m.accruedFees(market.token)
    for shrink in (False, True):
        lease_id, _ = market.open(client, offer_id, 10_000)
        start = market.time_of(market.accept(lease_id, provider))
        assert m.getLease(lease_id).collateral == 10_000 * mp_params.collateral_bps // BPS
        market.at(start + 1)
        m.closeLease(lease_id, sender=client)
        if shrink:
            m.releaseExcessCollateral(lease_id, sender=roles.mallory)
        receipt = m.finalize(lease_id, sender=client)
        info = reg.providerInfo(provider)
        assert (info.leasesCompleted, info.valueFinalized, info.lockedStake) == (0, 0, 0)
        assert [e.value for e in receipt.events if e.event_name == "LeaseOutcome"] == [0]
    assert m.accruedFees(market.token) - fees0 == 2  # one unit of fee per lease (rounded up)


# ------------------------------------------------------------------ L5: the bond is tied to the collateral locked

def test_a_late_dispute_bonds_the_collateral_it_keeps_locked(market, roles, mp_params):
    """L5: a 30-day lease whose provider withdrew all it could; a dispute at the end of the window freezes one hour
    of holdback but keeps the 30-day collateral locked (a slash may take it): the bond is `disputeBondBps` of that
    collateral's value, not of the hour. A silent arbiter returns frozen amount and bond."""
    m, client, provider, reg = market.contract, roles.alice, roles.bob, market.registry
    lease_id, start = market.running_lease(client, provider, duration=30 * DAY)
    end = start + 30 * DAY
    deposit = 30 * DAY * PRICE
    frozen = mp_params.holdback * PRICE
    bond = _bond(frozen, deposit, mp_params)
    assert bond == deposit * mp_params.collateral_bps // BPS * mp_params.dispute_bond_bps // BPS
    market.fund(client, bond)  # set-up transactions before the timed ones
    market.at(end + DAY - 1)
    m.withdrawEarnings(lease_id, sender=provider)
    market.at(end + DAY)
    balance = market.token.balanceOf(client)
    m.dispute(lease_id, REASON, sender=client)
    lease = m.getLease(lease_id)
    assert (lease.frozen, lease.disputeBond) == (frozen, bond)
    assert balance - market.token.balanceOf(client) == bond
    assert lease.collateral == deposit * mp_params.collateral_bps // BPS == reg.providerInfo(provider).lockedStake
    market.at(end + DAY + mp_params.arbitration_window + 1)
    m.resolveDisputeByTimeout(lease_id, sender=roles.mallory)
    assert m.credit(market.token, client) == frozen + bond


# ------------------------------------------------------------------ L3: payouts to a refused caller are credited

def test_a_blocklisted_provider_withdraws_its_earnings_as_credit(market, roles, mp_params):
    """L3: withdrawEarnings credits the provider when the token refuses it, and the credit leaves by
    withdrawCreditTo; the treasury's fee withdrawal does the same."""
    m, provider = market.contract, roles.bob
    token, lease_id, start = _blocklist_lease(market, roles, 30 * DAY)
    token.setBlocked(provider, True, sender=provider)
    market.at(start + 10 * DAY)
    receipt = m.withdrawEarnings(lease_id, sender=provider)
    earned = (10 * DAY - mp_params.holdback) * PRICE
    fee = fee_on(earned, mp_params.fee_bps)
    assert m.credit(token, provider) == earned - fee
    assert [(e.account, e.amount) for e in receipt.events if e.event_name == "Credited"] == [
        (provider.address, earned - fee)]
    m.withdrawCreditTo(token, roles.carol, sender=provider)
    assert token.balanceOf(roles.carol) == earned - fee
    token.setBlocked(roles.treasury, True, sender=roles.treasury)
    m.withdrawFees(token, sender=roles.treasury)
    assert (m.accruedFees(token), m.credit(token, roles.treasury)) == (0, fee)
    assert token.balanceOf(m) == m.totalOwed(token)


# ------------------------------------------------------------------ L4: a top-up keeps terms only if they still hold

def test_a_top_up_is_refused_after_a_fee_rise_or_a_rate_change(market, roles, mp_params):
    """L4: a lease opened at fee 0 and rate 1e18 cannot be extended once the fee rose or the token's rate was set
    again (even to the same value): `TopUpTermsChanged(leaseId, leaseFeeBps, feeBps, leaseRateId, rateId)`, rate ids
    counting the rates the admin has set (the fixture's is the first); the client opens a new lease at the current
    terms instead. A lower fee does not stop a top-up (the lease keeps its own)."""
    m, client, provider = market.contract, roles.alice, roles.bob
    m.setFeeBps(100, sender=roles.admin)
    lease_id, start = market.running_lease(client, provider, duration=HOUR)
    market.fund(client, PRICE * 30 * DAY)
    m.setFeeBps(0, sender=roles.admin)
    market.at(start + 5)
    m.topUp(lease_id, 60, sender=client)  # a lower fee: allowed, the lease keeps 100
    assert m.getLease(lease_id).feeBps == 100
    m.setFeeBps(1_000, sender=roles.admin)
    market.at(start + 10)
    with expect_revert(m, "TopUpTermsChanged", lease_id, 100, 1_000, 1, 1):
        m.topUp(lease_id, DAY, sender=client)
    m.setFeeBps(100, sender=roles.admin)
    market.at(start + 15)
    m.topUp(lease_id, 60, sender=client)  # the fee is back at the lease's: allowed
    m.setPaymentToken(market.token, True, UNIT_RATE, sender=roles.admin)  # the same rate, set again
    market.at(start + 20)
    with expect_revert(m, "TopUpTermsChanged", lease_id, 100, 100, 1, 2):
        m.topUp(lease_id, DAY, sender=client)
    m.setPaymentToken(market.token, True, UNIT_RATE // 2, sender=roles.admin)
    with expect_revert(m, "TopUpTermsChanged", lease_id, 100, 100, 1, 3):
        m.topUp(lease_id, DAY, sender=client)
    assert m.getLease(lease_id).deposit == (HOUR + 120) * PRICE


# ------------------------------------------------------------------ I4: events report what arrived, and the fee

def test_the_dispute_events_report_the_slash_that_arrived(roles, mp_params, chain):
    """I4: with a fee-on-transfer stake token the registry sends the slash and 1% burns on the way: DisputeResolved
    reports what reached the client (its credit), and the ruling's fee."""
    stake = deploy_token("fee_on_transfer", roles.deployer)
    m = deploy_marketplace(roles.deployer, mp_params, stake, roles.treasury, roles.arbiter, roles.admin)
    pay = deploy_token("standard6", roles.deployer)
    m.setPaymentToken(pay, True, UNIT_RATE, sender=roles.admin)
    market = Market(m, stake, pay, roles, chain)
    client, provider = roles.alice, roles.bob
    lease_id, start = market.running_lease(client, provider, duration=DAY)
    market.at(start + HOUR * 2)
    m.dispute(lease_id, REASON, sender=client)
    collateral = m.getLease(lease_id).collateral
    frozen = m.getLease(lease_id).frozen
    receipt = m.resolveDispute(lease_id, 0, collateral, sender=roles.arbiter)
    arrived = collateral - collateral // 100
    event = [e for e in receipt.events if e.event_name == "DisputeResolved"][0]
    assert (event.slashed, event.fee) == (arrived, fee_on(frozen, mp_params.fee_bps))
    assert m.credit(stake, client) == arrived
