"""The logic behind the user commands (`ape run provenance ...`, `ape run emission ...`), kept apart from click so
tests can call it directly. Every failure a user can cause raises `UserError` with a one-line message."""

from __future__ import annotations

import json
import os
import secrets
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from eth_utils import keccak

from deai.deploy.manifest import checked_address, manifest_path
from deai.deploy.run import network_config_name
from deai.provenance import ZERO_HASH, Kind, Origin, commitment, sha256_file

KINDS = {k.name.lower(): int(k) for k in Kind}
ORIGINS = {"unspecified": 0, "human": 1, "ai": 2, "ai-generated": 2, "ai-assisted": 3, "composite": 4}


LOG_PAGE = 5_000  # blocks per eth_getLogs request (public RPCs cap ranges and results)
# Where `provenance register --commit` keeps each commitment's salt until the reveal (files 0600, folder 0700).
SALT_DIR_ENV = "DEAI_SALT_DIR"
_DEPLOYED_AT: dict[str, int] = {}  # contract address -> deployment block, from the deployments file


class UserError(Exception):
    """A problem the user can fix; shown as one line."""


def salt_dir() -> Path:
    return Path(os.environ.get(SALT_DIR_ENV) or Path.home() / ".deai" / "salts")


def deployments_path(network_name: str, explicit: Path | None) -> Path:
    """The deployments file the deploy script writes for this network, unless one is given."""
    return explicit or manifest_path(network_config_name(network_name))


def contract_from_deployments(path: Path, key: str) -> Any:
    """The deployed contract `key` recorded in a deployments file, checked to be the deployed code: the code at its
    address on the connected chain must have the code hash the deploy script recorded."""
    from ape import Contract, chain

    if not path.exists():
        raise UserError(f"no deployments file {path}; deploy first (ape run deploy) or pass --deployments")
    try:
        data = json.loads(path.read_text())
    except ValueError:
        raise UserError(f"{path.name} is not valid JSON; restore it or redeploy") from None
    if not isinstance(data, dict) or data.get("chainId") != chain.chain_id:
        chain_id = data.get("chainId") if isinstance(data, dict) else None
        raise UserError(f"{path.name} is for chain {chain_id}, but the node is chain {chain.chain_id}; pass the "
                        "matching --network or --deployments")
    record = data.get("contracts", {}).get(key)
    if not isinstance(record, dict):
        raise UserError(f"{path.name} has no {key}; deploy it (ape run deploy) or pass --deployments")
    address = record.get("address")
    if problem := checked_address(address):
        raise UserError(f"{path.name}: {key}.address {address!r} {problem}; restore the file or redeploy")
    code = bytes(chain.provider.get_code(address))
    if not code:
        raise UserError(f"{key} at {address} has no code on this chain; pass the matching --network or --deployments")
    expected = record.get("codeHash")
    if not isinstance(expected, str):
        raise UserError(f"{path.name} records no codeHash for {key}; redeploy with this version (ape run deploy)")
    if "0x" + keccak(code).hex() != expected.lower():
        raise UserError(f"{key} at {address} is not the deployed code ({path.name} records code hash {expected}); "
                        "check --network and --deployments")
    if isinstance(record.get("blockNumber"), int):
        _DEPLOYED_AT[address] = record["blockNumber"]
    return Contract(address, abi=record["abi"])


def deployment_block(contract: Any) -> int:
    """The block a contract loaded through contract_from_deployments was deployed in (0 if unknown)."""
    return _DEPLOYED_AT.get(contract.address, 0)


def paged_logs(event: Any, from_block: int, to_block: int, page: int = LOG_PAGE, **filters: Any) -> Iterator[Any]:
    """Logs of `event` from `from_block` to `to_block` (inclusive), requested `page` blocks at a time."""
    for start in range(from_block, to_block + 1, page):
        yield from event.range(start, min(start + page, to_block + 1), **filters)


