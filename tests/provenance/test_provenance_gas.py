"""Gas of every ProvenanceRegistry operation (receipt gasUsed on anvil), with the issue's budgets.

Deterministic (`make gas-determinism`): every block time a measurement depends on is set, and signed calldata uses
a fixed key and deadline (a random key or a clock-derived deadline changes the count of zero calldata bytes)."""

from __future__ import annotations

from eth_account import Account
from eth_utils import keccak

from deai.provenance import (ZERO_HASH, commitment, sha256_bytes, sign_endorse, sign_register, sign_reveal,
                             sign_revoke)
from deai.testing.gas import GAS_EPOCH

SIGNER = Account.from_key(keccak(text="gas-signer"))
DEADLINE = 2**40 - 1  # far future, independent of the wall clock
REGISTER_BUDGET = 50_000
BATCH_ITEM_BUDGET = 30_000
REGISTER_BY_SIG_BUDGET = 70_000
REVEAL_BY_SIG_BUDGET = 90_000


def h(label: str) -> bytes:
    return sha256_bytes(label.encode())


def test_gas_register(registry, roles, gas):
    registry.register(h("warm-up"), 0, 1, ZERO_HASH, [], sender=roles.alice)
    gas.record("ProvenanceRegistry.register (no parents, no manifest)",
               registry.register(h("a"), 0, 1, ZERO_HASH, [], sender=roles.alice), budget=REGISTER_BUDGET)
    gas.record("ProvenanceRegistry.register (manifest, 1 parent)",
               registry.register(h("b"), 0, 2, keccak(text="m"), [h("a")], sender=roles.alice))
    parents = [h(f"p{i}") for i in range(16)]
    registry.registerBatch(parents, 2, 1, [], [], sender=roles.bob)
    gas.record("ProvenanceRegistry.register (manifest, 16 parents)",
               registry.register(h("c"), 0, 4, keccak(text="m"), parents, sender=roles.alice))


