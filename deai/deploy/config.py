"""Per-network deployment configuration: config/networks/<name>.yaml.

Every value the suite's constructors and wiring need comes from there, so a deployment is reproducible and
reviewable. Errors are one line: `ConfigError: config/networks/x.yaml: provenance.min_commit_age is missing`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from deai.deploy.emission import EmissionParams
from deai.deploy.marketplace import MarketplaceParams
from deai.deploy.provenance import ProvenanceParams
from deai.deploy.rewards import COMPUTE, RewardsParams
from deai.toolchain import PROJECT_ROOT

CONFIG_DIR = PROJECT_ROOT / "config" / "networks"


class ConfigError(ValueError):
    """A missing or invalid configuration value."""


@dataclass(frozen=True)
class Recipient:
    """A bucket recipient: a reward pool to deploy (`pool` = staking or managed), an address (`address`), or (the
    Compute bucket only) a ComputeRewards contract fed by the marketplace's ProviderRegistry (`rewards`)."""

    pool: str | None = None
    address: str | None = None
    deposit_token: str | None = None  # staking pools: an address, or "mock" (local only) for a MockERC20 LP token
    manager: str | None = None  # managed pools
    min_stake: int = 0  # staking pools: the minimal stake (0: none)
    withdraw_lock: int = 0  # staking pools: seconds an own stake locks withdrawals (at most 30 days)
    claim_lock_after_stake: int = 0  # staking pools: seconds an own stake locks claims (at most 30 days)
    claim_lock_after_claim: int = 0  # pools: seconds a paying claim locks the next one (at most 30 days)
    rewards: RewardsParams | None = None  # the Compute bucket: ComputeRewards' epoch length and rebate cap


@dataclass(frozen=True)
class EmissionConfig:
    params: EmissionParams
    start: str | int  # "deploy" (the deployment block's time) or a unix time
    governance: str
    guardian: str
    recipients: tuple[Recipient, ...]


@dataclass(frozen=True)
class MarketplaceConfig:
    params: MarketplaceParams
    stake_token: str  # an address, or "mock" (local only) for a 6-decimal MockERC20 stablecoin
    payment_tokens: tuple[str, ...]  # addresses, or "stake" for the stake token
    treasury: str
    arbiter: str
    admin: str
    # per payment token: stake-token units per payment-token unit times 1e18 ("stake" defaults to 1e18, i.e. 1:1)
    collateral_rates: tuple[int, ...] = ()


@dataclass(frozen=True)
class SuiteConfig:
    name: str
    chain_ids: tuple[int, ...]  # a local config accepts anvil's 31337 and Ape's in-process 1337
    provenance: ProvenanceParams
    source: Path
    emission: EmissionConfig | None = None
    marketplace: MarketplaceConfig | None = None


def _get(data: dict[str, Any], dotted: str, path: Path, kind: type = int) -> Any:
    node: Any = data
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            raise ConfigError(f"{shown(path)}: {dotted} is missing")
        node = node[part]
    if not isinstance(node, kind) or isinstance(node, bool) and kind is not bool:
        raise ConfigError(f"{shown(path)}: {dotted} must be {kind.__name__}, got {node!r}")
    return node


