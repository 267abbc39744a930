"""Issue 14: front-running protection for gasless creators (signed commit-reveal), endorsements bound to a record,
final revocation, events that rebuild the registry, finality views, signed revoke/endorse, nonce invalidation,
batches with manifests and parents, ERC-5732.

Every test here failed on the registry before issue 14 (a missing function or view, a different event, or the
wrong outcome), except `test_relayer_attack_on_register_by_sig_reproduced`, which reproduces the reported attack on
`registerBySig` (still possible by design: that path hands the relayer the hash) and shows the protected path."""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_utils import keccak

from deai.commands import verify_file, verify_lines
from deai.deploy.contracts import deploy
from deai.deploy.provenance import ProvenanceParams
from deai.provenance import (ZERO_HASH, ProvenanceIndex, commitment, sha256_bytes, sign_endorse, sign_register,
                             sign_reveal, sign_revoke)
from deai.testing.blocks import block_time
from deai.testing.provenance import assert_index_matches_views
from deai.testing.reverts import expect_revert

PARAMS = ProvenanceParams()
CONTENT, MODEL, DATASET, PROMPT = range(4)
UNSPECIFIED, HUMAN, AI_GENERATED = range(3)
VERIFIED = keccak(text="verified-creator")
SALT = b"\x5a" * 32


def content(label: str) -> bytes:
    return sha256_bytes(label.encode())


def reveal_sig(registry, chain, key, creator, h, committed_at, *, kind=CONTENT, origin=HUMAN, manifest=ZERO_HASH,
               parents=(), salt=SALT):
    return sign_reveal(key, registry.address, chain.chain_id, creator, h, kind, origin, manifest, list(parents), salt,
                       committed_at)


# ---------------------------------------------------------------- item 1: gasless creators and relayers

def test_relayer_attack_on_register_by_sig_reproduced(registry, roles, signer, chain):
    """The reported attack: a relayer handed a `registerBySig` signature commits the hash first, relays 61 s later,
    then reveals and becomes the creator with an earlier time. Still possible through `registerBySig` (documented:
    it hands the relayer the hash); the protected path is `commit` + `revealBySig` (next test)."""
    h = content("gasless-artwork")
    t0 = block_time(chain, registry.commit(commitment(h, roles.relayer.address, SALT), sender=roles.relayer))
    deadline = t0 + 3600
    fields = dict(registry_address=registry.address, chain_id=chain.chain_id, creator=signer.address,
                  content_hash=h, kind=CONTENT, origin=HUMAN, manifest=ZERO_HASH, parents=[], nonce=0,
                  deadline=deadline)
    chain.pending_timestamp = t0 + 61
    registry.registerBySig(signer.address, h, CONTENT, HUMAN, ZERO_HASH, [], deadline,
                           sign_register(signer.key, **fields), sender=roles.relayer)
    assert registry.getRecord(h).creator == signer.address and registry.nonces(signer.address) == 1
    chain.pending_timestamp = t0 + 7200
    registry.reveal(h, CONTENT, HUMAN, ZERO_HASH, [], SALT, sender=roles.relayer)
    assert (registry.getRecord(h).creator, registry.getRecord(h).registeredAt) == (roles.relayer.address, t0)


