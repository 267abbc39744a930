"""Round-4 review findings on the ProvenanceRegistry, one scenario each (every test here failed on the registry of
commit ff2576b: `AlreadyCreator`, a missing function or argument, a different type hash or event, or the wrong
outcome).

1. A creator that committed and then also registered directly reveals its own earlier commit to move its record's
   time back (self-takeover), so a copier who committed in between never takes the hash over.
2. The signed reveal names the commitment's on-chain time and uses no nonce: it can only be made once the commitment
   is on chain, a relayer that withholds it gains nothing (anyone can relay it later), and it cannot be replayed.
3. `endorse` and `revokeBySig` name the record; endorsements of a replaced record can be withdrawn; an expired
   commitment re-committed restarts its time; `invalidateNonces` invalidates every nonce below N; nonce use emits
   `NonceUsed`.
4. `ProvenanceIndex.apply_receipt` applies a receipt's events in log order (several registry calls in one
   transaction, through `contracts/test/mocks/ProvenanceMultiCall.sol`).
"""

from __future__ import annotations

import pytest
from eth_abi import encode
from eth_account import Account
from eth_utils import keccak

from deai.commands import UserError, commit_file, register_file, reveal_file
from deai.deploy.contracts import deploy
from deai.deploy.provenance import ProvenanceParams
from deai.provenance import (REVEAL_ANY_TIME, ZERO_HASH, ProvenanceIndex, commitment, sha256_bytes, sha256_file,
                             sign_endorse, sign_register, sign_reveal, sign_revoke, sign_typed, typed_data)
from deai.testing.blocks import block_time
from deai.testing.provenance import assert_index_matches_views
from deai.testing.reverts import expect_revert

PARAMS = ProvenanceParams()
CONTENT, MODEL = 0, 1
HUMAN, AI_GENERATED = 1, 2
SALT, COPIER_SALT = b"\x5a" * 32, b"\x6b" * 32
VERIFIED = keccak(text="verified-creator")
MAX_NONCE_JUMP = 2**16 - 1


def content(label: str) -> bytes:
    return sha256_bytes(label.encode())


def at(chain, timestamp: int) -> None:
    chain.pending_timestamp = timestamp


def record_of(registry, h):
    r = registry.getRecord(h)
    return r.creator, r.registeredAt, r.kind, r.origin, r.revoked


# ---------------------------------------------------------------- 1. self-takeover by an earlier own commit

@pytest.mark.parametrize("copier_reveals_first", [False, True])
def test_creator_reveals_its_earlier_commit_after_registering_directly(registry, roles, chain, copier_reveals_first):
    """Alice commits at t0; bob (a copier) commits at t0+10; alice registers directly at t0+20. Alice reveals her
    commit and the record becomes hers at t0 (`Superseded(h, alice, alice, t0+20, t0)`): bob can never take it
    over, whichever of the two reveals first."""
    h = content("self-takeover")
    alice, bob = roles.alice, roles.bob
    t0 = block_time(chain, registry.commit(commitment(h, alice.address, SALT), sender=alice))
    at(chain, t0 + 10)
    registry.commit(commitment(h, bob.address, COPIER_SALT), sender=bob)
    at(chain, t0 + 20)
    registry.register(h, MODEL, HUMAN, ZERO_HASH, [], sender=alice)
    registry.endorse(h, alice.address, t0 + 20, VERIFIED, sender=roles.carol)
    at(chain, t0 + 10 + PARAMS.min_commit_age)
    if copier_reveals_first:
        registry.reveal(h, CONTENT, AI_GENERATED, ZERO_HASH, [], COPIER_SALT, sender=bob)
        assert record_of(registry, h)[:2] == (bob.address, t0 + 10)
    previous = (bob.address, t0 + 10) if copier_reveals_first else (alice.address, t0 + 20)
    receipt = registry.reveal(h, MODEL, HUMAN, keccak(text="manifest"), [], SALT, sender=alice)
    [log] = receipt.decode_logs(registry.Superseded)
    assert (log.previousCreator, log.newCreator, log.previousRegisteredAt, log.newRegisteredAt) == (
        previous[0], alice.address, previous[1], t0)
    assert record_of(registry, h) == (alice.address, t0, MODEL, HUMAN, False)
    assert bytes(registry.getRecord(h).manifestHash) == keccak(text="manifest")
    # The endorsement vouched for the record at t0+20: history, not live.
    assert registry.endorsedAt(h, roles.carol, VERIFIED) == 0
    assert registry.endorsementAt(h, t0 + 20, roles.carol, VERIFIED) > 0
    if not copier_reveals_first:
        with expect_revert(registry, "AlreadyRegistered", h, alice.address, t0):
            registry.reveal(h, CONTENT, AI_GENERATED, ZERO_HASH, [], COPIER_SALT, sender=bob)
    assert record_of(registry, h)[:2] == (alice.address, t0)


