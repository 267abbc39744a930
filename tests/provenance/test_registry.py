"""ProvenanceRegistry: every external function, revert path and event."""

from __future__ import annotations

import pytest
from eth_utils import keccak

from deai.deploy.contracts import container
from deai.deploy.provenance import ProvenanceParams
from deai.provenance import ZERO_HASH as ZERO
from deai.provenance import commitment, sha256_bytes
from deai.testing.blocks import block_time
from deai.testing.reverts import expect_revert

PARAMS = ProvenanceParams()


def content(label: str) -> bytes:
    return sha256_bytes(label.encode())

CONTENT, MODEL, DATASET, PROMPT = range(4)
UNSPECIFIED, HUMAN, AI_GENERATED, AI_ASSISTED, COMPOSITE = range(5)
HUMAN_MADE = keccak(text="human-made")


def record_tuple(registry, h):
    r = registry.getRecord(h)
    return (r.creator, r.registeredAt, r.kind, r.origin, r.revoked, bytes(r.manifestHash))


# ---------------------------------------------------------------- constructor

@pytest.mark.parametrize("min_age, max_age", [(0, 0), (100, 99), (0, 365 * 86_400 + 1)])
def test_constructor_rejects_bad_commit_ages(roles, min_age, max_age):
    with expect_revert(container("ProvenanceRegistry"), "InvalidCommitAges", min_age, max_age):
        roles.deployer.deploy(container("ProvenanceRegistry"), min_age, max_age)


def test_constructor_sets_commit_ages(registry):
    assert (registry.minCommitAge(), registry.maxCommitAge()) == (PARAMS.min_commit_age, PARAMS.max_commit_age)
    assert registry.MAX_PARENTS() == 16


# ---------------------------------------------------------------- register

def test_register_stores_record_and_emits(registry, roles, chain):
    h = content("photo.jpg")
    receipt = registry.register(h, CONTENT, HUMAN, ZERO, [], sender=roles.alice)
    t = block_time(chain, receipt)
    assert record_tuple(registry, h) == (roles.alice.address, t, CONTENT, HUMAN, False, ZERO)
    assert registry.isRegistered(h) and list(registry.parentsOf(h)) == []
    [log] = receipt.decode_logs(registry.Registered)
    assert (bytes(log.contentHash), log.creator, log.kind, log.origin, log.registeredAt, bytes(log.manifestHash),
            list(log.parents)) == (h, roles.alice.address, CONTENT, HUMAN, t, ZERO, [])


def test_register_with_manifest_and_parents(registry, roles):
    model, dataset, image = content("model"), content("dataset"), content("image")
    registry.register(dataset, DATASET, HUMAN, ZERO, [], sender=roles.bob)
    registry.register(model, MODEL, HUMAN, ZERO, [dataset], sender=roles.bob)
    manifest = keccak(text="c2pa-manifest")
    receipt = registry.register(image, CONTENT, AI_GENERATED, manifest, [model, dataset], sender=roles.alice)
    assert bytes(registry.getRecord(image).manifestHash) == manifest
    assert [bytes(p) for p in registry.parentsOf(image)] == [model, dataset]
    [log] = receipt.decode_logs(registry.Registered)
    assert [bytes(p) for p in log.parents] == [model, dataset] and bytes(log.manifestHash) == manifest


def test_register_rejects_zero_hash(registry, roles):
    with expect_revert(registry, "ZeroContentHash"):
        registry.register(ZERO, CONTENT, HUMAN, ZERO, [], sender=roles.alice)


def test_register_rejects_second_registration_by_anyone(registry, roles, chain):
    h = content("once")
    receipt = registry.register(h, CONTENT, HUMAN, ZERO, [], sender=roles.alice)
    t = block_time(chain, receipt)
    for who in (roles.alice, roles.mallory):
        with expect_revert(registry, "AlreadyRegistered", h, roles.alice.address, t):
            registry.register(h, MODEL, AI_GENERATED, ZERO, [], sender=who)


@pytest.mark.parametrize("kind, origin, error, arg", [(4, 0, "InvalidKind", 4), (255, 0, "InvalidKind", 255),
                                                      (0, 5, "InvalidOrigin", 5), (0, 255, "InvalidOrigin", 255)])
