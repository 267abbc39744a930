"""Ape's on-disk caches of a live network, cleared of the files a killed process left half-written.

On every network but a local dev chain (a node given by URL is Ape's network `custom`), Ape caches what it learns per
address as <APE_DATA_FOLDER>/<ecosystem>/<network>/<kind>/<address>.json (kind: contract_types, contract_creation,
proxy_info, blueprints; `ape.managers._contractscache.ApeDataCache`) and the deployments it saw in
<APE_DATA_FOLDER>/<ecosystem>/deployments_map.json. It writes them in place, not atomically; a process killed during a
write (a deploy stopped with Ctrl-C right after a transaction) leaves a truncated file. `Contract(address, abi=...)`
then logs `ERROR: Unterminated string ...` on the next read, and `ContractContainer.at(address)` (the deploy script's
resume) logs it on every run without ever rewriting the file. Everything in these files is rebuilt from the project's
artifacts or the chain, so an unreadable one is dropped before a command reads it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DEPLOYMENTS_MAP = "deployments_map.json"


def is_readable_json(path: Path) -> bool:
    """Whether `path` holds complete JSON text (what Ape's cache reads parse without an error)."""
    try:
        json.loads(path.read_text(encoding="utf8"))
    except (OSError, ValueError):  # ValueError: JSONDecodeError, or UnicodeDecodeError from a cut-off character
        return False
    return True


def cache_files(ecosystem_folder: Path, network_name: str) -> list[Path]:
    """The cache files Ape reads for `network_name` of the ecosystem whose data folder is `ecosystem_folder`."""
    files = sorted((ecosystem_folder / network_name).glob("*/*.json"))
    deployments = ecosystem_folder / DEPLOYMENTS_MAP
    return files + [deployments] if deployments.is_file() else files


def drop_unreadable(ecosystem_folder: Path, network_name: str) -> list[Path]:
    """Delete the network's cache files that are not complete JSON; return them."""
    dropped = [path for path in cache_files(ecosystem_folder, network_name) if not is_readable_json(path)]
    for path in dropped:
        path.unlink(missing_ok=True)
    return dropped


def drop_unreadable_for(network: Any) -> list[Path]:
    """`drop_unreadable` for a connected Ape network (a fork reads the cache of the network it forks, as in Ape)."""
    return drop_unreadable(network.ecosystem.data_folder, network.name.replace("-fork", ""))