def test_self_takeover_keeps_a_revocation_final(registry, roles, chain):
    """Commit, register directly, revoke, reveal the held-back commit: refused (`RevokedByCreator`), the record stays
    revoked, unchanged."""
    h = content("regret")
    t0 = block_time(chain, registry.commit(commitment(h, roles.alice.address, SALT), sender=roles.alice))
    at(chain, t0 + 100)
    registry.register(h, MODEL, HUMAN, ZERO_HASH, [], sender=roles.alice)
    t_revoke = block_time(chain, registry.revoke(h, sender=roles.alice))
    at(chain, t0 + 200)
    with expect_revert(registry, "RevokedByCreator", h, roles.alice.address, t_revoke):
        registry.reveal(h, CONTENT, AI_GENERATED, keccak(text="new"), [], SALT, sender=roles.alice)
    assert record_of(registry, h) == (roles.alice.address, t0 + 100, MODEL, HUMAN, True)
    assert registry.revokedAt(h) == t_revoke


@pytest.mark.node_only("runs the provenance CLI against a node")
def test_cli_refuses_a_plain_register_while_its_own_commitment_is_pending(registry, roles, chain, tmp_path,
                                                                          monkeypatch):
    """`provenance register FILE` after `--commit` of the same file by the same account would give a later time
    than the commitment: the command refuses and says to reveal; another account is not affected."""
    monkeypatch.setenv("DEAI_SALT_DIR", str(tmp_path / "salts"))
    art = tmp_path / "art.png"
    art.write_bytes(b"pixels")
    committed = commit_file(registry, art, [], "content", "human", roles.alice)
    with pytest.raises(UserError, match=r"commitment for .*art.png is pending .*--reveal"):
        register_file(registry, art, [], "content", "human", roles.alice)
    assert not registry.isRegistered(sha256_file(art))
    at(chain, chain.blocks.head.timestamp + PARAMS.min_commit_age)
    chain.mine()
    result = reveal_file(registry, art, roles.alice)
    assert result["sha256"] == committed["sha256"]
    assert registry.getRecord(sha256_file(art)).creator == roles.alice.address


# ---------------------------------------------------------------- 2. the signed reveal binds the commit time

def signed_reveal(registry, chain, signer, h, committed_at, *, salt=SALT, parents=()):
    signature = sign_reveal(signer.key, registry.address, chain.chain_id, signer.address, h, CONTENT, HUMAN,
                            ZERO_HASH, list(parents), salt, committed_at)
    return (signer.address, h, CONTENT, HUMAN, ZERO_HASH, list(parents), salt, committed_at, signature)