def test_register_rejects_out_of_range_enums(registry, roles, kind, origin, error, arg):
    with expect_revert(registry, error, arg):
        registry.register(content("x"), kind, origin, ZERO, [], sender=roles.alice)


def test_register_accepts_every_enum_value(registry, roles):
    for kind in range(4):
        for origin in range(5):
            registry.register(content(f"{kind}-{origin}"), kind, origin, ZERO, [], sender=roles.alice)
            r = registry.getRecord(content(f"{kind}-{origin}"))
            assert (r.kind, r.origin) == (kind, origin)


def test_register_parent_rules(registry, roles):
    parents = [content(f"p{i}") for i in range(17)]
    registry.registerBatch(parents, DATASET, HUMAN, [], [], sender=roles.bob)
    with expect_revert(registry, "TooManyParents", 17, 16):
        registry.register(content("child"), CONTENT, COMPOSITE, ZERO, parents, sender=roles.alice)
    registry.register(content("child16"), CONTENT, COMPOSITE, ZERO, parents[:16], sender=roles.alice)
    with expect_revert(registry, "DuplicateParent", parents[0]):
        registry.register(content("dup"), CONTENT, COMPOSITE, ZERO, [parents[0], parents[1], parents[0]], sender=roles.alice)
    unknown = content("unknown")
    with expect_revert(registry, "UnknownParent", unknown):
        registry.register(content("orphan"), CONTENT, COMPOSITE, ZERO, [parents[0], unknown], sender=roles.alice)
    with expect_revert(registry, "UnknownParent", content("self")):
        registry.register(content("self"), CONTENT, COMPOSITE, ZERO, [content("self")], sender=roles.alice)
    registry.revoke(parents[1], sender=roles.bob)
    with expect_revert(registry, "RevokedParent", parents[1]):
        registry.register(content("from-revoked"), CONTENT, COMPOSITE, ZERO, [parents[1]], sender=roles.alice)


# ---------------------------------------------------------------- registerBatch

def test_register_batch(registry, roles, chain):
    hashes = [content(f"batch-{i}") for i in range(5)]
    receipt = registry.registerBatch(hashes, CONTENT, AI_ASSISTED, [], [], sender=roles.carol)
    t = block_time(chain, receipt)
    for h in hashes:
        assert record_tuple(registry, h) == (roles.carol.address, t, CONTENT, AI_ASSISTED, False, ZERO)
    logs = receipt.decode_logs(registry.Registered)
    assert [bytes(log.contentHash) for log in logs] == hashes


def test_register_batch_is_all_or_nothing(registry, roles, chain):
    registry.register(content("taken"), CONTENT, HUMAN, ZERO, [], sender=roles.alice)
    taken_at = registry.getRecord(content("taken")).registeredAt
    batch = [content("new-1"), content("taken"), content("new-2")]
    with expect_revert(registry, "AlreadyRegistered", content("taken"), roles.alice.address, taken_at):
        registry.registerBatch(batch, CONTENT, HUMAN, [], [], sender=roles.bob)
    assert not registry.isRegistered(content("new-1"))
    dup = [content("d"), content("d")]
    with expect_revert(registry, "AlreadyRegistered", content("d"), roles.bob.address, chain.pending_timestamp):
        chain.pending_timestamp = chain.pending_timestamp
        registry.registerBatch(dup, CONTENT, HUMAN, [], [], sender=roles.bob)
    assert not registry.isRegistered(content("d"))
    with expect_revert(registry, "ZeroContentHash"):
        registry.registerBatch([content("z"), ZERO], CONTENT, HUMAN, [], [], sender=roles.bob)
    with expect_revert(registry, "InvalidOrigin", 9):
        registry.registerBatch([content("z")], CONTENT, 9, [], [], sender=roles.bob)


# ---------------------------------------------------------------- commit / reveal

