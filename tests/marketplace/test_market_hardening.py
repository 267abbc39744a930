"""The review's findings (issue 12), one scenario each, written against the contract before the hardening: each
test failed there and passes after it. The rules they check are in the README's marketplace section."""

from __future__ import annotations

from conftest import DAY, PRICE, STAKE, UNIT_RATE, Market
from deai.deploy.contracts import deploy
from deai.testing.reverts import expect_revert
from deai.testing.tokens import deploy_token
from market_model import ARBITER_DELAY, Status

HOUR = 3_600


def test_dispute_freezes_holdback_whatever_the_order(market, roles, mp_params):
    """Item 1: the provider withdraws just before the client's dispute; the last `holdback` seconds stay frozen."""
    m, client, provider = market.contract, roles.alice, roles.bob
    lease_id, start = market.running_lease(client, provider, duration=10 * DAY)
    t = start + 7 * DAY
    market.at(t)
    m.withdrawEarnings(lease_id, sender=provider)
    market.at(t + 1)
    m.dispute(lease_id, b"\x01" * 32, sender=client)
    lease = m.getLease(lease_id)
    assert lease.frozen >= mp_params.holdback * PRICE
    assert lease.withdrawn == (7 * DAY - mp_params.holdback) * PRICE


def test_arbiter_proposed_after_dispute_cannot_rule_it(market, roles, mp_params):
    """Item 2: the arbiter is fixed when the dispute opens."""
    m, client, provider = market.contract, roles.alice, roles.bob
    lease_id, start = market.running_lease(client, provider)
    market.at(start + HOUR)
    m.dispute(lease_id, b"\x01" * 32, sender=client)
    receipt = m.proposeArbiter(roles.mallory, sender=roles.admin)
    market.at(market.time_of(receipt) + ARBITER_DELAY)
    m.executeArbiter(sender=roles.carol)
    with expect_revert(m, "NotArbiter", roles.mallory.address):
        m.resolveDispute(lease_id, 10_000, 0, sender=roles.mallory)
    m.resolveDispute(lease_id, 10_000, 0, sender=roles.arbiter)


def test_arbiter_proposal_expires(market, roles):
    m = market.contract
    receipt = m.proposeArbiter(roles.mallory, sender=roles.admin)
    eta = market.time_of(receipt) + ARBITER_DELAY
    market.at(eta + 200 * DAY)
    with expect_revert(m, "ArbiterProposalExpired", eta + 7 * DAY):
        m.executeArbiter(sender=roles.carol)


def test_blocklisted_client_can_close_and_dispute(market, roles, mp_params):
    """Item 4: a client blocklisted by the payment token still stops its lease; the refund is credited."""
    m, client, provider = market.contract, roles.alice, roles.bob
    token = deploy_token("blocklist", roles.deployer)
    m.setPaymentToken(token, True, UNIT_RATE, sender=roles.admin)
    market.provider(provider)
    offer_id = market.offer(provider, token=token)
    for lease_number, action in enumerate(("close", "dispute")):
        market.fund(client, PRICE * 10 * DAY, token)
        m.openLease(offer_id, 10 * DAY, PRICE, sender=client)
        lease_id = m.leaseCount()
        start = market.time_of(m.acceptLease(lease_id, sender=provider))
        token.setBlocked(client, True, sender=client)
        market.at(start + DAY)
        before = m.credit(token, client)
        if action == "close":
            m.closeLease(lease_id, sender=client)
        else:
            m.dispute(lease_id, b"\x01" * 32, sender=client)
        bond = DAY * PRICE * mp_params.dispute_bond_bps // 10_000 if action == "dispute" else 0
        assert m.credit(token, client) - before == 9 * DAY * PRICE - bond
        token.setBlocked(client, False, sender=client)


def test_zero_duration_lease_is_not_a_completion(market, roles, mp_params):
    """Item 5: a lease closed in the second it was accepted delivered nothing and counts for nothing (a contract
    provider accepts and closes in one transaction)."""
    m, client = market.contract, roles.alice
    bot = deploy("ContractProvider", roles.deployer)
    market.stake.mint(bot, STAKE, sender=roles.deployer)
    bot.setUp(market.registry, market.stake, STAKE, sender=roles.deployer)
    bot.offer(m, market.token, PRICE, sender=roles.deployer)
    lease_id, _ = market.open(client, m.offerCount(), DAY)
    receipt = bot.acceptAndClose(m, lease_id, sender=roles.deployer)
    lease = m.getLease(lease_id)
    t = market.time_of(receipt)
    assert (lease.deposit, lease.refunded, lease.start, lease.end, lease.stoppedAt) == (
        DAY * PRICE, DAY * PRICE, t, t + DAY, t)
    market.at(market.time_of(receipt) + mp_params.dispute_window + 1)
    m.finalize(lease_id, sender=roles.mallory)
    info = market.registry.providerInfo(bot)
    assert (info.leasesCompleted, info.valueFinalized, info.lockedStake) == (0, 0, 0)


