"""Deploying the emission system: token, reward pools, splitter, and the wiring between them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from deai.deploy.contracts import address_of, deploy

BUCKET_NAMES = ("Capital", "Code", "Compute", "Community", "Protection")
STAKING, MANAGED = 0, 1
E18 = 10**18


@dataclass(frozen=True)
class EmissionParams:
    """Morpheus's economics by default: 14,400 a day falling by 2.468994701 a day, 24/24/24/24/4."""

    name: str = "DeAI Emission"
    symbol: str = "DEAI"
    cap: int = 42_000_000 * E18
    interval: int = 86_400
    initial_reward: int = 14_400 * E18
    reward_decrease: int = 2_468_994_701 * 10**9
    shares: tuple[int, int, int, int, int] = (2400, 2400, 2400, 2400, 400)
    timelock_delay: int = 48 * 3600
    start_delay: int = 0  # seconds after deployment when emission starts (used when no absolute start is given)
    start: int | None = None
    pools: dict[int, int] = field(default_factory=dict)  # bucket -> STAKING or MANAGED

    def splitter_args(self, token: str, start: int, recipients: list[str], governance: str, guardian: str) -> tuple:
        return (token, start, self.interval, self.initial_reward, self.reward_decrease, recipients,
                list(self.shares), governance, guardian, self.timelock_delay)


def deploy_token(sender: Any, params: EmissionParams) -> Any:
    return deploy("EmissionToken", sender, params.name, params.symbol, params.cap)


def deploy_pool(sender: Any, token: Any, bucket: int, mode: int, deposit_token: Any = None, manager: Any = None) -> Any:
    zero = "0x" + "00" * 20
    return deploy("RewardPool", sender, token, bucket, mode, deposit_token or zero, manager or zero)


def deploy_emission(
    sender: Any, params: EmissionParams, recipients: list[Any], governance: Any, guardian: Any, start: int,
    token: Any = None,
) -> tuple[Any, Any]:
    """Token (unless given) and splitter, with the splitter fixed as the token's only minter."""
    token = token or deploy_token(sender, params)
    splitter = deploy("EmissionSplitter", sender, *params.splitter_args(
        token.address, start, [address_of(r) for r in recipients], address_of(governance), address_of(guardian)))
    token.setMinter(splitter, sender=sender)
    return token, splitter
