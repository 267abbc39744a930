"""Stateful property test of the ProvenanceRegistry against a ghost model kept by the test.

Random actors register, batch, sign (relayed), commit, reveal (including front-running races between a copier's
`register` and an earlier committer's `reveal`), revoke, endorse and let time pass. Each action's outcome, success
or the exact custom error, is predicted by the model first. Invariants after every step:
- every record equals the model's: creator and time change only through a legitimate earlier-commit takeover;
- no record ever disappears;
- the parent graph is acyclic and every parent was registered no later than its child;
- revoked stays revoked (unless the whole record is taken over by an earlier commit);
- nonces only grow, by exactly one per accepted signature.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest
from eth_account import Account
from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule

from deai.deploy.provenance import ProvenanceParams, deploy_provenance_registry
from deai.provenance import ZERO_HASH, commitment, sha256_bytes, sign_register
from deai.testing.backends import on_both_backends
from deai.testing.chain_isolation import ChainStateMachine
from deai.testing.reverts import expect_revert

PARAMS = ProvenanceParams()
POOL = [sha256_bytes(f"item-{i}".encode()) for i in range(8)] + [ZERO_HASH]
SALTS = [b"\x01" * 32, b"\x02" * 32]
CLAIMS = [b"\xc1" * 32, b"\xc2" * 32, ZERO_HASH]
MANIFESTS = [ZERO_HASH, b"\xaa" * 32]
WAITS = [1, 30, PARAMS.min_commit_age - 1, PARAMS.min_commit_age, PARAMS.max_commit_age - 60,
         PARAMS.max_commit_age, PARAMS.max_commit_age + 1, 3 * 86_400]


@dataclass(frozen=True)
class Rec:
    creator: str
    time: int
    kind: int
    origin: int
    revoked: bool
    manifest: bytes
    parents: tuple[bytes, ...]


@dataclass(frozen=True)
class Commit:
    committer: str
    content_hash: bytes
    salt: bytes
    time: int


@on_both_backends
def test_provenance_state_machine(backend):
    roles, chain = backend.roles, backend.chain
    registry = deploy_provenance_registry(roles.deployer, PARAMS)
    actors = [roles.alice, roles.bob, roles.carol, roles.mallory]
    signer = Account.create("state-machine-signer")

    class RegistryMachine(ChainStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.records: dict[bytes, Rec] = {}
            self.commits: dict[bytes, Commit] = {}
            self.endorsements: dict[tuple[bytes, str, bytes], int] = {}
            self.nonce = 0
            self.seen_nonce = 0
            self.takeovers = 0

        # ---------------------------------------------------------- model helpers

        def parent_error(self, parents: list[bytes], latest: int):
            if len(parents) > 16:
                return ("TooManyParents", len(parents), 16)
            for i, parent in enumerate(parents):
                if parent in parents[:i]:
                    return ("DuplicateParent", parent)
                rec = self.records.get(parent)
                if rec is None:
                    return ("UnknownParent", parent)
                if rec.revoked:
                    return ("RevokedParent", parent)
                if rec.time > latest:
                    return ("ParentTooRecent", parent, rec.time, latest)
            return None

        def register_error(self, h: bytes, kind: int, origin: int, parents: list[bytes], now: int):
            if kind > 3:
                return ("InvalidKind", kind)
            if origin > 4:
                return ("InvalidOrigin", origin)
            if h == ZERO_HASH:
                return ("ZeroContentHash",)
            if (rec := self.records.get(h)) is not None:
                return ("AlreadyRegistered", h, rec.creator, rec.time)
            return self.parent_error(parents, now)

        def run(self, expected_error, action):
            if expected_error is None:
                receipt = action()
                assert chain.blocks[receipt.block_number].timestamp == self.now
                return receipt
            with expect_revert(registry, *expected_error):
                action()
            return None

        # ---------------------------------------------------------- rules
        @rule(actor=st.sampled_from(actors), h=st.sampled_from(POOL), kind=st.integers(0, 4),
              origin=st.integers(0, 5), manifest=st.sampled_from(MANIFESTS),
              parents=st.lists(st.sampled_from(POOL), max_size=3))
        def register(self, actor, h, kind, origin, manifest, parents):
            now = self.tick()
            error = self.register_error(h, kind, origin, parents, now)
            if self.run(error, lambda: registry.register(h, kind, origin, manifest, parents, sender=actor)):
                self.records[h] = Rec(actor.address, now, kind, origin, False, manifest, tuple(parents))

        @rule(actor=st.sampled_from(actors), hashes=st.lists(st.sampled_from(POOL), min_size=1, max_size=4),
              origin=st.integers(0, 4))
        def register_batch(self, actor, hashes, origin):
            now = self.tick()
            error, seen = None, set(self.records)
            for h in hashes:
                if h == ZERO_HASH:
                    error = ("ZeroContentHash",)
                elif h in seen:
                    rec = self.records.get(h)
                    error = ("AlreadyRegistered", h, rec.creator if rec else actor.address, rec.time if rec else now)
                if error:
                    break
                seen.add(h)
            if self.run(error, lambda: registry.registerBatch(hashes, 0, origin, sender=actor)):
                for h in hashes:
                    self.records[h] = Rec(actor.address, now, 0, origin, False, ZERO_HASH, ())

        @rule(h=st.sampled_from(POOL), parents=st.lists(st.sampled_from(POOL), max_size=2),
              nonce_offset=st.sampled_from([0, 0, 0, -1, 1]), expired=st.booleans())
        def register_by_sig(self, h, parents, nonce_offset, expired):
            now = self.tick()
            nonce = self.nonce + nonce_offset
            nonce = nonce if nonce >= 0 else self.nonce + 2  # a replayed (past) or a future nonce
            deadline = now - 1 if expired else now + 3600
            fields = dict(registry_address=registry.address, chain_id=chain.chain_id, creator=signer.address,
                          content_hash=h, kind=1, origin=2, manifest=ZERO_HASH, parents=parents,
                          nonce=nonce, deadline=deadline)
            signature = sign_register(signer.key, **fields)
            if expired:
                error = ("ExpiredSignature", deadline)
            elif nonce != self.nonce:
                error = ("InvalidSignature", signer.address)  # a replayed or future nonce
            else:
                error = self.register_error(h, 1, 2, parents, now)
            if self.run(error, lambda: registry.registerBySig(signer.address, h, 1, 2, ZERO_HASH, parents, deadline,
                                                              signature, sender=roles.relayer)):
                self.records[h] = Rec(signer.address, now, 1, 2, False, ZERO_HASH, tuple(parents))
                self.nonce += 1

        @rule(actor=st.sampled_from(actors), h=st.sampled_from(POOL), salt=st.sampled_from(SALTS))
        def commit(self, actor, h, salt):
            now = self.tick()
            c = commitment(h, actor.address, salt)
            error = ("AlreadyCommitted", c, self.commits[c].time) if c in self.commits else None
            if self.run(error, lambda: registry.commit(c, sender=actor)):
                self.commits[c] = Commit(actor.address, h, salt, now)

        @rule(actor=st.sampled_from(actors), h=st.sampled_from(POOL), salt=st.sampled_from(SALTS),
              kind=st.integers(0, 3), manifest=st.sampled_from(MANIFESTS),
              parents=st.lists(st.sampled_from(POOL), max_size=2))
        def reveal(self, actor, h, salt, kind, manifest, parents):
            now = self.tick()
            c = commitment(h, actor.address, salt)
            entry = self.commits.get(c)
            error = None
            if entry is None:
                error = ("UnknownCommitment", c)
            elif now < entry.time + PARAMS.min_commit_age:
                error = ("CommitmentTooNew", c, entry.time + PARAMS.min_commit_age)
            elif now > entry.time + PARAMS.max_commit_age:
                error = ("CommitmentExpired", c, entry.time + PARAMS.max_commit_age)
            elif h == ZERO_HASH:
                error = ("ZeroContentHash",)
            elif (rec := self.records.get(h)) is not None and rec.time <= entry.time:
                error = ("AlreadyRegistered", h, rec.creator, rec.time)
            else:
                error = self.parent_error(parents, entry.time)
            receipt = self.run(error, lambda: registry.reveal(h, kind, 1, manifest, parents, salt, sender=actor))
            if receipt:
                previous = self.records.get(h)
                superseded = receipt.decode_logs(registry.Superseded)
                assert len(superseded) == (1 if previous else 0)
                if previous:
                    assert (superseded[0].previousCreator, superseded[0].newCreator) == (previous.creator, actor.address)
                    self.takeovers += 1
                self.records[h] = Rec(actor.address, entry.time, kind, 1, False, manifest, tuple(parents))
                del self.commits[c]

        @rule(committer=st.sampled_from(actors[:3]), h=st.sampled_from(POOL[:8]), gap=st.integers(1, 59))
        def front_running_race(self, committer, h, gap):
            """A committer's hash is copied from the mempool and registered first by mallory; the reveal wins."""
            if h in self.records:
                return
            c = commitment(h, committer.address, b"\x77" * 32)
            if c in self.commits:
                return
            self.commit(committer, h, b"\x77" * 32)
            self.now += gap - 1
            self.register(roles.mallory, h, 0, 2, ZERO_HASH, [])
            assert self.records[h].creator == roles.mallory.address
            self.now = max(self.now, self.commits[c].time + PARAMS.min_commit_age - 1)
            self.reveal(committer, h, b"\x77" * 32, 0, ZERO_HASH, [])
            assert self.records[h].creator == committer.address

        @rule(actor=st.sampled_from(actors + [None]), h=st.sampled_from(POOL))
        def revoke(self, actor, h):
            self.tick()
            rec = self.records.get(h)
            actor = actor or next((a for a in actors if rec and a.address == rec.creator), actors[0])
            if rec is None:
                error = ("NotRegistered", h)
            elif rec.creator != actor.address:
                error = ("NotCreator", h, actor.address, rec.creator)
            elif rec.revoked:
                error = ("AlreadyRevoked", h)
            else:
                error = None
            if self.run(error, lambda: registry.revoke(h, sender=actor)):
                self.records[h] = replace(rec, revoked=True)

        @rule(actor=st.sampled_from(actors), h=st.sampled_from(POOL), claim=st.sampled_from(CLAIMS),
              withdraw=st.booleans())
        def endorse(self, actor, h, claim, withdraw):
            now = self.tick()
            key = (h, actor.address, claim)
            if withdraw:
                error = None if key in self.endorsements else ("NotEndorsed", h, actor.address, claim)
                if self.run(error, lambda: registry.revokeEndorsement(h, claim, sender=actor)):
                    del self.endorsements[key]
                return
            if claim == ZERO_HASH:
                error = ("ZeroClaim",)
            elif h not in self.records:
                error = ("NotRegistered", h)
            elif key in self.endorsements:
                error = ("AlreadyEndorsed", h, actor.address, claim)
            else:
                error = None
            if self.run(error, lambda: registry.endorse(h, claim, sender=actor)):
                self.endorsements[key] = now

        @rule(seconds=st.one_of(st.sampled_from(WAITS), st.integers(1, 200_000)))
        def wait(self, seconds):
            self.now += seconds

        # ---------------------------------------------------------- invariants
        @invariant()
        def records_match_the_model_and_never_disappear(self):
            for h in POOL:
                rec = self.records.get(h)
                assert registry.isRegistered(h) == (rec is not None)
                if rec is None:
                    continue
                r = registry.getRecord(h)
                on_chain = (r.creator, r.registeredAt, r.kind, r.origin, r.revoked, bytes(r.manifestHash))
                assert on_chain == (rec.creator, rec.time, rec.kind, rec.origin, rec.revoked, rec.manifest)
                assert tuple(bytes(p) for p in registry.parentsOf(h)) == rec.parents

        @invariant()
        def graph_is_acyclic_and_parents_are_older(self):
            graph = {h: [bytes(p) for p in registry.parentsOf(h)] for h in self.records}
            for child, parents in graph.items():
                for parent in parents:
                    assert parent in self.records, "a parent vanished"
                    assert self.records[parent].time <= self.records[child].time
            state: dict[bytes, int] = {}

            def visit(node: bytes) -> None:
                state[node] = 1
                for parent in graph.get(node, []):
                    assert state.get(parent) != 1, "cycle in the parent graph"
                    if parent not in state:
                        visit(parent)
                state[node] = 2

            for node in graph:
                if node not in state:
                    visit(node)

        @invariant()
        def nonces_only_grow(self):
            nonce = registry.nonces(signer.address)
            assert nonce >= self.seen_nonce and nonce == self.nonce
            self.seen_nonce = nonce

        @invariant()
        def commitments_and_endorsements_match(self):
            for c, entry in self.commits.items():
                assert registry.commitTime(c) == entry.time
            for (h, endorser, claim), t in self.endorsements.items():
                assert registry.endorsedAt(h, endorser, claim) == t

    RegistryMachine.TestCase().runTest()