def test_signed_commit_reveal_protects_a_gasless_creator_from_its_relayer(registry, roles, signer, chain):
    """The creator hands the relayer only the commitment (it binds the creator and hides the hash); the relayer
    submits it. The relayer cannot reveal it for itself, cannot redirect the signed reveal, and whatever it does once
    it learns the hash (register it first, commit it itself) the record ends up the creator's with the commit time."""
    h = content("gasless-artwork")
    c = commitment(h, signer.address, SALT)
    assert bytes(registry.commitmentOf(h, signer.address, SALT)) == c
    t0 = block_time(chain, registry.commit(c, sender=roles.relayer))
    chain.pending_timestamp = t0 + PARAMS.min_commit_age
    with expect_revert(registry, "UnknownCommitment", commitment(h, roles.relayer.address, SALT)):
        registry.reveal(h, CONTENT, HUMAN, ZERO_HASH, [], SALT, sender=roles.relayer)
    signature = reveal_sig(registry, chain, signer.key, signer.address, h, t0)
    # The relayer now knows the hash: it registers it first and commits it for itself...
    registry.register(h, CONTENT, AI_GENERATED, ZERO_HASH, [], sender=roles.relayer)
    t_relayer_commit = block_time(chain, registry.commit(commitment(h, roles.relayer.address, SALT),
                                                         sender=roles.relayer))
    # ...and cannot turn the creator's signature into its own record or another record. (Each block time is set:
    # one left to the clock could pass the relayer's reveal time below.)
    chain.pending_timestamp = t_relayer_commit + 1
    with expect_revert(registry, "InvalidSignature", roles.relayer.address):
        registry.revealBySig(roles.relayer.address, h, CONTENT, HUMAN, ZERO_HASH, [], SALT, t0, signature,
                             sender=roles.relayer)
    chain.pending_timestamp = t_relayer_commit + 2
    with expect_revert(registry, "InvalidSignature", signer.address):
        registry.revealBySig(signer.address, h, CONTENT, AI_GENERATED, ZERO_HASH, [], SALT, t0, signature,
                             sender=roles.relayer)
    chain.pending_timestamp = t_relayer_commit + 3
    receipt = registry.revealBySig(signer.address, h, CONTENT, HUMAN, ZERO_HASH, [], SALT, t0, signature,
                                   sender=roles.relayer)
    record = registry.getRecord(h)
    assert (record.creator, record.registeredAt, record.origin) == (signer.address, t0, HUMAN)
    assert registry.nonces(signer.address) == 0  # a signed reveal uses no nonce
    [sup] = receipt.decode_logs(registry.Superseded)
    assert (sup.previousCreator, sup.newCreator, sup.newRegisteredAt) == (roles.relayer.address, signer.address, t0)
    [rev] = receipt.decode_logs(registry.Revealed)
    assert (bytes(rev.contentHash), rev.creator, bytes(rev.commitment)) == (h, signer.address, c)
    # The relayer's own later commit can never take the creator's earlier record.
    chain.pending_timestamp = t_relayer_commit + PARAMS.min_commit_age
    with expect_revert(registry, "AlreadyRegistered", h, signer.address, t0):
        registry.reveal(h, CONTENT, HUMAN, ZERO_HASH, [], SALT, sender=roles.relayer)
    # The signature is spent (the commitment is consumed).
    with expect_revert(registry, "UnknownCommitment", c):
        registry.revealBySig(signer.address, h, CONTENT, HUMAN, ZERO_HASH, [], SALT, t0, signature,
                             sender=roles.mallory)


def test_reveal_by_sig_window_and_contract_wallet(registry, roles, signer, chain):
    """A signed reveal has no deadline of its own: it is valid exactly while its commitment can be revealed."""
    h = content("wallet-art")
    wallet = deploy("MockERC1271Wallet", roles.deployer, signer.address)
    c = commitment(h, wallet.address, SALT)
    t0 = block_time(chain, registry.commit(c, sender=roles.relayer))
    signature = reveal_sig(registry, chain, signer.key, wallet.address, h, t0)
    chain.pending_timestamp = t0 + PARAMS.min_commit_age - 1
    with expect_revert(registry, "CommitmentTooNew", c, t0 + PARAMS.min_commit_age):
        registry.revealBySig(wallet.address, h, CONTENT, HUMAN, ZERO_HASH, [], SALT, t0, signature,
                             sender=roles.relayer)
    late = content("wallet-art-late")
    c_late = commitment(late, wallet.address, SALT)
    t1 = block_time(chain, registry.commit(c_late, sender=roles.relayer))
    late_signature = reveal_sig(registry, chain, signer.key, wallet.address, late, t1)
    chain.pending_timestamp = t0 + PARAMS.max_commit_age  # the last second of h's window
    registry.revealBySig(wallet.address, h, CONTENT, HUMAN, ZERO_HASH, [], SALT, t0, signature, sender=roles.relayer)
    assert registry.getRecord(h).creator == wallet.address and registry.getRecord(h).registeredAt == t0
    chain.pending_timestamp = t1 + PARAMS.max_commit_age + 1  # one second after late's window
    with expect_revert(registry, "CommitmentExpired", c_late, t1 + PARAMS.max_commit_age):
        registry.revealBySig(wallet.address, late, CONTENT, HUMAN, ZERO_HASH, [], SALT, t1, late_signature,
                             sender=roles.relayer)
    assert bytes(registry.REVEAL_TYPEHASH()) == keccak(
        text="Reveal(address creator,bytes32 contentHash,uint8 kind,uint8 origin,bytes32 manifestHash,"
        "bytes32[] parents,bytes32 salt,uint64 committedAt)")


