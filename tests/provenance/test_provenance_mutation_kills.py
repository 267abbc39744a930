"""Mutation kills (issue 16 item 6) for ProvenanceRegistry, on both backends: behaviours the in-process machine does
not reach, so that `make mutation` judges these mutants in-process instead of through the unit tests on anvil. Each
test names the mutants it kills (docs/mutation-report.md, mutation-survivors.json); the signature is made here with
the key (deai.provenance's EIP-712 encoding), and every expected value is computed from the rule."""

from __future__ import annotations

from eth_account import Account
from eth_abi import encode
from eth_utils import keccak

from deai.deploy.contracts import deploy
from deai.deploy.provenance import ProvenanceParams, deploy_provenance_registry
from deai.provenance import ZERO_HASH, commitment, sha256_bytes, sign_endorse, sign_register, sign_reveal, sign_revoke
from deai.testing.backends import on_both_backends
from deai.testing.reverts import expect_revert

CONTENT, HUMAN = 0, 1
VERIFIED = keccak(text="verified-creator")


@on_both_backends
def test_endorse_by_sig_records_the_signed_endorsement_and_uses_the_nonce(backend):
    """endorseBySig, relayed: the endorsement is the signer's (event, endorsedAt at the block's time) and consumes
    the signer's nonce; a replay of the same signature is refused. Kills: RR of endorseBySig's _checkSignature line
    (the function reverted for every signature)."""
    roles, chain = backend.roles, backend.chain
    signer = Account.create("provenance-mutation-kill")
    registry = deploy_provenance_registry(roles.deployer, ProvenanceParams())
    h = sha256_bytes(b"mutation-kill")
    t0 = int(chain.pending_timestamp) + 5
    chain.pending_timestamp = t0
    registry.register(h, CONTENT, HUMAN, ZERO_HASH, [], sender=roles.alice)
    deadline = t0 + 3_600
    signature = sign_endorse(signer.key, registry.address, chain.chain_id, signer.address, h, roles.alice.address,
                             t0, VERIFIED, 0, deadline)
    t1 = t0 + 20
    chain.pending_timestamp = t1
    receipt = registry.endorseBySig(signer.address, h, roles.alice.address, t0, VERIFIED, deadline, signature,
                                    sender=roles.relayer)
    [log] = receipt.decode_logs(registry.Endorsed)
    assert (log.endorser, log.creator, log.registeredAt) == (signer.address, roles.alice.address, t0)
    assert registry.endorsedAt(h, signer.address, VERIFIED) == t1
    assert registry.endorsedAt(h, roles.relayer.address, VERIFIED) == 0
    assert registry.nonces(signer.address) == 1
    chain.pending_timestamp = t1 + 1
    with expect_revert(registry, "InvalidSignature", signer.address):  # signed for nonce 0, which is used
        registry.endorseBySig(signer.address, h, roles.alice.address, t0, VERIFIED, deadline, signature,
                              sender=roles.relayer)


@on_both_backends
def test_contestable_until_is_the_last_second_of_the_commit_window(backend):
    """contestableUntil(h) = registeredAt + maxCommitAge - 1 (the last second an older commit can take the hash
    over), and isFinal is false while the window runs and turns true one second later. Kills: RR of
    contestableUntil's return line, and ROR `>` -> `!=` in isFinal (line 303: final before the window ended)."""
    roles, chain = backend.roles, backend.chain
    params = ProvenanceParams()
    registry = deploy_provenance_registry(roles.deployer, params)
    h = sha256_bytes(b"mutation-kill-final")
    t0 = int(chain.pending_timestamp) + 7
    chain.pending_timestamp = t0
    registry.register(h, CONTENT, HUMAN, ZERO_HASH, [], sender=roles.alice)
    until = t0 + params.max_commit_age - 1
    assert registry.contestableUntil(h) == until
    for head, final in ((t0 + 1, False), (until, False), (until + 1, True)):
        chain.pending_timestamp = head
        chain.mine()
        assert chain.blocks.head.timestamp == head
        assert registry.isFinal(h) == final


# ---------------------------------------------------------------- triage of the full campaign's survivors

SALT = keccak(text="mutation-kill-salt")
CLAIM = keccak(text="mutation-kill-claim")
DAY = 86_400


def encoded_call(signature: str, types: list[str], values: list) -> bytes:
    """Calldata of one registry function, built here from its signature (independent of the contract's ABI)."""
    return keccak(text=signature)[:4] + encode(types, values)


