"""Fixtures for the marketplace tests: a ComputeMarketplace deployed through deai.deploy.marketplace (with the
ProviderRegistry it deploys), a stake token, an allowed payment token, and `Market`, a small driver for the common
multi-step set-ups."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from deai.deploy.marketplace import MarketplaceParams, deploy_marketplace, registry_of
from deai.testing.blocks import block_time
from deai.testing.tokens import deploy_token

E18 = 10**18
PRICE = 10**15  # payment-token units per second
STAKE = 10**24
DAY = 86_400
MAX_UINT = 2**256 - 1
UNIT_RATE = 10**18  # collateral rate of the test payment token: one stake-token unit per payment-token unit


@dataclass
class Market:
    """Drives a marketplace through the steps most tests share. `at` timestamps are exact block times."""

    contract: Any
    stake: Any
    token: Any
    roles: Any
    chain: Any
    registry: Any = None

    def __post_init__(self) -> None:
        if self.registry is None:
            self.registry = registry_of(self.contract)

    def at(self, timestamp: int | None) -> None:
        if timestamp is not None:
            self.chain.pending_timestamp = timestamp

    def time_of(self, receipt: Any) -> int:
        return block_time(self.chain, receipt)

    def fund(self, who: Any, amount: int, token: Any = None, spender: Any = None) -> None:
        token = token or self.token
        token.mint(who, amount, sender=who)
        token.approve(spender or self.contract, MAX_UINT, sender=who)

    def provider(self, who: Any, stake: int = STAKE) -> None:
        self.registry.registerProvider(f"ipfs://provider/{who.address}", sender=who)
        if stake:
            self.fund(who, stake, self.stake, spender=self.registry)
            self.registry.depositStake(stake, sender=who)

    def offer(self, who: Any, price: int = PRICE, min_duration: int = 60, max_duration: int = 30 * DAY,
              token: Any = None, spec: bytes = b"\x11" * 32) -> int:
        self.contract.createOffer(token or self.token, price, min_duration, max_duration, spec, "ipfs://offer",
                                  sender=who)
        return self.contract.offerCount()

    def open(self, client: Any, offer_id: int, duration: int, max_price: int = MAX_UINT,
             at: int | None = None, fund: bool = True) -> tuple[int, Any]:
        if fund:
            offer = self.contract.getOffer(offer_id)
            token = self.token if offer.paymentToken == self.token.address else _token_at(offer.paymentToken)
            self.fund(client, offer.pricePerSecond * duration, token)
        self.at(at)
        receipt = self.contract.openLease(offer_id, duration, max_price, sender=client)
        return self.contract.leaseCount(), receipt

    def accept(self, lease_id: int, provider: Any, at: int | None = None) -> Any:
        self.at(at)
        return self.contract.acceptLease(lease_id, sender=provider)

    def running_lease(self, client: Any, provider: Any, duration: int = DAY, price: int = PRICE) -> tuple[int, int]:
        """Provider staked with an offer, a lease opened and accepted; returns (lease id, start time)."""
        self.provider(provider)
        offer_id = self.offer(provider, price=price)
        lease_id, _ = self.open(client, offer_id, duration)
        return lease_id, self.time_of(self.accept(lease_id, provider))


def _token_at(address: str) -> Any:
    from ape import Contract

    return Contract(address)


@pytest.fixture
def mp_params() -> MarketplaceParams:
    return MarketplaceParams()


@pytest.fixture
def stake_token(roles):
    return deploy_token("standard18", roles.deployer)


@pytest.fixture
def market_contract(roles, mp_params, stake_token):
    return deploy_marketplace(roles.deployer, mp_params, stake_token, roles.treasury, roles.arbiter, roles.admin)


@pytest.fixture
def pay_token(roles, market_contract):
    token = deploy_token("standard6", roles.deployer)
    market_contract.setPaymentToken(token, True, UNIT_RATE, sender=roles.admin)
    return token


@pytest.fixture
def registry(market_contract):
    return registry_of(market_contract)


@pytest.fixture
def market(market_contract, stake_token, pay_token, roles, chain) -> Market:
    return Market(market_contract, stake_token, pay_token, roles, chain)
