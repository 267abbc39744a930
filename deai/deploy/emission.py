"""Deploying the emission system: token, reward pools, splitter, and the wiring between them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from deai.deploy.contracts import address_of, deploy, next_create_address

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

    def token_args(self, minter: str) -> tuple:
        return (self.name, self.symbol, self.cap, minter)

    def splitter_args(self, token: str, start: int, recipients: list[str], governance: str, guardian: str) -> tuple:
        return (token, start, self.interval, self.initial_reward, self.reward_decrease, recipients,
                list(self.shares), governance, guardian, self.timelock_delay)


@dataclass(frozen=True)
class PoolSpec:
    """A reward pool to deploy as a bucket's recipient."""

    mode: int  # STAKING or MANAGED
    deposit_token: Any = None  # staking mode
    manager: Any = None  # managed mode
    min_stake: int = 0  # staking mode: Morpheus's minimal stake (0: none)
    withdraw_lock: int = 0  # staking mode: seconds an own stake locks withdrawals (at most 30 days)
    claim_lock_after_stake: int = 0  # staking mode: seconds an own stake locks claims (at most 30 days)
    claim_lock_after_claim: int = 0  # seconds a paying claim locks the next one (at most 30 days)


@dataclass(frozen=True)
class Emission:
    token: Any
    splitter: Any
    pools: dict[int, Any]  # bucket -> RewardPool deployed for it


ZERO_ADDRESS = "0x" + "00" * 20


def deploy_token(sender: Any, params: EmissionParams, minter: Any) -> Any:
    """The capped token; `minter` (fixed forever) is normally the splitter's predicted address."""
    return deploy("EmissionToken", sender, *params.token_args(address_of(minter)))


def pool_args(splitter: Any, token: Any, bucket: int, spec: PoolSpec) -> tuple:
    return (address_of(splitter), address_of(token), bucket, spec.mode,
            address_of(spec.deposit_token) if spec.deposit_token else ZERO_ADDRESS,
            address_of(spec.manager) if spec.manager else ZERO_ADDRESS, spec.min_stake, spec.withdraw_lock,
            spec.claim_lock_after_stake, spec.claim_lock_after_claim)


def deploy_pool(sender: Any, splitter: Any, token: Any, bucket: int, spec: PoolSpec) -> Any:
    return deploy("RewardPool", sender, *pool_args(splitter, token, bucket, spec))


PROTECTION_BUCKET = 4  # the splitter's protection fund: the sink of the pools' forfeits, never a pool


def deploy_emission(
    sender: Any, params: EmissionParams, recipients: list[Any], governance: Any, guardian: Any, start: int,
) -> Emission:
    """Token, a reward pool for every recipient given as a PoolSpec, and the splitter, from consecutive nonces of
    `sender`: the token and the pools are built for the splitter's predicted address (its constructor checks the
    token's minter, so a wrong prediction deploys nothing usable)."""
    specs = {bucket: r for bucket, r in enumerate(recipients) if isinstance(r, PoolSpec)}
    if PROTECTION_BUCKET in specs:
        raise ValueError("the protection fund (bucket 4) receives the pools' forfeits and cannot be a reward pool: "
                         "give an address (a multisig) for it")
    splitter_address = next_create_address(sender, 1 + len(specs))
    token = deploy_token(sender, params, splitter_address)
    pools = {bucket: deploy_pool(sender, splitter_address, token, bucket, spec) for bucket, spec in specs.items()}
    addresses = [pools[b].address if b in pools else address_of(r) for b, r in enumerate(recipients)]
    splitter = deploy("EmissionSplitter", sender, *params.splitter_args(
        token.address, start, addresses, address_of(governance), address_of(guardian)))
    return Emission(token, splitter, pools)