def register_call(h: bytes) -> bytes:
    return encoded_call("register(bytes32,uint8,uint8,bytes32,bytes32[])",
                        ["bytes32", "uint8", "uint8", "bytes32", "bytes32[]"], [h, CONTENT, HUMAN, ZERO_HASH, []])


def register_batch_call(hashes: list[bytes], manifests: list[bytes]) -> bytes:
    return encoded_call("registerBatch(bytes32[],uint8,uint8,bytes32[],bytes32[][])",
                        ["bytes32[]", "uint8", "uint8", "bytes32[]", "bytes32[][]"],
                        [hashes, CONTENT, HUMAN, manifests, []])


def commit_call(c: bytes) -> bytes:
    return encoded_call("commit(bytes32)", ["bytes32"], [c])


def start_at(chain, offset: int = 5) -> int:
    """Set the next block's time `offset` seconds ahead and return it."""
    t = int(chain.pending_timestamp) + offset
    chain.pending_timestamp = t
    return t


@on_both_backends
def test_calls_through_a_contract_act_for_the_contract_not_the_transaction_origin(backend):
    """Every state-changing entry point acts for msg.sender: a contract (the multi-call mock, called by bob) registers,
    batch-registers (plain and detailed), commits, reveals, revokes, endorses, withdraws and invalidates nonces as
    itself; bob (tx.origin) gets nothing. Kills the SBR msg.sender -> tx.origin mutants of lines 113, 166, 178, 209,
    230, 251, 252, 254, 259, 264, 265, 400 (403/404), 417."""
    roles, chain = backend.roles, backend.chain
    registry = deploy_provenance_registry(roles.deployer, ProvenanceParams())
    multi = deploy("ProvenanceMultiCall", roles.deployer, registry.address)
    me, bob = multi.address, roles.bob.address
    h_single, h_plain, h_detailed, h_revealed = (sha256_bytes(f"via-contract-{i}".encode()) for i in range(4))
    manifest = keccak(text="via-contract-manifest")
    t0 = start_at(chain)

    receipt = multi.run([register_call(h_single)], sender=roles.bob)
    [log] = receipt.decode_logs(registry.Registered)
    assert (log.contentHash, log.creator, log.registeredAt) == (h_single, me, t0)
    t_batch = start_at(chain)
    receipt = multi.run([register_batch_call([h_plain], []), register_batch_call([h_detailed], [manifest])],
                        sender=roles.bob)
    assert [(log.contentHash, log.creator) for log in receipt.decode_logs(registry.Registered)] == [
        (h_plain, me), (h_detailed, me)]
    for h in (h_single, h_plain, h_detailed):
        assert registry.getRecord(h).creator == me

    c = commitment(h_revealed, me, SALT)
    t_commit = start_at(chain)
    receipt = multi.run([commit_call(c)], sender=roles.bob)
    [log] = receipt.decode_logs(registry.Commit)
    assert (log._timePoint, log._from, log._commitment) == (t_commit, me, c)
    chain.pending_timestamp = t_commit + ProvenanceParams().min_commit_age
    reveal = encoded_call("reveal(bytes32,uint8,uint8,bytes32,bytes32[],bytes32)",
                          ["bytes32", "uint8", "uint8", "bytes32", "bytes32[]", "bytes32"],
                          [h_revealed, CONTENT, HUMAN, ZERO_HASH, [], SALT])
    multi.run([reveal], sender=roles.bob)
    assert registry.getRecord(h_revealed).creator == me
    assert registry.getRecord(h_revealed).registeredAt == t_commit

    multi.run([encoded_call("revoke(bytes32)", ["bytes32"], [h_single])], sender=roles.bob)
    assert registry.getRecord(h_single).revoked

    t_endorse = start_at(chain)
    endorse = encoded_call("endorse(bytes32,address,uint64,bytes32)", ["bytes32", "address", "uint64", "bytes32"],
                           [h_plain, me, t_batch, CLAIM])
    multi.run([endorse], sender=roles.bob)
    assert registry.endorsedAt(h_plain, me, CLAIM) == t_endorse
    assert registry.endorsedAt(h_plain, bob, CLAIM) == 0
    withdraw = encoded_call("revokeEndorsement(bytes32,uint64,bytes32)", ["bytes32", "uint64", "bytes32"],
                            [h_plain, t_batch, CLAIM])
    receipt = multi.run([withdraw], sender=roles.bob)
    [log] = receipt.decode_logs(registry.EndorsementRevoked)
    assert (log.endorser, log.claim, log.registeredAt) == (me, CLAIM, t_batch)
    assert registry.endorsedAt(h_plain, me, CLAIM) == 0
    with expect_revert(registry, "NotEndorsed", h_plain, me, CLAIM):
        multi.run([withdraw], sender=roles.bob)

    start_at(chain)
    registry.invalidateNonces(3, sender=roles.bob)  # the origin's own nonce differs from the contract's
    receipt = multi.run([encoded_call("invalidateNonces(uint256)", ["uint256"], [5])], sender=roles.bob)
    [log] = receipt.decode_logs(registry.NoncesInvalidated)
    assert (log.owner, log.fromNonce, log.toNonce) == (me, 0, 5)
    assert (registry.nonces(me), registry.nonces(bob)) == (5, 3)


