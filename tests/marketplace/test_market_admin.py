"""Admin powers: construction checks, fee/treasury/allowlist, the timelocked arbiter, pause (which never blocks an
exit), surplus recovery, and that nobody else holds any of them."""

from __future__ import annotations

import pytest

from conftest import PRICE, STAKE, UNIT_RATE
from deai.deploy.contracts import container
from deai.deploy.marketplace import MarketplaceParams
from deai.testing.reverts import expect_revert
from market_model import ARBITER_DELAY

HOUR = 3_600
ZERO = "0x" + "00" * 20


def test_constructor_validation(roles, stake_token):
    factory = container("ComputeMarketplace")
    good = MarketplaceParams()
    base = dict(stake=stake_token.address, treasury=roles.treasury.address, arbiter=roles.arbiter.address)

    def args(params=good, **over):
        a = {**base, **over}
        return params.constructor_args(a["stake"], a["treasury"], a["arbiter"], roles.admin.address)

    cases = [args(stake=ZERO), args(treasury=ZERO), args(arbiter=ZERO),
             args(MarketplaceParams(collateral_bps=10_001)), args(MarketplaceParams(accept_window=0)),
             args(MarketplaceParams(arbitration_window=0)), args(MarketplaceParams(dispute_window=2**32)),
             args(MarketplaceParams(unstake_cooldown=2**32)), args(MarketplaceParams(holdback=2**32)),
             args(MarketplaceParams(accept_window=2**32)), args(MarketplaceParams(arbitration_window=2**32)),
             args(MarketplaceParams(dispute_bond_bps=10_001))]
    for case in cases:
        with expect_revert(factory, "InvalidParameter"):
            roles.deployer.deploy(factory, *case)
    with expect_revert(factory, "FeeTooHigh", 1_001):
        roles.deployer.deploy(factory, *args(MarketplaceParams(fee_bps=1_001)))
    with expect_revert(factory, "OwnableInvalidOwner", ZERO):
        roles.deployer.deploy(factory, *good.constructor_args(stake_token.address, roles.treasury.address,
                                                              roles.arbiter.address, ZERO))


def test_constructor_stores_parameters(market_contract, registry, roles, stake_token, mp_params):
    m = market_contract
    assert (m.stakeToken(), m.treasury(), m.arbiter(), m.feeBps(), m.collateralBps(), m.acceptWindow(),
            m.disputeWindow(), m.arbitrationWindow(), m.holdback(), m.owner()) == (
        stake_token.address, roles.treasury.address, roles.arbiter.address, mp_params.fee_bps,
        mp_params.collateral_bps, mp_params.accept_window, mp_params.dispute_window, mp_params.arbitration_window,
        mp_params.holdback, roles.admin.address)
    assert (registry.stakeToken(), registry.marketplace(), registry.unstakeCooldown()) == (
        stake_token.address, m.address, mp_params.unstake_cooldown)
    assert m.trackedTokens() == [stake_token.address]


def test_constructor_boundary_values(roles, stake_token):
    """The largest accepted values deploy (fee exactly 1,000 bps, collateral exactly 10,000 bps, windows and holdback
    of 2^32 - 1 s, a bond of 10,000 bps); one more is refused (see test_constructor_validation)."""
    top = 2**32 - 1
    params = MarketplaceParams(fee_bps=1_000, collateral_bps=10_000, accept_window=top, dispute_window=top,
                               arbitration_window=top, unstake_cooldown=top, holdback=top, dispute_bond_bps=10_000)
    m = roles.deployer.deploy(container("ComputeMarketplace"), *params.constructor_args(
        stake_token.address, roles.treasury.address, roles.arbiter.address, roles.admin.address))
    assert (m.feeBps(), m.collateralBps(), m.holdback(), m.disputeBondBps()) == (1_000, 10_000, top, 10_000)


@pytest.mark.parametrize("call", [
    lambda m, r: m.setPaymentToken(r.alice, True, UNIT_RATE, sender=r.mallory),
    lambda m, r: m.setFeeBps(1, sender=r.mallory),
    lambda m, r: m.setTreasury(r.mallory, sender=r.mallory),
    lambda m, r: m.proposeArbiter(r.mallory, sender=r.mallory),
    lambda m, r: m.cancelArbiterProposal(sender=r.mallory),
    lambda m, r: m.pause(sender=r.mallory),
    lambda m, r: m.unpause(sender=r.mallory),
    lambda m, r: m.recoverSurplus(r.alice, r.mallory, sender=r.mallory),
    lambda m, r: m.transferOwnership(r.mallory, sender=r.mallory),
    lambda m, r: m.renounceOwnership(sender=r.mallory),
], ids=["allowlist", "fee", "treasury", "propose-arbiter", "cancel-arbiter", "pause", "unpause", "recover",
        "ownership", "renounce"])
