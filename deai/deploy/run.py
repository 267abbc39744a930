"""The deploy command's logic, shared by scripts/deploy.py and the tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from deai.deploy.config import ConfigError, SuiteConfig, load_named, shown
from deai.deploy.contracts import MissingArtifact, container
from deai.deploy.manifest import Manifest, ManifestError
from deai.deploy.suite import (FRESH, MARKETPLACE, DeploymentError, Executor, Outcome, build_plan, external_tokens,
                               is_local, payment_tokens, resolved_addresses, token_decimals)

load_config = load_named  # tests replace it

USER_ERRORS = (ConfigError, DeploymentError, MissingArtifact, ManifestError)


@dataclass(frozen=True)
class DeployRequest:
    config_name: str
    manifest: Path | None
    dry_run: bool = False
    fresh: bool = False  # start a new manifest (the old file is kept beside it as <name>.replaced-<time>.json)


def network_config_name(network_name: str) -> str:
    """Ape's network name to a config file name: 'local' and 'sepolia' as they are, 'base:sepolia' -> 'base-sepolia'."""
    return network_name.replace(":", "-")


def check_chain_and_funds(chain_ids: tuple[int, ...], sender: Any) -> None:
    from ape import chain

    if chain.chain_id not in chain_ids:
        expected = " or ".join(str(i) for i in chain_ids)
        raise ConfigError(f"the node's chain id is {chain.chain_id}, but the configuration expects {expected}; "
                          "connect to the right --network or choose another --config")
    if sender.balance == 0:
        raise DeploymentError(f"account {sender.address} has no funds on chain {chain.chain_id}; fund it and run "
                              "again")


def check_tokens(config: SuiteConfig, deployer: str) -> None:
    """Every configured token has code on this chain and answers decimals() (a wrong address would become an
    immutable of a contract for good)."""
    from ape import chain

    web3 = chain.provider.web3
    for what, address in external_tokens(config, deployer):
        if not web3.eth.get_code(address):
            raise ConfigError(f"{what}: {address} has no code on chain {chain.chain_id}; check the address")
        if token_decimals(address) is None:
            raise ConfigError(f"{what}: {address} does not answer decimals() as an ERC-20; check the address")


def chain_reset(manifest: Manifest) -> str:
    """'' while every recorded deployment block is on this chain with its recorded hash, else which one is not."""
    from ape import chain

    web3 = chain.provider.web3
    for key, record in manifest.contracts.items():
        number, recorded = record.get("blockNumber"), record.get("blockHash")
        if not isinstance(number, int) or not isinstance(recorded, str):
            continue
        try:
            actual = web3.eth.get_block(number)["hash"].to_0x_hex()
        except Exception:  # noqa: BLE001 - BlockNotFound: the chain is shorter than the manifest
            actual = None
        if actual != recorded:
            return f"{key}'s deployment block {number} is not on this chain"
    return ""


def token_records(config: SuiteConfig, executor: Executor) -> dict[str, Any]:
    """The marketplace's stake token and allowlisted payment tokens by name, for front ends."""
    if MARKETPLACE not in executor.instances:
        return {}
    market = executor.instances[MARKETPLACE]
    by_address = {r["address"]: key for key, r in executor.manifest.contracts.items()}

    def describe(address: str) -> dict[str, Any]:
        token = container("MockERC20").at(address)  # any ERC-20 through the standard ABI
        entry = {"address": address, "name": token.name(), "symbol": token.symbol(), "decimals": token.decimals()}
        if address in by_address:
            entry["contract"] = by_address[address]
        return entry

    stake = market.stakeToken()
    payment = [token or stake for token in payment_tokens(config, executor.manifest.deployer)]
    return {"stake": describe(stake), "payment": [describe(a) for a in payment]}


def deploy_suite(request: DeployRequest, sender: Any, log: Callable[[str], None] = print) -> tuple[Executor, list[Outcome]]:
    from ape import chain

    config = load_config(request.config_name)  # a name under config/networks/ or a YAML path
    check_chain_and_funds(config.chain_ids, sender)
    plan = build_plan(config, sender.address)
    check_tokens(config, sender.address)
    manifest = Manifest.load(request.manifest, config.name, chain.chain_id, read_only=request.dry_run)
    where = request.manifest.name if request.manifest else "the manifest"
    if request.fresh:
        backup = manifest.set_aside()
        log(f"starting a fresh manifest{f' (the old one is now {backup.name})' if backup else ''}")
    elif reset := chain_reset(manifest):
        if not is_local(config):
            raise DeploymentError(f"{where}: {reset} (the chain was reset, or this is another chain); pass {FRESH} "
                                  "to start a new deployment (the old file is kept beside it)")
        backup = manifest.set_aside()
        log(f"the local chain was restarted ({reset}): starting a fresh manifest"
            f"{f' (the old one is now {backup.name})' if backup else ''}")
    executor = Executor(plan, manifest, sender, log, config_source=shown(config.source))
    outcomes = executor.run(dry_run=request.dry_run)
    if not request.dry_run:
        manifest.tokens = token_records(config, executor)
        manifest.save()
    return executor, outcomes


def resolved_summary(config_name: str, deployer: str) -> list[str]:
    """The configuration's addresses as this run resolves them ('deployer' replaced), one per line."""
    return [f"{what}: {address}" for what, address in resolved_addresses(load_named(config_name), deployer)]
