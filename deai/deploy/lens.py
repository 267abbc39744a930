"""Deploying the MarketplaceLens: read-only paged views of the ComputeMarketplace for front ends. It holds no state
and no funds, so it is its own step after the marketplace's (redeployable at will)."""

from __future__ import annotations

from typing import Any

from deai.deploy.contracts import address_of, deploy
from deai.deploy.marketplace import CONTRACT as MARKETPLACE

CONTRACT = "MarketplaceLens"


def lens_step() -> Any:
    """The plan's step: the lens built for the marketplace deployed (or recorded) before it."""
    from deai.deploy.suite import DeployStep

    return DeployStep(CONTRACT, CONTRACT, lambda addresses: (addresses[MARKETPLACE],))


def deploy_lens(sender: Any, marketplace: Any) -> Any:
    return deploy(CONTRACT, sender, address_of(marketplace))