def test_a_signed_reveal_names_the_commit_time_and_needs_no_nonce(registry, roles, signer, chain):
    """The creator can only sign once its commitment is on chain (the signature names the commit time; any other
    time reverts `CommitTimeMismatch`). The relayer withholds the signed reveal, commits the hash for itself and
    registers it; the creator meanwhile signs other requests (its nonce moves on). Anyone relays the withheld reveal
    later, within the commitment's window: the record is the creator's at its commit time."""
    h = content("gasless-withheld")
    c = commitment(h, signer.address, SALT)
    t0 = block_time(chain, registry.commit(c, sender=roles.relayer))
    at(chain, t0 + PARAMS.min_commit_age)
    guessed = signed_reveal(registry, chain, signer, h, t0 - 1)  # a signature made before the commitment landed
    with expect_revert(registry, "CommitTimeMismatch", c, t0 - 1, t0):
        registry.revealBySig(*guessed, sender=roles.relayer)
    withheld = signed_reveal(registry, chain, signer, h, t0)
    # The relayer learnt the hash: it commits it for itself and registers it; the creator signs something else.
    registry.commit(commitment(h, roles.relayer.address, COPIER_SALT), sender=roles.relayer)
    registry.register(h, CONTENT, AI_GENERATED, ZERO_HASH, [], sender=roles.relayer)
    other = content("other-work")
    deadline = t0 + 86_400
    sig = sign_register(signer.key, registry_address=registry.address, chain_id=chain.chain_id,
                        creator=signer.address, content_hash=other, kind=CONTENT, origin=HUMAN, manifest=ZERO_HASH,
                        parents=[], nonce=0, deadline=deadline)
    registry.registerBySig(signer.address, other, CONTENT, HUMAN, ZERO_HASH, [], deadline, sig, sender=roles.bob)
    assert registry.nonces(signer.address) == 1
    at(chain, t0 + PARAMS.max_commit_age)  # the last second of the creator's window
    receipt = registry.revealBySig(*withheld, sender=roles.carol)  # relayed by someone else
    assert record_of(registry, h)[:2] == (signer.address, t0)
    assert registry.nonces(signer.address) == 1 and not receipt.decode_logs(registry.NonceUsed)
    with expect_revert(registry, "AlreadyRegistered", h, signer.address, t0):
        registry.reveal(h, CONTENT, HUMAN, ZERO_HASH, [], COPIER_SALT, sender=roles.relayer)


def test_a_signed_reveal_cannot_be_replayed(registry, roles, signer, chain):
    """Once used, the commitment is consumed (`UnknownCommitment`); re-committing the same commitment gives it a new
    time, which the old signature does not name (`CommitTimeMismatch`)."""
    h = content("gasless-replay")
    c = commitment(h, signer.address, SALT)
    t0 = block_time(chain, registry.commit(c, sender=roles.relayer))
    at(chain, t0 + PARAMS.min_commit_age)
    request = signed_reveal(registry, chain, signer, h, t0)
    registry.revealBySig(*request, sender=roles.relayer)
    with expect_revert(registry, "UnknownCommitment", c):
        registry.revealBySig(*request, sender=roles.relayer)
    t1 = block_time(chain, registry.commit(c, sender=roles.relayer))
    at(chain, t1 + PARAMS.min_commit_age)
    with expect_revert(registry, "CommitTimeMismatch", c, t0, t1):
        registry.revealBySig(*request, sender=roles.relayer)
    assert bytes(registry.REVEAL_TYPEHASH()) == keccak(
        text="Reveal(address creator,bytes32 contentHash,uint8 kind,uint8 origin,bytes32 manifestHash,"
        "bytes32[] parents,bytes32 salt,uint64 committedAt)")


def test_a_signed_reveal_cannot_name_the_plain_reveal_marker(registry, roles, signer, chain):
    """Review finding (round 4, low): a Reveal signed with committedAt = 2^64 - 1 (the plain reveal's internal marker
    for "no signed time") skipped the time check, so a signature made before any commitment was on chain stayed valid
    for every later re-commit. The registry refuses it (`CommitTimeMismatch` naming the marker and the real time)
    and `sign_reveal` refuses to produce it."""
    h = content("wildcard-reveal")
    c = commitment(h, signer.address, SALT)
    message = {"creator": signer.address, "contentHash": h, "kind": CONTENT, "origin": HUMAN,
               "manifestHash": ZERO_HASH, "parents": [], "salt": SALT, "committedAt": REVEAL_ANY_TIME}
    wildcard = sign_typed(signer.key, typed_data("Reveal", registry.address, chain.chain_id, message))
    with pytest.raises(ValueError, match="on-chain time"):
        sign_reveal(signer.key, registry.address, chain.chain_id, signer.address, h, CONTENT, HUMAN, ZERO_HASH, [],
                    SALT, REVEAL_ANY_TIME)
    t0 = block_time(chain, registry.commit(c, sender=roles.relayer))
    at(chain, t0 + PARAMS.min_commit_age)
    request = (signer.address, h, CONTENT, HUMAN, ZERO_HASH, [], SALT, REVEAL_ANY_TIME, wildcard)
    with expect_revert(registry, "CommitTimeMismatch", c, REVEAL_ANY_TIME, t0):
        registry.revealBySig(*request, sender=roles.relayer)
    assert not registry.isRegistered(h)


