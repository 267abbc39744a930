"""Per-network deployment configuration: config/networks/<name>.yaml.

Every value the suite's constructors and wiring need comes from there, so a deployment is reproducible and
reviewable. Errors are one line: `ConfigError: config/networks/x.yaml: provenance.min_commit_age is missing`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from deai.deploy.provenance import ProvenanceParams
from deai.toolchain import PROJECT_ROOT

CONFIG_DIR = PROJECT_ROOT / "config" / "networks"


class ConfigError(ValueError):
    """A missing or invalid configuration value."""


@dataclass(frozen=True)
class SuiteConfig:
    name: str
    chain_id: int
    provenance: ProvenanceParams
    source: Path


def _get(data: dict[str, Any], dotted: str, path: Path, kind: type = int) -> Any:
    node: Any = data
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            raise ConfigError(f"{path.relative_to(PROJECT_ROOT)}: {dotted} is missing")
        node = node[part]
    if not isinstance(node, kind) or isinstance(node, bool) and kind is not bool:
        raise ConfigError(f"{path.relative_to(PROJECT_ROOT)}: {dotted} must be {kind.__name__}, got {node!r}")
    return node


def config_path(name: str) -> Path:
    return CONFIG_DIR / f"{name}.yaml"


def load_config(name: str, path: Path | None = None) -> SuiteConfig:
    path = path or config_path(name)
    if not path.exists():
        known = sorted(p.stem for p in CONFIG_DIR.glob("*.yaml"))
        raise ConfigError(f"no deployment configuration {path.name} (known: {', '.join(known)})")
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as err:
        raise ConfigError(f"{path.name}: not valid YAML ({err.__class__.__name__})") from err
    chain_id = _get(data, "chain_id", path)
    provenance = ProvenanceParams(
        min_commit_age=_get(data, "provenance.min_commit_age", path),
        max_commit_age=_get(data, "provenance.max_commit_age", path),
    )
    return SuiteConfig(name=name, chain_id=chain_id, provenance=provenance, source=path)
