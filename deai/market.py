"""Marketplace actions shared by the user commands (`ape run market ...`) and the demo: listing offers, opening
a lease (approving exactly what it escrows), accepting, withdrawing, closing, and showing a lease. Every failure a
user can cause raises `UserError` with a one-line message."""

from __future__ import annotations

from typing import Any

from deai.commands import UserError

STATUS_NAMES = ("none", "open", "active", "disputed", "cancelled", "finalized", "resolved")
LEASE_ACTIONS = ("open", "accept", "withdraw", "close")


def _token(address: str) -> Any:
    """Any ERC-20 at `address`, through an ABI that has the standard functions."""
    from deai.deploy.contracts import container

    return container("MockERC20").at(address)


def _send(method: Any, *args: Any, sender: Any) -> Any:
    """Send a transaction; a revert becomes a one-line UserError naming the contract's custom error."""
    from ape.exceptions import ContractLogicError

    try:
        return method(*args, sender=sender)
    except ContractLogicError as err:
        detail = str(err).splitlines()[0] if str(err) else ""
        raise UserError(f"the marketplace refused: {type(err).__name__} {detail}".rstrip()) from None


def list_offers(market: Any) -> list[dict]:
    offers = []
    for offer_id in range(1, market.offerCount() + 1):
        offer = market.getOffer(offer_id)
        offers.append({
            "id": offer_id, "provider": offer.provider, "token": offer.paymentToken, "pricePerSecond":
            offer.pricePerSecond, "minDuration": offer.minDuration, "maxDuration": offer.maxDuration,
            "active": offer.active, "uri": offer.uri,
        })
    return offers


def _existing_offer(market: Any, offer_id: int) -> Any:
    if not 1 <= offer_id <= market.offerCount():
        raise UserError(f"offer {offer_id} does not exist (there are {market.offerCount()})")
    return market.getOffer(offer_id)


def _existing_lease(market: Any, lease_id: int) -> Any:
    if not 1 <= lease_id <= market.leaseCount():
        raise UserError(f"lease {lease_id} does not exist (there are {market.leaseCount()})")
    return market.getLease(lease_id)


def open_lease(market: Any, offer_id: int, duration: int, sender: Any, max_price: int | None = None) -> tuple[int, Any]:
    """Approve exactly the escrow (if the allowance is short) and open a lease; returns (lease id, receipt)."""
    offer = _existing_offer(market, offer_id)
    if not offer.active:
        raise UserError(f"offer {offer_id} is not active")
    if not offer.minDuration <= duration <= offer.maxDuration:
        raise UserError(f"duration {duration}s is outside offer {offer_id}'s {offer.minDuration}..{offer.maxDuration}s")
    price = offer.pricePerSecond if max_price is None else max_price
    amount = offer.pricePerSecond * duration
    token = _token(offer.paymentToken)
    if token.balanceOf(sender) < amount:
        raise UserError(f"{sender.address} holds {token.balanceOf(sender)} of {offer.paymentToken}, needs {amount}")
    if token.allowance(sender, market) < amount:
        _send(token.approve, market, amount, sender=sender)
    receipt = _send(market.openLease, offer_id, duration, price, sender=sender)
    lease_id = next(log.leaseId for log in receipt.events if log.event_name == "LeaseOpened")
    return lease_id, receipt


def accept_lease(market: Any, lease_id: int, sender: Any) -> Any:
    _existing_lease(market, lease_id)
    return _send(market.acceptLease, lease_id, sender=sender)


def withdraw_earnings(market: Any, lease_id: int, sender: Any) -> Any:
    _existing_lease(market, lease_id)
    return _send(market.withdrawEarnings, lease_id, sender=sender)


def close_lease(market: Any, lease_id: int, sender: Any) -> Any:
    _existing_lease(market, lease_id)
    return _send(market.closeLease, lease_id, sender=sender)


def _chain_of(contract: Any) -> Any:
    """The chain `contract` lives on: the in-process test chain (deai.testing.revm) or Ape's."""
    chain = getattr(contract, "in_process_chain", None)
    if chain is None:
        from ape import chain
    return chain


def sign_result_registration(private_key: Any, market: Any, provider: str, result_hash: bytes, kind: int,
                             manifest: bytes, deadline: int, spec: bytes, nonce: int | None = None) -> bytes:
    """The provider's EIP-712 `Register` signature that the marketplace's ResultProvenanceRelay relays to the
    provenance registry (`submitResultWithProvenance`): creator the provider, origin AIGenerated, parents `[spec]`
    (the lease's offer's spec hash; `[]` when it is zero), its current registry nonce unless `nonce` is given."""
    from deai.deploy.contracts import contract_at
    from deai.provenance import Origin, sign_register

    chain = _chain_of(market)
    relay = contract_at("ResultProvenanceRelay", market.resultRelay(), market)
    registry = contract_at("ProvenanceRegistry", relay.registry(), market)
    return sign_register(
        private_key, registry_address=registry.address, chain_id=chain.chain_id, creator=provider,
        content_hash=result_hash, kind=int(kind), origin=int(Origin.AI_GENERATED), manifest=manifest,
        parents=[spec] if any(spec) else [], nonce=registry.nonces(provider) if nonce is None else nonce,
        deadline=deadline)


def sign_result_reveal(private_key: Any, market: Any, provider: str, result_hash: bytes, kind: int, manifest: bytes,
                       salt: bytes, committed_at: int, spec: bytes) -> bytes:
    """The provider's EIP-712 `Reveal` signature that the marketplace's ResultProvenanceRelay relays to the
    provenance registry (`submitResultWithRevealedProvenance`, the front-running-safe path): creator the provider,
    origin AIGenerated, parents `[spec]` (`[]` when it is zero), its commitment's `salt` and on-chain time
    `committed_at` (read it with the registry's `commitTime`; the commit must be no older than the lease's start)."""
    from deai.deploy.contracts import contract_at
    from deai.provenance import Origin, sign_reveal

    chain = _chain_of(market)
    relay = contract_at("ResultProvenanceRelay", market.resultRelay(), market)
    return sign_reveal(
        private_key, relay.registry(), chain.chain_id, provider, result_hash, int(kind), int(Origin.AI_GENERATED),
        manifest, [spec] if any(spec) else [], salt, committed_at)


def show_lease(market: Any, lease_id: int) -> dict:
    lease = _existing_lease(market, lease_id)
    return {
        "id": lease_id, "offer": lease.offerId, "status": STATUS_NAMES[lease.status], "client": lease.client,
        "provider": lease.provider, "token": lease.paymentToken, "pricePerSecond": lease.pricePerSecond,
        "deposit": lease.deposit, "start": lease.start, "end": lease.end, "stoppedAt": lease.stoppedAt,
        "refunded": lease.refunded, "withdrawn": lease.withdrawn,
        "collateral": lease.collateral, "earnedNow": market.earned(lease_id), "refundableNow": market.refundable(lease_id),
        "resultHash": bytes(lease.resultHash).hex(),
    }
