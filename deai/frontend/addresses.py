"""Typed addresses from the deployment manifests (deployments/<network>.json), keyed by chain id.

Read defensively: the deployment tooling owns the format (chain ids and numbers may be JSON numbers or decimal
strings). Local manifests (`local*.json`: an anvil chain, chain id 31337, rebuilt by every `make demo` and ignored by
git) are skipped: their addresses are not stable, so a local dApp reads `deployments/local.json` at run time instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_utils import is_address, to_checksum_address

from deai.deploy.manifest import DEPLOYMENTS_DIR


class ManifestError(ValueError):
    """A manifest the addresses module cannot be generated from (the message says which and why)."""


@dataclass(frozen=True)
class Deployment:
    chain_id: int
    network: str
    contracts: dict[str, tuple[str, str]]  # manifest key -> (contract name, checksummed address)


def _int(value: Any, what: str, path: Path) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).isdigit():
        raise ManifestError(f"{path.name}: {what} must be a decimal number, got {value!r}")
    return int(value)


def read_manifest(path: Path) -> Deployment:
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise ManifestError(f"{path.name}: not JSON ({err})") from err
    chain_id = _int(data.get("chainId"), "chainId", path)
    contracts: dict[str, tuple[str, str]] = {}
    for key, record in sorted((data.get("contracts") or {}).items()):
        address = record.get("address") if isinstance(record, dict) else None
        if not isinstance(address, str) or not is_address(address):
            raise ManifestError(f"{path.name}: contracts.{key}.address is not an address: {address!r}")
        contracts[key] = (str(record.get("contract") or key), to_checksum_address(address))
    return Deployment(chain_id, str(data.get("network") or path.stem), contracts)


def deployments(directory: Path = DEPLOYMENTS_DIR) -> list[Deployment]:
    """Every non-local manifest in `directory`, by chain id; two manifests for one chain id are refused."""
    found: dict[int, Deployment] = {}
    for path in sorted(directory.glob("*.json")) if directory.is_dir() else []:
        if path.name.startswith(("local", ".")):
            continue
        deployment = read_manifest(path)
        if deployment.chain_id in found:
            raise ManifestError(f"{path.name} and {found[deployment.chain_id].network}.json both record chain id "
                                f"{deployment.chain_id}; keep one")
        found[deployment.chain_id] = deployment
    return sorted(found.values(), key=lambda d: d.chain_id)