def test_commit_records_first_time_and_a_repeat_is_a_noop_naming_its_sender(registry, roles, chain):
    """Item 6 (failed on the old contract: a repeat reverted AlreadyCommitted, so a copier of a pending commit made
    the creator's own identical commit revert): a repeat never reverts, never resets the time, and its ERC-5732
    `Commit` event names the sender with the first commit's time."""
    c = commitment(content("secret"), roles.alice.address, b"s" * 32)
    receipt = registry.commit(c, sender=roles.mallory)  # a copier (or a relayer) sends it first
    t = block_time(chain, receipt)
    assert registry.commitTime(c) == t
    [log] = receipt.decode_logs(registry.Commit)
    assert (log._timePoint, log._from, bytes(log._commitment), bytes(log._extraData)) == (t, roles.mallory.address, c, b"")
    chain.pending_timestamp = t + 1000
    for who in (roles.alice, roles.mallory):
        receipt = registry.commit(c, sender=who)
        [log] = receipt.decode_logs(registry.Commit)
        assert (log._timePoint, log._from, bytes(log._commitment)) == (t, who.address, c)
    assert registry.commitTime(c) == t


def test_commitment_of_matches_independent_encoding(registry, roles):
    h, salt = content("a"), b"\x07" * 32
    assert bytes(registry.commitmentOf(h, roles.alice, salt)) == commitment(h, roles.alice.address, salt)


def test_reveal_window_is_inclusive_at_both_ends(registry, roles, chain):
    salt = b"\x01" * 32
    hashes = [content(f"w{i}") for i in range(4)]
    times = {}
    for h in hashes:
        times[h] = block_time(chain, registry.commit(commitment(h, roles.alice.address, salt), sender=roles.alice))
    lo, hi = PARAMS.min_commit_age, PARAMS.max_commit_age
    # too early: one second before min age
    c0 = commitment(hashes[0], roles.alice.address, salt)
    chain.pending_timestamp = times[hashes[0]] + lo - 1
    with expect_revert(registry, "CommitmentTooNew", c0, times[hashes[0]] + lo):
        registry.reveal(hashes[0], CONTENT, HUMAN, ZERO, [], salt, sender=roles.alice)
    # exactly at min age
    chain.pending_timestamp = times[hashes[1]] + lo
    registry.reveal(hashes[1], CONTENT, HUMAN, ZERO, [], salt, sender=roles.alice)
    assert registry.getRecord(hashes[1]).registeredAt == times[hashes[1]]
    # exactly at max age
    chain.pending_timestamp = times[hashes[2]] + hi
    registry.reveal(hashes[2], CONTENT, HUMAN, ZERO, [], salt, sender=roles.alice)
    # one second past max age
    c3 = commitment(hashes[3], roles.alice.address, salt)
    chain.pending_timestamp = times[hashes[3]] + hi + 1
    with expect_revert(registry, "CommitmentExpired", c3, times[hashes[3]] + hi):
        registry.reveal(hashes[3], CONTENT, HUMAN, ZERO, [], salt, sender=roles.alice)


def test_reveal_requires_the_committer_and_salt(registry, roles, chain):
    h, salt = content("mine"), b"\x02" * 32
    t = block_time(chain, registry.commit(commitment(h, roles.alice.address, salt), sender=roles.alice))
    chain.pending_timestamp = t + PARAMS.min_commit_age
    with expect_revert(registry, "UnknownCommitment", commitment(h, roles.mallory.address, salt)):
        registry.reveal(h, CONTENT, HUMAN, ZERO, [], salt, sender=roles.mallory)
    with expect_revert(registry, "UnknownCommitment", commitment(h, roles.alice.address, b"\x03" * 32)):
        registry.reveal(h, CONTENT, HUMAN, ZERO, [], b"\x03" * 32, sender=roles.alice)
    receipt = registry.reveal(h, MODEL, AI_GENERATED, keccak(text="m"), [], salt, sender=roles.alice)
    assert record_tuple(registry, h) == (roles.alice.address, t, MODEL, AI_GENERATED, False, keccak(text="m"))
    assert not receipt.decode_logs(registry.Superseded)
    assert registry.commitTime(commitment(h, roles.alice.address, salt)) == 0
    with expect_revert(registry, "UnknownCommitment", commitment(h, roles.alice.address, salt)):
        registry.reveal(h, MODEL, AI_GENERATED, ZERO, [], salt, sender=roles.alice)