def test_admin_only(market_contract, roles, call):
    with expect_revert(market_contract, "OwnableUnauthorizedAccount", roles.mallory.address):
        call(market_contract, roles)


def test_allowlist_fee_and_treasury(market_contract, roles):
    m, admin = market_contract, roles.admin
    for token, rate in ((ZERO, UNIT_RATE), (roles.alice, 0), (roles.alice, 2**128)):
        with expect_revert(m, "InvalidParameter"):
            m.setPaymentToken(token, True, rate, sender=admin)
    receipt = m.setPaymentToken(roles.alice, True, UNIT_RATE, sender=admin)
    assert [(e.token, e.allowed, e.collateralRate) for e in receipt.events] == [(roles.alice.address, True, UNIT_RATE)]
    assert m.isTokenAllowed(roles.alice) and m.collateralRate(roles.alice) == UNIT_RATE
    receipt = m.setPaymentToken(roles.alice, False, 5, sender=admin)
    assert [(e.token, e.allowed, e.collateralRate) for e in receipt.events] == [(roles.alice.address, False, 0)]
    assert not m.isTokenAllowed(roles.alice) and m.collateralRate(roles.alice) == UNIT_RATE
    m.setPaymentToken(roles.alice, True, 2**128 - 1, sender=admin)
    assert m.collateralRate(roles.alice) == 2**128 - 1
    assert m.trackedTokens() == [market_contract.stakeToken(), roles.alice.address]  # tracked once
    with expect_revert(m, "FeeTooHigh", 1_001):
        m.setFeeBps(1_001, sender=admin)
    receipt = m.setFeeBps(1_000, sender=admin)
    assert [e.feeBps for e in receipt.events] == [1_000] and m.feeBps() == 1_000
    with expect_revert(m, "InvalidParameter"):
        m.setTreasury(ZERO, sender=admin)
    receipt = m.setTreasury(roles.carol, sender=admin)
    assert [e.treasury for e in receipt.events] == [roles.carol.address] and m.treasury() == roles.carol.address


def test_arbiter_change_is_timelocked(market, roles):
    m, admin = market.contract, roles.admin
    with expect_revert(m, "NoPendingArbiter"):
        m.executeArbiter(sender=roles.mallory)
    with expect_revert(m, "NoPendingArbiter"):
        m.cancelArbiterProposal(sender=admin)
    with expect_revert(m, "InvalidParameter"):
        m.proposeArbiter(ZERO, sender=admin)
    t = market.chain.pending_timestamp + 5
    market.at(t)
    receipt = m.proposeArbiter(roles.carol, sender=admin)
    assert [(e.arbiter, e.eta) for e in receipt.events] == [(roles.carol.address, t + ARBITER_DELAY)]
    assert (m.pendingArbiter(), m.arbiterEta()) == (roles.carol.address, t + ARBITER_DELAY)
    market.at(t + ARBITER_DELAY - 1)
    with expect_revert(m, "ArbiterTimelockActive", t + ARBITER_DELAY):
        m.executeArbiter(sender=roles.mallory)
    receipt = m.cancelArbiterProposal(sender=admin)
    assert [(e.event_name, e.arbiter) for e in receipt.events] == [("ArbiterProposalCancelled", roles.carol.address)]
    assert (m.pendingArbiter(), m.arbiterEta()) == (ZERO, 0)  # nothing pending, no stale time for a front end
    t = market.chain.pending_timestamp + 5
    market.at(t)
    m.proposeArbiter(roles.carol, sender=admin)
    market.at(t + ARBITER_DELAY)
    receipt = m.executeArbiter(sender=roles.mallory)  # anyone installs it once due
    assert [e.arbiter for e in receipt.events] == [roles.carol.address] and m.arbiter() == roles.carol.address
    lease_id, start = market.running_lease(roles.alice, roles.bob, duration=HOUR)
    m.dispute(lease_id, b"\x01" * 32, sender=roles.alice)
    with expect_revert(m, "NotArbiter", roles.arbiter.address):
        m.resolveDispute(lease_id, 0, 0, sender=roles.arbiter)
    m.resolveDispute(lease_id, 0, 0, sender=roles.carol)