# ---------------------------------------------------------------- item 3: revocation is final

def test_creator_cannot_undo_its_revocation_with_a_held_back_commit(registry, roles, chain):
    """The reported case: commit, register directly, revoke, reveal the held-back commit. The reveal used to
    un-revoke and rewrite the record with only `Superseded(h, A, A)`; now it is refused (`RevokedByCreator`: a
    creator may reveal an earlier own commit, test_review_round4.py, but never after revoking)."""
    h = content("regret")
    t0 = block_time(chain, registry.commit(commitment(h, roles.alice.address, SALT), sender=roles.alice))
    chain.pending_timestamp = t0 + 100
    registry.register(h, MODEL, HUMAN, ZERO_HASH, [], sender=roles.alice)
    receipt = registry.revoke(h, sender=roles.alice)
    t_revoke = block_time(chain, receipt)
    [log] = receipt.decode_logs(registry.Revoked)
    assert (log.creator, log.registeredAt, log.revokedAt) == (roles.alice.address, t0 + 100, t_revoke)
    chain.pending_timestamp = t0 + 200
    with expect_revert(registry, "RevokedByCreator", h, roles.alice.address, t_revoke):
        registry.reveal(h, CONTENT, AI_GENERATED, keccak(text="new"), [], SALT, sender=roles.alice)
    record = registry.getRecord(h)
    assert (record.creator, record.registeredAt, record.kind, record.revoked) == (roles.alice.address, t0 + 100,
                                                                                 MODEL, True)
    assert registry.revokedAt(h) == t_revoke


def test_revocation_survives_an_intermediate_takeover(registry, roles, chain):
    """Alice commits, Bob commits, Alice registers and revokes, Bob takes over (earlier commit); Alice's even earlier
    commit can no longer bring her unrevoked record back."""
    h = content("contested")
    t_alice = block_time(chain, registry.commit(commitment(h, roles.alice.address, SALT), sender=roles.alice))
    chain.pending_timestamp = t_alice + 5
    registry.commit(commitment(h, roles.bob.address, SALT), sender=roles.bob)
    chain.pending_timestamp = t_alice + 10
    registry.register(h, CONTENT, HUMAN, ZERO_HASH, [], sender=roles.alice)
    t_revoke = block_time(chain, registry.revoke(h, sender=roles.alice))
    chain.pending_timestamp = t_alice + PARAMS.min_commit_age + 5
    registry.reveal(h, CONTENT, HUMAN, ZERO_HASH, [], SALT, sender=roles.bob)
    assert registry.getRecord(h).creator == roles.bob.address and registry.revokedAt(h) == 0
    with expect_revert(registry, "RevokedByCreator", h, roles.alice.address, t_revoke):
        registry.reveal(h, CONTENT, HUMAN, ZERO_HASH, [], SALT, sender=roles.alice)
    assert registry.getRecord(h).creator == roles.bob.address