@on_both_backends
def test_parent_rules_exactly_at_their_bounds(backend):
    """MAX_PARENTS parents are accepted (in the order given), one more is TooManyParents(17, 16); two distinct parents
    in ascending and in descending order are both accepted (only equal ones are duplicates); a parent registered in
    the same second as its child is accepted (a detailed batch registering parent then child, which also walks the
    detailed loop over two items); a reveal naming a parent registered after the commit time is ParentTooRecent.
    Kills: ROR count > MAX_PARENTS -> ==, >= (543); parents[j] == parent -> <=, >= (547); registeredAt > latest ->
    ==, >= (552); UOR ++i -> --i, i-- in the detailed batch (416)."""
    roles, chain = backend.roles, backend.chain
    params = ProvenanceParams()
    registry = deploy_provenance_registry(roles.deployer, params)
    pool = sorted(sha256_bytes(f"parent-{i}".encode()) for i in range(17))
    t0 = start_at(chain)
    registry.registerBatch(pool, CONTENT, HUMAN, [], [], sender=roles.alice)

    child16 = sha256_bytes(b"child-of-16")
    t1 = start_at(chain)
    registry.register(child16, CONTENT, HUMAN, ZERO_HASH, pool[:16], sender=roles.bob)
    assert [bytes(p) for p in registry.parentsOf(child16)] == pool[:16]
    assert registry.getRecord(child16).registeredAt == t1
    with expect_revert(registry, "TooManyParents", 17, 16):
        registry.register(sha256_bytes(b"child-of-17"), CONTENT, HUMAN, ZERO_HASH, pool, sender=roles.bob)

    for label, pair in ((b"ascending", pool[:2]), (b"descending", pool[1::-1])):
        h = sha256_bytes(label)
        registry.register(h, CONTENT, HUMAN, ZERO_HASH, pair, sender=roles.bob)
        assert [bytes(p) for p in registry.parentsOf(h)] == pair
    with expect_revert(registry, "DuplicateParent", pool[0]):
        registry.register(sha256_bytes(b"dup"), CONTENT, HUMAN, ZERO_HASH, [pool[0], pool[1], pool[0]],
                          sender=roles.bob)

    same_second_parent, same_second_child = sha256_bytes(b"same-second-parent"), sha256_bytes(b"same-second-child")
    t2 = start_at(chain)
    registry.registerBatch([same_second_parent, same_second_child], CONTENT, HUMAN, [], [[], [same_second_parent]],
                           sender=roles.carol)
    times = [registry.getRecord(h).registeredAt for h in (same_second_parent, same_second_child)]
    assert times == [t2, t2]
    assert [bytes(p) for p in registry.parentsOf(same_second_child)] == [same_second_parent]

    late_child, late_parent = sha256_bytes(b"late-child"), sha256_bytes(b"late-parent")
    t_commit = start_at(chain)
    registry.commit(commitment(late_child, roles.alice.address, SALT), sender=roles.alice)
    t_parent = start_at(chain)
    registry.register(late_parent, CONTENT, HUMAN, ZERO_HASH, [], sender=roles.bob)
    chain.pending_timestamp = t_commit + params.min_commit_age
    with expect_revert(registry, "ParentTooRecent", late_parent, t_parent, t_commit):
        registry.reveal(late_child, CONTENT, HUMAN, ZERO_HASH, [late_parent], SALT, sender=roles.alice)
    assert t0 < t1 < t2 < t_commit < t_parent


