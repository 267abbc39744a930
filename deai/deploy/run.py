"""The deploy command's logic, shared by scripts/deploy.py and the tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from deai.deploy.config import ConfigError, load_config
from deai.deploy.contracts import MissingArtifact
from deai.deploy.manifest import Manifest
from deai.deploy.suite import DeploymentError, Executor, Outcome, build_plan

USER_ERRORS = (ConfigError, DeploymentError, MissingArtifact, ValueError)


@dataclass(frozen=True)
class DeployRequest:
    config_name: str
    manifest: Path | None
    dry_run: bool = False


def network_config_name(network_name: str) -> str:
    """Ape's network name to a config file name: 'local' and 'sepolia' as they are, 'base:sepolia' -> 'base-sepolia'."""
    return network_name.replace(":", "-")


def check_chain_and_funds(chain_ids: tuple[int, ...], sender: Any) -> None:
    from ape import chain

    if chain.chain_id not in chain_ids:
        expected = " or ".join(str(i) for i in chain_ids)
        raise ConfigError(f"the node's chain id is {chain.chain_id}, but the configuration expects {expected}")
    if sender.balance == 0:
        raise DeploymentError(f"account {sender.address} has no funds on chain {chain.chain_id}")


def deploy_suite(request: DeployRequest, sender: Any, log: Callable[[str], None] = print) -> tuple[Executor, list[Outcome]]:
    from ape import chain

    config = load_config(request.config_name)
    check_chain_and_funds(config.chain_ids, sender)
    manifest = Manifest.load(request.manifest, request.config_name, chain.chain_id)
    executor = Executor(build_plan(config, sender.address), manifest, sender, log)
    outcomes = executor.run(dry_run=request.dry_run)
    if not request.dry_run:
        manifest.save()
    return executor, outcomes