def test_revoke_by_sig_and_nonce_invalidation(registry, roles, chain):
    """A creator revokes without gas; before that, it cancels a signed request it handed out by using up its nonce."""
    creator, key = roles.dave, roles.dave.private_key
    h = content("signed-revoke")
    deadline = chain.pending_timestamp + 3600
    t_reg = block_time(chain, registry.register(h, CONTENT, HUMAN, ZERO_HASH, [], sender=creator))
    stale = sign_revoke(key, registry.address, chain.chain_id, creator.address, h, t_reg, 0, deadline)
    receipt = registry.invalidateNonces(1, sender=creator)
    [log] = receipt.decode_logs(registry.NoncesInvalidated)
    assert (log.owner, log.fromNonce, log.toNonce) == (creator.address, 0, 1)
    assert registry.nonces(creator) == 1
    with expect_revert(registry, "InvalidSignature", creator.address):
        registry.revokeBySig(creator, h, t_reg, deadline, stale, sender=roles.relayer)
    with expect_revert(registry, "InvalidSignature", creator.address):  # someone else's key
        registry.revokeBySig(creator, h, t_reg, deadline, sign_revoke(Account.create().key, registry.address,
                                                                      chain.chain_id, creator.address, h, t_reg, 1,
                                                                      deadline),
                             sender=roles.relayer)
    other = content("not-mine")
    t_other = block_time(chain, registry.register(other, CONTENT, HUMAN, ZERO_HASH, [], sender=roles.alice))
    sig = sign_revoke(key, registry.address, chain.chain_id, creator.address, other, t_other, 1, deadline)
    with expect_revert(registry, "NotCreator", other, creator.address, roles.alice.address):
        registry.revokeBySig(creator, other, t_other, deadline, sig, sender=roles.relayer)
    good = sign_revoke(key, registry.address, chain.chain_id, creator.address, h, t_reg, 1, deadline)
    receipt = registry.revokeBySig(creator, h, t_reg, deadline, good, sender=roles.relayer)
    [log] = receipt.decode_logs(registry.Revoked)
    assert log.creator == creator.address and registry.getRecord(h).revoked
    assert registry.revokedAt(h) == block_time(chain, receipt)
    late = sign_revoke(key, registry.address, chain.chain_id, creator.address, h, t_reg, 2, deadline)
    chain.pending_timestamp = deadline + 1
    with expect_revert(registry, "ExpiredSignature", deadline):
        registry.revokeBySig(creator, h, t_reg, deadline, late, sender=roles.relayer)
    assert bytes(registry.ENDORSE_TYPEHASH()) == keccak(
        text="Endorse(address endorser,bytes32 contentHash,address creator,uint64 registeredAt,bytes32 claim,"
        "uint256 nonce,uint256 deadline)")


# ---------------------------------------------------------------- item 2: endorsements belong to a record

