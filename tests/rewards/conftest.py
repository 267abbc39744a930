"""Fixtures for the Compute rewards tests: a marketplace (with its ProviderRegistry) and an emission splitter whose
Compute bucket pays ComputeRewards, wired with `registry.setRewards`; `System` drives leases through to finalize."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from deai.deploy.emission import EmissionParams
from deai.deploy.marketplace import MarketplaceParams, deploy_marketplace, registry_of
from deai.deploy.provenance import deploy_provenance_registry
from deai.deploy.rewards import RewardsParams, deploy_compute_emission
from deai.testing.blocks import block_time
from deai.testing.gas import GAS_EPOCH
from deai.testing.tokens import deploy_token

DAY, HOUR = 86_400, 3_600
MAX_UINT = 2**256 - 1
FUNDS = 10**30
STAKE = 10**24
START_OFFSET = DAY  # the emission starts a day after the set-up begins: set-up transactions left to the clock
#                     (`make gas-determinism` moves each by up to 900 s) cannot reach a time a test sets from start
SPEC = b"\x11" * 32  # an offer's spec hash (its model)
MARKET = MarketplaceParams(fee_bps=250, collateral_bps=3_000, accept_window=HOUR, dispute_window=HOUR,
                           arbitration_window=DAY, unstake_cooldown=DAY, holdback=600, dispute_bond_bps=500)
EMISSION = EmissionParams()
REWARDS = RewardsParams(epoch_length=DAY, rebate_cap=10**18 // 2)


@dataclass
class System:
    market: Any
    registry: Any
    stake: Any
    token: Any  # emission token
    splitter: Any
    rewards: Any
    start: int
    roles: Any
    chain: Any
    provenance: Any = None  # the marketplace's ProvenanceRegistry (build_system(provenance=True))

    @property
    def protection(self) -> Any:
        return self.roles.guardian

    def allow(self, payment: Any, rate: int) -> None:
        self.market.setPaymentToken(payment, True, rate, sender=self.roles.admin)

    def fund(self, who: Any, token: Any, spender: Any, amount: int = FUNDS) -> None:
        token.mint(who, amount, sender=who)
        token.approve(spender, MAX_UINT, sender=who)

    def provider(self, who: Any, payment: Any, price: int, stake: int = STAKE, spec: bytes = SPEC) -> int:
        """Registers and stakes `who` and creates an offer in `payment` naming `spec`; returns the offer id."""
        self.registry.registerProvider("ipfs://gpu", sender=who)
        self.fund(who, self.stake, self.registry, stake)
        self.registry.depositStake(stake, sender=who)
        self.market.createOffer(payment, price, 60, 30 * DAY, spec, "ipfs://offer", sender=who)
        return self.market.offerCount()

    def lease(self, client: Any, provider: Any, offer_id: int, duration: int, at: int | None = None) -> tuple[int, int]:
        """Opens and accepts a lease; returns (lease id, start). Given `at`, it opens at `at` and is accepted one
        second later, both block times set (none left to the clock, which `make gas-determinism` moves)."""
        if at is not None:
            self.chain.pending_timestamp = at
        self.market.openLease(offer_id, duration, MAX_UINT, sender=client)
        lease_id = self.market.leaseCount()
        if at is not None:
            self.chain.pending_timestamp = at + 1
        receipt = self.market.acceptLease(lease_id, sender=provider)
        return lease_id, block_time(self.chain, receipt)

    def finalize(self, lease_id: int, caller: Any, at: int) -> Any:
        self.chain.pending_timestamp = at
        return self.market.finalize(lease_id, sender=caller)

    def epoch_end(self, k: int) -> int:
        return self.start + (k + 1) * REWARDS.epoch_length


def deploy_rewards(roles: Any, chain: Any, reporter: Any, rewards_params: RewardsParams = REWARDS,
                   decimals: int = 18, start: int | None = None) -> tuple[Any, Any, int]:
    """(emission, rewards, start): the emission with ComputeRewards behind its Compute bucket, `reporter` reporting
    work to it (the ProviderRegistry; an account in the kill tests); the other buckets go to relayer and guardian.
    The emission starts at `start`, by default START_OFFSET after the pending block."""
    start = int(chain.pending_timestamp) + START_OFFSET if start is None else start
    others = [roles.relayer, roles.relayer, roles.relayer, roles.relayer, roles.guardian]
    emission, rewards = deploy_compute_emission(roles.deployer, EMISSION, rewards_params, reporter, others,
                                                roles.governance, roles.guardian, start, decimals)
    return emission, rewards, start


def build_system(roles: Any, chain: Any, rewards_params: RewardsParams = REWARDS, wire: bool = True,
                 provenance: Any = False, start: int | None = None) -> System:
    """`provenance`: True gives the marketplace a fresh ProvenanceRegistry (results registered with their
    provenance), a contract gives it that one, False none. `start`: the emission's start (see deploy_rewards)."""
    stake = deploy_token("standard18", roles.deployer)
    registry_of_results = deploy_provenance_registry(roles.deployer) if provenance is True else provenance or None
    market = deploy_marketplace(roles.deployer, MARKET, stake, roles.treasury, roles.arbiter, roles.admin,
                                registry_of_results)
    registry = registry_of(market)
    emission, rewards, start = deploy_rewards(roles, chain, registry, rewards_params, stake.decimals(), start)
    if wire:
        registry.setRewards(rewards, sender=roles.admin)
    return System(market, registry, stake, emission.token, emission.splitter, rewards, start, roles, chain,
                  registry_of_results)


def build_gas_system(roles: Any, chain: Any) -> System:
    """build_system with a fresh ProvenanceRegistry at a fixed time: the clock set to GAS_EPOCH, the emission starting
    a day later. The gas tests sign deadlines and commit times derived from `start`: read from the clock, they would
    change the signatures' zero bytes, and so the gas, from one session to the next (deai.testing.gas.GAS_EPOCH)."""
    chain.pending_timestamp = GAS_EPOCH
    return build_system(roles, chain, provenance=True, start=GAS_EPOCH + DAY)


@pytest.fixture
def system(roles, chain) -> System:
    return build_system(roles, chain)