def test_top_up_of_accepted_lease_locks_collateral(market, roles, mp_params):
    """Item 6: what a top-up adds is collateralised like the rest of the lease."""
    m, client, provider = market.contract, roles.alice, roles.bob
    lease_id, start = market.running_lease(client, provider, duration=HOUR)
    locked = market.registry.providerInfo(provider).lockedStake
    market.fund(client, PRICE * 30 * DAY)
    m.topUp(lease_id, 29 * DAY, sender=client)
    added = PRICE * 29 * DAY
    assert market.registry.providerInfo(provider).lockedStake - locked == added * mp_params.collateral_bps // 10_000


def test_top_up_never_below_current_offer_price(market, roles):
    """Item 6: after the provider raises the offer's price, the old price cannot be extended."""
    m, client, provider = market.contract, roles.alice, roles.bob
    lease_id, start = market.running_lease(client, provider, duration=HOUR)
    m.setOfferPrice(1, 3 * PRICE, sender=provider)
    market.fund(client, PRICE * 30 * DAY)
    with expect_revert(m, "PriceAboveMax", 3 * PRICE, PRICE):
        m.topUp(lease_id, DAY, sender=client)


def test_stranger_cannot_top_up(market, roles):
    """Item 7: nobody but the client changes a lease's terms; an open lease's terms are fixed."""
    m, client, provider = market.contract, roles.alice, roles.bob
    market.provider(provider)
    offer_id = market.offer(provider)
    lease_id, _ = market.open(client, offer_id, DAY)
    market.fund(roles.mallory, PRICE * HOUR)
    with expect_revert(m, "NotClient", roles.mallory.address):
        m.topUp(lease_id, 1, sender=roles.mallory)
    market.accept(lease_id, provider)


def test_surplus_recovery_through_a_second_token_address(market, roles):
    """Item 8: the second address of a two-address token cannot take the first address's escrow."""
    m, client, provider = market.contract, roles.alice, roles.bob
    token = deploy("TwoAddressToken", roles.deployer)
    m.setPaymentToken(token, True, UNIT_RATE, sender=roles.admin)
    market.provider(provider)
    offer_id = market.offer(provider, token=token)
    market.fund(client, PRICE * DAY, token)
    m.openLease(offer_id, DAY, PRICE, sender=client)
    with expect_revert(m, "TrackedBalanceMoved", token.address, PRICE * DAY, 0):
        m.recoverSurplus(token.secondary(), roles.admin, sender=roles.admin)
    m.cancelLease(m.leaseCount(), sender=client)


def test_renounce_ownership_disabled(market, roles):
    """Item 9: renouncing while paused would brick inflows forever."""
    m = market.contract
    with expect_revert(m, "RenounceDisabled"):
        m.renounceOwnership(sender=roles.admin)
    assert m.owner() == roles.admin.address


def test_ruling_keeps_the_lease_terms(market, roles, mp_params):
    """Item 9: a fully-run lease ruled for the client still shows its full length."""
    m, client, provider = market.contract, roles.alice, roles.bob
    lease_id, start = market.running_lease(client, provider, duration=DAY)
    market.fund(client, PRICE * DAY)  # the bond of a dispute after the end is pulled
    market.at(start + DAY + 10)
    m.dispute(lease_id, b"\x01" * 32, sender=client)
    m.resolveDispute(lease_id, 10_000, 0, sender=roles.arbiter)
    lease = m.getLease(lease_id)
    assert (lease.status, lease.deposit, lease.end) == (Status.RESOLVED, PRICE * DAY, start + DAY)


def test_lost_dispute_rule_boundary(market, roles):
    """Item 9: a client share above 50% with no slash is a dispute lost; exactly 50% is not."""
    m, client, provider = market.contract, roles.alice, roles.bob
    market.provider(provider)
    offer_id = market.offer(provider)
    for share, lost in ((5_000, 0), (5_001, 1)):
        lease_id, _ = market.open(client, offer_id, DAY)
        market.accept(lease_id, provider)
        m.dispute(lease_id, b"\x01" * 32, sender=client)
        m.resolveDispute(lease_id, share, 0, sender=roles.arbiter)
        assert market.registry.providerInfo(provider).disputesLost == lost