@on_both_backends
def test_commit_windows_and_record_checks_exactly_at_their_bounds(backend):
    """A repeat commit at committedAt + maxCommitAge keeps the time, one second later it restarts it; a reveal at
    committedAt + maxCommitAge is accepted, one second later it is CommitmentExpired(c, committedAt + maxCommitAge);
    a commit made in the same second as the registration (one transaction) cannot take the record over
    (AlreadyRegistered); a second endorsement of the same claim is AlreadyEndorsed. Kills: SBR block.timestamp -> 0
    in commit (160) and in _reveal's expiry (448); ROR registeredAt <= committedAt -> < (456); ROR
    claims[claim] != 0 -> < 0 (504)."""
    roles, chain = backend.roles, backend.chain
    params = ProvenanceParams()
    registry = deploy_provenance_registry(roles.deployer, params)
    alice = roles.alice.address
    h_ok, h_late = sha256_bytes(b"window-ok"), sha256_bytes(b"window-late")
    c_ok, c_late = commitment(h_ok, alice, SALT), commitment(h_late, alice, SALT)

    t_ok = start_at(chain)
    registry.commit(c_ok, sender=roles.alice)
    t_late = start_at(chain)
    registry.commit(c_late, sender=roles.alice)
    chain.pending_timestamp = t_ok + params.max_commit_age
    registry.reveal(h_ok, CONTENT, HUMAN, ZERO_HASH, [], SALT, sender=roles.alice)
    assert registry.getRecord(h_ok).registeredAt == t_ok
    chain.pending_timestamp = t_late + params.max_commit_age
    registry.commit(c_late, sender=roles.bob)  # a repeat within the window: the time stays
    assert registry.commitTime(c_late) == t_late
    chain.pending_timestamp = t_late + params.max_commit_age + 1
    with expect_revert(registry, "CommitmentExpired", c_late, t_late + params.max_commit_age):
        registry.reveal(h_late, CONTENT, HUMAN, ZERO_HASH, [], SALT, sender=roles.alice)
    t_restart = t_late + params.max_commit_age + 2
    chain.pending_timestamp = t_restart
    registry.commit(c_late, sender=roles.alice)  # expired: a repeat restarts it
    assert registry.commitTime(c_late) == t_restart

    multi = deploy("ProvenanceMultiCall", roles.deployer, registry.address)
    h_same = sha256_bytes(b"same-second-commit")
    c_same = commitment(h_same, alice, SALT)
    t_same = start_at(chain)
    multi.run([commit_call(c_same), register_call(h_same)], sender=roles.bob)
    assert registry.commitTime(c_same) == registry.getRecord(h_same).registeredAt == t_same
    chain.pending_timestamp = t_same + params.min_commit_age
    with expect_revert(registry, "AlreadyRegistered", h_same, multi.address, t_same):
        registry.reveal(h_same, CONTENT, HUMAN, ZERO_HASH, [], SALT, sender=roles.alice)

    t_endorse = start_at(chain)
    registry.endorse(h_ok, alice, t_ok, CLAIM, sender=roles.bob)
    start_at(chain)
    with expect_revert(registry, "AlreadyEndorsed", h_ok, roles.bob.address, CLAIM):
        registry.endorse(h_ok, alice, t_ok, CLAIM, sender=roles.bob)
    assert registry.endorsedAt(h_ok, roles.bob.address, CLAIM) == t_endorse


