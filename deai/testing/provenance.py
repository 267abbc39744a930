"""Test helper: compare a ProvenanceRegistry's views with the state an indexer rebuilt from its events."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from deai.provenance import ProvenanceIndex


def assert_index_matches_views(registry: Any, index: ProvenanceIndex, hashes: Iterable[bytes] = ()) -> None:
    """Every record, commitment and endorsement the index holds equals the registry's views; `hashes` the index does
    not know are unknown to the registry too."""
    for h, rec in index.records.items():
        r = registry.getRecord(h)
        on_chain = (r.creator, r.registeredAt, r.kind, r.origin, r.revoked, bytes(r.manifestHash))
        assert on_chain == (rec.creator, rec.registered_at, rec.kind, rec.origin, rec.revoked_at != 0, rec.manifest)
        assert tuple(bytes(p) for p in registry.parentsOf(h)) == rec.parents
        assert registry.revokedAt(h) == rec.revoked_at
    for h in hashes:
        if h not in index.records:
            assert not registry.isRegistered(h)
    for c, t in index.commits.items():
        assert registry.commitTime(c) == t
    for (h, registered_at, endorser, claim), t in index.endorsements.items():
        assert registry.endorsementAt(h, registered_at, endorser, claim) == t
        # The live view reports only endorsements of the current record.
        live = index.endorsements.get((h, index.records[h].registered_at, endorser, claim), 0)
        assert registry.endorsedAt(h, endorser, claim) == live
