"""Deploying ComputeRewards: the Compute bucket's recipient, fed by the marketplace's ProviderRegistry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from deai.deploy.contracts import address_of, deploy, next_create_address
from deai.deploy.emission import Emission, EmissionParams, deploy_token

CONTRACT = "ComputeRewards"
COMPUTE = 2
CAP_UNIT = 10**18


@dataclass(frozen=True)
class RewardsParams:
    """One-day epochs; a provider earns at most 0.5 emission tokens per whole stake token of fee it paid."""

    epoch_length: int = 86_400
    rebate_cap: int = CAP_UNIT // 2

    def constructor_args(self, splitter: str, token: str, registry: str, epoch_start: int,
                         stake_decimals: int) -> tuple:
        return (splitter, token, registry, epoch_start, self.epoch_length, self.rebate_cap, stake_decimals)


def deploy_rewards(sender: Any, params: RewardsParams, splitter: Any, token: Any, registry: Any,
                   epoch_start: int, stake_decimals: int) -> Any:
    return deploy(CONTRACT, sender, *params.constructor_args(
        address_of(splitter), address_of(token), address_of(registry), epoch_start, stake_decimals))


def deploy_compute_emission(
    sender: Any, params: EmissionParams, rewards_params: RewardsParams, registry: Any, recipients: list[Any],
    governance: Any, guardian: Any, start: int, stake_decimals: int,
) -> tuple[Emission, Any]:
    """Token, ComputeRewards (the Compute bucket's recipient, epochs from `start`) and the splitter, from three
    consecutive nonces of `sender` (the first two are built for the splitter's predicted address). `recipients`
    gives the other four buckets' accounts (its Compute entry is replaced)."""
    splitter_address = next_create_address(sender, 2)
    token = deploy_token(sender, params, splitter_address)
    rewards = deploy_rewards(sender, rewards_params, splitter_address, token, registry, start, stake_decimals)
    addresses = [address_of(r) for r in recipients]
    addresses[COMPUTE] = rewards.address
    splitter = deploy("EmissionSplitter", sender, *params.splitter_args(
        token.address, start, addresses, address_of(governance), address_of(guardian)))
    return Emission(token, splitter, {}), rewards
