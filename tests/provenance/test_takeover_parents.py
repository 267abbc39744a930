"""A takeover by an earlier commit replaces the record's parents, not only their count (a mutant that kept the copier's
parents survived both the state machine and the unit tests: mutation-survivors.json). Runs on both backends."""

from __future__ import annotations

from deai.deploy.provenance import ProvenanceParams, deploy_provenance_registry
from deai.provenance import ZERO_HASH, commitment, sha256_bytes
from deai.testing.backends import on_both_backends

PARAMS = ProvenanceParams()
SALT = b"\x42" * 32


def h(label: str) -> bytes:
    return sha256_bytes(label.encode())


@on_both_backends
def test_takeover_replaces_the_copiers_parents(backend):
    roles, chain = backend.roles, backend.chain
    registry = deploy_provenance_registry(roles.deployer, PARAMS)
    t = int(chain.pending_timestamp) + 10
    chain.pending_timestamp = t
    registry.registerBatch([h("parent-a"), h("parent-b")], 0, 0, [], [], sender=roles.bob)
    chain.pending_timestamp = t + 1
    registry.commit(commitment(h("model"), roles.alice.address, SALT), sender=roles.alice)
    chain.pending_timestamp = t + 2  # the copier registers first, with other parents
    registry.register(h("model"), 0, 2, ZERO_HASH, [h("parent-a")], sender=roles.mallory)
    assert list(registry.parentsOf(h("model"))) == [h("parent-a")]
    chain.pending_timestamp = t + 1 + PARAMS.min_commit_age
    receipt = registry.reveal(h("model"), 0, 1, ZERO_HASH, [h("parent-b")], SALT, sender=roles.alice)
    assert [log.event_name for log in receipt.events if log.event_name in ("Superseded", "Registered")] == [
        "Superseded", "Registered"]
    assert registry.getRecord(h("model")).creator == roles.alice.address
    assert list(registry.parentsOf(h("model"))) == [h("parent-b")]