def test_gas_register_batch(registry, roles, gas):
    receipt = registry.registerBatch([h(f"batch-{i}") for i in range(10)], 0, 1, [], [], sender=roles.alice)
    gas.record("ProvenanceRegistry.registerBatch (10 items)", receipt, budget=10 * BATCH_ITEM_BUDGET)
    gas.record("ProvenanceRegistry.registerBatch (per item of 10)", receipt.gas_used // 10, budget=BATCH_ITEM_BUDGET)
    items = [h(f"detailed-{i}") for i in range(10)]
    receipt = registry.registerBatch(items, 0, 1, [keccak(text=f"m{i}") for i in range(10)],
                                     [[]] + [[items[i - 1]] for i in range(1, 10)], sender=roles.alice)
    gas.record("ProvenanceRegistry.registerBatch (per item of 10, manifest + 1 parent each)", receipt.gas_used // 10)


def test_gas_register_by_sig(registry, roles, chain, gas):
    signer = SIGNER
    fields = dict(registry_address=registry.address, chain_id=chain.chain_id, creator=signer.address,
                  content_hash=h("sig"), kind=0, origin=2, manifest=ZERO_HASH, parents=[], nonce=0,
                  deadline=DEADLINE)
    receipt = registry.registerBySig(signer.address, h("sig"), 0, 2, ZERO_HASH, [], fields["deadline"],
                                     sign_register(signer.key, **fields), sender=roles.relayer)
    gas.record("ProvenanceRegistry.registerBySig (first nonce, no parents)", receipt)
    fields = dict(fields, content_hash=h("sig2"), nonce=1)
    receipt = registry.registerBySig(signer.address, h("sig2"), 0, 2, ZERO_HASH, [], fields["deadline"],
                                     sign_register(signer.key, **fields), sender=roles.relayer)
    gas.record("ProvenanceRegistry.registerBySig (next nonce, no parents)", receipt, budget=REGISTER_BY_SIG_BUDGET)


def test_gas_commit_reveal_takeover_revoke_endorse(registry, roles, chain, gas):
    salt = b"\x09" * 32
    t = GAS_EPOCH  # endorse/revokeEndorsement carry t + 1 in their calldata: fixed, not read from the clock
    chain.pending_timestamp = t
    receipt = registry.commit(commitment(h("cr"), roles.alice.address, salt), sender=roles.alice)
    gas.record("ProvenanceRegistry.commit", receipt)
    chain.pending_timestamp = t + 1
    registry.commit(commitment(h("taken"), roles.alice.address, salt), sender=roles.alice)
    chain.pending_timestamp = t + 30
    registry.register(h("taken"), 0, 2, ZERO_HASH, [], sender=roles.mallory)
    chain.pending_timestamp = t + 120
    gas.record("ProvenanceRegistry.reveal (new record)",
               registry.reveal(h("cr"), 0, 1, ZERO_HASH, [], salt, sender=roles.alice))
    chain.pending_timestamp = t + 121
    gas.record("ProvenanceRegistry.reveal (takeover)",
               registry.reveal(h("taken"), 0, 1, ZERO_HASH, [], salt, sender=roles.alice))
    chain.pending_timestamp = t + 122
    gas.record("ProvenanceRegistry.revoke", registry.revoke(h("cr"), sender=roles.alice))
    chain.pending_timestamp = t + 123
    gas.record("ProvenanceRegistry.endorse",
               registry.endorse(h("taken"), roles.alice.address, t + 1, keccak(text="ok"), sender=roles.bob))
    chain.pending_timestamp = t + 124
    gas.record("ProvenanceRegistry.revokeEndorsement",
               registry.revokeEndorsement(h("taken"), t + 1, keccak(text="ok"), sender=roles.bob))
    # A creator that committed, then registered directly, reveals its earlier commit (self-takeover).
    chain.pending_timestamp = t + 125
    registry.commit(commitment(h("self"), roles.carol.address, salt), sender=roles.carol)
    chain.pending_timestamp = t + 126
    registry.register(h("self"), 0, 1, ZERO_HASH, [], sender=roles.carol)
    chain.pending_timestamp = t + 200
    gas.record("ProvenanceRegistry.reveal (self-takeover)",
               registry.reveal(h("self"), 0, 1, ZERO_HASH, [], salt, sender=roles.carol))
    # A repeat of an expired commitment restarts its time.
    chain.pending_timestamp = t + 201
    stale = commitment(h("stale"), roles.carol.address, salt)
    registry.commit(stale, sender=roles.carol)
    chain.pending_timestamp = t + 202 + registry.maxCommitAge()
    gas.record("ProvenanceRegistry.commit (repeat after expiry, restarts)", registry.commit(stale, sender=roles.carol))


def test_gas_signed_reveal_revoke_endorse_and_nonce(registry, roles, chain, gas):
    signer = Account.from_key(keccak(text="gas-reveal-signer"))
    salt = b"\x0a" * 32
    deadline = DEADLINE
    t = GAS_EPOCH  # the commit times are signed: fixed, not read from the clock
    committed = {}
    for i, label in enumerate(("rv1", "rv2", "rv3")):
        chain.pending_timestamp = t + i
        registry.commit(commitment(h(label), signer.address, salt), sender=roles.relayer)
        committed[label] = t + i
    chain.pending_timestamp = t + 120
    registry.register(h("rv3"), 0, 2, ZERO_HASH, [], sender=roles.mallory)  # a copier, taken over below

    def reveal(label):
        chain.pending_timestamp = chain.pending_timestamp + 1
        sig = sign_reveal(signer.key, registry.address, chain.chain_id, signer.address, h(label), 0, 1, ZERO_HASH, [],
                          salt, committed[label])
        return registry.revealBySig(signer.address, h(label), 0, 1, ZERO_HASH, [], salt, committed[label], sig,
                                    sender=roles.relayer)

    # A signed reveal uses no nonce: the first of an account costs the same as any other.
    gas.record("ProvenanceRegistry.revealBySig (new record)", reveal("rv1"), budget=REVEAL_BY_SIG_BUDGET)
    gas.record("ProvenanceRegistry.revealBySig (new record, second)", reveal("rv2"), budget=REVEAL_BY_SIG_BUDGET)
    gas.record("ProvenanceRegistry.revealBySig (takeover)", reveal("rv3"), budget=REVEAL_BY_SIG_BUDGET)
    # The signer's first nonce (a fresh slot) is used by a registration, so revoke and endorse measure a next nonce.
    fields = dict(registry_address=registry.address, chain_id=chain.chain_id, creator=signer.address,
                  content_hash=h("warm-nonce"), kind=0, origin=2, manifest=ZERO_HASH, parents=[], nonce=0,
                  deadline=deadline)
    registry.registerBySig(signer.address, h("warm-nonce"), 0, 2, ZERO_HASH, [], deadline,
                           sign_register(signer.key, **fields), sender=roles.relayer)
    rv1_at = committed["rv1"]
    sig = sign_revoke(signer.key, registry.address, chain.chain_id, signer.address, h("rv1"), rv1_at, 1, deadline)
    gas.record("ProvenanceRegistry.revokeBySig",
               registry.revokeBySig(signer.address, h("rv1"), rv1_at, deadline, sig, sender=roles.relayer))
    record = registry.getRecord(h("rv2"))
    sig = sign_endorse(signer.key, registry.address, chain.chain_id, signer.address, h("rv2"), record.creator,
                       record.registeredAt, keccak(text="ok"), 2, deadline)
    gas.record("ProvenanceRegistry.endorseBySig",
               registry.endorseBySig(signer.address, h("rv2"), record.creator, record.registeredAt, keccak(text="ok"),
                                     deadline, sig, sender=roles.relayer))
    gas.record("ProvenanceRegistry.invalidateNonces", registry.invalidateNonces(100, sender=roles.alice))
    c = commitment(h("rv9"), roles.alice.address, salt)
    registry.commit(c, sender=roles.alice)
    gas.record("ProvenanceRegistry.commit (repeat, no-op)", registry.commit(c, sender=roles.mallory))
