"""The logic behind the user commands (`ape run provenance ...`, `ape run emission ...`), kept apart from click so
tests can call it directly. Every failure a user can cause raises `UserError` with a one-line message."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from deai.deploy.manifest import manifest_path
from deai.deploy.run import network_config_name
from deai.provenance import ZERO_HASH, Kind, Origin, sha256_file

KINDS = {k.name.lower(): int(k) for k in Kind}
ORIGINS = {"unspecified": 0, "human": 1, "ai": 2, "ai-generated": 2, "ai-assisted": 3, "composite": 4}


class UserError(Exception):
    """A problem the user can fix; shown as one line."""


def deployments_path(network_name: str, explicit: Path | None) -> Path:
    """The deployments file the deploy script writes for this network, unless one is given."""
    return explicit or manifest_path(network_config_name(network_name))


def contract_from_deployments(path: Path, key: str) -> Any:
    """The deployed contract `key` recorded in a deployments file, checked to have code on the connected chain."""
    from ape import Contract, chain

    if not path.exists():
        raise UserError(f"no deployments file {path}; deploy first (ape run deploy) or pass --deployments")
    data = json.loads(path.read_text())
    if data.get("chainId") != chain.chain_id:
        raise UserError(f"{path.name} is for chain {data.get('chainId')}, but the node is chain {chain.chain_id}")
    record = data.get("contracts", {}).get(key)
    if record is None:
        raise UserError(f"{path.name} has no {key}")
    if not chain.provider.get_code(record["address"]):
        raise UserError(f"{key} at {record['address']} has no code on this chain")
    return Contract(record["address"], abi=record["abi"])


def file_hash(path: Path) -> bytes:
    if not path.is_file():
        raise UserError(f"no such file: {path}")
    return sha256_file(path)


def register_file(registry: Any, path: Path, parents: list[Path], kind: str, origin: str, sender: Any) -> dict:
    if kind not in KINDS:
        raise UserError(f"unknown kind {kind!r}; choose one of {', '.join(KINDS)}")
    if origin not in ORIGINS:
        raise UserError(f"unknown origin {origin!r}; choose one of {', '.join(ORIGINS)}")
    content_hash = file_hash(path)
    parent_hashes = [file_hash(p) for p in parents]
    for parent, digest in zip(parents, parent_hashes):
        if not registry.isRegistered(digest):
            raise UserError(f"parent {parent} (sha256 {digest.hex()}) is not registered")
    if registry.isRegistered(content_hash):
        record = registry.getRecord(content_hash)
        raise UserError(f"{path} (sha256 {content_hash.hex()}) is already registered by {record.creator}")
    receipt = registry.register(content_hash, KINDS[kind], ORIGINS[origin], ZERO_HASH, parent_hashes, sender=sender)
    return {"sha256": content_hash.hex(), "tx": receipt.txn_hash, "gas": receipt.gas_used}


def verify_file(registry: Any, path: Path) -> dict | None:
    """The record of a file, its parents and endorsement events; None when the file is unknown."""
    content_hash = file_hash(path)
    if not registry.isRegistered(content_hash):
        return None
    record = registry.getRecord(content_hash)
    from ape import chain

    endorsements, seen = [], set()
    logs = registry.Endorsed.range(0, chain.blocks.height + 1, search_topics={"contentHash": content_hash})
    for log in logs:
        key = (log.endorser, bytes(log.claim))
        if key in seen:
            continue
        seen.add(key)
        if at := registry.endorsedAt(content_hash, log.endorser, key[1]):  # 0 once withdrawn
            endorsements.append({"endorser": log.endorser, "claim": key[1].hex(), "since": at})
    return {
        "sha256": content_hash.hex(), "creator": record.creator, "registeredAt": record.registeredAt,
        "kind": Kind(record.kind).name.lower(), "origin": Origin(record.origin).name.lower(),
        "revoked": record.revoked, "manifestHash": bytes(record.manifestHash).hex(),
        "parents": [bytes(p).hex() for p in registry.parentsOf(content_hash)], "endorsements": endorsements,
    }


def emission_status(splitter: Any) -> dict:
    from ape import chain

    now = chain.blocks.head.timestamp
    index = max(0, (now - splitter.start()) // splitter.interval())
    return {
        "emitted": splitter.totalEmitted(), "total": splitter.totalEmission(),
        "buckets": [{"claimed": splitter.claimed(b), "claimable": splitter.claimable(b)} for b in range(5)],
        "shares": list(splitter.shares()), "recipients": list(splitter.recipients()),
        "currentIntervalReward": splitter.intervalReward(index), "nextIntervalReward": splitter.intervalReward(index + 1),
        "paused": [splitter.paused(b) for b in range(5)],
    }