@pytest.mark.node_only("runs the provenance CLI against a node")
def test_endorsements_follow_the_record_not_the_hash(registry, roles, chain, tmp_path):
    """The reported case: a verifier endorses a copier's record; an earlier committer takes it over; the endorsement
    must not stand on the new record, in the views or in `ape run provenance verify`, and stays readable."""
    artwork = tmp_path / "artwork.png"
    artwork.write_bytes(b"pixels of the original artwork")
    h = sha256_bytes(artwork.read_bytes())
    t0 = block_time(chain, registry.commit(commitment(h, roles.alice.address, SALT), sender=roles.alice))
    chain.pending_timestamp = t0 + 10
    t_copy = block_time(chain, registry.register(h, CONTENT, HUMAN, ZERO_HASH, [], sender=roles.mallory))
    chain.pending_timestamp = t0 + 20
    receipt = registry.endorse(h, roles.mallory.address, t_copy, VERIFIED, sender=roles.carol)
    t_endorse = block_time(chain, receipt)
    [log] = receipt.decode_logs(registry.Endorsed)
    assert (log.creator, log.registeredAt, log.endorsedAt) == (roles.mallory.address, t_copy, t_endorse)
    assert registry.endorsedAt(h, roles.carol, VERIFIED) == t_endorse
    chain.pending_timestamp = t0 + PARAMS.min_commit_age
    registry.reveal(h, CONTENT, HUMAN, ZERO_HASH, [], SALT, sender=roles.alice)
    assert registry.endorsedAt(h, roles.carol, VERIFIED) == 0
    assert registry.endorsementAt(h, t_copy, roles.carol, VERIFIED) == t_endorse  # history stays readable
    with expect_revert(registry, "NotEndorsed", h, roles.carol.address, VERIFIED):  # not of the current record
        registry.revokeEndorsement(h, t0, VERIFIED, sender=roles.carol)
    record = verify_file(registry, artwork)
    assert record["creator"] == roles.alice.address and record["endorsements"] == []
    assert record["earlierRecordEndorsements"] == [{
        "endorser": roles.carol.address, "claim": VERIFIED.hex(), "since": t_endorse,
        "record_creator": roles.mallory.address, "record_registeredAt": t_copy}]
    assert any("NOT about the current record" in line for line in verify_lines(record))
    # The verifier can vouch for the new record; the two endorsements are kept apart.
    chain.pending_timestamp = t0 + PARAMS.min_commit_age + 10
    t_again = block_time(chain, registry.endorse(h, roles.alice.address, t0, VERIFIED, sender=roles.carol))
    assert registry.endorsedAt(h, roles.carol, VERIFIED) == t_again
    assert registry.endorsementAt(h, t_copy, roles.carol, VERIFIED) == t_endorse
    record = verify_file(registry, artwork)
    assert [e["since"] for e in record["endorsements"]] == [t_again]
    assert [e["since"] for e in record["earlierRecordEndorsements"]] == [t_endorse]


def test_endorse_by_sig_names_the_record(registry, roles, signer, chain):
    h = content("to-vouch")
    t0 = block_time(chain, registry.commit(commitment(h, roles.alice.address, SALT), sender=roles.alice))
    chain.pending_timestamp = t0 + 10
    t_copy = block_time(chain, registry.register(h, CONTENT, HUMAN, ZERO_HASH, [], sender=roles.mallory))
    deadline = t0 + 3600
    stale = sign_endorse(signer.key, registry.address, chain.chain_id, signer.address, h, roles.mallory.address,
                         t_copy, VERIFIED, 0, deadline)
    chain.pending_timestamp = t0 + PARAMS.min_commit_age
    registry.reveal(h, CONTENT, HUMAN, ZERO_HASH, [], SALT, sender=roles.alice)
    with expect_revert(registry, "RecordChanged", h, roles.alice.address, t0):
        registry.endorseBySig(signer.address, h, roles.mallory.address, t_copy, VERIFIED, deadline, stale,
                              sender=roles.relayer)
    good = sign_endorse(signer.key, registry.address, chain.chain_id, signer.address, h, roles.alice.address, t0,
                        VERIFIED, 0, deadline)
    with expect_revert(registry, "InvalidSignature", signer.address):  # tampered claim
        registry.endorseBySig(signer.address, h, roles.alice.address, t0, keccak(text="other"), deadline, good,
                              sender=roles.relayer)
    receipt = registry.endorseBySig(signer.address, h, roles.alice.address, t0, VERIFIED, deadline, good,
                                    sender=roles.relayer)
    [log] = receipt.decode_logs(registry.Endorsed)
    assert (log.endorser, log.creator, log.registeredAt) == (signer.address, roles.alice.address, t0)
    assert registry.endorsedAt(h, signer.address, VERIFIED) == block_time(chain, receipt)
    unknown = content("unknown")
    sig = sign_endorse(signer.key, registry.address, chain.chain_id, signer.address, unknown, roles.alice.address,
                       t0, VERIFIED, 1, deadline)
    with expect_revert(registry, "NotRegistered", unknown):
        registry.endorseBySig(signer.address, unknown, roles.alice.address, t0, VERIFIED, deadline, sig,
                              sender=roles.relayer)