# ---------------------------------------------------------------- 3. the smaller items

def test_endorse_names_the_record_and_a_takeover_cannot_redirect_it(registry, roles, chain):
    """Carol endorses mallory's record; bob's earlier-commit takeover lands first in the same block: carol's endorse
    reverts `RecordChanged` instead of vouching for bob's record."""
    h = content("endorse-front-run")
    t0 = block_time(chain, registry.commit(commitment(h, roles.bob.address, SALT), sender=roles.bob))
    at(chain, t0 + 5)
    registry.register(h, CONTENT, HUMAN, ZERO_HASH, [], sender=roles.mallory)
    at(chain, t0 + PARAMS.min_commit_age)
    registry.reveal(h, CONTENT, HUMAN, ZERO_HASH, [], SALT, sender=roles.bob)  # lands before carol's endorse
    with expect_revert(registry, "RecordChanged", h, roles.bob.address, t0):
        registry.endorse(h, roles.mallory.address, t0 + 5, VERIFIED, sender=roles.carol)
    with expect_revert(registry, "NotRegistered", content("unknown")):
        registry.endorse(content("unknown"), roles.bob.address, t0, VERIFIED, sender=roles.carol)
    with expect_revert(registry, "ZeroClaim"):
        registry.endorse(h, roles.bob.address, t0, ZERO_HASH, sender=roles.carol)
    receipt = registry.endorse(h, roles.bob.address, t0, VERIFIED, sender=roles.carol)
    [log] = receipt.decode_logs(registry.Endorsed)
    assert (log.creator, log.registeredAt) == (roles.bob.address, t0)
    with expect_revert(registry, "AlreadyEndorsed", h, roles.carol.address, VERIFIED):
        registry.endorse(h, roles.bob.address, t0, VERIFIED, sender=roles.carol)


def test_an_endorsement_of_a_replaced_record_can_be_withdrawn(registry, roles, chain):
    h = content("withdraw-old")
    t0 = block_time(chain, registry.commit(commitment(h, roles.bob.address, SALT), sender=roles.bob))
    at(chain, t0 + 5)
    registry.register(h, CONTENT, HUMAN, ZERO_HASH, [], sender=roles.mallory)
    registry.endorse(h, roles.mallory.address, t0 + 5, VERIFIED, sender=roles.carol)
    at(chain, t0 + PARAMS.min_commit_age)
    registry.reveal(h, CONTENT, HUMAN, ZERO_HASH, [], SALT, sender=roles.bob)
    with expect_revert(registry, "NotEndorsed", h, roles.carol.address, VERIFIED):
        registry.revokeEndorsement(h, t0, VERIFIED, sender=roles.carol)  # the current record: never endorsed
    receipt = registry.revokeEndorsement(h, t0 + 5, VERIFIED, sender=roles.carol)
    [log] = receipt.decode_logs(registry.EndorsementRevoked)
    assert (log.endorser, bytes(log.claim), log.registeredAt) == (roles.carol.address, VERIFIED, t0 + 5)
    assert registry.endorsementAt(h, t0 + 5, roles.carol, VERIFIED) == 0


def test_an_expired_commitment_recommitted_restarts_its_time(registry, roles, chain):
    h = content("stale-commit")
    c = commitment(h, roles.alice.address, SALT)
    t0 = block_time(chain, registry.commit(c, sender=roles.alice))
    at(chain, t0 + PARAMS.max_commit_age)  # still revealable: a repeat is a no-op
    receipt = registry.commit(c, sender=roles.bob)
    assert registry.commitTime(c) == t0 and receipt.decode_logs(registry.Commit)[0]._timePoint == t0
    t1 = t0 + PARAMS.max_commit_age + 1  # expired: the repeat restarts the time
    at(chain, t1)
    receipt = registry.commit(c, sender=roles.bob)
    [log] = receipt.decode_logs(registry.Commit)
    assert (log._timePoint, log._from) == (t1, roles.bob.address) and registry.commitTime(c) == t1
    at(chain, t1 + PARAMS.min_commit_age - 1)
    with expect_revert(registry, "CommitmentTooNew", c, t1 + PARAMS.min_commit_age):
        registry.reveal(h, CONTENT, HUMAN, ZERO_HASH, [], SALT, sender=roles.alice)
    at(chain, t1 + PARAMS.min_commit_age)
    registry.reveal(h, CONTENT, HUMAN, ZERO_HASH, [], SALT, sender=roles.alice)
    assert record_of(registry, h)[:2] == (roles.alice.address, t1)


