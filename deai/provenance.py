"""Off-chain side of the ProvenanceRegistry: content hashing, commitments, EIP-712 signatures for every signed
request (`Register`, `Reveal`, `Revoke`, `Endorse`) and an event indexer that rebuilds the registry's state from logs.

Written from the specification, not from the contract, so tests can use it as an independent oracle and the
user commands can use it to prepare gasless registrations.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import IntEnum
from pathlib import Path
from typing import Any

from eth_abi import encode
from eth_account import Account
from eth_utils import keccak

DOMAIN_NAME = "ProvenanceRegistry"
DOMAIN_VERSION = "1"
ZERO_HASH = b"\x00" * 32
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
REGISTER_TYPES = [
    {"name": "creator", "type": "address"},
    {"name": "contentHash", "type": "bytes32"},
    {"name": "kind", "type": "uint8"},
    {"name": "origin", "type": "uint8"},
    {"name": "manifestHash", "type": "bytes32"},
    {"name": "parents", "type": "bytes32[]"},
    {"name": "nonce", "type": "uint256"},
    {"name": "deadline", "type": "uint256"},
]


class Kind(IntEnum):
    CONTENT = 0
    MODEL = 1
    DATASET = 2
    PROMPT = 3


class Origin(IntEnum):
    UNSPECIFIED = 0
    HUMAN = 1
    AI_GENERATED = 2
    AI_ASSISTED = 3
    COMPOSITE = 4


def sha256_bytes(data: bytes) -> bytes:
    """The content hash convention: SHA-256 of the content's bytes (as C2PA hard bindings and ANS-112)."""
    return hashlib.sha256(data).digest()


def sha256_file(path: Path) -> bytes:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.digest()


def commitment(content_hash: bytes, committer: str, salt: bytes) -> bytes:
    """keccak256(abi.encode(contentHash, committer, salt))."""
    return keccak(encode(["bytes32", "address", "bytes32"], [content_hash, committer, salt]))


REVEAL_TYPES = [
    {"name": "creator", "type": "address"},
    {"name": "contentHash", "type": "bytes32"},
    {"name": "kind", "type": "uint8"},
    {"name": "origin", "type": "uint8"},
    {"name": "manifestHash", "type": "bytes32"},
    {"name": "parents", "type": "bytes32[]"},
    {"name": "salt", "type": "bytes32"},
    {"name": "committedAt", "type": "uint64"},
]
REVOKE_TYPES = [
    {"name": "creator", "type": "address"},
    {"name": "contentHash", "type": "bytes32"},
    {"name": "registeredAt", "type": "uint64"},
    {"name": "nonce", "type": "uint256"},
    {"name": "deadline", "type": "uint256"},
]
ENDORSE_TYPES = [
    {"name": "endorser", "type": "address"},
    {"name": "contentHash", "type": "bytes32"},
    {"name": "creator", "type": "address"},
    {"name": "registeredAt", "type": "uint64"},
    {"name": "claim", "type": "bytes32"},
    {"name": "nonce", "type": "uint256"},
    {"name": "deadline", "type": "uint256"},
]
TYPES = {"Register": REGISTER_TYPES, "Reveal": REVEAL_TYPES, "Revoke": REVOKE_TYPES, "Endorse": ENDORSE_TYPES}


def typed_data(
    primary_type: str, registry_address: str, chain_id: int, message: dict[str, Any],
    domain_name: str = DOMAIN_NAME, version: str = DOMAIN_VERSION,
) -> dict[str, Any]:
    """The full EIP-712 message of one of the registry's request types (`TYPES`)."""
    return {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            primary_type: TYPES[primary_type],
        },
        "primaryType": primary_type,
        "domain": {"name": domain_name, "version": version, "chainId": chain_id, "verifyingContract": registry_address},
        "message": message,
    }


def register_typed_data(
    registry_address: str, chain_id: int, creator: str, content_hash: bytes, kind: int, origin: int,
    manifest: bytes, parents: list[bytes], nonce: int, deadline: int,
    domain_name: str = DOMAIN_NAME, version: str = DOMAIN_VERSION,
) -> dict[str, Any]:
    """The full EIP-712 message a creator signs for `registerBySig`."""
    message = {"creator": creator, "contentHash": content_hash, "kind": kind, "origin": origin,
               "manifestHash": manifest, "parents": list(parents), "nonce": nonce, "deadline": deadline}
    return typed_data("Register", registry_address, chain_id, message, domain_name, version)


