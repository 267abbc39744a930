"""deployments/<network>.json: what front ends read, and what lets a deployment resume.

Format (documented in the README for front-end developers):
{
  "format": 1, "network": "sepolia", "chainId": 11155111, "deployer": "0x...",
  "contracts": {"<key>": {"contract": "<name>", "address": "0x...", "transactionHash": "0x...",
                          "blockNumber": 123, "constructorArgs": [...], "abi": [...]}},
  "pending": {"<key>": {"sender": "0x...", "nonce": 7, "predictedAddress": "0x...", "fromBlock": 120}}
}
`pending` holds the intent recorded just before a deployment is sent (sender and nonce fix the address), so a
run killed between mining and writing can recognise its own contract on the next run.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deai.toolchain import PROJECT_ROOT

DEPLOYMENTS_DIR = PROJECT_ROOT / "deployments"
FORMAT = 1


@dataclass
class Manifest:
    path: Path | None
    network: str
    chain_id: int
    deployer: str = ""
    contracts: dict[str, dict[str, Any]] = field(default_factory=dict)
    pending: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None, network: str, chain_id: int) -> "Manifest":
        """Load `path` (or start empty); a manifest of another chain is refused."""
        if path is None or not path.exists():
            return cls(path, network, chain_id)
        data = json.loads(path.read_text())
        if data.get("chainId") != chain_id:
            raise ValueError(f"{path.name} records chain id {data.get('chainId')}, but the node reports {chain_id}")
        return cls(path, network, chain_id, data.get("deployer", ""), data.get("contracts", {}), data.get("pending", {}))

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT, "network": self.network, "chainId": self.chain_id, "deployer": self.deployer,
            "contracts": self.contracts, "pending": self.pending,
        }

    def save(self) -> None:
        """Write atomically (temp file + rename), so a kill never leaves a half-written manifest."""
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
        with os.fdopen(fd, "w") as handle:
            json.dump(self.to_json(), handle, indent=2)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)


def manifest_path(network: str) -> Path:
    return DEPLOYMENTS_DIR / f"{network}.json"
