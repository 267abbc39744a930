"""Round-5 review of the ResultProvenanceRelay (issue 18 item 2), finding by finding:
5: a linked record never predates the lease, and a signature the registry refuses links only a record the caller
   could have registered itself during the lease;
1: the commit/reveal path (`submitResultWithRevealedProvenance`): a mempool copier of the relay transaction can
   neither take the record over nor block the submission; the `registerBySig` path stays front-runnable exactly as
   documented;
7: the reveal path uses no registry nonce, so one failed submission never invalidates the next one's signature.
Every block time is set; signatures come from deai.provenance (written from the EIP-712 specification). Each test but
the gas measurement runs on both backends (the fixtures of test_results_provenance)."""

from __future__ import annotations

from test_results_provenance import AI, MANIFEST, RESULT, fields, running, submit, world  # noqa: F401

from conftest import DAY, HOUR, MAX_UINT, SPEC, STAKE, System, build_gas_system, build_system
from deai.deploy.contracts import deploy
from deai.deploy.marketplace import relay_of
from deai.market import sign_result_reveal
from deai.provenance import ZERO_HASH, Kind, Origin, sha256_bytes, sign_register, sign_reveal
from deai.testing.backends import backend_chain, backend_roles, on_both_backends  # noqa: F401 (fixtures)
from deai.testing.reverts import expect_revert
from deai.testing.tokens import deploy_token

SALT = b"\x5a" * 32
MODEL = int(Kind.MODEL)
CONTENT = int(Kind.CONTENT)


def lease_start(system: System, lease_id: int) -> int:
    return system.market.getLease(lease_id).start


def commit(system: System, who, at: int, result: bytes = RESULT, salt: bytes = SALT) -> int:
    """`who` commits (result, who, salt) at `at`; returns the commitment's on-chain time."""
    p = system.provenance
    system.chain.pending_timestamp = at
    p.commit(p.commitmentOf(result, who, salt), sender=who)
    return p.commitTime(p.commitmentOf(result, who, salt))


def reveal_signature(system: System, who, committed_at: int, result: bytes = RESULT, parents=(SPEC,),
                     origin: int = AI) -> bytes:
    return sign_reveal(who.private_key, system.provenance.address, system.chain.chain_id, who.address, result, MODEL,
                       origin, MANIFEST, list(parents), SALT, committed_at)


def submit_revealed(system: System, lease_id: int, who, committed_at: int, signature: bytes, at: int,
                    result: bytes = RESULT):
    system.chain.pending_timestamp = at
    return relay_of(system.market).submitResultWithRevealedProvenance(
        lease_id, result, MODEL, MANIFEST, SALT, committed_at, signature, sender=who)


def linked(system: System, receipt) -> tuple:
    [event] = receipt.decode_logs(relay_of(system.market).ResultRegistered)
    return event.leaseId, bytes(event.resultHash), event.event_arguments["provider"], event.registeredAt


# ------------------------------------------------------------------------- finding 5: records older than the lease

@on_both_backends
def test_a_record_registered_before_the_lease_is_never_linked(world, roles):
    """Bob's exact record exists from before the lease's start: even with his valid signature the submission reverts
    RecordPredatesLease and changes nothing (reviewer's PoC linked it)."""
    world.chain.pending_timestamp = world.start + 1
    world.provenance.register(RESULT, MODEL, AI, MANIFEST, [SPEC], sender=roles.bob)
    lease_id = running(world, at=world.start + 100)
    start = lease_start(world, lease_id)
    request = fields(world, roles.bob)
    signature = sign_register(roles.bob.private_key, **request)
    relay = relay_of(world.market)
    with expect_revert(relay, "RecordPredatesLease", lease_id, RESULT, world.start + 1, start):
        submit(world, lease_id, request, signature, roles.bob, at=world.start + 600)
    with expect_revert(relay, "RecordPredatesLease", lease_id, RESULT, world.start + 1, start):
        submit(world, lease_id, request, b"\x00" * 65, roles.bob, at=world.start + 601)
    assert bytes(world.market.getLease(lease_id).resultHash) == ZERO_HASH
    assert world.provenance.nonces(roles.bob) == 0