def sign_typed(private_key: Any, data: dict[str, Any]) -> bytes:
    """65-byte r||s||v signature of a full EIP-712 message with a raw private key."""
    return bytes(Account.sign_typed_data(private_key, full_message=data).signature)


def sign_register(private_key: Any, **fields: Any) -> bytes:
    """Sign a `Register` request (fields as in `register_typed_data`) with a raw private key; 65-byte r||s||v."""
    return sign_typed(private_key, register_typed_data(**fields))


REVEAL_ANY_TIME = 2**64 - 1  # the registry's marker for a plain (unsigned) reveal; never a signed time


def sign_reveal(
    private_key: Any, registry_address: str, chain_id: int, creator: str, content_hash: bytes, kind: int,
    origin: int, manifest: bytes, parents: list[bytes], salt: bytes, committed_at: int,
) -> bytes:
    """Sign a `Reveal` request for `revealBySig`: the creator authorizes the reveal of its own commitment, naming the
    commitment's on-chain time `committed_at` (read it with `commitTime` first: a creator that cannot read it must
    not sign, as its relayer may have withheld the commitment). No nonce and no deadline: the commitment is consumed
    by the reveal, and the signature is valid exactly while that commitment can be revealed. 2**64 - 1 is not a
    time (the registry refuses it: it marks a plain reveal), so it is refused here too."""
    if committed_at == REVEAL_ANY_TIME:
        raise ValueError("committed_at must be the commitment's on-chain time (read it with commitTime)")
    message = {"creator": creator, "contentHash": content_hash, "kind": kind, "origin": origin,
               "manifestHash": manifest, "parents": list(parents), "salt": salt, "committedAt": committed_at}
    return sign_typed(private_key, typed_data("Reveal", registry_address, chain_id, message))


def sign_revoke(
    private_key: Any, registry_address: str, chain_id: int, creator: str, content_hash: bytes, registered_at: int,
    nonce: int, deadline: int,
) -> bytes:
    """Sign a `Revoke` request for `revokeBySig`; it names the record (its registeredAt)."""
    message = {"creator": creator, "contentHash": content_hash, "registeredAt": registered_at, "nonce": nonce,
               "deadline": deadline}
    return sign_typed(private_key, typed_data("Revoke", registry_address, chain_id, message))


def sign_endorse(
    private_key: Any, registry_address: str, chain_id: int, endorser: str, content_hash: bytes, creator: str,
    registered_at: int, claim: bytes, nonce: int, deadline: int,
) -> bytes:
    """Sign an `Endorse` request for `endorseBySig`; it names the record (creator, registeredAt) it vouches for."""
    message = {"endorser": endorser, "contentHash": content_hash, "creator": creator, "registeredAt": registered_at,
               "claim": claim, "nonce": nonce, "deadline": deadline}
    return sign_typed(private_key, typed_data("Endorse", registry_address, chain_id, message))


def to_high_s(signature: bytes) -> bytes:
    """The malleable twin of a valid signature (s' = n - s, v flipped): same signer, must be rejected."""
    r, s, v = signature[:32], int.from_bytes(signature[32:64], "big"), signature[64]
    return r + (SECP256K1_N - s).to_bytes(32, "big") + bytes([27 if v == 28 else 28])


@dataclass(frozen=True)
class IndexedRecord:
    """A record as an indexer sees it; `revoked_at` is 0 while unrevoked."""

    creator: str
    registered_at: int
    kind: int
    origin: int
    manifest: bytes
    parents: tuple[bytes, ...]
    revoked_at: int = 0