# ---------------------------------------------------------------- item 4: events rebuild the registry

@pytest.mark.node_only("pages logs through Ape's event range query")
def test_state_rebuilt_from_logs_alone_equals_the_views(registry, roles, signer, chain):
    start = chain.blocks.height
    base, child, image, copy, revealed = (content(x) for x in ("base", "child", "image", "copy", "revealed"))
    registry.registerBatch([base, child], DATASET, HUMAN, [keccak(text="m"), ZERO_HASH], [[], [base]],
                           sender=roles.bob)
    t_image = block_time(chain, registry.commit(commitment(image, roles.alice.address, SALT), sender=roles.alice))
    registry.commit(commitment(image, roles.alice.address, SALT), sender=roles.mallory)  # a repeat
    t_revealed = block_time(chain, registry.commit(commitment(revealed, roles.carol.address, SALT),
                                                   sender=roles.relayer))
    chain.pending_timestamp = t_image + 5
    t_fake = block_time(chain, registry.register(image, CONTENT, AI_GENERATED, keccak(text="fake"), [base],
                                                 sender=roles.mallory))
    registry.endorse(image, roles.mallory.address, t_fake, VERIFIED, sender=roles.dave)
    registry.endorse(image, roles.mallory.address, t_fake, keccak(text="withdrawn"), sender=roles.dave)
    registry.revokeEndorsement(image, t_fake, keccak(text="withdrawn"), sender=roles.dave)
    registry.revoke(image, sender=roles.mallory)
    registry.register(copy, PROMPT, HUMAN, ZERO_HASH, [], sender=roles.carol)
    registry.revoke(copy, sender=roles.carol)
    registry.commit(commitment(copy, roles.bob.address, SALT), sender=roles.bob)  # stays pending
    chain.pending_timestamp = t_image + PARAMS.min_commit_age + 1
    registry.reveal(image, CONTENT, HUMAN, ZERO_HASH, [child], SALT, sender=roles.alice)  # takeover, parent child
    registry.reveal(revealed, MODEL, AI_GENERATED, keccak(text="card"), [base], SALT, sender=roles.carol)
    registry.endorse(image, roles.alice.address, t_image, VERIFIED, sender=roles.dave)
    index = ProvenanceIndex.from_chain(registry, start, chain.blocks.height + 1)
    assert set(index.records) == {base, child, image, copy, revealed}
    assert index.records[image].registered_at == t_image and index.records[image].revoked_at == 0
    assert index.records[revealed].registered_at == t_revealed  # the commit time, not the block time
    assert len(index.commits) == 1 and len(index.endorsements) == 2
    assert_index_matches_views(registry, index, [content("never")])


# ---------------------------------------------------------------- item 6: views, batches, ERC-5732

def test_finality_views(registry, roles, chain):
    h = content("final")
    t = block_time(chain, registry.register(h, CONTENT, HUMAN, ZERO_HASH, [], sender=roles.alice))
    assert registry.contestableUntil(h) == t + PARAMS.max_commit_age - 1
    for head, final in ((t + PARAMS.max_commit_age - 1, False), (t + PARAMS.max_commit_age, True)):
        chain.pending_timestamp = head
        chain.mine()
        assert chain.blocks.head.timestamp == head
        assert registry.isFinal(h) == final


def test_contestable_until_is_the_last_second_a_takeover_works(registry, roles, chain):
    """A commit one second before the registration can be revealed exactly at contestableUntil; after it, every
    older commit has expired and the record is final."""
    h, h2 = content("edge"), content("edge-2")
    t_a = block_time(chain, registry.commit(commitment(h2, roles.alice.address, SALT), sender=roles.alice))
    chain.pending_timestamp = t_a + 1
    registry.commit(commitment(h, roles.alice.address, SALT), sender=roles.alice)
    chain.pending_timestamp = t_a + 2
    registry.registerBatch([h, h2], CONTENT, HUMAN, [], [], sender=roles.mallory)
    until = registry.contestableUntil(h)
    assert until == t_a + 1 + PARAMS.max_commit_age
    chain.pending_timestamp = until
    registry.reveal(h, CONTENT, HUMAN, ZERO_HASH, [], SALT, sender=roles.alice)
    assert registry.getRecord(h).creator == roles.alice.address
    chain.pending_timestamp = until + 1
    c2 = commitment(h2, roles.alice.address, SALT)
    with expect_revert(registry, "CommitmentExpired", c2, t_a + PARAMS.max_commit_age):
        registry.reveal(h2, CONTENT, HUMAN, ZERO_HASH, [], SALT, sender=roles.alice)
    assert registry.isFinal(h2)