def test_ownership_is_two_step(market_contract, roles):
    m = market_contract
    m.transferOwnership(roles.governance, sender=roles.admin)
    assert m.owner() == roles.admin.address
    with expect_revert(m, "OwnableUnauthorizedAccount", roles.mallory.address):
        m.acceptOwnership(sender=roles.mallory)
    m.acceptOwnership(sender=roles.governance)
    assert m.owner() == roles.governance.address


def test_pause_blocks_inflows_only_and_never_an_exit(market, roles, mp_params):
    """While paused: every exit (cancel, close, withdraw, dispute, resolve, timeout, finalize, unstake, credit, fees)
    still works; new offers, leases, acceptances, top-ups and stake deposits do not."""
    m, alice, bob, admin = market.contract, roles.alice, roles.bob, roles.admin
    market.provider(bob)
    offer_id = market.offer(bob)
    to_cancel, _ = market.open(alice, offer_id, HOUR)
    to_close, _ = market.open(alice, offer_id, HOUR)
    to_rule, _ = market.open(alice, offer_id, HOUR)
    to_timeout, _ = market.open(alice, offer_id, HOUR)
    to_finalize, _ = market.open(alice, offer_id, HOUR)
    for lease in (to_close, to_rule, to_timeout, to_finalize):
        market.accept(lease, bob)
    market.registry.requestUnstake(STAKE // 10, sender=bob)
    market.fund(alice, PRICE * HOUR)
    market.fund(bob, 1, market.stake)
    receipt = m.pause(sender=admin)
    assert m.paused() and receipt.events[0].event_name == "Paused"

    for call in (lambda: m.createOffer(market.token, PRICE, 60, HOUR, b"\x01" * 32, "", sender=bob),
                 lambda: m.openLease(offer_id, HOUR, PRICE, sender=alice),
                 lambda: m.topUp(to_close, 60, sender=alice),
                 lambda: m.acceptLease(to_cancel, sender=bob),
                 lambda: market.registry.depositStake(1, sender=bob)):
        with expect_revert(m, "EnforcedPause"):
            call()

    m.cancelLease(to_cancel, sender=alice)
    now = market.chain.pending_timestamp + 60
    market.at(now)
    m.withdrawEarnings(to_close, sender=bob)
    m.closeLease(to_close, sender=alice)
    m.dispute(to_rule, b"\x02" * 32, sender=alice)
    m.resolveDispute(to_rule, 5_000, 1, sender=roles.arbiter)
    m.dispute(to_timeout, b"\x03" * 32, sender=alice)
    market.at(now + mp_params.unstake_cooldown + mp_params.arbitration_window)
    m.resolveDisputeByTimeout(to_timeout, sender=roles.mallory)
    m.finalize(to_finalize, sender=roles.mallory)
    market.registry.withdrawStake(sender=bob)
    m.withdrawCredit(market.token, sender=bob)
    m.withdrawCredit(market.stake, sender=alice)
    m.withdrawFees(market.token, sender=roles.treasury)
    m.unpause(sender=admin)
    assert not m.paused()
    m.openLease(offer_id, HOUR, PRICE, sender=alice)


def test_surplus_recovery_never_touches_what_is_owed(market, roles):
    m, admin = market.contract, roles.admin
    lease_id, _ = market.running_lease(roles.alice, roles.bob, duration=HOUR)
    with expect_revert(m, "NothingToWithdraw"):
        m.recoverSurplus(market.token, admin, sender=admin)
    with expect_revert(m, "InvalidParameter"):
        m.recoverSurplus(market.token, ZERO, sender=admin)
    owed = m.totalOwed(market.token)
    market.token.mint(roles.carol, 12_345, sender=roles.carol)
    market.token.transfer(m, 12_345, sender=roles.carol)  # sent by mistake
    market.stake.mint(m, 7, sender=roles.carol)
    receipt = m.recoverSurplus(market.token, roles.carol, sender=admin)
    assert [(e.token, e.to, e.amount) for e in receipt.events if e.event_name == "SurplusRecovered"] == [
        (market.token.address, roles.carol.address, 12_345)]
    assert market.token.balanceOf(roles.carol) == 12_345
    assert market.token.balanceOf(m) == owed == m.totalOwed(market.token)
    m.recoverSurplus(market.stake, roles.carol, sender=admin)
    assert market.stake.balanceOf(m) == m.totalOwed(market.stake) == 0  # the stake itself is in the registry
    assert market.stake.balanceOf(market.registry) == market.registry.totalStake() == STAKE
    with expect_revert(m, "NothingToWithdraw"):
        m.recoverSurplus(market.token, admin, sender=admin)
    m.closeLease(lease_id, sender=roles.alice)  # everything owed is still payable