def shown(path: Path) -> str:
    """A config file's path as errors show it: relative to the project when inside it."""
    try:
        return str(path.relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def config_path(name: str) -> Path:
    return CONFIG_DIR / f"{name}.yaml"


def load_named(name_or_path: str) -> SuiteConfig:
    """`--config`: a name under config/networks/, or the path of a YAML file (its stem names the manifest)."""
    if name_or_path.endswith((".yaml", ".yml")):
        path = Path(name_or_path)
        return load_config(path.stem, path.resolve())
    return load_config(name_or_path)


def config_stem(name_or_path: str) -> str:
    return Path(name_or_path).stem if name_or_path.endswith((".yaml", ".yml")) else name_or_path


def load_config(name: str, path: Path | None = None) -> SuiteConfig:
    path = path or config_path(name)
    if not path.exists():
        known = sorted(p.stem for p in CONFIG_DIR.glob("*.yaml"))
        raise ConfigError(f"no deployment configuration {path.name} (known: {', '.join(known)})")
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as err:
        raise ConfigError(f"{path.name}: not valid YAML ({err.__class__.__name__})") from err
    raw_ids = data.get("chain_id")
    chain_ids = tuple(raw_ids) if isinstance(raw_ids, list) else (_get(data, "chain_id", path),)
    if not chain_ids or not all(isinstance(i, int) and not isinstance(i, bool) for i in chain_ids):
        raise ConfigError(f"{path.name}: chain_id must be int or a list of ints, got {raw_ids!r}")
    provenance = ProvenanceParams(
        min_commit_age=_get(data, "provenance.min_commit_age", path),
        max_commit_age=_get(data, "provenance.max_commit_age", path),
    )
    emission = _emission(data, path) if "emission" in data else None
    marketplace = _marketplace(data, path) if "marketplace" in data else None
    if emission is not None and marketplace is None and any(r.rewards for r in emission.recipients):
        raise ConfigError(f"{path.name}: emission.recipients[{COMPUTE}].rewards needs a marketplace section "
                          "(ComputeRewards is fed by the marketplace's ProviderRegistry)")
    return SuiteConfig(name=name, chain_ids=chain_ids, provenance=provenance, source=path, emission=emission,
                       marketplace=marketplace)


def _marketplace(data: dict[str, Any], path: Path) -> MarketplaceConfig:
    params = MarketplaceParams(**{
        field: _get(data, f"marketplace.{field}", path)
        for field in ("fee_bps", "collateral_bps", "accept_window", "dispute_window", "arbitration_window",
                      "unstake_cooldown", "holdback", "dispute_bond_bps")
    })
    if params.fee_bps > 1_000:
        raise ConfigError(f"{path.name}: marketplace.fee_bps must be at most 1000, got {params.fee_bps}")
    entries = _get(data, "marketplace.payment_tokens", path, list)
    payment_tokens, rates = [], []
    for entry in entries:
        if entry == "stake":
            entry = {"token": "stake", "collateral_rate": 10**18}
        if not (isinstance(entry, dict) and isinstance(entry.get("token"), str)
                and isinstance(entry.get("collateral_rate"), int) and entry["collateral_rate"] > 0):
            raise ConfigError(f"{path.name}: marketplace.payment_tokens must list 'stake' or "
                              "{token: <address>, collateral_rate: <stake-token units per unit x 1e18>}")
        payment_tokens.append(entry["token"])
        rates.append(entry["collateral_rate"])
    if not payment_tokens:
        raise ConfigError(f"{path.name}: marketplace.payment_tokens must list at least one token")
    return MarketplaceConfig(
        params=params,
        stake_token=_get(data, "marketplace.stake_token", path, str),
        payment_tokens=tuple(payment_tokens),
        collateral_rates=tuple(rates),
        treasury=_get(data, "marketplace.treasury", path, str),
        arbiter=_get(data, "marketplace.arbiter", path, str),
        admin=_get(data, "marketplace.admin", path, str),
    )


def _emission(data: dict[str, Any], path: Path) -> EmissionConfig:
    shares = _get(data, "emission.shares", path, list)
    if len(shares) != 5 or not all(isinstance(x, int) for x in shares):
        raise ConfigError(f"{path.name}: emission.shares must be five integers (basis points)")
    params = EmissionParams(
        name=_get(data, "emission.name", path, str),
        symbol=_get(data, "emission.symbol", path, str),
        cap=_get(data, "emission.cap", path),
        interval=_get(data, "emission.interval", path),
        initial_reward=_get(data, "emission.initial_reward", path),
        reward_decrease=_get(data, "emission.reward_decrease", path),
        shares=tuple(shares),
        timelock_delay=_get(data, "emission.timelock_delay", path),
    )
    start = data["emission"].get("start", "deploy")
    if not (start == "deploy" or isinstance(start, int)):
        raise ConfigError(f"{path.name}: emission.start must be 'deploy' or a unix time")
    entries = _get(data, "emission.recipients", path, list)
    if len(entries) != 5:
        raise ConfigError(f"{path.name}: emission.recipients must list the five buckets")
    recipients = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or sum(key in entry for key in ("pool", "address", "rewards")) != 1:
            raise ConfigError(f"{path.name}: emission.recipients[{index}] needs exactly one of 'pool', 'address' "
                              "or 'rewards'")
        rewards = _rewards(entry["rewards"], index, path) if "rewards" in entry else None
        if entry.get("pool") not in (None, "staking", "managed"):
            raise ConfigError(f"{path.name}: emission.recipients[{index}].pool must be staking or managed")
        if entry.get("pool") == "staking" and not entry.get("deposit_token"):
            raise ConfigError(f"{path.name}: emission.recipients[{index}].deposit_token is missing")
        if entry.get("pool") == "managed" and not entry.get("manager"):
            raise ConfigError(f"{path.name}: emission.recipients[{index}].manager is missing")
        keys = ("min_stake", "withdraw_lock", "claim_lock_after_stake", "claim_lock_after_claim")
        limits = {key: entry.get(key, 0) for key in keys}
        if entry.get("pool") != "staking" and any(limits[key] for key in keys[:3]):
            raise ConfigError(f"{path.name}: emission.recipients[{index}]: min_stake, withdraw_lock and "
                              "claim_lock_after_stake are for staking pools")
        if entry.get("pool") is None and limits["claim_lock_after_claim"]:
            raise ConfigError(f"{path.name}: emission.recipients[{index}]: claim_lock_after_claim is for pools")
        if not all(isinstance(v, int) and v >= 0 for v in limits.values()) or max(
                limits[key] for key in keys[1:]) > 30 * 86_400:
            raise ConfigError(f"{path.name}: emission.recipients[{index}]: {', '.join(keys)} must be non-negative "
                              "integers, the locks at most 2592000 (30 days)")
        recipients.append(Recipient(entry.get("pool"), entry.get("address"), entry.get("deposit_token"),
                                    entry.get("manager"), *(limits[key] for key in keys), rewards=rewards))
    return EmissionConfig(
        params=params, start=start,
        governance=_get(data, "emission.governance", path, str),
        guardian=_get(data, "emission.guardian", path, str),
        recipients=tuple(recipients),
    )


def _rewards(block: Any, index: int, path: Path) -> RewardsParams:
    """`rewards: {epoch_length, rebate_cap}`: only the Compute bucket's recipient can be a ComputeRewards."""
    where = f"{path.name}: emission.recipients[{index}].rewards"
    if index != COMPUTE:
        raise ConfigError(f"{where}: only the Compute bucket (recipients[{COMPUTE}]) can be paid to ComputeRewards")
    if not isinstance(block, dict) or set(block) != {"epoch_length", "rebate_cap"}:
        raise ConfigError(f"{where} must be {{epoch_length: <seconds>, rebate_cap: <emission wei per whole stake "
                          "token of fee>}")
    params = RewardsParams(**block)
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in block.values()):
        raise ConfigError(f"{where}: epoch_length and rebate_cap must be integers")
    if not 3_600 <= params.epoch_length <= 365 * 86_400:
        raise ConfigError(f"{where}.epoch_length must be 3600 (an hour) to 31536000 (365 days), got {params.epoch_length}")
    if not 0 <= params.rebate_cap <= 10 * 10**18:
        raise ConfigError(f"{where}.rebate_cap must be 0 to 10e18 (ComputeRewards.MAX_REBATE_CAP), got {params.rebate_cap}")
    return params