@on_both_backends
def test_signed_requests_check_what_the_plain_ones_check(backend):
    """registerBySig with a valid signature for an invalid kind is InvalidKind(4); revokeBySig naming an older
    registeredAt than the record's is RecordChanged; a signed reveal naming 2**32 - 1 (a time, not the plain
    reveal's marker 2**64 - 1) of a commitment that was never made is UnknownCommitment; MAX_COMMIT_AGE_LIMIT is
    365 days and a registry with exactly that maxCommitAge deploys, one second more is InvalidCommitAges. Kills: CR
    of registerBySig's _checkKindAndOrigin (150); ROR current != registeredAt -> < (224); SBR _ANY_COMMIT_TIME
    uint64 -> uint32 (67); SBR 365 days -> 365 hours, 365 weeks (36); SBR of REVOKE_TYPEHASH's type string (49) and
    abi.encode -> abi.encodePacked of revokeBySig's struct (220): the signature no longer verifies."""
    roles, chain = backend.roles, backend.chain
    registry = deploy_provenance_registry(roles.deployer, ProvenanceParams())
    signer = Account.create("provenance-mutation-kill-signed")
    h = sha256_bytes(b"signed-requests")
    t0 = start_at(chain)
    deadline = t0 + 3_600
    fields = dict(registry_address=registry.address, chain_id=chain.chain_id, creator=signer.address,
                  content_hash=h, origin=HUMAN, manifest=ZERO_HASH, parents=[], nonce=0, deadline=deadline)
    bad_kind = sign_register(signer.key, kind=4, **fields)
    with expect_revert(registry, "InvalidKind", 4):
        registry.registerBySig(signer.address, h, 4, HUMAN, ZERO_HASH, [], deadline, bad_kind, sender=roles.relayer)
    good = sign_register(signer.key, kind=CONTENT, **fields)
    t_reg = start_at(chain)
    registry.registerBySig(signer.address, h, CONTENT, HUMAN, ZERO_HASH, [], deadline, good, sender=roles.relayer)
    assert (registry.getRecord(h).creator, registry.getRecord(h).registeredAt) == (signer.address, t_reg)

    start_at(chain)
    older = sign_revoke(signer.key, registry.address, chain.chain_id, signer.address, h, t_reg - 1, 1, deadline)
    with expect_revert(registry, "RecordChanged", h, signer.address, t_reg):
        registry.revokeBySig(signer.address, h, t_reg - 1, deadline, older, sender=roles.relayer)
    assert not registry.getRecord(h).revoked

    never = sha256_bytes(b"never-committed")
    time_2_32 = 2**32 - 1
    reveal_sig = sign_reveal(signer.key, registry.address, chain.chain_id, signer.address, never, CONTENT, HUMAN,
                             ZERO_HASH, [], SALT, time_2_32)
    with expect_revert(registry, "UnknownCommitment", commitment(never, signer.address, SALT)):
        registry.revealBySig(signer.address, never, CONTENT, HUMAN, ZERO_HASH, [], SALT, time_2_32, reveal_sig,
                             sender=roles.relayer)

    limit = 365 * DAY
    assert registry.MAX_COMMIT_AGE_LIMIT() == limit
    at_limit = deploy_provenance_registry(roles.deployer, ProvenanceParams(max_commit_age=limit))
    assert at_limit.maxCommitAge() == limit
    with expect_revert(registry, "InvalidCommitAges", 60, limit + 1):
        deploy_provenance_registry(roles.deployer, ProvenanceParams(max_commit_age=limit + 1))


@on_both_backends
def test_times_after_2106_are_stored_in_full(backend):
    """Block times past 2**32 (7 Feb 2106) are stored and emitted whole, not cut to 32 bits: a commit, a
    registration, a plain batch, a revocation and an endorsement there read back their exact block times. Kills: SBR
    uint64 -> uint32 of the block time in commit (161), _register (388), _registerPlain (399), _revoke (489) and
    _endorse (505)."""
    roles, chain = backend.roles, backend.chain
    params = ProvenanceParams()
    registry = deploy_provenance_registry(roles.deployer, params)
    alice = roles.alice.address
    h_single, h_batch, h_revealed = (sha256_bytes(f"year-2106-{i}".encode()) for i in range(3))
    base = max(int(chain.pending_timestamp), 2**32) + 100
    c = commitment(h_revealed, alice, SALT)
    chain.pending_timestamp = base
    registry.commit(c, sender=roles.alice)
    assert registry.commitTime(c) == base
    chain.pending_timestamp = base + 1
    registry.register(h_single, CONTENT, HUMAN, ZERO_HASH, [], sender=roles.alice)
    chain.pending_timestamp = base + 2
    registry.registerBatch([h_batch], CONTENT, HUMAN, [], [], sender=roles.alice)
    assert (registry.getRecord(h_single).registeredAt, registry.getRecord(h_batch).registeredAt) == (base + 1, base + 2)
    chain.pending_timestamp = base + params.min_commit_age
    registry.reveal(h_revealed, CONTENT, HUMAN, ZERO_HASH, [], SALT, sender=roles.alice)
    assert registry.getRecord(h_revealed).registeredAt == base
    t_revoke = base + params.min_commit_age + 1
    chain.pending_timestamp = t_revoke
    receipt = registry.revoke(h_single, sender=roles.alice)
    [log] = receipt.decode_logs(registry.Revoked)
    assert (log.registeredAt, log.revokedAt) == (base + 1, t_revoke)
    assert registry.revokedAt(h_single) == t_revoke
    t_endorse = t_revoke + 1
    chain.pending_timestamp = t_endorse
    registry.endorse(h_batch, alice, base + 2, CLAIM, sender=roles.bob)
    assert registry.endorsedAt(h_batch, roles.bob.address, CLAIM) == t_endorse