@on_both_backends
def test_a_record_one_second_older_than_the_lease_is_refused_and_a_newer_one_linked(world, roles):
    """The boundary from below (the test chains mine each transaction in its own, later second; the same second is
    reached through a contract wallet, below): a record registered one second before a lease's acceptance is refused
    for it and linked to a lease accepted before it."""
    m = world.market
    first = running(world, at=world.start + 100)
    s1 = lease_start(world, first)
    world.chain.pending_timestamp = s1 + 1
    m.openLease(m.getLease(first).offerId, HOUR, 2**256 - 1, sender=roles.alice)
    second = m.leaseCount()
    world.chain.pending_timestamp = s1 + 2
    world.provenance.register(RESULT, MODEL, AI, MANIFEST, [SPEC], sender=roles.bob)
    world.chain.pending_timestamp = s1 + 3
    m.acceptLease(second, sender=roles.bob)
    assert lease_start(world, second) == s1 + 3
    request = fields(world, roles.bob)
    with expect_revert(relay_of(m), "RecordPredatesLease", second, RESULT, s1 + 2, s1 + 3):
        submit(world, second, request, b"\x00" * 65, roles.bob, at=s1 + 600)
    receipt = submit(world, first, request, b"\x00" * 65, roles.bob, at=s1 + 601)
    assert linked(world, receipt) == (first, RESULT, roles.bob.address, s1 + 2)


def wallet_lease(system: System, owner, at: int):
    """A BatchingWallet of `owner` (its ERC-1271 signer) registered and staked as a provider with an offer naming
    SPEC, and alice's lease on it opened at `at` (not accepted yet). Returns (wallet, lease id)."""
    roles, m, registry, stake = system.roles, system.market, system.registry, system.stake
    wallet = deploy("BatchingWallet", roles.deployer, owner)
    payment = deploy_token("standard18", roles.deployer)
    system.allow(payment, 10**18)
    stake.mint(wallet, STAKE, sender=owner)
    wallet.run([registry.address, stake.address, registry.address, m.address],
               [registry.registerProvider.encode_input("ipfs://wallet"),
                stake.approve.encode_input(registry.address, STAKE), registry.depositStake.encode_input(STAKE),
                m.createOffer.encode_input(payment.address, 10**15, 60, 30 * DAY, SPEC, "ipfs://offer")],
               sender=owner)
    system.fund(roles.alice, payment, m)
    system.chain.pending_timestamp = at
    m.openLease(m.offerCount(), HOUR, MAX_UINT, sender=roles.alice)
    return wallet, m.leaseCount()


@on_both_backends
def test_a_record_registered_in_the_leases_acceptance_block_is_linked(world, roles):
    """The boundary of "at or after the lease's start": a provider (a contract wallet) that accepts the lease and
    registers its exact record in the same transaction, so in the same second (as two transactions of one block
    can), gets it linked at that time."""
    m, p, relay = world.market, world.provenance, relay_of(world.market)
    wallet, lease_id = wallet_lease(world, roles.bob, at=world.start + 10)
    world.chain.pending_timestamp = world.start + 100
    wallet.run([m.address, p.address], [m.acceptLease.encode_input(lease_id),
                                        p.register.encode_input(RESULT, MODEL, AI, MANIFEST, [SPEC])], sender=roles.bob)
    start = lease_start(world, lease_id)
    assert start == p.getRecord(RESULT).registeredAt == world.start + 100
    world.chain.pending_timestamp = world.start + 600
    receipt = wallet.run([relay.address], [relay.submitResultWithProvenance.encode_input(
        lease_id, RESULT, MODEL, MANIFEST, world.start + DAY, b"\x00" * 65)], sender=roles.bob)
    assert linked(world, receipt) == (lease_id, RESULT, wallet.address, start)
    assert bytes(m.getLease(lease_id).resultHash) == RESULT