def test_invalidate_nonces_below_n_and_nonce_use_is_an_event(registry, roles, chain):
    creator, key = roles.dave, roles.dave.private_key
    h = content("signed-revoke")
    t_reg = block_time(chain, registry.register(h, CONTENT, HUMAN, ZERO_HASH, [], sender=creator))
    deadline = t_reg + 3600
    handed_out = [sign_revoke(key, registry.address, chain.chain_id, creator.address, h, t_reg, n, deadline)
                  for n in range(3)]
    receipt = registry.invalidateNonces(3, sender=creator)
    [log] = receipt.decode_logs(registry.NoncesInvalidated)
    assert (log.owner, log.fromNonce, log.toNonce) == (creator.address, 0, 3) and registry.nonces(creator) == 3
    for signature in handed_out:
        with expect_revert(registry, "InvalidSignature", creator.address):
            registry.revokeBySig(creator, h, t_reg, deadline, signature, sender=roles.relayer)
    for bad in (3, 2, 3 + MAX_NONCE_JUMP + 1):
        with expect_revert(registry, "InvalidNonceJump", 3, bad, MAX_NONCE_JUMP):
            registry.invalidateNonces(bad, sender=creator)
    registry.invalidateNonces(3 + MAX_NONCE_JUMP, sender=creator)
    n = 3 + MAX_NONCE_JUMP
    good = sign_revoke(key, registry.address, chain.chain_id, creator.address, h, t_reg, n, deadline)
    receipt = registry.revokeBySig(creator, h, t_reg, deadline, good, sender=roles.relayer)
    [used] = receipt.decode_logs(registry.NonceUsed)
    assert (used.owner, used.nonce) == (creator.address, n) and registry.nonces(creator) == n + 1


def test_a_signed_revoke_names_the_record(registry, roles, chain):
    """A `Revoke` signed for the record registered directly at t0+20 does not revoke the record the same creator
    holds after revealing its earlier commit (`RecordChanged`)."""
    creator, key = roles.dave, roles.dave.private_key
    h = content("revoke-names-record")
    t0 = block_time(chain, registry.commit(commitment(h, creator.address, SALT), sender=creator))
    at(chain, t0 + 20)
    registry.register(h, CONTENT, HUMAN, ZERO_HASH, [], sender=creator)
    deadline = t0 + 86_400
    stale = sign_revoke(key, registry.address, chain.chain_id, creator.address, h, t0 + 20, 0, deadline)
    at(chain, t0 + PARAMS.min_commit_age)
    registry.reveal(h, CONTENT, HUMAN, ZERO_HASH, [], SALT, sender=creator)
    with expect_revert(registry, "RecordChanged", h, creator.address, t0):
        registry.revokeBySig(creator, h, t0 + 20, deadline, stale, sender=roles.relayer)
    with expect_revert(registry, "NotRegistered", content("nothing")):
        registry.revokeBySig(creator, content("nothing"), t0, deadline,
                             sign_revoke(key, registry.address, chain.chain_id, creator.address, content("nothing"),
                                         t0, 0, deadline), sender=roles.relayer)  # reverted: nonce 0 unused
    good = sign_revoke(key, registry.address, chain.chain_id, creator.address, h, t0, 0, deadline)
    registry.revokeBySig(creator, h, t0, deadline, good, sender=roles.relayer)
    assert registry.getRecord(h).revoked
    assert bytes(registry.REVOKE_TYPEHASH()) == keccak(
        text="Revoke(address creator,bytes32 contentHash,uint64 registeredAt,uint256 nonce,uint256 deadline)")


