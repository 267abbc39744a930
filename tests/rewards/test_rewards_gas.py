"""Gas of Compute rewards (receipt gasUsed on anvil, every block time fixed): finalize with reporting against the
same finalize without a rewards contract (budget: + 15,000), and a provider's epoch claim (budget 80,000)."""

from __future__ import annotations

from conftest import DAY, HOUR, build_gas_system, build_system

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


RESULT_BUDGET = 60_000  # the result submission with registration <= submission + 60,000


def test_gas_result_submission_with_provenance(roles, chain, gas):
    """The plain `submitResult` against the relay's `submitResultWithProvenance` on leases of one provider (same
    marketplace, same block-time pattern): with the offer's model as parent (the registry writes the parent slot)
    and without a spec (no parent), each after the provider's first signature (its registry nonce slot exists), and
    the provider's first signature."""
    from deai.deploy.marketplace import relay_of
    from deai.provenance import ZERO_HASH, Kind, Origin, sha256_bytes, sign_register
    from deai.testing.tokens import deploy_token

    system = build_gas_system(roles, chain)  # what is signed below derives from a fixed start
    m, registry, relay = system.market, system.provenance, relay_of(system.market)
    model = sha256_bytes(b"model")
    registry.register(model, int(Kind.MODEL), int(Origin.HUMAN), ZERO_HASH, [], sender=roles.carol)
    payment = deploy_token("standard6", roles.deployer)
    system.allow(payment, 10**30)
    with_model = system.provider(roles.bob, payment, PRICE, spec=model)
    without_spec = system.provider(roles.bob, payment, PRICE, spec=ZERO_HASH)
    system.fund(roles.alice, payment, m)
    t = system.start + 100
    offers = (with_model, with_model, with_model, without_spec)
    leases = [system.lease(roles.alice, roles.bob, offer, HOUR, at=t + 10 * i)[0] for i, offer in enumerate(offers)]
    deadline = system.start + 2 * DAY

    def relayed(lease_id: int, spec: bytes, at: int, label: str, budget: int | None = None) -> int:
        result = sha256_bytes(label.encode())
        request = dict(registry_address=registry.address, chain_id=chain.chain_id, creator=roles.bob.address,
                       content_hash=result, kind=int(Kind.CONTENT), origin=int(Origin.AI_GENERATED),
                       manifest=ZERO_HASH, parents=[spec] if any(spec) else [], nonce=registry.nonces(roles.bob),
                       deadline=deadline)
        chain.pending_timestamp = at
        receipt = relay.submitResultWithProvenance(lease_id, result, int(Kind.CONTENT), ZERO_HASH, deadline,
                                                   sign_register(roles.bob.private_key, **request), sender=roles.bob)
        return gas.record(f"ResultProvenanceRelay.submitResultWithProvenance ({label})", receipt, budget=budget)

    chain.pending_timestamp = t + 200
    plain = gas.record("ComputeMarketplace.submitResult (beside the relayed submission)",
                       m.submitResult(leases[0], sha256_bytes(b"plain"), sender=roles.bob))
    first = relayed(leases[1], model, t + 201, "model parent, the provider's first signature")
    steady = relayed(leases[2], model, t + 202, "model parent")
    # the budget holds without a parent; a parent adds the registry's own parent slot (a fresh 22,100-gas write and
    # the parent's cold record read), which takes the model-parent case over it (README, Compute rewards)
    bare = relayed(leases[3], ZERO_HASH, t + 203, "offer without a spec: no parent", budget=plain + RESULT_BUDGET)
    print(f"submitResult {plain}; with registration: model parent {steady} (+{steady - plain}), no parent {bare} "
          f"(+{bare - plain}), first signature {first} (+{first - plain})")
