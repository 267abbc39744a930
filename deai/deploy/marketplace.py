"""Deploying the ComputeMarketplace."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from deai.deploy.contracts import address_of, deploy, next_create_address

CONTRACT = "ComputeMarketplace"
RELAY = "ResultProvenanceRelay"
NO_RELAY = "0x" + "00" * 20  # a marketplace without a result relay (results are submitted with submitResult only)
HOUR, DAY = 3_600, 86_400
RATE_UNIT = 10**18  # collateral rates: stake-token units per payment-token unit, times 1e18


def collateral_rate(stake_decimals: int, payment_decimals: int, stake_per_payment_token: float = 1.0) -> int:
    """The rate for a payment token worth `stake_per_payment_token` whole stake tokens, decimals included."""
    return int(round(stake_per_payment_token * RATE_UNIT)) * 10**stake_decimals // 10**payment_decimals


@dataclass(frozen=True)
class MarketplaceParams:
    """Constructor parameters other than addresses. Defaults: 2.5% fee, iExec's 30% collateral, one hour to
    accept, one day to dispute, a week to arbitrate and to unstake, the last hour of earnings held back for
    disputes, and a dispute bond of 5% of the frozen amount (held back from the refund of a running lease)."""

    fee_bps: int = 250
    collateral_bps: int = 3_000
    accept_window: int = HOUR
    dispute_window: int = DAY
    arbitration_window: int = 7 * DAY
    unstake_cooldown: int = 7 * DAY
    holdback: int = HOUR
    dispute_bond_bps: int = 500

    def constructor_args(self, stake_token: str, treasury: str, arbiter: str, admin: str,
                         result_relay: str = NO_RELAY) -> tuple:
        return (stake_token, treasury, arbiter, self.fee_bps, self.collateral_bps, self.accept_window,
                self.dispute_window, self.arbitration_window, self.unstake_cooldown, self.holdback,
                self.dispute_bond_bps, admin, result_relay)


def deploy_marketplace(
    sender: Any, params: MarketplaceParams, stake_token: Any, treasury: Any, arbiter: Any, admin: Any,
    provenance: Any = None,
) -> Any:
    """The marketplace; with `provenance` (a ProvenanceRegistry) first its ResultProvenanceRelay, built for the
    marketplace's predicted address (the next nonce), so results can be registered with their provenance."""
    relay = NO_RELAY
    if provenance is not None:
        relay = deploy(RELAY, sender, next_create_address(sender, 1), address_of(provenance)).address
    return deploy(CONTRACT, sender, *params.constructor_args(
        address_of(stake_token), address_of(treasury), address_of(arbiter), address_of(admin), relay))


def relay_of(market: Any) -> Any:
    """The marketplace's ResultProvenanceRelay (providers call submitResultWithProvenance there)."""
    from deai.deploy.contracts import contract_at

    return contract_at(RELAY, market.resultRelay(), market)


def registry_of(market: Any) -> Any:
    """The ProviderRegistry the marketplace deployed (providers register and stake there)."""
    from deai.deploy.contracts import contract_at

    return contract_at("ProviderRegistry", market.registry(), market)