# ---------------------------------------------------------------- 4. the index applies a receipt in log order

def call(signature: str, types: list[str], values: list) -> bytes:
    return keccak(text=signature)[:4] + encode(types, values)


def test_index_applies_several_registry_calls_of_one_transaction_in_log_order(registry, roles, chain):
    """One transaction (through a small multi-call contract) withdraws an endorsement and endorses again, and another
    reveals a commitment and commits it again. Grouped by event type the index would delete the endorsement and the
    commitment; in log order it equals the views."""
    multi = deploy("ProvenanceMultiCall", roles.deployer, registry.address)
    h = content("multi-call")
    index = ProvenanceIndex()
    index.apply_receipt(registry, registry.register(h, CONTENT, HUMAN, ZERO_HASH, [], sender=roles.alice))
    t_reg = registry.getRecord(h).registeredAt
    endorse = call("endorse(bytes32,address,uint64,bytes32)", ["bytes32", "address", "uint64", "bytes32"],
                   [h, roles.alice.address, t_reg, VERIFIED])
    withdraw = call("revokeEndorsement(bytes32,uint64,bytes32)", ["bytes32", "uint64", "bytes32"],
                    [h, t_reg, VERIFIED])
    index.apply_receipt(registry, multi.run([endorse], sender=roles.bob))
    at(chain, t_reg + 10)
    index.apply_receipt(registry, multi.run([withdraw, endorse], sender=roles.bob))
    assert registry.endorsedAt(h, multi.address, VERIFIED) == t_reg + 10
    other = content("multi-call-commit")
    c = commitment(other, multi.address, SALT)
    index.apply_receipt(registry, multi.run([call("commit(bytes32)", ["bytes32"], [c])], sender=roles.bob))
    t_commit = registry.commitTime(c)
    at(chain, t_commit + PARAMS.min_commit_age)
    reveal = call("reveal(bytes32,uint8,uint8,bytes32,bytes32[],bytes32)",
                  ["bytes32", "uint8", "uint8", "bytes32", "bytes32[]", "bytes32"],
                  [other, CONTENT, HUMAN, ZERO_HASH, [], SALT])
    receipt = multi.run([reveal, call("commit(bytes32)", ["bytes32"], [c])], sender=roles.bob)
    index.apply_receipt(registry, receipt)
    assert registry.commitTime(c) == t_commit + PARAMS.min_commit_age
    assert index.commits == {c: t_commit + PARAMS.min_commit_age}
    assert index.endorsements == {(h, t_reg, multi.address, VERIFIED): t_reg + 10}
    assert_index_matches_views(registry, index, [h, other])


def test_the_index_ignores_look_alike_events_from_other_contracts(registry, roles, chain):
    """Review finding (round 4, untested rule): Ape decodes a receipt's logs by ABI, not by address, so another
    contract's event with the registry's signature in the same transaction would be applied. The multi-call mock
    endorses through the registry, then forges `EndorsementRevoked` for that endorsement: the index keeps it."""
    multi = deploy("ProvenanceMultiCall", roles.deployer, registry.address)
    h = content("look-alike")
    index = ProvenanceIndex()
    index.apply_receipt(registry, registry.register(h, CONTENT, HUMAN, ZERO_HASH, [], sender=roles.alice))
    t_reg = registry.getRecord(h).registeredAt
    endorse = call("endorse(bytes32,address,uint64,bytes32)", ["bytes32", "address", "uint64", "bytes32"],
                   [h, roles.alice.address, t_reg, VERIFIED])
    receipt = multi.runThenForge([endorse], h, multi.address, VERIFIED, t_reg, sender=roles.bob)
    assert len(list(receipt.decode_logs(registry.EndorsementRevoked))) == 1  # the forged log decodes as the event
    index.apply_receipt(registry, receipt)
    t_endorsed = registry.endorsedAt(h, multi.address, VERIFIED)
    assert t_endorsed != 0
    assert index.endorsements == {(h, t_reg, multi.address, VERIFIED): t_endorsed}
    assert_index_matches_views(registry, index, [h])
