"""Gas of the marketplace (receipt gasUsed on anvil, 6-decimal payment token as in Sablier's figures), with the
issue's budgets: steady-state openLease <= 140,000; acceptLease, withdrawEarnings, closeLease <= 80,000 each."""

from __future__ import annotations

from conftest import PRICE

OPEN_BUDGET, LEASE_OP_BUDGET = 140_000, 80_000
HOUR, DAY = 3_600, 86_400


def test_gas_marketplace(market, roles, gas, mp_params):
    m, alice, bob, carol = market.contract, roles.alice, roles.bob, roles.carol
    gas.record("ComputeMarketplace.registerProvider", m.registerProvider("ipfs://provider", sender=bob))
    market.fund(bob, 10**24, market.stake)
    gas.record("ComputeMarketplace.depositStake (first)", m.depositStake(10**23, sender=bob))
    gas.record("ComputeMarketplace.createOffer",
               m.createOffer(market.token, PRICE, 60, 30 * DAY, b"\x11" * 32, "ipfs://offer/h100", sender=bob))
    market.fund(alice, 100 * PRICE * DAY)  # a client with a balance left after each lease

    gas.record("ComputeMarketplace.openLease (first on the offer)", m.openLease(1, DAY, PRICE, sender=alice))
    gas.record("ComputeMarketplace.acceptLease (first)", m.acceptLease(1, sender=bob))
    now = market.chain.pending_timestamp + 600
    market.at(now)
    gas.record("ComputeMarketplace.withdrawEarnings (first)", m.withdrawEarnings(1, sender=bob))

    gas.record("ComputeMarketplace.openLease (steady state)", m.openLease(1, DAY, PRICE, sender=alice),
               budget=OPEN_BUDGET)
    gas.record("ComputeMarketplace.acceptLease (steady state)", m.acceptLease(2, sender=bob), budget=LEASE_OP_BUDGET)
    market.at(now + 1_200)
    gas.record("ComputeMarketplace.withdrawEarnings (steady state)", m.withdrawEarnings(2, sender=bob),
               budget=LEASE_OP_BUDGET)
    market.at(now + 1_800)
    gas.record("ComputeMarketplace.withdrawEarnings (repeat on a lease)", m.withdrawEarnings(2, sender=bob),
               budget=LEASE_OP_BUDGET)
    market.fund(carol, PRICE * HOUR)
    gas.record("ComputeMarketplace.topUp (sponsor)", m.topUp(2, HOUR, sender=carol))
    gas.record("ComputeMarketplace.submitResult", m.submitResult(2, b"\x22" * 32, sender=bob))
    market.at(now + 2_400)
    gas.record("ComputeMarketplace.closeLease (client)", m.closeLease(2, sender=alice), budget=LEASE_OP_BUDGET)
    gas.record("ComputeMarketplace.closeLease (provider; client credited)", m.closeLease(1, sender=bob),
               budget=LEASE_OP_BUDGET)
    market.at(now + 2_400 + mp_params.dispute_window + 1)
    gas.record("ComputeMarketplace.finalize (provider)", m.finalize(2, sender=bob))
    gas.record("ComputeMarketplace.finalize (anyone; provider credited)", m.finalize(1, sender=carol))
    gas.record("ComputeMarketplace.withdrawCredit", m.withdrawCredit(market.token, sender=alice))

    m.openLease(1, DAY, PRICE, sender=alice)
    gas.record("ComputeMarketplace.cancelLease (client)", m.cancelLease(3, sender=alice))
    m.openLease(1, DAY, PRICE, sender=alice)
    m.acceptLease(4, sender=bob)
    market.at(market.chain.pending_timestamp + 300)
    gas.record("ComputeMarketplace.dispute (running lease)", m.dispute(4, b"\x33" * 32, sender=alice))
    gas.record("ComputeMarketplace.resolveDispute (split and slash)", m.resolveDispute(4, 5_000, 10**6,
                                                                                     sender=roles.arbiter))
    m.openLease(1, DAY, PRICE, sender=alice)
    m.acceptLease(5, sender=bob)
    m.dispute(5, b"\x44" * 32, sender=alice)
    market.at(market.chain.pending_timestamp + mp_params.arbitration_window + 1)
    gas.record("ComputeMarketplace.resolveDisputeByTimeout", m.resolveDisputeByTimeout(5, sender=carol))
    gas.record("ComputeMarketplace.withdrawFees", m.withdrawFees(market.token, sender=roles.treasury))
    gas.record("ComputeMarketplace.requestUnstake", m.requestUnstake(10**18, sender=bob))
    market.at(market.chain.pending_timestamp + mp_params.unstake_cooldown)
    gas.record("ComputeMarketplace.withdrawStake", m.withdrawStake(sender=bob))
