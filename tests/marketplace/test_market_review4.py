"""The round-4 review's findings on the marketplace, one scenario each, written against the contract before the fix
(each failed there). The rules they check are in the README's marketplace section."""

from __future__ import annotations

from conftest import DAY, PRICE
from deai.testing.reverts import expect_revert
from market_model import Status

HOUR = 3_600
REASON = b"\x01" * 32


def _collateral(amount: int, bps: int) -> int:
    """Collateral of `amount` payment-token units at the test token's unit rate (1e18)."""
    return amount * bps // 10_000


def test_a_dispute_after_a_close_holds_only_the_collateral_of_what_it_froze(market, roles, mp_params):
    """Finding 1 (medium): open, accept, top up to 30 days, close and dispute in the same second used to keep the
    30-day collateral locked through the arbitration window for gas only. A dispute holds only the collateral of
    what the lease still holds; the excess goes back to the provider's free stake at once."""
    m, client, provider, reg = market.contract, roles.alice, roles.bob, market.registry
    lease_id, start = market.running_lease(client, provider, duration=HOUR)
    total = reg.providerInfo(provider).freeStake + reg.providerInfo(provider).lockedStake
    market.fund(client, PRICE * 30 * DAY)
    market.at(start + 10)  # consecutive seconds (Ape's in-process chain refuses two blocks in one second)
    m.topUp(lease_id, 30 * DAY - HOUR, sender=client)
    assert reg.providerInfo(provider).lockedStake == _collateral(30 * DAY * PRICE, mp_params.collateral_bps)
    market.at(start + 11)
    m.closeLease(lease_id, sender=client)
    market.at(start + 12)
    receipt = m.dispute(lease_id, REASON, sender=client)
    expected = _collateral(11 * PRICE, mp_params.collateral_bps)
    released = _collateral(30 * DAY * PRICE, mp_params.collateral_bps) - expected
    assert [(e.leaseId, e.event_arguments["provider"], e.released, e.collateral) for e in receipt.events
            if e.event_name == "CollateralReleased"] == [(lease_id, provider.address, released, expected)]
    assert m.getLease(lease_id).collateral == expected
    info = reg.providerInfo(provider)
    assert (info.lockedStake, info.freeStake) == (expected, total - expected)


def test_anyone_releases_the_excess_collateral_of_a_closed_lease(market, roles, mp_params):
    """Finding 1: a closed lease's excess collateral need not wait for the finalization: anyone (the provider, for
    one transaction's gas) returns it to the provider's free stake; a lease with no excess is left alone."""
    m, client, provider, reg = market.contract, roles.alice, roles.bob, market.registry
    lease_id, start = market.running_lease(client, provider, duration=DAY)
    receipt = m.releaseExcessCollateral(lease_id, sender=roles.mallory)  # running: nothing to release
    assert [e for e in receipt.events if e.event_name == "CollateralReleased"] == []
    market.at(start + HOUR)
    m.closeLease(lease_id, sender=client)
    m.releaseExcessCollateral(lease_id, sender=roles.mallory)
    expected = _collateral(HOUR * PRICE, mp_params.collateral_bps)
    assert m.getLease(lease_id).collateral == reg.providerInfo(provider).lockedStake == expected
    receipt = m.releaseExcessCollateral(lease_id, sender=roles.mallory)
    assert [e for e in receipt.events if e.event_name == "CollateralReleased"] == []
    m.finalize(lease_id, sender=client)  # the client confirms the closed lease
    assert reg.providerInfo(provider).lockedStake == 0
    with expect_revert(m, "WrongStatus", lease_id, Status.FINALIZED):
        m.releaseExcessCollateral(lease_id, sender=roles.mallory)


def test_disputing_a_running_lease_keeps_only_the_collateral_of_what_it_froze(market, roles, mp_params):
    """Finding 1: a dispute stops a running lease; the collateral of the refunded rest is released at once."""
    m, client, provider, reg = market.contract, roles.alice, roles.bob, market.registry
    lease_id, start = market.running_lease(client, provider, duration=10 * DAY)
    market.at(start + DAY)
    m.dispute(lease_id, REASON, sender=client)
    expected = _collateral(DAY * PRICE, mp_params.collateral_bps)
    assert m.getLease(lease_id).collateral == expected
    assert reg.providerInfo(provider).lockedStake == expected
    m.resolveDispute(lease_id, 10_000, expected, sender=roles.arbiter)
    assert reg.providerInfo(provider).lockedStake == 0


