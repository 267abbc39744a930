"""Mutation kills (issue 16 item 6) for ProvenanceRegistry, on both backends: behaviours the in-process machine does
not reach, so that `make mutation` judges these mutants in-process instead of through the unit tests on anvil. Each
test names the mutants it kills (docs/mutation-report.md, mutation-survivors.json); the signature is made here with
the key (deai.provenance's EIP-712 encoding), and every expected value is computed from the rule."""

from __future__ import annotations

from eth_account import Account
from eth_utils import keccak

from deai.deploy.provenance import ProvenanceParams, deploy_provenance_registry
from deai.provenance import ZERO_HASH, sha256_bytes, sign_endorse
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
    over), and isFinal turns true one second later. Kills: RR of contestableUntil's return line."""
    roles, chain = backend.roles, backend.chain
    params = ProvenanceParams()
    registry = deploy_provenance_registry(roles.deployer, params)
    h = sha256_bytes(b"mutation-kill-final")
    t0 = int(chain.pending_timestamp) + 7
    chain.pending_timestamp = t0
    registry.register(h, CONTENT, HUMAN, ZERO_HASH, [], sender=roles.alice)
    until = t0 + params.max_commit_age - 1
    assert registry.contestableUntil(h) == until
    for head, final in ((until, False), (until + 1, True)):
        chain.pending_timestamp = head
        chain.mine()
        assert chain.blocks.head.timestamp == head
        assert registry.isFinal(h) == final