def test_batch_with_manifests_and_parents_per_item(registry, roles, chain):
    a, b, c = content("a"), content("b"), content("c")
    m = [keccak(text="ma"), ZERO_HASH, keccak(text="mc")]
    receipt = registry.registerBatch([a, b, c], DATASET, HUMAN, m, [[], [a], [a, b]], sender=roles.bob)
    t = block_time(chain, receipt)
    for h, manifest, parents in zip((a, b, c), m, ([], [a], [a, b])):
        r = registry.getRecord(h)
        assert (r.creator, r.registeredAt, bytes(r.manifestHash)) == (roles.bob.address, t, manifest)
        assert [bytes(p) for p in registry.parentsOf(h)] == parents
    logs = receipt.decode_logs(registry.Registered)
    assert [(bytes(x.contentHash), x.registeredAt, [bytes(p) for p in x.parents]) for x in logs] == [
        (a, t, []), (b, t, [a]), (c, t, [a, b])]
    d, e = content("d"), content("e")
    with expect_revert(registry, "BatchLengthMismatch", 2, 1, 0):
        registry.registerBatch([d, e], DATASET, HUMAN, [ZERO_HASH], [], sender=roles.bob)
    with expect_revert(registry, "BatchLengthMismatch", 2, 0, 3):
        registry.registerBatch([d, e], DATASET, HUMAN, [], [[], [], []], sender=roles.bob)
    with expect_revert(registry, "UnknownParent", e):  # a later item cannot be a parent
        registry.registerBatch([d, e], DATASET, HUMAN, [], [[e], []], sender=roles.bob)
    assert not registry.isRegistered(d)


def test_erc5732_and_erc165(registry):
    assert registry.supportsInterface(bytes.fromhex("f14fcbc8"))
    assert registry.supportsInterface(bytes.fromhex("01ffc9a7"))
    assert not registry.supportsInterface(bytes.fromhex("67b2ec2c"))  # commitFrom is not implemented
    assert not registry.supportsInterface(bytes.fromhex("ffffffff"))
    assert keccak(text="commit(bytes32)")[:4].hex() == "f14fcbc8"


@pytest.mark.parametrize("creator_is_wallet", [False, True])
def test_permissive_erc1271_wallet_is_the_wallets_defect(registry, roles, chain, creator_is_wallet):
    """Documented: a wallet whose isValidSignature accepts anything lets anyone register for it. Only that wallet is
    affected; a normal wallet and every EOA still need their own signature."""
    h = content(f"permissive-{creator_is_wallet}")
    permissive = deploy("MockPermissiveWallet", roles.deployer)
    strict = deploy("MockERC1271Wallet", roles.deployer, roles.alice.address)
    creator = permissive if creator_is_wallet else strict
    deadline = chain.pending_timestamp + 3600
    junk = b"\x01" * 65
    if creator_is_wallet:
        registry.registerBySig(creator.address, h, CONTENT, HUMAN, ZERO_HASH, [], deadline, junk, sender=roles.mallory)
        assert registry.getRecord(h).creator == permissive.address
    else:
        with expect_revert(registry, "InvalidSignature", strict.address):
            registry.registerBySig(creator.address, h, CONTENT, HUMAN, ZERO_HASH, [], deadline, junk,
                                   sender=roles.mallory)
