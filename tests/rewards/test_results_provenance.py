"""Results with provenance (issue 18 item 2): the marketplace's ResultProvenanceRelay submits a lease's result
(`submitResultFor`) and registers it in the provenance registry in the same transaction, relaying the provider's own
EIP-712 `Register` signature (creator the provider, origin AIGenerated, the offer's spec hash as the parent). Every
rule and revert, the front-runner who relays the copied signature first, records made by someone else, and a failing
registry next to the lease's exits. Signatures come from deai.provenance (written from the EIP-712 specification);
every block time is set. On both backends (Ape's provider and the in-process revm chain), so `make mutation` judges the
relay's mutants in-process; tests/rewards/test_relay_review_round5.py (the reveal path) uses these fixtures."""

from __future__ import annotations

import pytest
from eth_utils import keccak

from conftest import DAY, HOUR, SPEC, System, build_system
from deai.deploy.contracts import deploy
from deai.deploy.marketplace import relay_of
from deai.market import sign_result_registration
from deai.provenance import ZERO_HASH, Kind, Origin, sha256_bytes, sign_register
from deai.testing.backends import backend_chain, backend_roles, on_both_backends  # noqa: F401 (fixtures)
from deai.testing.blocks import block_time
from deai.testing.reverts import expect_revert
from deai.testing.tokens import deploy_token

pytestmark = on_both_backends

PRICE = 10**15
RESULT = sha256_bytes(b"fine-tuned weights")
MANIFEST = keccak(text="c2pa manifest of the result")
DATASET = sha256_bytes(b"training set")
AI = int(Origin.AI_GENERATED)


@pytest.fixture
def world(roles, chain) -> System:
    """Marketplace with a ProvenanceRegistry; the offer's spec (SPEC) is a registered model."""
    system = build_system(roles, chain, provenance=True)
    system.provenance.register(SPEC, int(Kind.MODEL), int(Origin.HUMAN), ZERO_HASH, [], sender=roles.carol)
    system.provenance.register(DATASET, int(Kind.DATASET), int(Origin.HUMAN), ZERO_HASH, [], sender=roles.carol)
    return system


def running(system: System, provider=None, client=None, spec: bytes = SPEC, at: int | None = None) -> int:
    """A lease of `provider` (bob) to `client` (alice) on an offer naming `spec`, accepted at `at`; returns its id."""
    roles = system.roles
    provider, client = provider or roles.bob, client or roles.alice
    payment = deploy_token("standard18", roles.deployer)
    system.allow(payment, 10**18)
    offer = system.provider(provider, payment, PRICE, spec=spec)
    system.fund(client, payment, system.market)
    lease_id, _ = system.lease(client, provider, offer, HOUR, at=at or system.start + 10)
    return lease_id


def fields(system: System, provider, result: bytes = RESULT, kind: int = int(Kind.MODEL), manifest: bytes = MANIFEST,
           parents: tuple[bytes, ...] = (SPEC,), deadline: int | None = None, nonce: int | None = None,
           origin: int = AI) -> dict:
    """The `Register` request a provider signs for its result (keyword names of deai.provenance.sign_register)."""
    return dict(registry_address=system.provenance.address, chain_id=system.chain.chain_id, creator=provider.address,
                content_hash=result, kind=kind, origin=origin, manifest=manifest, parents=list(parents),
                nonce=system.provenance.nonces(provider) if nonce is None else nonce,
                deadline=system.start + DAY if deadline is None else deadline)


def submit(system: System, lease_id: int, request: dict, signature: bytes, sender, at: int):
    system.chain.pending_timestamp = at
    return relay_of(system.market).submitResultWithProvenance(
        lease_id, request["content_hash"], request["kind"], request["manifest"], request["deadline"], signature,
        sender=sender)


def assert_linked(system: System, receipt, lease_id: int, provider, result: bytes, registered_at: int) -> None:
    """The lease holds the result, the relay's ResultRegistered names the record, the record is the provider's."""
    m, p, relay = system.market, system.provenance, relay_of(system.market)
    assert bytes(m.getLease(lease_id).resultHash) == result
    [submitted] = receipt.decode_logs(m.ResultSubmitted)
    assert (submitted.leaseId, submitted.event_arguments["provider"], bytes(submitted.resultHash)) == (
        lease_id, provider.address, result)
    [linked] = receipt.decode_logs(relay.ResultRegistered)
    assert (linked.leaseId, bytes(linked.resultHash), linked.event_arguments["provider"], linked.registeredAt) == (
        lease_id, result, provider.address, registered_at)
    record = p.getRecord(result)
    assert (record.creator, record.registeredAt, record.origin, record.revoked) == (
        provider.address, registered_at, AI, False)


