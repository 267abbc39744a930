"""Gas of Compute rewards (receipt gasUsed on anvil, every block time fixed): finalize with reporting against the
same finalize without a rewards contract (budget: + 15,000), and a provider's epoch claim (budget 80,000)."""

from __future__ import annotations

from conftest import DAY, HOUR, build_system

PRICE = 10**3  # 6-decimal token units per second (3.6 tokens an hour)
REPORT_BUDGET = 15_000
CLAIM_BUDGET = 80_000


def _finalizes(system, gas, label: str) -> dict[str, int]:
    """Two leases of one provider finalized by the client in epoch 0 (the provider's first and a repeat), a third
    finalized in epoch 1 (the first report after the boundary checkpoints), all at fixed times."""
    roles, m = system.roles, system.market
    from deai.testing.tokens import deploy_token

    payment = deploy_token("standard6", roles.deployer)
    system.allow(payment, 10**30)
    offer = system.provider(roles.bob, payment, PRICE)
    system.fund(roles.alice, payment, m)
    t = system.start + 100
    leases = []
    for i in range(3):
        lease_id, start = system.lease(roles.alice, roles.bob, offer, HOUR, at=t + 10 * i)
        leases.append((lease_id, start + HOUR))
    out = {}
    for name, (lease_id, end), at in zip(("first", "repeat", "after the epoch boundary"), leases,
                                         (leases[0][1], leases[1][1], system.epoch_end(0) + 10)):
        system.chain.pending_timestamp = at
        out[name] = gas.record(f"ComputeMarketplace.finalize (client, {name}) {label}",
                               m.finalize(lease_id, sender=roles.alice))
    return out


def test_gas_finalize_with_reporting_and_claim(roles, chain, gas):
    plain = _finalizes(build_system(roles, chain, wire=False), gas, "without rewards")
    system = build_system(roles, chain)
    reported = _finalizes(system, gas, "with rewards")
    for name in plain:
        extra = reported[name] - plain[name]
        print(f"finalize {name}: {plain[name]} -> {reported[name]} (+{extra})")
    assert reported["repeat"] - plain["repeat"] <= REPORT_BUDGET
    r, s = system.rewards, system.splitter
    t = system.epoch_end(1) + 10
    chain.pending_timestamp = t
    gas.record("ComputeRewards.checkpoint (after an epoch boundary)", r.checkpoint(sender=roles.carol))
    chain.pending_timestamp = t + 1
    s.claim(4, sender=roles.carol)  # a live token: its supply is not a fresh slot (as after the first day)
    chain.pending_timestamp = t + 2
    gas.record("ComputeRewards.releaseProtection (the bucket's first payout)", r.releaseProtection(sender=roles.carol))
    chain.pending_timestamp = t + 3
    gas.record("ComputeRewards.claim (an epoch, first payout to the provider)", r.claim(0, sender=roles.bob))
    chain.pending_timestamp = t + 4
    gas.record("ComputeRewards.claim (an epoch, repeat)", r.claim(1, sender=roles.bob), budget=CLAIM_BUDGET)
