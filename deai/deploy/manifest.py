"""deployments/<network>.json: what front ends read, and what lets a deployment resume.

Format 2 (documented in the README for front-end developers; every value reads back exactly with JSON.parse):
{
  "format": 2, "network": "sepolia", "chainId": 11155111, "deployer": "0x...",
  "contracts": {"<key>": {"contract": "<name>", "address": "0x...", "nonce": 7, "transactionHash": "0x...",
                          "blockNumber": 123, "blockHash": "0x...", "deployTime": 1700000000, "codeHash": "0x...",
                          "constructorArgs": ["60", "0x...", ["0x...", ...]], "abi": [...]}},
  "tokens": {"stake": {"address": "0x...", "name": "...", "symbol": "...", "decimals": 6}, "payment": [{...}]},
  "pending": {"<key>": {"sender": "0x...", "nonce": 7, "predictedAddress": "0x...", "fromBlock": 120, ...}}
}
Integers in constructorArgs are decimal strings (a uint256 does not fit a JavaScript number); the other numbers
are below 2^53. `pending` holds the intent recorded just before a deployment is sent (sender and nonce fix the
address), so a run killed between mining and writing can recognise its own contract on the next run. A manifest
belongs to its deployer. The file is written atomically with mode 0644 (web servers read it).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_utils import is_checksum_address

from deai.toolchain import PROJECT_ROOT

DEPLOYMENTS_DIR = PROJECT_ROOT / "deployments"
FORMAT = 2
FILE_MODE = 0o644


class ManifestError(ValueError):
    """A manifest that cannot be trusted as it is; one line saying what to do."""


@dataclass
class Manifest:
    path: Path | None
    network: str
    chain_id: int
    deployer: str = ""
    contracts: dict[str, dict[str, Any]] = field(default_factory=dict)
    pending: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, Any] = field(default_factory=dict)
    read_only: bool = False  # a dry run: save() writes nothing

    @classmethod
    def load(cls, path: Path | None, network: str, chain_id: int, read_only: bool = False) -> "Manifest":
        """Load `path` (or start empty); a manifest of another chain or format, or a malformed one, is refused."""
        if path is None or not path.exists():
            return cls(path, network, chain_id, read_only=read_only)
        try:
            data = json.loads(path.read_text())
        except (ValueError, OSError) as err:
            raise ManifestError(f"{path.name}: not readable JSON ({err.__class__.__name__}); restore it or move it "
                                "away") from None
        if not isinstance(data, dict) or data.get("chainId") != chain_id:
            raise ManifestError(f"{path.name} records chain id {data.get('chainId') if isinstance(data, dict) else None}"
                                f", but the node reports {chain_id}; connect to the right network or pass --manifest")
        if data.get("format") != FORMAT:
            raise ManifestError(f"{path.name} has format {data.get('format')}, this version writes {FORMAT}; pass "
                                "--fresh-manifest to start a new one (the old file is kept beside it)")
        deployer = data.get("deployer", "")
        if deployer:
            manifest_address(deployer, "deployer", path.name)
        return cls(path, network, chain_id, deployer, data.get("contracts", {}), data.get("pending", {}),
                   data.get("tokens", {}), read_only)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT, "network": self.network, "chainId": self.chain_id, "deployer": self.deployer,
            "contracts": self.contracts, "tokens": self.tokens, "pending": self.pending,
        }

    def set_aside(self) -> Path | None:
        """Start afresh: move the file (if any) to <name>.replaced-<unix time>.json; nothing in a dry run."""
        self.deployer, self.contracts, self.pending, self.tokens = "", {}, {}, {}
        if self.path is None or not self.path.exists() or self.read_only:
            return None
        import time

        backup = self.path.with_name(f"{self.path.stem}.replaced-{int(time.time())}{self.path.suffix}")
        os.replace(self.path, backup)
        return backup

    def save(self) -> None:
        """Write atomically (temp file + rename), so a kill never leaves a half-written manifest; mode 0644."""
        if self.path is None or self.read_only:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
        with os.fdopen(fd, "w") as handle:
            json.dump(self.to_json(), handle, indent=2)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, self.path)


def manifest_path(network: str) -> Path:
    return DEPLOYMENTS_DIR / f"{network}.json"


ZERO_ADDRESS = "0x" + "00" * 20


def checked_address(value: Any) -> str:
    """'' for a non-zero EIP-55 checksummed address, else what is wrong with it."""
    if not isinstance(value, str) or not value.startswith("0x") or len(value) != 42:
        return "is not an address"
    try:
        int(value, 16)
    except ValueError:
        return "is not an address"
    if value == ZERO_ADDRESS:
        return "is the zero address"
    if not is_checksum_address(value):
        return "is not EIP-55 checksummed (mistyped, or written in one case)"
    return ""


def manifest_address(value: Any, what: str, where: str) -> str:
    """An address read from a manifest, or a one-line error (ValueError subclasses are shown as such)."""
    problem = checked_address(value)
    if problem:
        raise ManifestError(f"{where}: {what} {value!r} {problem}; restore the file from a trusted copy or redeploy")
    return value


def json_value(value: Any) -> Any:
    """What a front end reads back exactly with JSON.parse: integers as decimal strings (a uint256 does not fit a
    JavaScript number), bytes as 0x hex, addresses and contracts as checksummed strings, sequences as arrays."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if isinstance(value, str):
        return value
    if hasattr(value, "address"):
        return str(value.address)
    raise TypeError(f"cannot write {type(value).__name__} to a manifest")