# ---------------------------------------------------------------------------------------------------- the rule

def test_submission_registers_the_result_with_the_provider_as_creator_and_the_model_as_parent(world, roles):
    lease_id = running(world)
    request = fields(world, roles.bob)
    signature = sign_register(roles.bob.private_key, **request)
    receipt = submit(world, lease_id, request, signature, roles.bob, at=world.start + 600)
    t = block_time(world.chain, receipt)
    assert t == world.start + 600
    assert_linked(world, receipt, lease_id, roles.bob, RESULT, t)
    p = world.provenance
    record = p.getRecord(RESULT)
    assert (record.kind, bytes(record.manifestHash)) == (int(Kind.MODEL), MANIFEST)
    assert [bytes(h) for h in p.parentsOf(RESULT)] == [SPEC]
    assert p.nonces(roles.bob) == 1
    # the registry's own event, same transaction, names the provider (not the marketplace) as creator
    [registered] = receipt.decode_logs(p.Registered)
    assert (bytes(registered.contentHash), registered.creator, registered.origin) == (RESULT, roles.bob.address, AI)


def test_a_front_end_finds_the_record_from_the_lease_and_the_lease_from_the_record(world, roles):
    first, second = running(world), running(world, provider=roles.dave, client=roles.carol, at=world.start + 100)
    other = sha256_bytes(b"another result")
    receipts = []
    for lease_id, who, result, at in ((first, roles.bob, RESULT, 600), (second, roles.dave, other, 601)):
        request = fields(world, who, result=result)
        receipts.append(submit(world, lease_id, request, sign_register(who.private_key, **request), who,
                               at=world.start + at))
    m, relay = world.market, relay_of(world.market)
    # the three fields a front end filters by are the event's indexed topics
    [event] = [e for e in relay.contract_type.events if e.name == "ResultRegistered"]
    assert [i.name for i in event.inputs if i.indexed] == ["leaseId", "resultHash", "provider"]
    logs = [log for receipt in receipts for log in receipt.decode_logs(relay.ResultRegistered)]
    # record -> lease: the relay's ResultRegistered with that result hash
    [by_record] = [log for log in logs if bytes(log.resultHash) == other]
    assert (by_record.leaseId, by_record.event_arguments["provider"]) == (second, roles.dave.address)
    # lease -> record: the lease's result hash (or the event with that lease id) names the registry record
    [by_lease] = [log for log in logs if log.leaseId == first]
    assert bytes(m.getLease(first).resultHash) == bytes(by_lease.resultHash) == RESULT
    record = world.provenance.getRecord(RESULT)
    assert (record.creator, record.registeredAt) == (by_lease.event_arguments["provider"], by_lease.registeredAt)
    assert (relay.market(), relay.registry()) == (m.address, world.provenance.address)


def test_times_past_2106_are_kept_whole(world, roles):
    """The relay's times are 64-bit like the registry's and the marketplace's: a lease accepted and a result submitted
    after 2^32 s (February 2106) are linked at their exact time, not at a 32-bit remainder."""
    late = 2**32 + 1_000
    lease_id = running(world, at=late)
    request = fields(world, roles.bob, deadline=late + DAY)
    receipt = submit(world, lease_id, request, sign_register(roles.bob.private_key, **request), roles.bob,
                     at=late + 600)
    assert block_time(world.chain, receipt) == late + 600
    assert_linked(world, receipt, lease_id, roles.bob, RESULT, late + 600)


def test_an_offer_without_a_spec_needs_no_parent(world, roles):
    lease_id = running(world, spec=ZERO_HASH)
    request = fields(world, roles.bob, parents=())
    receipt = submit(world, lease_id, request, sign_register(roles.bob.private_key, **request), roles.bob,
                     at=world.start + 600)
    assert_linked(world, receipt, lease_id, roles.bob, RESULT, world.start + 600)
    assert list(world.provenance.parentsOf(RESULT)) == []