def send(method: Any, *args: Any, sender: Any) -> Any:
    """Send a transaction; a revert becomes a one-line UserError naming the contract's custom error."""
    from ape.exceptions import ContractLogicError

    try:
        return method(*args, sender=sender)
    except ContractLogicError as err:
        detail = str(err).splitlines()[0] if str(err) else ""
        raise UserError(f"the contract refused: {type(err).__name__} {detail}".rstrip()) from None


def utc(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def file_hash(path: Path) -> bytes:
    if not path.is_file():
        raise UserError(f"no such file: {path}")
    return sha256_file(path)


def _registration(registry: Any, path: Path, parents: list[Path], kind: str, origin: str) -> tuple[bytes, list]:
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
    return content_hash, parent_hashes


def contestable_until(registry: Any, content_hash: bytes) -> int:
    """The last second at which a commitment made before the record can still take it over by a reveal."""
    return int(registry.getRecord(content_hash).registeredAt) + int(registry.maxCommitAge()) - 1


def register_file(registry: Any, path: Path, parents: list[Path], kind: str, origin: str, sender: Any) -> dict:
    """Register directly. Refused while `sender` has a commitment of the same file pending (a salt saved by
    `commit_file`): a direct registration would get a later time than that commitment; reveal it instead."""
    content_hash = file_hash(path)
    pending = salt_file(registry, content_hash, sender.address)
    if pending.exists():
        raise UserError(f"a commitment for {path} is pending in {pending}; reveal it with --reveal (its time is "
                        "earlier than a registration now), or delete that file to register directly")
    content_hash, parent_hashes = _registration(registry, path, parents, kind, origin)
    receipt = send(registry.register, content_hash, KINDS[kind], ORIGINS[origin], ZERO_HASH, parent_hashes,
                   sender=sender)
    return {"sha256": content_hash.hex(), "tx": receipt.txn_hash, "gas": receipt.gas_used,
            "contestableUntil": contestable_until(registry, content_hash)}


def salt_file(registry: Any, content_hash: bytes, committer: str) -> Path:
    from ape import chain

    return salt_dir() / f"{chain.chain_id}-{registry.address}-{committer}-{content_hash.hex()}.json"


def commit_file(registry: Any, path: Path, parents: list[Path], kind: str, origin: str, sender: Any) -> dict:
    """Step 1 of commit-reveal: a fresh random salt is saved (file mode 0600, before anything is sent, so a crash
    cannot lose it), then keccak256(contentHash, committer, salt) is committed. The registration itself is
    `reveal_file`, from minCommitAge to maxCommitAge after the commit."""
    content_hash, parent_hashes = _registration(registry, path, parents, kind, origin)
    target = salt_file(registry, content_hash, sender.address)
    if target.exists():
        raise UserError(f"a commitment for {path} is already saved in {target}; reveal it (--reveal) or delete the "
                        "file to commit again")
    salt = secrets.token_bytes(32)
    digest = commitment(content_hash, sender.address, salt)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(target.parent, 0o700)
    saved = {"registry": registry.address, "committer": sender.address, "sha256": content_hash.hex(),
             "kind": kind, "origin": origin, "parents": [p.hex() for p in parent_hashes], "salt": salt.hex(),
             "commitment": digest.hex()}
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(saved, handle)
    receipt = send(registry.commit, digest, sender=sender)
    committed_at = int(registry.commitTime(digest))
    return {"sha256": content_hash.hex(), "commitment": digest.hex(), "saltFile": str(target), "tx": receipt.txn_hash,
            "revealFrom": committed_at + int(registry.minCommitAge()),
            "revealUntil": committed_at + int(registry.maxCommitAge())}


def reveal_file(registry: Any, path: Path, sender: Any) -> dict:
    """Step 2 of commit-reveal: reveal with the saved salt; the salt file is removed once the record is on chain."""
    from ape import chain

    content_hash = file_hash(path)
    source = salt_file(registry, content_hash, sender.address)
    if not source.exists():
        raise UserError(f"no saved commitment for {path} by {sender.address} in {source.parent}; commit first "
                        "(provenance register --commit)")
    saved = json.loads(source.read_text())
    digest = bytes.fromhex(saved["commitment"])
    committed_at = int(registry.commitTime(digest))
    if committed_at == 0:
        raise UserError(f"the commitment in {source} is not on chain (never mined, or already revealed); delete the "
                        "file and commit again")
    now = int(chain.blocks.head.timestamp)
    opens, closes = committed_at + int(registry.minCommitAge()), committed_at + int(registry.maxCommitAge())
    if now + 1 < opens:  # the reveal lands in the next block at the earliest
        raise UserError(f"the commitment can be revealed from {utc(opens)}; run --reveal again then")
    if now >= closes:
        raise UserError(f"the commitment expired at {utc(closes)}; delete {source} and commit again")
    receipt = send(registry.reveal, content_hash, KINDS[saved["kind"]], ORIGINS[saved["origin"]], ZERO_HASH,
                   [bytes.fromhex(p) for p in saved["parents"]], bytes.fromhex(saved["salt"]), sender=sender)
    source.unlink()
    return {"sha256": content_hash.hex(), "tx": receipt.txn_hash, "gas": receipt.gas_used,
            "registeredAt": committed_at, "contestableUntil": contestable_until(registry, content_hash)}


def verify_file(registry: Any, path: Path) -> dict | None:
    """The record of a file, its parents, its finality and endorsements; None when the file is unknown.

    `endorsements` lists only live endorsements of the current record. Endorsements found in the logs that vouch for
    a record this hash had before a takeover are listed apart, under `earlierRecordEndorsements`, with the record
    (creator, registeredAt) they are about: they are history, not about the current record."""
    content_hash = file_hash(path)
    if not registry.isRegistered(content_hash):
        return None
    record = registry.getRecord(content_hash)
    from ape import chain

    live, earlier, seen = [], [], set()
    logs = paged_logs(registry.Endorsed, deployment_block(registry), chain.blocks.height,
                      search_topics={"contentHash": content_hash})
    for log in logs:
        key = (log.endorser, bytes(log.claim), log.registeredAt)
        if key in seen:
            continue
        seen.add(key)
        at = registry.endorsementAt(content_hash, log.registeredAt, log.endorser, key[1])  # 0 once withdrawn
        if not at:
            continue
        entry = {"endorser": log.endorser, "claim": key[1].hex(), "since": at}
        if log.registeredAt == record.registeredAt:
            live.append(entry)
        else:
            earlier.append(dict(entry, record_creator=log.creator, record_registeredAt=log.registeredAt))
    return {
        "sha256": content_hash.hex(), "creator": record.creator, "registeredAt": record.registeredAt,
        "kind": Kind(record.kind).name.lower(), "origin": Origin(record.origin).name.lower(),
        "revoked": record.revoked, "revokedAt": registry.revokedAt(content_hash),
        "contestableUntil": registry.contestableUntil(content_hash), "final": registry.isFinal(content_hash),
        "manifestHash": bytes(record.manifestHash).hex(),
        "parents": [bytes(p).hex() for p in registry.parentsOf(content_hash)], "endorsements": live,
        "earlierRecordEndorsements": earlier,
    }


def verify_lines(record: dict) -> list[str]:
    """`ape run provenance verify` output: the record, then live endorsements, then those about an earlier record."""
    lines = [f"{key:>17}: {value}" for key, value in record.items()
             if key not in ("endorsements", "earlierRecordEndorsements")]
    for e in record["endorsements"]:
        lines.append(f"{'endorsement':>17}: live, about this record: {e['endorser']} claims {e['claim']} "
                     f"since {e['since']}")
    for e in record["earlierRecordEndorsements"]:
        lines.append(f"{'endorsement':>17}: NOT about the current record (it vouches for the record of "
                     f"{e['record_creator']} registered at {e['record_registeredAt']}, replaced by a takeover): "
                     f"{e['endorser']} claims {e['claim']} since {e['since']}")
    return lines


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