def test_the_bond_is_the_same_whether_the_client_closes_first_or_not(market, roles, mp_params):
    """Finding 2 (medium): closing first shrank the refund to nothing and the bond with it. The bond is
    `disputeBondBps` of what the dispute freezes in both orders; the part the refund cannot cover is pulled from the
    client (credit first) at dispute time."""
    m, client, provider = market.contract, roles.alice, roles.bob
    market.provider(provider)
    offer_id = market.offer(provider)
    bonds = []
    for close_first in (False, True):
        lease_id, _ = market.open(client, offer_id, DAY)
        start = market.time_of(market.accept(lease_id, provider))
        market.at(start + 2 * HOUR)
        if close_first:
            m.closeLease(lease_id, sender=client)
        else:
            m.submitResult(lease_id, REASON, sender=provider)  # the same block count in both orders
        # the close stopped the lease at 2 hours; a running lease streams one second more before the dispute
        frozen = (2 * HOUR + (0 if close_first else 1)) * PRICE
        bond = frozen * mp_params.dispute_bond_bps // 10_000
        before, credited = market.token.balanceOf(client), m.credit(market.token, client)
        market.at(start + 2 * HOUR + 1)
        receipt = m.dispute(lease_id, REASON, sender=client)
        # what the client paid, from its wallet or its credit (the first lease's timeout credited it)
        paid = before - market.token.balanceOf(client) + credited - m.credit(market.token, client)
        assert m.getLease(lease_id).frozen == frozen
        assert m.getLease(lease_id).disputeBond == bond
        assert [e.bond for e in receipt.events if e.event_name == "DisputeOpened"] == [bond]
        # closing first: the refund was already paid, so the bond comes from the credit (round 5) or is pulled;
        # disputing a running lease holds it back from the refund
        assert paid == (bond if close_first else -((DAY - 2 * HOUR - 1) * PRICE - bond))
        bonds.append(bond)
        market.at(start + 2 * HOUR + 1 + mp_params.arbitration_window + 1)
        credit = m.credit(market.token, client)
        m.resolveDisputeByTimeout(lease_id, sender=roles.mallory)
        assert m.credit(market.token, client) - credit == frozen + bond
    assert bonds == [f * mp_params.dispute_bond_bps // 10_000 for f in ((2 * HOUR + 1) * PRICE, 2 * HOUR * PRICE)]


def test_the_bond_after_the_end_is_pulled(market, roles, mp_params):
    """Finding 2: a dispute after the lease ended (nothing to refund) still costs the bond; a won dispute pays it
    to the provider."""
    m, client, provider = market.contract, roles.alice, roles.bob
    lease_id, start = market.running_lease(client, provider, duration=DAY)
    market.fund(client, DAY * PRICE)
    market.at(start + DAY + 10)
    before = market.token.balanceOf(client)
    m.dispute(lease_id, REASON, sender=client)
    frozen = m.getLease(lease_id).frozen
    bond = frozen * mp_params.dispute_bond_bps // 10_000
    assert bond > 0 and before - market.token.balanceOf(client) == bond
    provider_credit = m.credit(market.token, provider)
    m.resolveDispute(lease_id, 0, 0, sender=roles.arbiter)
    fee = -(-DAY * PRICE * mp_params.fee_bps // 10_000) - -(-(DAY * PRICE - frozen) * mp_params.fee_bps // 10_000)
    assert m.credit(market.token, provider) - provider_credit == frozen - fee + bond
    assert m.getLease(lease_id).status == Status.RESOLVED


def test_dust_leases_pay_a_fee_and_count_for_nothing(market, roles, mp_params):
    """Finding 3: a 1-unit, 1-second lease paid no fee (rounded down) and counted as a completion. The fee rounds up
    (never zero on a non-zero payment at a non-zero rate) and a lease whose collateral rounds to zero counts for
    nothing; one with collateral counts its value, and that value cost the fee."""
    m, client, provider, reg = market.contract, roles.alice, roles.bob, market.registry
    market.provider(provider)
    offer_id = market.offer(provider, price=1, min_duration=1)
    fees0 = m.accruedFees(market.token)
    for duration, counted in ((1, 0), (4, 1)):
        lease_id, _ = market.open(client, offer_id, duration)
        start = market.time_of(market.accept(lease_id, provider))
        assert m.getLease(lease_id).collateral == duration * mp_params.collateral_bps // 10_000
        market.at(start + duration)
        m.finalize(lease_id, sender=client)
        info = reg.providerInfo(provider)
        assert info.leasesCompleted == counted
    assert m.accruedFees(market.token) - fees0 == 1 + 1  # ceil(1 * 2.5%) + ceil(4 * 2.5%)
    assert reg.providerInfo(provider).valueFinalized == 4


def test_the_arbiter_is_fixed_at_acceptance(market, roles):
    """Finding 4: an arbiter installed after a lease was accepted does not rule on it, even on a dispute opened
    after the installation; leases accepted afterwards get the new arbiter."""
    m, client, provider = market.contract, roles.alice, roles.bob
    lease_id, start = market.running_lease(client, provider, duration=30 * 86_400)
    receipt = m.proposeArbiter(roles.carol, sender=roles.admin)
    market.at(market.time_of(receipt) + 2 * DAY)
    m.executeArbiter(sender=roles.mallory)
    assert m.arbiter() == roles.carol.address
    assert m.getLease(lease_id).arbiter == roles.arbiter.address
    later, _ = market.open(client, 1, DAY)
    market.accept(later, provider)
    assert m.getLease(later).arbiter == roles.carol.address
    for lid in (lease_id, later):
        m.dispute(lid, REASON, sender=client)
    with expect_revert(m, "NotArbiter", roles.carol.address):
        m.resolveDispute(lease_id, 10_000, 0, sender=roles.carol)
    with expect_revert(m, "NotArbiter", roles.arbiter.address):
        m.resolveDispute(later, 10_000, 0, sender=roles.arbiter)
    m.resolveDispute(lease_id, 10_000, 0, sender=roles.arbiter)
    m.resolveDispute(later, 10_000, 0, sender=roles.carol)


def test_a_dispute_at_the_last_second_of_the_window_freezes_the_holdback(market, roles, mp_params):
    """Finding 5: after `end + holdback` the provider could withdraw everything and a dispute later in the window
    froze nothing. The last `holdback` seconds of a lease stay in escrow until it is finalized, so a dispute at any
    second up to `end + disputeWindow` freezes at least them, whatever was withdrawn first in the same block."""
    m, client, provider = market.contract, roles.alice, roles.bob
    lease_id, start = market.running_lease(client, provider, duration=DAY)
    end, hold = start + DAY, mp_params.holdback
    market.chain.mine(timestamp=end + hold + 1)
    assert m.earned(lease_id) == (DAY - hold) * PRICE - -(-(DAY - hold) * PRICE * mp_params.fee_bps // 10_000)
    last = end + mp_params.dispute_window
    market.fund(client, DAY * PRICE)  # for the bond, pulled after the end
    market.at(last - 1)  # the block just before the dispute
    m.withdrawEarnings(lease_id, sender=provider)
    assert m.getLease(lease_id).withdrawn == (DAY - hold) * PRICE
    market.at(last)
    m.dispute(lease_id, REASON, sender=client)
    assert m.getLease(lease_id).frozen == hold * PRICE


def test_no_dispute_after_the_window(market, roles, mp_params):
    """Finding 5: the window's boundary second: `end + disputeWindow` is the last second a dispute is accepted."""
    m, client, provider = market.contract, roles.alice, roles.bob
    lease_id, start = market.running_lease(client, provider, duration=DAY)
    deadline = start + DAY + mp_params.dispute_window
    market.at(deadline + 1)
    with expect_revert(m, "DisputeWindowClosed", lease_id, deadline):
        m.dispute(lease_id, REASON, sender=client)
    m.finalize(lease_id, sender=roles.mallory)
    assert m.getLease(lease_id).withdrawn == DAY * PRICE


def test_a_provider_blocklisted_by_the_stake_token_withdraws_its_stake_elsewhere(roles, mp_params, chain):
    """Finding 7: `withdrawStakeTo(recipient)` for a provider the stake token will not pay."""
    from deai.deploy.marketplace import deploy_marketplace, registry_of
    from deai.testing.tokens import deploy_token

    stake = deploy_token("blocklist", roles.deployer)
    m = deploy_marketplace(roles.deployer, mp_params, stake, roles.treasury, roles.arbiter, roles.admin)
    reg, provider = registry_of(m), roles.bob
    reg.registerProvider("ipfs://p", sender=provider)
    stake.mint(provider, 1_000, sender=provider)
    stake.approve(reg, 1_000, sender=provider)
    reg.depositStake(1_000, sender=provider)
    receipt = reg.requestUnstake(1_000, sender=provider)
    chain.pending_timestamp = chain.blocks[receipt.block_number].timestamp + mp_params.unstake_cooldown
    stake.setBlocked(provider, True, sender=provider)
    with expect_revert(reg, "InvalidParameter"):
        reg.withdrawStakeTo("0x0000000000000000000000000000000000000000", sender=provider)
    receipt = reg.withdrawStakeTo(roles.carol, sender=provider)
    assert stake.balanceOf(roles.carol) == 1_000
    assert [(e.event_arguments["provider"], e.recipient, e.amount) for e in receipt.events if e.event_name == "StakeWithdrawn"] == [
        (provider.address, roles.carol.address, 1_000)]
    assert reg.providerInfo(provider).pendingStake == 0 and reg.totalStake() == 0


def test_surplus_recovery_cannot_move_another_tracked_address_of_the_same_ledger(market, roles):
    """Finding 6: with both addresses of a two-address token allowlisted, recovering through the one that owes more
    took the other's escrow and passed the 'balance >= owed' check of each. A recovery may not lower the balance of
    any other tracked token at all, and leaves each at least what is owed in it."""
    from deai.deploy.contracts import deploy

    m, client, provider = market.contract, roles.alice, roles.bob
    token = deploy("TwoAddressToken", roles.deployer)
    secondary = token.secondary()
    for address in (token.address, secondary):
        m.setPaymentToken(address, True, 10**18, sender=roles.admin)
    market.provider(provider)
    token.mint(client, 3 * PRICE * DAY, sender=client)
    token.approve(m, 3 * PRICE * DAY, sender=client)
    for address, days in ((token.address, 2), (secondary, 1)):
        m.createOffer(address, PRICE, 60, 30 * DAY, b"\x11" * 32, "ipfs://offer", sender=provider)
        m.openLease(m.offerCount(), days * DAY, PRICE, sender=client)
    assert (m.totalOwed(token), m.totalOwed(secondary)) == (2 * PRICE * DAY, PRICE * DAY)
    balance = 3 * PRICE * DAY
    with expect_revert(m, "TrackedBalanceMoved", secondary, balance, 2 * PRICE * DAY):
        m.recoverSurplus(token, roles.admin, sender=roles.admin)
    for lease_id in (1, 2):
        m.cancelLease(lease_id, sender=client)
    assert token.balanceOf(client) == balance


def test_withdraw_and_dispute_in_either_order(market, roles, mp_params):
    """Item 9 (untested before): the provider's withdrawal and the client's dispute in consecutive blocks, in both
    orders. Either way the dispute freezes at least the holdback earnings, the client is refunded the same, and
    withdrawn + frozen is everything streamed; disputing first freezes what the provider had not withdrawn yet."""
    m, client, provider = market.contract, roles.alice, roles.bob
    market.provider(provider)
    offer_id = market.offer(provider)
    results = []
    for withdraw_first in (True, False):
        lease_id, _ = market.open(client, offer_id, 10 * DAY)
        start = market.time_of(market.accept(lease_id, provider))
        t = start + 7 * DAY
        market.at(t)  # consecutive seconds, the dispute at t + 1 in both orders (one block a second in-process)
        if withdraw_first:
            m.withdrawEarnings(lease_id, sender=provider)
        else:
            m.submitResult(lease_id, REASON, sender=provider)
        market.at(t + 1)
        receipt = m.dispute(lease_id, REASON, sender=client)
        if not withdraw_first:
            market.at(t + 2)
            with expect_revert(m, "WrongStatus", lease_id, Status.DISPUTED):
                m.withdrawEarnings(lease_id, sender=provider)
        lease = m.getLease(lease_id)
        refund = [e.refund + e.bond for e in receipt.events if e.event_name == "DisputeOpened"][0]
        results.append((lease.withdrawn + lease.frozen, refund))
        assert lease.frozen >= mp_params.holdback * PRICE
        assert lease.withdrawn == ((7 * DAY - mp_params.holdback) * PRICE if withdraw_first else 0)
    assert results[0] == results[1] == ((7 * DAY + 1) * PRICE, (3 * DAY - 1) * PRICE)


def test_front_end_items(market, roles):
    """Issue 17's items on this contract: `LeaseOpened.offerId` is indexed (a provider's front end filters on it),
    `getLease` returns a named `details`, and `trackedTokens()` lists every token ever allowed (the allowed ones now:
    `MarketplaceLens.allowedTokens()`, `test_lens.py`)."""
    m = market.contract
    opened = next(a for a in m.contract_type.abi if getattr(a, "name", None) == "LeaseOpened")
    assert [i.name for i in opened.inputs if i.indexed] == ["leaseId", "client", "offerId"]
    get_lease = next(a for a in m.contract_type.abi if getattr(a, "name", None) == "getLease")
    assert [o.name for o in get_lease.outputs] == ["details"]
    from deai.testing.tokens import deploy_token

    other = deploy_token("standard18", roles.deployer)
    m.setPaymentToken(other, True, 10**18, sender=roles.admin)
    m.setPaymentToken(market.token, False, 0, sender=roles.admin)
    assert m.trackedTokens() == [market.stake.address, market.token.address, other.address]
