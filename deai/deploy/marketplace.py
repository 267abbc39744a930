"""Deploying the ComputeMarketplace."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from deai.deploy.contracts import address_of, deploy

CONTRACT = "ComputeMarketplace"
HOUR, DAY = 3_600, 86_400


@dataclass(frozen=True)
class MarketplaceParams:
    """Constructor parameters other than addresses. Defaults: 2.5% fee, iExec's 30% collateral, one hour to
    accept, one day to dispute, a week to arbitrate and to unstake."""

    fee_bps: int = 250
    collateral_bps: int = 3_000
    accept_window: int = HOUR
    dispute_window: int = DAY
    arbitration_window: int = 7 * DAY
    unstake_cooldown: int = 7 * DAY

    def constructor_args(self, stake_token: str, treasury: str, arbiter: str, admin: str) -> tuple:
        return (stake_token, treasury, arbiter, self.fee_bps, self.collateral_bps, self.accept_window,
                self.dispute_window, self.arbitration_window, self.unstake_cooldown, admin)


def deploy_marketplace(
    sender: Any, params: MarketplaceParams, stake_token: Any, treasury: Any, arbiter: Any, admin: Any,
) -> Any:
    return deploy(CONTRACT, sender, *params.constructor_args(
        address_of(stake_token), address_of(treasury), address_of(arbiter), address_of(admin)))