@on_both_backends
def test_a_contract_wallet_provider_registers_with_its_erc1271_signature(world, roles):
    """A provider that is a contract (here a wallet whose owner bob signs for it) submits through the register path:
    the creator the relay names is the caller, the wallet (not the transaction's sender, bob), and the registry
    accepts the owner's signature through ERC-1271."""
    m, p, relay = world.market, world.provenance, relay_of(world.market)
    wallet, lease_id = wallet_lease(world, roles.bob, at=world.start + 10)
    world.chain.pending_timestamp = world.start + 100
    wallet.run([m.address], [m.acceptLease.encode_input(lease_id)], sender=roles.bob)
    request = fields(world, wallet)  # creator the wallet, its registry nonce
    signature = sign_register(roles.bob.private_key, **request)
    world.chain.pending_timestamp = world.start + 600
    receipt = wallet.run([relay.address], [relay.submitResultWithProvenance.encode_input(
        lease_id, RESULT, MODEL, MANIFEST, request["deadline"], signature)], sender=roles.bob)
    assert linked(world, receipt) == (lease_id, RESULT, wallet.address, world.start + 600)
    record = p.getRecord(RESULT)
    assert (record.creator, record.registeredAt, record.origin) == (wallet.address, world.start + 600, AI)
    assert (p.nonces(wallet), p.nonces(roles.bob)) == (1, 0)


@on_both_backends
def test_a_commit_in_the_leases_acceptance_block_is_revealed_for_it_one_second_earlier_is_not(world, roles):
    """The boundary of the reveal path's "committed no earlier than the lease's start": a commitment made one second
    before the acceptance is refused (RecordPredatesLease), one made in the acceptance's own transaction (the same
    second) is revealed through the wallet's ERC-1271 signature and linked at its commit time."""
    m, p, relay = world.market, world.provenance, relay_of(world.market)
    wallet, lease_id = wallet_lease(world, roles.bob, at=world.start + 10)
    early_result = sha256_bytes(b"committed a second before the lease")
    world.chain.pending_timestamp = world.start + 99
    wallet.run([p.address], [p.commit.encode_input(p.commitmentOf(early_result, wallet, SALT))], sender=roles.bob)
    commitment = p.commitmentOf(RESULT, wallet, SALT)
    world.chain.pending_timestamp = world.start + 100
    wallet.run([m.address, p.address], [m.acceptLease.encode_input(lease_id), p.commit.encode_input(commitment)],
               sender=roles.bob)
    start = lease_start(world, lease_id)
    assert start == p.commitTime(commitment) == world.start + 100

    def reveal(result: bytes, committed_at: int) -> bytes:
        signature = sign_reveal(roles.bob.private_key, p.address, world.chain.chain_id, wallet.address, result, MODEL,
                                AI, MANIFEST, [SPEC], SALT, committed_at)
        return relay.submitResultWithRevealedProvenance.encode_input(lease_id, result, MODEL, MANIFEST, SALT,
                                                                     committed_at, signature)

    world.chain.pending_timestamp = start + p.minCommitAge()
    with expect_revert(relay, "RecordPredatesLease", lease_id, early_result, start - 1, start):
        wallet.run([relay.address], [reveal(early_result, start - 1)], sender=roles.bob)
    world.chain.pending_timestamp = start + p.minCommitAge() + 1
    receipt = wallet.run([relay.address], [reveal(RESULT, start)], sender=roles.bob)
    assert linked(world, receipt) == (lease_id, RESULT, wallet.address, start)
    record = p.getRecord(RESULT)
    assert (record.creator, record.registeredAt, record.origin) == (wallet.address, start, AI)


@on_both_backends
def test_a_refused_signature_links_only_the_callers_own_record_made_during_the_lease(world, roles):
    """Decision: a signature the registry refuses (here 65 zero bytes) links only what the caller could have
    registered itself (`register`) during the lease: its own exact, unrevoked record registered at or after the
    lease's start. With no such record the registry's own error is returned."""
    lease_id = running(world)
    request = fields(world, roles.bob)
    with expect_revert(world.provenance, "InvalidSignature", roles.bob.address):
        submit(world, lease_id, request, b"\x00" * 65, roles.bob, at=world.start + 300)
    world.chain.pending_timestamp = world.start + 400
    world.provenance.register(RESULT, MODEL, AI, MANIFEST, [SPEC], sender=roles.bob)
    receipt = submit(world, lease_id, request, b"\x00" * 65, roles.bob, at=world.start + 600)
    assert linked(world, receipt) == (lease_id, RESULT, roles.bob.address, world.start + 400)


# ------------------------------------------------------------------------- finding 1: front-running, reveal path

