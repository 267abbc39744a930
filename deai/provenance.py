"""Off-chain side of the ProvenanceRegistry: content hashing, commitments and EIP-712 `Register` signatures.

Written from the specification, not from the contract, so tests can use it as an independent oracle and the
user commands can use it to prepare gasless registrations.
"""

from __future__ import annotations

import hashlib
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


def register_typed_data(
    registry_address: str, chain_id: int, creator: str, content_hash: bytes, kind: int, origin: int,
    manifest: bytes, parents: list[bytes], nonce: int, deadline: int,
    domain_name: str = DOMAIN_NAME, version: str = DOMAIN_VERSION,
) -> dict[str, Any]:
    """The full EIP-712 message a creator signs for `registerBySig`."""
    return {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "Register": REGISTER_TYPES,
        },
        "primaryType": "Register",
        "domain": {"name": domain_name, "version": version, "chainId": chain_id, "verifyingContract": registry_address},
        "message": {
            "creator": creator, "contentHash": content_hash, "kind": kind, "origin": origin,
            "manifestHash": manifest, "parents": list(parents), "nonce": nonce, "deadline": deadline,
        },
    }


def sign_register(private_key: Any, **fields: Any) -> bytes:
    """Sign a `Register` request (fields as in `register_typed_data`) with a raw private key; 65-byte r||s||v."""
    return bytes(Account.sign_typed_data(private_key, full_message=register_typed_data(**fields)).signature)


def to_high_s(signature: bytes) -> bytes:
    """The malleable twin of a valid signature (s' = n - s, v flipped): same signer, must be rejected."""
    r, s, v = signature[:32], int.from_bytes(signature[32:64], "big"), signature[64]
    return r + (SECP256K1_N - s).to_bytes(32, "big") + bytes([27 if v == 28 else 28])