def test_reveal_validates_like_register(registry, roles, chain):
    salt = b"\x04" * 32
    t = block_time(chain, registry.commit(commitment(ZERO, roles.alice.address, salt), sender=roles.alice))
    registry.commit(commitment(content("k"), roles.alice.address, salt), sender=roles.alice)
    chain.pending_timestamp = t + PARAMS.min_commit_age + 5
    with expect_revert(registry, "ZeroContentHash"):
        registry.reveal(ZERO, CONTENT, HUMAN, ZERO, [], salt, sender=roles.alice)
    with expect_revert(registry, "InvalidKind", 7):
        registry.reveal(content("k"), 7, HUMAN, ZERO, [], salt, sender=roles.alice)
    with expect_revert(registry, "UnknownParent", content("nope")):
        registry.reveal(content("k"), CONTENT, HUMAN, ZERO, [content("nope")], salt, sender=roles.alice)


def test_front_runner_loses_the_hash_to_the_earlier_committer(registry, roles, chain):
    """Alice commits; Mallory copies the hash from the mempool and registers it directly; Alice's reveal wins."""
    h, salt = content("original-artwork"), b"\x05" * 32
    parent = content("mallory-parent")
    registry.register(parent, DATASET, HUMAN, ZERO, [], sender=roles.mallory)
    t_commit = block_time(chain, registry.commit(commitment(h, roles.alice.address, salt), sender=roles.alice))
    chain.pending_timestamp = t_commit + 1
    registry.register(h, CONTENT, AI_GENERATED, keccak(text="fake"), [parent], sender=roles.mallory)
    registry.revoke(h, sender=roles.mallory)
    chain.pending_timestamp = t_commit + PARAMS.min_commit_age
    receipt = registry.reveal(h, CONTENT, HUMAN, ZERO, [], salt, sender=roles.alice)
    assert record_tuple(registry, h) == (roles.alice.address, t_commit, CONTENT, HUMAN, False, ZERO)
    assert list(registry.parentsOf(h)) == []
    [sup] = receipt.decode_logs(registry.Superseded)
    assert (bytes(sup.contentHash), sup.previousCreator, sup.newCreator) == (h, roles.mallory.address, roles.alice.address)
    assert len(receipt.decode_logs(registry.Registered)) == 1
    with expect_revert(registry, "NotCreator", h, roles.mallory.address, roles.alice.address):
        registry.revoke(h, sender=roles.mallory)


def test_reveal_cannot_take_over_an_older_or_same_time_record(registry, roles, chain):
    h, salt = content("prior-art"), b"\x06" * 32
    t_reg = block_time(chain, registry.register(h, CONTENT, HUMAN, ZERO, [], sender=roles.bob))
    t_commit = block_time(chain, registry.commit(commitment(h, roles.alice.address, salt), sender=roles.alice))
    assert t_commit >= t_reg
    chain.pending_timestamp = t_commit + PARAMS.min_commit_age
    with expect_revert(registry, "AlreadyRegistered", h, roles.bob.address, t_reg):
        registry.reveal(h, CONTENT, HUMAN, ZERO, [], salt, sender=roles.alice)


def test_revealed_parents_must_be_no_younger_than_the_commit(registry, roles, chain):
    h, salt, late_parent = content("derived"), b"\x07" * 32, content("late-parent")
    t_commit = block_time(chain, registry.commit(commitment(h, roles.alice.address, salt), sender=roles.alice))
    chain.pending_timestamp = t_commit + 10
    t_parent = block_time(chain, registry.register(late_parent, MODEL, HUMAN, ZERO, [], sender=roles.alice))
    chain.pending_timestamp = t_commit + PARAMS.min_commit_age
    with expect_revert(registry, "ParentTooRecent", late_parent, t_parent, t_commit):
        registry.reveal(h, CONTENT, AI_GENERATED, ZERO, [late_parent], salt, sender=roles.alice)


# ---------------------------------------------------------------- revoke

def test_revoke_rules(registry, roles, chain):
    h = content("to-revoke")
    with expect_revert(registry, "NotRegistered", h):
        registry.revoke(h, sender=roles.alice)
    registry.register(h, CONTENT, HUMAN, keccak(text="m"), [], sender=roles.alice)
    before = record_tuple(registry, h)
    with expect_revert(registry, "NotCreator", h, roles.bob.address, roles.alice.address):
        registry.revoke(h, sender=roles.bob)
    receipt = registry.revoke(h, sender=roles.alice)
    [log] = receipt.decode_logs(registry.Revoked)
    assert (bytes(log.contentHash), log.creator) == (h, roles.alice.address)
    assert record_tuple(registry, h) == before[:4] + (True,) + before[5:]
    assert registry.isRegistered(h)
    with expect_revert(registry, "AlreadyRevoked", h):
        registry.revoke(h, sender=roles.alice)