@on_both_backends
def test_the_reveal_path_registers_the_committed_result_at_its_commit_time(world, roles):
    lease_id = running(world)
    committed_at = commit(world, roles.bob, world.start + 100)
    receipt = submit_revealed(world, lease_id, roles.bob, committed_at,
                              reveal_signature(world, roles.bob, committed_at), at=world.start + 600)
    assert linked(world, receipt) == (lease_id, RESULT, roles.bob.address, world.start + 100)
    record = world.provenance.getRecord(RESULT)
    assert (record.creator, record.registeredAt, record.origin, bytes(record.manifestHash)) == (
        roles.bob.address, world.start + 100, AI, MANIFEST)
    assert [bytes(h) for h in world.provenance.parentsOf(RESULT)] == [SPEC]
    assert bytes(world.market.getLease(lease_id).resultHash) == RESULT
    assert world.provenance.nonces(roles.bob) == 0  # no nonce used


@on_both_backends
def test_the_helper_signs_the_reveal_the_relay_submits(world, roles):
    lease_id = running(world)
    committed_at = commit(world, roles.bob, world.start + 100)
    signature = sign_result_reveal(roles.bob.private_key, world.market, roles.bob.address, RESULT, MODEL, MANIFEST,
                                   SALT, committed_at, SPEC)
    assert signature == reveal_signature(world, roles.bob, committed_at)
    receipt = submit_revealed(world, lease_id, roles.bob, committed_at, signature, at=world.start + 600)
    assert linked(world, receipt)[3] == world.start + 100


@on_both_backends
def test_a_mempool_copier_who_commits_first_cannot_take_over_the_revealed_record(world, roles):
    """Inverts the reviewer's takeover PoC: mallory copies the hash from the pending relay transaction and commits
    at +599; bob's record is his commit's time (+100), earlier than hers, so her reveal is refused for good."""
    p = world.provenance
    lease_id = running(world)
    committed_at = commit(world, roles.bob, world.start + 100)
    mallory_salt = b"\x42" * 32
    world.chain.pending_timestamp = world.start + 599
    p.commit(p.commitmentOf(RESULT, roles.mallory, mallory_salt), sender=roles.mallory)
    receipt = submit_revealed(world, lease_id, roles.bob, committed_at,
                              reveal_signature(world, roles.bob, committed_at), at=world.start + 600)
    assert linked(world, receipt) == (lease_id, RESULT, roles.bob.address, world.start + 100)
    world.chain.pending_timestamp = world.start + 660
    with expect_revert(p, "AlreadyRegistered", RESULT, roles.bob.address, world.start + 100):
        p.reveal(RESULT, MODEL, int(Origin.HUMAN), ZERO_HASH, [], mallory_salt, sender=roles.mallory)
    assert p.getRecord(RESULT).creator == roles.bob.address


@on_both_backends
def test_a_mempool_copier_who_registers_first_cannot_block_the_reveal_path(world, roles):
    """Inverts the reviewer's plain front-run PoC: mallory registers the copied hash one second before the relay
    transaction lands; bob's reveal takes the record over (his commit is older) and the lease links it."""
    p = world.provenance
    lease_id = running(world)
    committed_at = commit(world, roles.bob, world.start + 100)
    world.chain.pending_timestamp = world.start + 599
    p.register(RESULT, MODEL, int(Origin.HUMAN), ZERO_HASH, [], sender=roles.mallory)
    receipt = submit_revealed(world, lease_id, roles.bob, committed_at,
                              reveal_signature(world, roles.bob, committed_at), at=world.start + 600)
    assert linked(world, receipt) == (lease_id, RESULT, roles.bob.address, world.start + 100)
    [superseded] = receipt.decode_logs(p.Superseded)
    assert (superseded.previousCreator, superseded.newCreator) == (roles.mallory.address, roles.bob.address)
    record = p.getRecord(RESULT)
    assert (record.creator, record.registeredAt, record.origin) == (roles.bob.address, world.start + 100, AI)


@on_both_backends
def test_a_copier_who_relays_the_signed_reveal_first_does_not_break_the_submission(world, roles):
    p = world.provenance
    lease_id = running(world)
    committed_at = commit(world, roles.bob, world.start + 100)
    signature = reveal_signature(world, roles.bob, committed_at)
    world.chain.pending_timestamp = world.start + 599
    p.revealBySig(roles.bob, RESULT, MODEL, AI, MANIFEST, [SPEC], SALT, committed_at, signature,
                  sender=roles.mallory)
    receipt = submit_revealed(world, lease_id, roles.bob, committed_at, signature, at=world.start + 600)
    assert linked(world, receipt) == (lease_id, RESULT, roles.bob.address, world.start + 100)
    assert not receipt.decode_logs(p.Registered)


