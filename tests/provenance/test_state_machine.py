"""Stateful property test of the ProvenanceRegistry against a ghost model kept by the test.

Random actors register, batch, sign (relayed), commit (repeats and restarts after expiry included), reveal
(including front-running races between a copier's `register` and an earlier committer's `reveal`), revoke, endorse
(naming the record) and withdraw endorsements of current or replaced records, invalidate nonces and let time pass.
A gasless creator commits through a relayer and reveals by signature (naming the commit time); the relayer
front-runs everything it learns (registers the hash first, commits it for itself, reveals its own commitments),
withholds signed reveals that someone else relays later, and the creator sometimes signs before its commitment is on
chain (refused). A creator commits, a copier commits in between, the creator registers directly and then reveals its
earlier commit (self-takeover). A creator tries to undo its own revocation with a held-back commit. Each action's
outcome, success or the exact custom error, is predicted by the model first. Invariants after every step:
- every record equals the model's: creator and time change only through a legitimate earlier-commit takeover;
- the earliest successful claim wins: a record's time is the earliest time of every registration and reveal of
  its hash that succeeded, and its creator is that claim's;
- no record ever disappears;
- the parent graph is acyclic and every parent was registered no later than its child;
- a revoked record stays revoked: a creator that revoked a hash never holds it unrevoked again;
- the relayer never becomes a creator ahead of the gasless creator: it never holds a hash with a time at or before
  the creator's commitment of it, nor a hash the creator revealed;
- endorsements reported live (`endorsedAt`) are always about the current record; history (`endorsementAt`) stays;
- the state rebuilt from the receipts' events alone equals the views;
- nonces only grow: by exactly one per accepted `Register`/`Revoke`/`Endorse` signature, never for a signed reveal,
  and to N by `invalidateNonces(N)`; the index rebuilt from `NonceUsed`/`NoncesInvalidated` agrees.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest
from eth_account import Account
from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule

from deai.deploy.provenance import ProvenanceParams, deploy_provenance_registry
from deai.provenance import ZERO_HASH, ProvenanceIndex, commitment, sha256_bytes, sign_register, sign_reveal
from deai.testing.backends import on_both_backends
from deai.testing.chain_isolation import ChainStateMachine
from deai.testing.reverts import expect_revert

PARAMS = ProvenanceParams()
POOL = [sha256_bytes(f"item-{i}".encode()) for i in range(8)] + [ZERO_HASH]
SALTS = [b"\x01" * 32, b"\x02" * 32]
CLAIMS = [b"\xc1" * 32, b"\xc2" * 32, ZERO_HASH]
MANIFESTS = [ZERO_HASH, b"\xaa" * 32]
SIGNED_SALT = b"\x5a" * 32
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
    revoked_at: int = 0


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

    class SignerActor:  # the gasless creator as a rule argument: it has an address, never sends transactions
        address = signer.address

    signer_actor = SignerActor()

    class RegistryMachine(ChainStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.records: dict[bytes, Rec] = {}
            self.commits: dict[bytes, Commit] = {}
            self.endorsements: dict[tuple[bytes, int, str, bytes], int] = {}  # (hash, record time, endorser, claim)
            self.revoked_by: dict[tuple[bytes, str], int] = {}  # (hash, creator) -> revocation time, forever
            self.nonce = 0
            self.seen_nonce = 0
            self.takeovers = 0
            self.index = ProvenanceIndex()  # rebuilt from the receipts' events only
            self.signer_commits: dict[bytes, int] = {}  # hash -> the gasless creator's earliest commit time
            self.signer_revealed: set[bytes] = set()
            self.relayer_knows: set[bytes] = set()  # hashes the relayer saw in signed reveal requests
            self.withheld: dict[bytes, tuple] = {}  # hash -> a signed reveal the relayer did not relay
            self.claims: dict[bytes, list[tuple[int, str]]] = {}  # hash -> (time, creator) of each success
            self.actor_nonces: dict[str, int] = {}

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
                self.index.apply_receipt(registry, receipt)
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
                self.claims.setdefault(h, []).append((now, actor.address))

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
            if self.run(error, lambda: registry.registerBatch(hashes, 0, origin, [], [], sender=actor)):
                for h in hashes:
                    self.records[h] = Rec(actor.address, now, 0, origin, False, ZERO_HASH, ())
                    self.claims.setdefault(h, []).append((now, actor.address))

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
                self.claims.setdefault(h, []).append((now, signer.address))
                self.nonce += 1

        @rule(actor=st.sampled_from(actors), h=st.sampled_from(POOL), salt=st.sampled_from(SALTS),
              sender=st.sampled_from(actors + [None]))
        def commit(self, actor, h, salt, sender=None):
            """`sender` (a copier, a relayer) may send `actor`'s commitment; a repeat changes nothing while the
            commitment can be revealed and restarts its time once it expired."""
            now = self.tick()
            sender = sender or actor
            c = commitment(h, actor.address, salt)
            receipt = self.run(None, lambda: registry.commit(c, sender=sender))
            entry = self.commits.get(c)
            if entry is None or now > entry.time + PARAMS.max_commit_age:
                entry = self.commits[c] = Commit(actor.address, h, salt, now)
            [log] = receipt.decode_logs(registry.Commit)
            assert (log._timePoint, log._from, bytes(log._commitment)) == (entry.time, sender.address, c)

        def reveal_error(self, creator: str, h: bytes, salt: bytes, parents: list[bytes], now: int):
            c = commitment(h, creator, salt)
            entry = self.commits.get(c)
            if entry is None:
                return ("UnknownCommitment", c)
            if now < entry.time + PARAMS.min_commit_age:
                return ("CommitmentTooNew", c, entry.time + PARAMS.min_commit_age)
            if now > entry.time + PARAMS.max_commit_age:
                return ("CommitmentExpired", c, entry.time + PARAMS.max_commit_age)
            if h == ZERO_HASH:
                return ("ZeroContentHash",)
            if (rec := self.records.get(h)) is not None:
                if rec.time <= entry.time:
                    return ("AlreadyRegistered", h, rec.creator, rec.time)
                if (h, creator) in self.revoked_by:
                    return ("RevokedByCreator", h, creator, self.revoked_by[(h, creator)])
            return self.parent_error(parents, entry.time)

        def revealed(self, receipt, creator: str, h: bytes, salt: bytes, kind: int, manifest: bytes, parents):
            c = commitment(h, creator, salt)
            entry = self.commits.pop(c)
            previous = self.records.get(h)
            superseded = receipt.decode_logs(registry.Superseded)
            assert len(superseded) == (1 if previous else 0)
            if previous:
                log = superseded[0]
                assert (log.previousCreator, log.newCreator, log.previousRegisteredAt, log.newRegisteredAt) == (
                    previous.creator, creator, previous.time, entry.time)
                self.takeovers += 1
            [log] = receipt.decode_logs(registry.Revealed)
            assert (bytes(log.contentHash), log.creator, bytes(log.commitment)) == (h, creator, c)
            self.records[h] = Rec(creator, entry.time, kind, 1, False, manifest, tuple(parents))
            self.claims.setdefault(h, []).append((entry.time, creator))

        @rule(actor=st.sampled_from(actors), h=st.sampled_from(POOL), salt=st.sampled_from(SALTS),
              kind=st.integers(0, 3), manifest=st.sampled_from(MANIFESTS),
              parents=st.lists(st.sampled_from(POOL), max_size=2))
        def reveal(self, actor, h, salt, kind, manifest, parents):
            now = self.tick()
            error = self.reveal_error(actor.address, h, salt, parents, now)
            receipt = self.run(error, lambda: registry.reveal(h, kind, 1, manifest, parents, salt, sender=actor))
            if receipt:
                self.revealed(receipt, actor.address, h, salt, kind, manifest, parents)

        # ---------------------------------------------------------- the gasless creator and its relayer

        @rule(h=st.sampled_from(POOL[:8]))
        def gasless_commit(self, h):
            """The gasless creator hands the relayer only its commitment; the relayer sends it."""
            self.commit(signer_actor, h, SIGNED_SALT, sender=roles.relayer)
            if h not in self.relayer_knows:  # a commitment made before the relayer could know the hash
                c = commitment(h, signer.address, SIGNED_SALT)
                self.signer_commits[h] = min(self.signer_commits.get(h, self.commits[c].time), self.commits[c].time)

        @rule(h=st.sampled_from(POOL[:8]), front_run=st.booleans(), parents=st.lists(st.sampled_from(POOL), max_size=1),
              withhold=st.booleans(), too_early=st.booleans())
        def signed_reveal(self, h, front_run, parents, withhold, too_early):
            """The creator signs a reveal naming its commitment's on-chain time (or, `too_early`, a time it guessed
            before the commitment was on chain: refused). The relayer learns the hash and may register it first
            (same block race modelled as: just before); then it relays the signature, or withholds it."""
            c = commitment(h, signer.address, SIGNED_SALT)
            entry = self.commits.get(c)
            committed_at = entry.time if entry is not None and not too_early else self.now - 1
            self.relayer_knows.add(h)
            if front_run and h not in self.records:
                self.register(roles.relayer, h, 0, 2, ZERO_HASH, [])
            self.tick()
            signature = sign_reveal(signer.key, registry.address, chain.chain_id, signer.address, h, 2, 1, ZERO_HASH,
                                    parents, SIGNED_SALT, committed_at)
            request = (h, parents, committed_at, signature)
            if withhold:
                self.withheld[h] = request
                return
            self.relay_signed_reveal(request, roles.relayer)

        def relay_signed_reveal(self, request, sender):
            h, parents, committed_at, signature = request
            now = self.now
            c = commitment(h, signer.address, SIGNED_SALT)
            entry = self.commits.get(c)
            if entry is None:
                error = ("UnknownCommitment", c)
            elif entry.time != committed_at:
                error = ("CommitTimeMismatch", c, committed_at, entry.time)
            else:
                error = self.reveal_error(signer.address, h, SIGNED_SALT, parents, now)
            receipt = self.run(error, lambda: registry.revealBySig(signer.address, h, 2, 1, ZERO_HASH, parents,
                                                                   SIGNED_SALT, committed_at, signature,
                                                                   sender=sender))
            if receipt:
                self.revealed(receipt, signer.address, h, SIGNED_SALT, 2, ZERO_HASH, parents)
                self.signer_revealed.add(h)

        @rule(data=st.data(), sender=st.sampled_from(actors))
        def someone_relays_a_withheld_reveal(self, data, sender):
            """A signed reveal the relayer withheld is relayed later by anyone (the creator's friend, another
            relayer): it needs no nonce, so nothing the creator signed meanwhile invalidated it."""
            if not self.withheld:
                return
            h = data.draw(st.sampled_from(sorted(self.withheld)))
            self.tick()
            self.relay_signed_reveal(self.withheld.pop(h), sender)

        @rule(data=st.data(), salt=st.sampled_from(SALTS), action=st.sampled_from(["commit", "reveal", "register"]))
        def relayer_front_runs(self, data, salt, action):
            """The relayer uses every hash it learnt: commits it for itself, reveals that, or registers it."""
            if not self.relayer_knows:
                return
            h = data.draw(st.sampled_from(sorted(self.relayer_knows)))
            if action == "commit":
                self.commit(roles.relayer, h, salt)
            elif action == "reveal":
                self.reveal(roles.relayer, h, salt, 0, ZERO_HASH, [])
            else:
                self.register(roles.relayer, h, 0, 2, ZERO_HASH, [])

        @rule(actor=st.sampled_from(actors), h=st.sampled_from(POOL[:8]), gap=st.integers(1, 59))
        def creator_tries_to_undo_its_revocation(self, actor, h, gap):
            """Commit, hold it back, register directly, revoke, then reveal the held-back commit: refused."""
            if h in self.records or commitment(h, actor.address, b"\x88" * 32) in self.commits:
                return
            self.commit(actor, h, b"\x88" * 32)
            self.now += gap - 1
            self.register(actor, h, 0, 1, ZERO_HASH, [])
            if h not in self.records:  # a parent-free register of a fresh hash cannot fail, but stay honest
                return
            self.revoke(actor, h)
            self.now = max(self.now, self.commits[commitment(h, actor.address, b"\x88" * 32)].time
                           + PARAMS.min_commit_age - 1)
            self.reveal(actor, h, b"\x88" * 32, 1, ZERO_HASH, [])
            assert self.records[h].revoked and self.records[h].creator == actor.address

        @rule(actor=st.sampled_from(actors[:3]), h=st.sampled_from(POOL[:8]), gaps=st.tuples(
            st.integers(1, 20), st.integers(1, 20)), copier_reveals_first=st.booleans())
        def creator_commits_registers_then_reveals(self, actor, h, gaps, copier_reveals_first):
            """The creator commits; a copier (mallory) commits the same hash in between; the creator registers
            directly, later than the copier's commit; then both reveal (in either order). The creator's earlier commit
            always ends up the record (self-takeover when it still holds the hash)."""
            salt = b"\x99" * 32
            mine, copier = commitment(h, actor.address, salt), commitment(h, roles.mallory.address, salt)
            if h in self.records or mine in self.commits or copier in self.commits:
                return
            self.commit(actor, h, salt)
            committed_at = self.commits[mine].time
            self.now += gaps[0] - 1
            self.commit(roles.mallory, h, salt)
            self.now += gaps[1] - 1
            self.register(actor, h, 0, 1, ZERO_HASH, [])
            self.now = max(self.now, self.commits[copier].time + PARAMS.min_commit_age - 1)
            order = [(roles.mallory, 0), (actor, 3)] if copier_reveals_first else [(actor, 3), (roles.mallory, 0)]
            for revealer, kind in order:
                self.reveal(revealer, h, salt, kind, ZERO_HASH, [])
            rec = self.records[h]
            assert (rec.creator, rec.time, rec.kind) == (actor.address, committed_at, 3)

        @rule(actor=st.sampled_from(actors), jump=st.sampled_from([0, 1, 5, 2**16 - 1, 2**16]))
        def invalidate_nonces(self, actor, jump):
            self.tick()
            current = self.actor_nonces.get(actor.address, 0)
            new = current + jump
            error = None if 1 <= jump <= 2**16 - 1 else ("InvalidNonceJump", current, new, 2**16 - 1)
            receipt = self.run(error, lambda: registry.invalidateNonces(new, sender=actor))
            if receipt:
                self.actor_nonces[actor.address] = new
                [log] = receipt.decode_logs(registry.NoncesInvalidated)
                assert (log.owner, log.fromNonce, log.toNonce) == (actor.address, current, new)

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
            receipt = self.run(error, lambda: registry.revoke(h, sender=actor))
            if receipt:
                now = self.now
                self.records[h] = replace(rec, revoked=True, revoked_at=now)
                self.revoked_by[(h, actor.address)] = now
                [log] = receipt.decode_logs(registry.Revoked)
                assert (log.creator, log.registeredAt, log.revokedAt) == (actor.address, rec.time, now)

        @rule(actor=st.sampled_from(actors), h=st.sampled_from(POOL), claim=st.sampled_from(CLAIMS),
              withdraw=st.booleans(), data=st.data())
        def endorse(self, actor, h, claim, withdraw, data):
            """Endorse naming a record of `h` (usually the current one, sometimes one a takeover replaced), or
            withdraw an endorsement of the current or of a replaced record."""
            now = self.tick()
            rec = self.records.get(h)
            named = data.draw(st.sampled_from(sorted(set(self.claims.get(h, [])) | {(0, actors[0].address)})))
            if rec is not None and data.draw(st.booleans()):
                named = (rec.time, rec.creator)
            named_time, named_creator = named
            key = (h, named_time, actor.address, claim)
            if withdraw:
                error = None if key in self.endorsements else ("NotEndorsed", h, actor.address, claim)
                receipt = self.run(error, lambda: registry.revokeEndorsement(h, named_time, claim, sender=actor))
                if receipt:
                    del self.endorsements[key]
                    [log] = receipt.decode_logs(registry.EndorsementRevoked)
                    assert (log.endorser, bytes(log.claim), log.registeredAt) == (actor.address, claim, named_time)
                return
            if claim == ZERO_HASH:
                error = ("ZeroClaim",)
            elif rec is None:
                error = ("NotRegistered", h)
            elif (rec.creator, rec.time) != (named_creator, named_time):
                error = ("RecordChanged", h, rec.creator, rec.time)
            elif key in self.endorsements:
                error = ("AlreadyEndorsed", h, actor.address, claim)
            else:
                error = None
            if self.run(error, lambda: registry.endorse(h, named_creator, named_time, claim, sender=actor)):
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
                assert registry.revokedAt(h) == rec.revoked_at

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
            for actor in actors:
                assert registry.nonces(actor) == self.actor_nonces.get(actor.address, 0)

        @invariant()
        def the_earliest_successful_claim_wins(self):
            for h, claims in self.claims.items():
                earliest = min(t for t, _ in claims)
                [winner] = {creator for t, creator in claims if t == earliest}
                r = registry.getRecord(h)
                assert (r.registeredAt, r.creator) == (earliest, winner)

        @invariant()
        def commitments_match(self):
            for c, entry in self.commits.items():
                assert registry.commitTime(c) == entry.time

        @invariant()
        def live_endorsements_are_about_the_current_record(self):
            for (h, at, endorser, claim), t in self.endorsements.items():
                assert registry.endorsementAt(h, at, endorser, claim) == t  # history stays readable
                current = self.records[h].time
                assert registry.endorsedAt(h, endorser, claim) == self.endorsements.get((h, current, endorser, claim), 0)

        @invariant()
        def a_revoked_record_stays_revoked(self):
            for (h, creator), t in self.revoked_by.items():
                rec = self.records[h]
                if rec.creator == creator:
                    assert rec.revoked and registry.getRecord(h).revoked and registry.revokedAt(h) == t

        @invariant()
        def the_relayer_never_gets_ahead_of_the_gasless_creator(self):
            for h, committed_at in self.signer_commits.items():
                rec = self.records.get(h)
                if rec is not None and rec.creator == roles.relayer.address:
                    assert rec.time > committed_at and h not in self.signer_revealed
            for h in self.signer_revealed:
                assert registry.getRecord(h).creator != roles.relayer.address
            for h, rec in self.records.items():  # the relayer holds a hash only with a claim of its own
                if rec.creator == roles.relayer.address:
                    assert (rec.time, rec.creator) in self.claims[h]

        @invariant()
        def state_rebuilt_from_events_equals_the_views(self):
            """The index equals the model field by field, and the other invariants check the model against every
            view (records, parents, revokedAt, commitTime, endorsedAt, endorsementAt), so index == views after
            every step without querying the chain twice (tests/provenance/test_hardening.py also compares the
            index with the views directly)."""
            assert set(self.index.records) == set(self.records)
            for h, rec in self.records.items():
                got = self.index.records[h]
                assert (got.creator, got.registered_at, got.kind, got.origin, got.manifest, got.parents,
                        got.revoked_at) == (rec.creator, rec.time, rec.kind, rec.origin, rec.manifest, rec.parents,
                                            rec.revoked_at)
                assert rec.revoked == (rec.revoked_at != 0)
            assert self.index.commits == {c: entry.time for c, entry in self.commits.items()}
            assert self.index.endorsements == self.endorsements
            nonces = {a: n for a, n in self.actor_nonces.items() if n}
            if self.nonce:
                nonces[signer.address] = self.nonce
            assert {a: n for a, n in self.index.nonces.items() if n} == nonces

    RegistryMachine.TestCase().runTest()