def test_allowed_while_disputed_as_evidence(world, roles):
    lease_id = running(world)
    world.chain.pending_timestamp = world.start + 300
    world.market.dispute(lease_id, keccak(text="no output"), sender=roles.alice)
    request = fields(world, roles.bob)
    receipt = submit(world, lease_id, request, sign_register(roles.bob.private_key, **request), roles.bob,
                     at=world.start + 400)
    assert_linked(world, receipt, lease_id, roles.bob, RESULT, world.start + 400)


def test_the_helper_signs_with_the_current_nonce(world, roles):
    lease_id = running(world)
    deadline = world.start + DAY
    signature = sign_result_registration(roles.bob.private_key, world.market, roles.bob.address, RESULT,
                                         int(Kind.MODEL), MANIFEST, deadline, SPEC)
    request = fields(world, roles.bob, deadline=deadline)
    assert signature == sign_register(roles.bob.private_key, **request)
    submit(world, lease_id, request, signature, roles.bob, at=world.start + 600)
    assert world.provenance.getRecord(RESULT).creator == roles.bob.address


# ---------------------------------------------------------------------------------------------------- who and when

def test_only_the_leases_provider(world, roles):
    lease_id = running(world)
    request = fields(world, roles.mallory)  # mallory's own valid signature does not make her the provider
    with expect_revert(world.market, "NotProvider", roles.mallory.address):
        submit(world, lease_id, request, sign_register(roles.mallory.private_key, **request), roles.mallory,
               at=world.start + 600)


def test_the_signature_must_be_the_providers(world, roles):
    """The relayed request's creator is always the caller (the provider): a signature by anyone else fails in the
    registry, and the submission with it."""
    lease_id = running(world)
    request = fields(world, roles.bob)
    with expect_revert(world.provenance, "InvalidSignature", roles.bob.address):
        submit(world, lease_id, request, sign_register(roles.mallory.private_key, **request), roles.bob,
               at=world.start + 600)
    assert bytes(world.market.getLease(lease_id).resultHash) == ZERO_HASH


@pytest.mark.parametrize("field,value", [("content_hash", sha256_bytes(b"another result")), ("kind", int(Kind.CONTENT)),
                                         ("manifest", ZERO_HASH), ("parents", [SPEC, DATASET]), ("parents", []),
                                         ("parents", [DATASET]), ("origin", int(Origin.HUMAN)), ("deadline", 2**40),
                                         ("nonce", 1)])
def test_the_signature_binds_every_registered_field(world, roles, field, value):
    """A signature for another result hash (or kind, manifest, parents other than the offer's spec, origin other than
    AIGenerated, deadline, nonce) does not register this submission: the registry recomputes the request from what
    the marketplace relays (the provider as creator, origin AIGenerated, parents [spec])."""
    lease_id = running(world)
    request = fields(world, roles.bob)
    signature = sign_register(roles.bob.private_key, **dict(request, **{field: value}))
    with expect_revert(world.provenance, "InvalidSignature", roles.bob.address):
        submit(world, lease_id, request, signature, roles.bob, at=world.start + 600)


def test_an_unregistered_spec_fails_in_the_registry(world, roles):
    spec = sha256_bytes(b"a model nobody registered")
    lease_id = running(world, spec=spec)
    request = fields(world, roles.bob, parents=(spec,))
    with expect_revert(world.provenance, "UnknownParent", spec):
        submit(world, lease_id, request, sign_register(roles.bob.private_key, **request), roles.bob,
               at=world.start + 600)
    world.chain.pending_timestamp = world.start + 601
    world.market.submitResult(lease_id, RESULT, sender=roles.bob)  # the plain submission still works
    assert bytes(world.market.getLease(lease_id).resultHash) == RESULT


def test_an_expired_signature_is_refused(world, roles):
    lease_id = running(world)
    request = fields(world, roles.bob, deadline=world.start + 599)
    with expect_revert(world.provenance, "ExpiredSignature", world.start + 599):
        submit(world, lease_id, request, sign_register(roles.bob.private_key, **request), roles.bob,
               at=world.start + 600)