# ---------------------------------------------------------------- endorsements

def test_endorsements(registry, roles, chain):
    h = content("endorsed")
    with expect_revert(registry, "NotRegistered", h):
        registry.endorse(h, roles.alice.address, 0, HUMAN_MADE, sender=roles.bob)
    t_reg = block_time(chain, registry.register(h, CONTENT, HUMAN, ZERO, [], sender=roles.alice))
    with expect_revert(registry, "ZeroClaim"):
        registry.endorse(h, roles.alice.address, t_reg, ZERO, sender=roles.bob)
    with expect_revert(registry, "RecordChanged", h, roles.alice.address, t_reg):  # names another record
        registry.endorse(h, roles.bob.address, t_reg, HUMAN_MADE, sender=roles.bob)
    with expect_revert(registry, "RecordChanged", h, roles.alice.address, t_reg):
        registry.endorse(h, roles.alice.address, t_reg - 1, HUMAN_MADE, sender=roles.bob)
    receipt = registry.endorse(h, roles.alice.address, t_reg, HUMAN_MADE, sender=roles.bob)
    t = block_time(chain, receipt)
    [log] = receipt.decode_logs(registry.Endorsed)
    assert (bytes(log.contentHash), log.endorser, bytes(log.claim)) == (h, roles.bob.address, HUMAN_MADE)
    assert registry.endorsedAt(h, roles.bob, HUMAN_MADE) == t
    assert registry.endorsedAt(h, roles.carol, HUMAN_MADE) == 0
    with expect_revert(registry, "AlreadyEndorsed", h, roles.bob.address, HUMAN_MADE):
        registry.endorse(h, roles.alice.address, t_reg, HUMAN_MADE, sender=roles.bob)
    with expect_revert(registry, "NotEndorsed", h, roles.carol.address, HUMAN_MADE):
        registry.revokeEndorsement(h, t_reg, HUMAN_MADE, sender=roles.carol)
    with expect_revert(registry, "NotEndorsed", h, roles.bob.address, HUMAN_MADE):  # no record at that time
        registry.revokeEndorsement(h, t_reg + 1, HUMAN_MADE, sender=roles.bob)
    receipt = registry.revokeEndorsement(h, t_reg, HUMAN_MADE, sender=roles.bob)
    [log] = receipt.decode_logs(registry.EndorsementRevoked)
    assert (bytes(log.contentHash), log.endorser, bytes(log.claim)) == (h, roles.bob.address, HUMAN_MADE)
    assert registry.endorsedAt(h, roles.bob, HUMAN_MADE) == 0
    chain.pending_timestamp = t + 100
    registry.endorse(h, roles.alice.address, t_reg, HUMAN_MADE, sender=roles.bob)
    assert registry.endorsedAt(h, roles.bob, HUMAN_MADE) == t + 100


def test_unknown_hash_is_reported_as_unknown(registry, roles):
    """Item 6 (failed on the old contract, which returned a zeroed record): every view about a record reverts
    NotRegistered for an unknown hash; isRegistered says False and the history view says 0."""
    h = content("never")
    assert not registry.isRegistered(h)
    for view in (registry.getRecord, registry.parentsOf, registry.revokedAt, registry.contestableUntil,
                 registry.isFinal):
        with expect_revert(registry, "NotRegistered", h):
            view(h)
    with expect_revert(registry, "NotRegistered", h):
        registry.endorsedAt(h, roles.bob, HUMAN_MADE)
    assert registry.endorsementAt(h, 0, roles.bob, HUMAN_MADE) == 0


def test_registry_keeps_the_eip170_margin():
    """The project's rule: at least 2,048 bytes below EIP-170's 24,576 (tests/toolchain only checks the limit)."""
    size = len(bytes.fromhex(container("ProvenanceRegistry").contract_type.runtime_bytecode.bytecode.removeprefix("0x")))
    assert 0 < size <= 24_576 - 2_048, f"ProvenanceRegistry: {size} bytes of runtime code"