def test_withdraw_credit_to_another_address(market, roles):
    """Item 9: a blocked or contract account sends its credit elsewhere."""
    m, client, provider = market.contract, roles.alice, roles.bob
    lease_id, start = market.running_lease(client, provider)
    market.at(start + HOUR)
    m.closeLease(lease_id, sender=provider)
    credit = m.credit(market.token, client)
    before = market.token.balanceOf(roles.carol)
    m.withdrawCreditTo(market.token, roles.carol, sender=client)
    assert market.token.balanceOf(roles.carol) - before == credit


def test_client_confirms_finished_lease_early(market, roles):
    """Item 9: the client releases earnings and collateral without waiting for the dispute window."""
    m, client, provider = market.contract, roles.alice, roles.bob
    lease_id, start = market.running_lease(client, provider)
    market.at(start + DAY)
    m.finalize(lease_id, sender=client)
    assert m.getLease(lease_id).status == Status.FINALIZED


def test_collateral_is_worth_collateral_bps_across_decimals(roles, mp_params, chain):
    """Item 3: with a rate per payment token (stake-token units per unit x 1e18, decimals included), the collateral
    is worth `collateralBps` of the deposit for a 6-decimal payment token against an 18-decimal stake token and the
    other way round; a rate change after opening does not alter the lease."""
    from deai.deploy.marketplace import collateral_rate, deploy_marketplace

    for stake_kind, pay_kind, stake_decimals, pay_decimals in (("standard18", "standard6", 18, 6),
                                                                 ("standard6", "standard18", 6, 18)):
        stake, pay = deploy_token(stake_kind, roles.deployer), deploy_token(pay_kind, roles.deployer)
        m = deploy_marketplace(roles.deployer, mp_params, stake, roles.treasury, roles.arbiter, roles.admin)
        rate = collateral_rate(stake_decimals, pay_decimals)  # one payment token is worth one stake token
        assert rate == 10**18 * 10**stake_decimals // 10**pay_decimals
        m.setPaymentToken(pay, True, rate, sender=roles.admin)
        market = Market(m, stake, pay, roles, chain)
        market.provider(roles.bob, stake=10**6 * 10**stake_decimals)
        price = 10**pay_decimals // 1_000  # 0.001 payment token a second
        lease_id, _ = market.open(roles.alice, market.offer(roles.bob, price=price), 10 * DAY)
        m.setPaymentToken(pay, True, rate * 2, sender=roles.admin)  # later leases only
        market.accept(lease_id, roles.bob)
        deposit = price * 10 * DAY  # 864 payment tokens
        whole_deposit = deposit / 10**pay_decimals
        locked = m.getLease(lease_id).collateral
        assert locked == deposit * mp_params.collateral_bps * rate // (10_000 * 10**18)
        assert locked / 10**stake_decimals == whole_deposit * mp_params.collateral_bps / 10_000  # 259.2 tokens
        assert m.getLease(lease_id).collateralRate == rate
        assert market.registry.providerInfo(roles.bob).lockedStake == locked


def test_timeout_returns_the_bond_and_a_won_dispute_pays_it(market, roles, mp_params):
    """Item 9: a silent arbiter returns the frozen earnings and the bond to the client (documented default); the
    bond is held back from the refund, so disputing needs no transfer from the client."""
    m, client, provider = market.contract, roles.alice, roles.bob
    lease_id, start = market.running_lease(client, provider, duration=DAY)
    market.at(start + 2 * HOUR)
    receipt = m.dispute(lease_id, b"\x01" * 32, sender=client)
    frozen = 2 * HOUR * PRICE
    bond = frozen * mp_params.dispute_bond_bps // 10_000
    assert [(e.refund, e.bond) for e in receipt.events if e.event_name == "DisputeOpened"] == [
        ((DAY - 2 * HOUR) * PRICE - bond, bond)]
    market.at(start + 2 * HOUR + mp_params.arbitration_window + 1)
    receipt = m.resolveDisputeByTimeout(lease_id, sender=roles.mallory)
    assert [(e.bondTo, e.bond, e.byTimeout) for e in receipt.events if e.event_name == "DisputeResolved"] == [
        (client.address, bond, True)]
    assert m.credit(market.token, client) == frozen + bond
