"""MarketplaceLens: paged, read-only views of offers and leases (ids 1-based), each page bounded by `limit`, built
only on the marketplace's and registry's external views. Expected pages are computed here from the ids this test
created, and each entry is compared with the marketplace's own views."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from conftest import DAY, PRICE, Market

from deai.deploy.contracts import container
from deai.deploy.lens import deploy_lens
from deai.testing.reverts import expect_revert

HOUR = 3_600


@pytest.fixture
def lens(market: Market, roles):
    return deploy_lens(roles.deployer, market.contract)


class Entry(SimpleNamespace):
    """A page entry by field name (Ape returns arrays of structs as plain tuples)."""


def _named(value, param):
    """`value` decoded per the ABI parameter `param`: tuples become Entry objects with the ABI's field names (read
    from the compiled ABI, so fields the marketplace adds later are named too)."""
    components = getattr(param, "components", None)
    if not components:
        return value
    return Entry(**{c.name: _named(v, c) for c, v in zip(components, value)})


def _page(lens, function: str, result) -> list[Entry]:
    [abi] = [f for f in lens.contract_type.abi if getattr(f, "name", None) == function]
    page, _ = result
    return [_named(entry, abi.outputs[0]) for entry in page]


def _offer_tuple(view) -> tuple:
    return (view.provider, view.paymentToken, view.pricePerSecond, view.minDuration, view.maxDuration, view.active,
            view.specHash, view.uri)


def _ids(page) -> list[int]:
    return [entry[0] for entry in page]


def _offers(market: Market, roles) -> dict[int, str]:
    """Five offers, alice and bob interleaved; returns the provider of each id."""
    market.provider(roles.alice)
    market.provider(roles.bob)
    owners = {}
    for index, who in enumerate((roles.alice, roles.bob, roles.alice, roles.alice, roles.bob)):
        owners[market.offer(who, price=PRICE + index)] = who.address
    return owners


def test_the_lens_reads_the_marketplace_and_its_registry(lens, market):
    assert lens.marketplace() == market.contract.address
    assert lens.registry() == market.registry.address
    assert lens.MAX_LIMIT() == 100


def test_the_lens_refuses_a_marketplace_without_code(roles):
    with expect_revert(container("MarketplaceLens"), "InvalidMarketplace", roles.carol.address):
        roles.deployer.deploy(container("MarketplaceLens"), roles.carol.address)


def test_offers_page_through_every_offer_in_id_order(lens, market, roles):
    owners = _offers(market, roles)
    assert sorted(owners) == [1, 2, 3, 4, 5]
    page, next_id = lens.offers(1, 2)
    assert (_ids(page), next_id) == ([1, 2], 3)
    for entry in _page(lens, "offers", lens.offers(1, 5)):
        assert _offer_tuple(entry.offer) == _offer_tuple(market.contract.getOffer(entry.offerId))
    page, next_id = lens.offers(3, 2)
    assert (_ids(page), next_id) == ([3, 4], 5)
    page, next_id = lens.offers(5, 2)  # the last page is short and ends the listing
    assert (_ids(page), next_id) == ([5], 0)
    [last] = _page(lens, "offers", lens.offers(5, 2))
    assert last.offer.pricePerSecond == PRICE + 4 and last.offer.provider == roles.bob.address
    page, next_id = lens.offers(5, 1)  # exactly at the end
    assert (_ids(page), next_id) == ([5], 0)
    page, next_id = lens.offers(6, 10)  # past the end: empty
    assert (list(page), next_id) == ([], 0)
    page, next_id = lens.offers(1, 100)
    assert (_ids(page), next_id) == ([1, 2, 3, 4, 5], 0)


def test_offers_of_a_provider_scan_a_bounded_id_range(lens, market, roles):
    owners = _offers(market, roles)
    bob = [i for i, who in sorted(owners.items()) if who == roles.bob.address]
    assert bob == [2, 5]
    page, next_id = lens.offersOf(roles.bob, 1, 3)  # ids 1..3 examined: one match
    assert (_ids(page), next_id) == ([2], 4)
    page, next_id = lens.offersOf(roles.bob, next_id, 3)
    assert (_ids(page), next_id) == ([5], 0)
    page, next_id = lens.offersOf(roles.bob, 3, 1)  # a page can be empty while more ids remain
    assert (list(page), next_id) == ([], 4)
    page = _page(lens, "offersOf", lens.offersOf(roles.alice, 1, 100))
    assert [e.offerId for e in page] == [1, 3, 4]
    assert all(entry.offer.provider == roles.alice.address for entry in page)
    page, next_id = lens.offersOf(roles.carol, 1, 100)
    assert (list(page), next_id) == ([], 0)


@pytest.mark.parametrize("limit", [0, 101])
def test_a_limit_outside_one_to_max_is_refused(lens, market, roles, limit):
    for call in (lambda: lens.offers(1, limit), lambda: lens.offersOf(roles.bob, 1, limit),
                 lambda: lens.leasesOfClient(roles.carol, 1, limit),
                 lambda: lens.leasesOfProvider(roles.bob, 1, limit)):
        with expect_revert(lens, "LimitOutOfRange", limit, 100):
            call()


def test_id_zero_is_refused_ids_start_at_one(lens, market, roles):
    for call in (lambda: lens.offers(0, 1), lambda: lens.offersOf(roles.bob, 0, 1),
                 lambda: lens.leasesOfClient(roles.carol, 0, 1), lambda: lens.leasesOfProvider(roles.bob, 0, 1)):
        with expect_revert(lens, "ZeroId"):
            call()


def test_empty_marketplace_gives_empty_pages(lens, roles):
    page, next_id = lens.offers(1, 100)
    assert (list(page), next_id) == ([], 0)
    page, next_id = lens.leasesOfClient(roles.carol, 1, 100)
    assert (list(page), next_id) == ([], 0)


def test_leases_of_a_client_and_of_a_provider_with_earned_and_refundable(lens, market, roles, mp_params):
    m, chain = market.contract, market.chain
    market.provider(roles.alice)
    market.provider(roles.bob)
    alice_offer, bob_offer = market.offer(roles.alice), market.offer(roles.bob)
    start = chain.pending_timestamp + 100  # each step funds its client first (two transactions): gaps of 100 s
    carol_1, _ = market.open(roles.carol, alice_offer, DAY, at=start)
    dave_1, _ = market.open(roles.dave, bob_offer, DAY, at=start + 100)
    carol_2, _ = market.open(roles.carol, bob_offer, HOUR, at=start + 200)
    accepted = market.time_of(market.accept(carol_1, roles.alice, at=start + 300))
    assert (carol_1, dave_1, carol_2, accepted) == (1, 2, 3, start + 300)
    now = accepted + mp_params.holdback + 600
    chain.mine(timestamp=now)  # views read the head block's time

    page, next_id = lens.leasesOfClient(roles.carol, 1, 100)
    assert (_ids(page), next_id) == ([1, 3], 0)
    first, second = _page(lens, "leasesOfClient", (page, next_id))
    assert (first.lease.client, first.lease.provider, first.lease.offerId) == (roles.carol.address, roles.alice.address,
                                                                            alice_offer)
    gross = 600 * PRICE  # streamed up to `holdback` seconds ago
    fee = gross * mp_params.fee_bps // 10_000
    assert first.earned == gross - fee == m.earned(1)
    assert first.refundable == DAY * PRICE - (now - accepted) * PRICE == m.refundable(1)
    assert first.lease.status == 2 and first.lease.end == accepted + DAY  # Active
    assert (second.earned, second.refundable, second.lease.status) == (0, HOUR * PRICE, 1)  # Open: all refundable
    assert second.lease.deposit == HOUR * PRICE == m.getLease(3).deposit

    page, next_id = lens.leasesOfClient(roles.carol, 1, 2)  # bounded: ids 1..2 examined
    assert (_ids(page), next_id) == ([1], 3)
    page, next_id = lens.leasesOfClient(roles.carol, 2, 1)
    assert (list(page), next_id) == ([], 3)

    page, next_id = lens.leasesOfProvider(roles.bob, 1, 100)
    assert (_ids(page), next_id) == ([2, 3], 0)
    named = _page(lens, "leasesOfProvider", (page, next_id))
    assert [e.lease.client for e in named] == [roles.dave.address, roles.carol.address]
    page, _ = lens.leasesOfProvider(roles.alice, 1, 100)
    assert _ids(page) == [1]


def test_provider_info_is_the_registrys(lens, market, roles):
    market.provider(roles.alice)
    info, direct = lens.providerInfo(roles.alice), market.registry.providerInfo(roles.alice)
    assert (info.registered, info.freeStake, info.metadataURI) == (True, direct.freeStake, direct.metadataURI)
    assert info.freeStake > 0
    assert lens.providerInfo(roles.carol).registered is False


def test_allowed_tokens_lists_the_payment_tokens_allowed_now(lens, market: Market, roles):
    """`allowedTokens()` (moved here from the marketplace in round 5, to free its EIP-3860 initcode): the payment tokens
    allowed now, in the order they were first allowed; a token allowed again keeps its place."""
    from deai.testing.tokens import deploy_token

    m = market.contract
    assert lens.allowedTokens() == [market.token.address]
    other = deploy_token("standard18", roles.deployer)
    m.setPaymentToken(other, True, 10**18, sender=roles.admin)
    assert lens.allowedTokens() == [market.token.address, other.address]
    m.setPaymentToken(market.token, False, 0, sender=roles.admin)
    assert lens.allowedTokens() == [other.address]
    m.setPaymentToken(market.token, True, 10**18, sender=roles.admin)
    assert lens.allowedTokens() == [market.token.address, other.address]