def test_status_hash_and_once(world, roles):
    """The marketplace's submitResult rules hold through the relay (every call at its own, later block time)."""
    m = world.market
    lease_id = running(world)
    request = fields(world, roles.bob)
    signature = sign_register(roles.bob.private_key, **request)
    with expect_revert(m, "UnknownLease", 99):
        submit(world, 99, request, signature, roles.bob, at=world.start + 590)
    with expect_revert(m, "InvalidParameter"):
        submit(world, lease_id, dict(request, content_hash=ZERO_HASH), signature, roles.bob, at=world.start + 595)
    submit(world, lease_id, request, signature, roles.bob, at=world.start + 600)
    again = fields(world, roles.bob, result=sha256_bytes(b"second"))
    with expect_revert(m, "ResultAlreadySubmitted", lease_id, RESULT):
        submit(world, lease_id, again, sign_register(roles.bob.private_key, **again), roles.bob, at=world.start + 610)
    # an open lease (not accepted yet) and a finalized one refuse it
    world.chain.pending_timestamp = world.start + 700
    m.openLease(m.getLease(lease_id).offerId, HOUR, 2**256 - 1, sender=roles.alice)
    open_id = m.leaseCount()
    with expect_revert(m, "WrongStatus", open_id, 1):
        submit(world, open_id, again, sign_register(roles.bob.private_key, **again), roles.bob, at=world.start + 710)
    end = m.getLease(lease_id).end
    world.chain.pending_timestamp = end
    m.finalize(lease_id, sender=roles.alice)
    with expect_revert(m, "WrongStatus", lease_id, 5):
        submit(world, lease_id, again, sign_register(roles.bob.private_key, **again), roles.bob, at=end + 10)


def test_only_the_relay_submits_for_a_provider(world, roles):
    """`submitResultFor` trusts its caller to name the provider: only the relay (which names its own caller) may
    call it; a marketplace deployed without a relay has none."""
    lease_id = running(world)
    world.chain.pending_timestamp = world.start + 600
    with expect_revert(world.market, "NotResultRelay", roles.bob.address):
        world.market.submitResultFor(lease_id, RESULT, roles.bob, sender=roles.bob)
    plain = build_system(world.roles, world.chain)
    assert plain.market.resultRelay() == "0x" + "00" * 20
    with expect_revert(plain.market, "NotResultRelay", roles.bob.address):
        plain.market.submitResultFor(lease_id, RESULT, roles.bob, sender=roles.bob)


def test_relay_constructor_refusals(world, roles):
    relay = relay_of(world.market)
    zero = "0x" + "00" * 20
    for market, registry in ((world.market, roles.carol), (world.market, zero), (zero, world.provenance),
                             (zero, roles.carol)):  # a registry without code, a zero marketplace, both
        with expect_revert(relay, "InvalidParameter"):
            deploy("ResultProvenanceRelay", roles.deployer, market, registry)
    # a marketplace address without code is accepted (the relay is deployed before the marketplace it names)
    early = deploy("ResultProvenanceRelay", roles.deployer, roles.carol, world.provenance)
    assert (early.market(), early.registry()) == (roles.carol.address, world.provenance.address)


# ---------------------------------------------------------------------------------------------------- the attacker

def test_a_copier_who_relays_the_signature_first_does_not_break_the_submission(world, roles):
    """Mallory copies the provider's signature from the mempool and calls registerBySig herself, a block earlier:
    the record is the provider's anyway (the signature binds every field), and the provider's submission still
    succeeds and links that record (at its own, earlier time)."""
    lease_id = running(world)
    request = fields(world, roles.bob)
    signature = sign_register(roles.bob.private_key, **request)
    world.chain.pending_timestamp = world.start + 599
    world.provenance.registerBySig(roles.bob, RESULT, request["kind"], AI, MANIFEST, [SPEC], request["deadline"],
                                   signature, sender=roles.mallory)  # the copied request, relayed first
    receipt = submit(world, lease_id, request, signature, roles.bob, at=world.start + 600)
    assert_linked(world, receipt, lease_id, roles.bob, RESULT, world.start + 599)
    assert not receipt.decode_logs(world.provenance.Registered)  # nothing registered twice
    assert world.provenance.nonces(roles.bob) == 1


def test_the_providers_own_identical_record_is_linked(world, roles):
    """The provider registered exactly this record itself beforehand (same kind, origin, manifest, parents)."""
    lease_id = running(world)
    world.chain.pending_timestamp = world.start + 500
    world.provenance.register(RESULT, int(Kind.MODEL), AI, MANIFEST, [SPEC], sender=roles.bob)
    request = fields(world, roles.bob)
    receipt = submit(world, lease_id, request, sign_register(roles.bob.private_key, **request), roles.bob,
                     at=world.start + 600)
    assert_linked(world, receipt, lease_id, roles.bob, RESULT, world.start + 500)