@on_both_backends
def test_the_reveal_path_refusals(world, roles):
    """A commitment older than the lease, one too new to reveal, a signature of someone else: each reverts with its
    error and leaves the lease without a result."""
    p, relay = world.provenance, relay_of(world.market)
    early = commit(world, roles.bob, world.start + 50)
    lease_id = running(world, at=world.start + 100)
    with expect_revert(relay, "RecordPredatesLease", lease_id, RESULT, world.start + 50, lease_start(world, lease_id)):
        submit_revealed(world, lease_id, roles.bob, early, reveal_signature(world, roles.bob, early),
                        at=world.start + 600)
    other = sha256_bytes(b"another result")
    fresh = commit(world, roles.bob, world.start + 700, result=other)
    min_age = p.minCommitAge()
    commitment = p.commitmentOf(other, roles.bob, SALT)
    with expect_revert(p, "CommitmentTooNew", commitment, world.start + 700 + min_age):
        submit_revealed(world, lease_id, roles.bob, fresh, reveal_signature(world, roles.bob, fresh, result=other),
                        at=world.start + 701, result=other)
    with expect_revert(p, "InvalidSignature", roles.bob.address):
        submit_revealed(world, lease_id, roles.bob, fresh, reveal_signature(world, roles.carol, fresh, result=other),
                        at=world.start + 700 + min_age, result=other)
    with expect_revert(world.market, "NotProvider", roles.mallory.address):
        submit_revealed(world, lease_id, roles.mallory, fresh, reveal_signature(world, roles.bob, fresh, result=other),
                        at=world.start + 701 + min_age, result=other)
    assert bytes(world.market.getLease(lease_id).resultHash) == ZERO_HASH


# ------------------------------------------------------------------------- finding 1: the documented register path

@on_both_backends
def test_the_register_path_is_front_runnable_as_documented(world, roles):
    """Documented (README, NatSpec): a copier who registers the hash from the pending transaction first makes the
    `registerBySig` submission revert AlreadyRegistered naming the copier; a provider who committed first recovers
    through the reveal path."""
    p = world.provenance
    lease_id = running(world)
    committed_at = commit(world, roles.bob, world.start + 100)
    request = fields(world, roles.bob)
    world.chain.pending_timestamp = world.start + 600
    p.register(RESULT, MODEL, int(Origin.HUMAN), ZERO_HASH, [], sender=roles.mallory)
    with expect_revert(p, "AlreadyRegistered", RESULT, roles.mallory.address, world.start + 600):
        submit(world, lease_id, request, sign_register(roles.bob.private_key, **request), roles.bob,
               at=world.start + 601)
    receipt = submit_revealed(world, lease_id, roles.bob, committed_at,
                              reveal_signature(world, roles.bob, committed_at), at=world.start + 602)
    assert linked(world, receipt) == (lease_id, RESULT, roles.bob.address, world.start + 100)


@on_both_backends
def test_a_register_path_record_can_be_taken_over_by_an_earlier_commit_as_documented(world, roles):
    """Documented: a register-path record is (provider, submission time); a commit someone made earlier (e.g. from
    the pending transaction, one block before) can take it over within maxCommitAge. The lease's event keeps
    (provider, time): a reader compares it with the registry's current (creator, registeredAt)."""
    p = world.provenance
    lease_id = running(world)
    request = fields(world, roles.bob)
    salt = b"\x42" * 32
    world.chain.pending_timestamp = world.start + 599
    p.commit(p.commitmentOf(RESULT, roles.mallory, salt), sender=roles.mallory)
    receipt = submit(world, lease_id, request, sign_register(roles.bob.private_key, **request), roles.bob,
                     at=world.start + 600)
    assert linked(world, receipt)[2:] == (roles.bob.address, world.start + 600)
    world.chain.pending_timestamp = world.start + 660
    p.reveal(RESULT, MODEL, int(Origin.HUMAN), ZERO_HASH, [], salt, sender=roles.mallory)
    record = p.getRecord(RESULT)
    assert (record.creator, record.registeredAt) != (roles.bob.address, world.start + 600)