class ProvenanceIndex:
    """The registry's state rebuilt from its events alone, applied in log order: records, pending commitments and
    endorsements (keyed by the record they vouch for: hash, the record's registeredAt, endorser, claim) and the
    signature nonces of every account that used or invalidated one."""

    def __init__(self) -> None:
        self.records: dict[bytes, IndexedRecord] = {}
        self.commits: dict[bytes, int] = {}
        self.endorsements: dict[tuple[bytes, int, str, bytes], int] = {}
        self.nonces: dict[str, int] = {}

    def apply(self, name: str, args: Mapping[str, Any]) -> None:
        h = bytes(args["contentHash"]) if "contentHash" in args else b""
        if name == "Registered":
            self.records[h] = IndexedRecord(args["creator"], args["registeredAt"], args["kind"], args["origin"],
                                            bytes(args["manifestHash"]), tuple(bytes(p) for p in args["parents"]))
        elif name == "Superseded":
            old = self.records[h]
            assert (old.creator, old.registered_at) == (args["previousCreator"], args["previousRegisteredAt"])
        elif name == "Revealed":
            del self.commits[bytes(args["commitment"])]
        elif name == "Revoked":
            self.records[h] = replace(self.records[h], revoked_at=args["revokedAt"])
        elif name == "Commit":  # a first commit, a repeat (same time) or a restart after expiry (new time)
            self.commits[bytes(args["_commitment"])] = args["_timePoint"]
        elif name == "Endorsed":
            key = (h, args["registeredAt"], args["endorser"], bytes(args["claim"]))
            self.endorsements[key] = args["endorsedAt"]
        elif name == "EndorsementRevoked":
            del self.endorsements[(h, args["registeredAt"], args["endorser"], bytes(args["claim"]))]
        elif name == "NonceUsed":
            self.nonces[args["owner"]] = args["nonce"] + 1
        elif name == "NoncesInvalidated":
            self.nonces[args["owner"]] = args["toNonce"]

    def apply_logs(self, logs: Iterable[Any]) -> None:
        """Apply decoded Ape logs (anything with `event_name` and `event_arguments`) in order."""
        for log in logs:
            self.apply(log.event_name, log.event_arguments)

    def live_endorsements(self, content_hash: bytes) -> dict[tuple[str, bytes], int]:
        """(endorser, claim) -> endorsedAt for the current record of `content_hash` only."""
        record = self.records.get(content_hash)
        return {(e, c): t for (h, at, e, c), t in self.endorsements.items()
                if record is not None and h == content_hash and at == record.registered_at}

    EVENT_FIELDS = {
        "Commit": ("_timePoint", "_from", "_commitment"),
        "Superseded": ("contentHash", "previousCreator", "newCreator", "previousRegisteredAt", "newRegisteredAt"),
        "Registered": ("contentHash", "creator", "kind", "origin", "registeredAt", "manifestHash", "parents"),
        "Revealed": ("contentHash", "creator", "commitment"),
        "Revoked": ("contentHash", "creator", "registeredAt", "revokedAt"),
        "Endorsed": ("contentHash", "endorser", "claim", "creator", "registeredAt", "endorsedAt"),
        "EndorsementRevoked": ("contentHash", "endorser", "claim", "registeredAt"),
        "NonceUsed": ("owner", "nonce"),
        "NoncesInvalidated": ("owner", "fromNonce", "toNonce"),
    }

    def apply_receipt(self, registry: Any, receipt: Any) -> None:
        """Apply the registry's events of one transaction receipt in log order (one transaction may make several
        registry calls, e.g. through a contract); only logs emitted by `registry`'s address count."""
        entries = []
        for name, fields in self.EVENT_FIELDS.items():
            for log in receipt.decode_logs(getattr(registry, name)):
                if log.contract_address == registry.address:
                    entries.append((log.log_index, name, {field: getattr(log, field) for field in fields}))
        for _, name, args in sorted(entries, key=lambda entry: entry[0]):
            self.apply(name, args)

    @classmethod
    def from_chain(cls, registry: Any, start_block: int, stop_block: int) -> "ProvenanceIndex":
        """Rebuild from the registry's logs alone (only logs emitted by `registry`'s address) in blocks
        `start_block` <= n < `stop_block`, in chain order."""
        entries = []
        for name, fields in cls.EVENT_FIELDS.items():
            for log in getattr(registry, name).range(start_block, stop_block):
                entries.append((log.block_number, log.log_index, name, {f: getattr(log, f) for f in fields}))
        index = cls()
        for _, _, name, args in sorted(entries, key=lambda entry: entry[:2]):
            index.apply(name, args)
        return index
