"""Gas of the marketplace (receipt gasUsed on anvil, 6-decimal payment token as in Sablier's figures), with the
issue's budgets: steady-state openLease <= 125,000; acceptLease, withdrawEarnings, closeLease <= 75,000 each.
Every transaction's block time is set explicitly (`at`), so no figure depends on the wall clock."""

from __future__ import annotations

from conftest import PRICE

OPEN_BUDGET, LEASE_OP_BUDGET = 125_000, 75_000
HOUR, DAY = 3_600, 86_400


def test_gas_marketplace(market, roles, gas, mp_params):
    m, r, alice, bob, carol = market.contract, market.registry, roles.alice, roles.bob, roles.carol
    market.fund(bob, 10**24, market.stake, spender=r)  # set-up transactions first, then every timed one
    market.fund(alice, 100 * PRICE * DAY)  # a client with a balance left after each lease
    t0 = market.chain.pending_timestamp + 100
    clock = iter(range(t0, t0 + 10_000))  # one second per set-up transaction

    def at(timestamp: int | None = None) -> None:
        market.at(timestamp if timestamp is not None else next(clock))

    at()
    gas.record("ProviderRegistry.registerProvider", r.registerProvider("ipfs://provider", sender=bob))
    at()
    gas.record("ProviderRegistry.depositStake (first)", r.depositStake(10**23, sender=bob))
    at()
    gas.record("ComputeMarketplace.createOffer",
               m.createOffer(market.token, PRICE, 60, 30 * DAY, b"\x11" * 32, "ipfs://offer/h100", sender=bob))
    at()
    gas.record("ComputeMarketplace.openLease (first on the offer)", m.openLease(1, DAY, PRICE, sender=alice))
    at()
    gas.record("ComputeMarketplace.acceptLease (first)", m.acceptLease(1, sender=bob))
    start1 = t0 + 4
    now = start1 + mp_params.holdback + 600
    at(now)
    gas.record("ComputeMarketplace.withdrawEarnings (first)", m.withdrawEarnings(1, sender=bob))
    at(now + 1)
    gas.record("ComputeMarketplace.openLease (steady state)", m.openLease(1, DAY, PRICE, sender=alice),
               budget=OPEN_BUDGET)
    at(now + 2)
    gas.record("ComputeMarketplace.acceptLease (steady state)", m.acceptLease(2, sender=bob), budget=LEASE_OP_BUDGET)
    start2 = now + 2
    at(start2 + mp_params.holdback + 1_200)
    gas.record("ComputeMarketplace.withdrawEarnings (steady state)", m.withdrawEarnings(2, sender=bob),
               budget=LEASE_OP_BUDGET)
    at(start2 + mp_params.holdback + 1_800)
    gas.record("ComputeMarketplace.withdrawEarnings (repeat on a lease)", m.withdrawEarnings(2, sender=bob),
               budget=LEASE_OP_BUDGET)
    at(start2 + mp_params.holdback + 1_801)
    gas.record("ComputeMarketplace.topUp (client; locks collateral)", m.topUp(2, HOUR, sender=alice))
    at(start2 + mp_params.holdback + 1_802)
    gas.record("ComputeMarketplace.submitResult", m.submitResult(2, b"\x22" * 32, sender=bob))
    closed = start2 + mp_params.holdback + 2_400
    at(closed)
    gas.record("ComputeMarketplace.closeLease (client)", m.closeLease(2, sender=alice), budget=LEASE_OP_BUDGET)
    at(closed + 1)
    gas.record("ComputeMarketplace.closeLease (provider; client credited)", m.closeLease(1, sender=bob),
               budget=LEASE_OP_BUDGET)
    after = closed + 1 + mp_params.dispute_window + 1
    at(after)
    gas.record("ComputeMarketplace.finalize (provider)", m.finalize(2, sender=bob))
    at(after + 1)
    gas.record("ComputeMarketplace.finalize (anyone; provider credited)", m.finalize(1, sender=carol))
    at(after + 2)
    gas.record("ComputeMarketplace.withdrawCredit", m.withdrawCredit(market.token, sender=alice))

    at(after + 3)
    m.openLease(1, DAY, PRICE, sender=alice)
    at(after + 4)
    gas.record("ComputeMarketplace.cancelLease (client)", m.cancelLease(3, sender=alice))
    at(after + 5)
    m.openLease(1, DAY, PRICE, sender=alice)
    at(after + 6)
    m.acceptLease(4, sender=bob)
    at(after + 306)
    gas.record("ComputeMarketplace.dispute (running lease)", m.dispute(4, b"\x33" * 32, sender=alice))
    at(after + 307)
    gas.record("ComputeMarketplace.resolveDispute (split and slash)", m.resolveDispute(4, 5_000, 10**6,
                                                                                     sender=roles.arbiter))
    at(after + 308)
    m.openLease(1, DAY, PRICE, sender=alice)
    at(after + 309)
    m.acceptLease(5, sender=bob)
    at(after + 310)
    m.dispute(5, b"\x44" * 32, sender=alice)
    at(after + 310 + mp_params.arbitration_window + 1)
    gas.record("ComputeMarketplace.resolveDisputeByTimeout", m.resolveDisputeByTimeout(5, sender=carol))
    at(after + 310 + mp_params.arbitration_window + 2)
    gas.record("ComputeMarketplace.withdrawFees", m.withdrawFees(market.token, sender=roles.treasury))
    unstaked = after + 310 + mp_params.arbitration_window + 3
    at(unstaked)
    gas.record("ProviderRegistry.requestUnstake", r.requestUnstake(10**18, sender=bob))
    at(unstaked + mp_params.unstake_cooldown)
    gas.record("ProviderRegistry.withdrawStake", r.withdrawStake(sender=bob))