# ------------------------------------------------------------------------- finding 7: nonces

@on_both_backends
def test_reveal_path_submissions_do_not_chain_on_nonces(world, roles):
    """Inverts the reviewer's nonce-chain PoC on the reveal path: the first submission fails (the client finalized),
    the second lease's reveal signature stays valid."""
    first = running(world, at=world.start + 10)
    second, _ = world.lease(roles.alice, roles.bob, world.market.getLease(first).offerId, HOUR, at=world.start + 20)
    other = sha256_bytes(b"result 2")
    t1 = commit(world, roles.bob, world.start + 30)
    t2 = commit(world, roles.bob, world.start + 31, result=other)
    s1 = reveal_signature(world, roles.bob, t1)
    s2 = reveal_signature(world, roles.bob, t2, result=other)
    end = world.market.getLease(first).end
    world.chain.pending_timestamp = end
    world.market.finalize(first, sender=roles.alice)
    with expect_revert(world.market, "WrongStatus", first, 5):
        submit_revealed(world, first, roles.bob, t1, s1, at=end + 1)
    receipt = submit_revealed(world, second, roles.bob, t2, s2, at=end + 2, result=other)
    assert linked(world, receipt) == (second, other, roles.bob.address, world.start + 31)


# ------------------------------------------------------------------------- gas of the reveal path

def test_gas_result_submission_with_revealed_provenance(roles, chain, gas):
    """The reveal path beside the plain `submitResult` (same provider, same block-time pattern as
    tests/rewards/test_rewards_gas.py): the provider's `commit` (its own transaction, sent earlier) and the relayed
    submission that reveals it, with the offer's model as parent and without a spec."""
    from deai.testing.tokens import deploy_token

    system = build_gas_system(roles, chain)  # what is signed below derives from a fixed start
    m, p, relay = system.market, system.provenance, relay_of(system.market)
    model = sha256_bytes(b"model")
    p.register(model, MODEL, int(Origin.HUMAN), ZERO_HASH, [], sender=roles.carol)
    payment = deploy_token("standard6", roles.deployer)
    system.allow(payment, 10**30)
    with_model = system.provider(roles.bob, payment, 10**3, spec=model)
    without_spec = system.provider(roles.bob, payment, 10**3, spec=ZERO_HASH)
    system.fund(roles.alice, payment, m)
    t = system.start + 100
    offers = (with_model, with_model, without_spec)
    leases = [system.lease(roles.alice, roles.bob, offer, HOUR, at=t + 10 * i)[0] for i, offer in enumerate(offers)]
    chain.pending_timestamp = t + 200
    plain = gas.record("ComputeMarketplace.submitResult (beside the revealed submission)",
                       m.submitResult(leases[0], sha256_bytes(b"plain"), sender=roles.bob))
    cases = ((leases[1], model, "model parent"), (leases[2], ZERO_HASH, "offer without a spec: no parent"))
    committed = {}
    for i, (_, _, label) in enumerate(cases):
        result = sha256_bytes(label.encode())
        chain.pending_timestamp = t + 300 + i
        receipt = p.commit(p.commitmentOf(result, roles.bob, SALT), sender=roles.bob)
        committed[label] = p.commitTime(p.commitmentOf(result, roles.bob, SALT))
        if i == 0:
            gas.record("ProvenanceRegistry.commit (the provider's, before a revealed result submission)", receipt)
    for i, (lease_id, spec, label) in enumerate(cases):
        result = sha256_bytes(label.encode())
        parents = [spec] if any(spec) else []
        signature = sign_reveal(roles.bob.private_key, p.address, chain.chain_id, roles.bob.address, result, CONTENT,
                                AI, ZERO_HASH, parents, SALT, committed[label])
        chain.pending_timestamp = t + 400 + i
        receipt = relay.submitResultWithRevealedProvenance(lease_id, result, CONTENT, ZERO_HASH, SALT, committed[label],
                                                           signature, sender=roles.bob)
        # the +60,000 budget holds without a parent; the registry's parent slot takes the model case over it
        budget = None if any(spec) else plain + 60_000
        used = gas.record(f"ResultProvenanceRelay.submitResultWithRevealedProvenance ({label})", receipt, budget=budget)
        print(f"submitResult {plain}; revealed with registration ({label}) {used} (+{used - plain})")