def test_a_record_made_by_someone_else_is_never_linked(world, roles):
    """Mallory saw the result hash and registered it first as her own: the provider's submission reverts with the
    registry's AlreadyRegistered naming her, and nothing changes (the plain submitResult still works)."""
    lease_id = running(world)
    world.chain.pending_timestamp = world.start + 599
    world.provenance.register(RESULT, int(Kind.MODEL), AI, MANIFEST, [SPEC], sender=roles.mallory)
    request = fields(world, roles.bob)
    with expect_revert(world.provenance, "AlreadyRegistered", RESULT, roles.mallory.address, world.start + 599):
        submit(world, lease_id, request, sign_register(roles.bob.private_key, **request), roles.bob,
               at=world.start + 600)
    assert bytes(world.market.getLease(lease_id).resultHash) == ZERO_HASH
    assert world.provenance.nonces(roles.bob) == 0


@pytest.mark.parametrize("difference", ["origin", "kind", "manifest", "parents", "revoked"])
def test_the_providers_own_different_or_revoked_record_is_not_linked(world, roles, difference):
    """A record of the provider that is not the one requested (other origin, kind, manifest or parents, or revoked)
    is not linked: the link always means origin AIGenerated with the offer's spec as the parent."""
    lease_id = running(world)
    kind, origin, manifest, parents = int(Kind.MODEL), AI, MANIFEST, [SPEC]
    if difference == "origin":
        origin = int(Origin.HUMAN)
    elif difference == "kind":
        kind = int(Kind.CONTENT)
    elif difference == "manifest":
        manifest = ZERO_HASH
    elif difference == "parents":
        parents = [SPEC, DATASET]
    world.chain.pending_timestamp = world.start + 500
    world.provenance.register(RESULT, kind, origin, manifest, parents, sender=roles.bob)
    if difference == "revoked":
        world.chain.pending_timestamp = world.start + 501
        world.provenance.revoke(RESULT, sender=roles.bob)
    request = fields(world, roles.bob)
    with expect_revert(world.provenance, "AlreadyRegistered", RESULT, roles.bob.address, world.start + 500):
        submit(world, lease_id, request, sign_register(roles.bob.private_key, **request), roles.bob,
               at=world.start + 600)


def test_a_failing_registry_never_blocks_the_leases_exits(roles, chain):
    """A marketplace whose registry refuses every call: the relayed submission reverts with the registry's error,
    while the plain submission, a withdrawal, a close, a dispute and finalize never touch the registry."""
    broken = deploy("BrokenProvenance", roles.deployer)
    system = build_system(roles, chain, provenance=broken)
    first, second, third = (running(system, at=system.start + 10 + 100 * i) for i in range(3))
    m = system.market
    chain.pending_timestamp = system.start + 900
    relay = relay_of(m)
    with expect_revert(m, "NotProvider", roles.mallory.address):  # the marketplace's own checks run first
        relay.submitResultWithProvenance(first, RESULT, 1, MANIFEST, system.start + DAY, b"\x01" * 65,
                                         sender=roles.mallory)
    chain.pending_timestamp = system.start + 910
    with expect_revert(broken, "Broken"):
        relay.submitResultWithProvenance(first, RESULT, 1, MANIFEST, system.start + DAY, b"\x01" * 65,
                                         sender=roles.bob)
    chain.pending_timestamp = system.start + 920
    m.submitResult(first, RESULT, sender=roles.bob)
    chain.pending_timestamp = system.start + 2_000
    withdrawn = m.withdrawEarnings(first, sender=roles.bob).decode_logs(m.EarningsWithdrawn)
    assert len(withdrawn) == 1 and withdrawn[0].amount > 0
    chain.pending_timestamp = system.start + 2_001
    m.closeLease(second, sender=roles.alice)
    chain.pending_timestamp = system.start + 2_002
    m.dispute(third, keccak(text="bad"), sender=roles.alice)
    chain.pending_timestamp = m.getLease(first).end
    m.finalize(first, sender=roles.alice)
    assert [m.getLease(i).status for i in (first, second, third)] == [5, 2, 3]  # Finalized, Active (closed), Disputed
    assert bytes(m.getLease(first).resultHash) == RESULT
