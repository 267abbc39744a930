"""MarketplaceLens: paged, read-only views of offers and leases (ids 1-based), each page bounded by `limit`, built
only on the marketplace's and registry's external views. On both backends (Ape's provider and the in-process revm
chain), so `make mutation` judges the lens's mutants in-process.

Expected pages are computed here from the ids, parties and terms this test created; every field of every entry is
compared with the marketplace's own views (what the lens must copy), and the values that matter are also computed
from the terms (prices, durations, block times)."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import DAY, PRICE, STAKE, Market

from deai.deploy.contracts import deploy
from deai.deploy.lens import deploy_lens
from deai.testing.backends import backend_chain, backend_roles, on_both_backends  # noqa: F401 (fixtures)
from deai.testing.reverts import expect_revert
from deai.testing.tokens import deploy_token

pytestmark = on_both_backends

HOUR = 3_600
MAX_LIMIT = 100
ZERO = "0x" + "00" * 20
OPEN, ACTIVE, CANCELLED = 1, 2, 4  # LeaseView.status


@pytest.fixture
def lens(market: Market, roles):
    return deploy_lens(roles.deployer, market.contract)


# ------------------------------------------------------------------------------------------------ decoding

def _output(contract, function: str, index: int = 0) -> Any:
    [abi] = [f for f in contract.contract_type.abi if getattr(f, "name", None) == function]
    return abi.outputs[index]


def _plain(value: Any, param: Any) -> Any:
    """`value` decoded per the ABI parameter `param` as plain Python: a struct as a dict by the ABI's field names
    (read from the compiled ABI, so fields added later are compared too), an array as a list, bytes as bytes. Both
    backends' structs are indexable by position."""
    kind = param.type
    if kind.endswith("[]"):
        inner = param.model_copy(update={"type": kind[:-2]})
        return [_plain(v, inner) for v in value]
    if kind == "tuple":
        return {c.name: _plain(value[i], c) for i, c in enumerate(param.components)}
    if kind.startswith("bytes"):
        return bytes(value)
    return value


def _page(lens, function: str, result) -> tuple[list[dict], int]:
    """A lens call's (page as plain dicts, nextId)."""
    page, next_id = result
    return _plain(page, _output(lens, function)), next_id


def _ids(result) -> tuple[list[int], int]:
    page, next_id = result
    return [entry[0] for entry in page], next_id


def _offer_entry(market: Market, offer_id: int) -> dict:
    """The entry the lens must give for `offer_id`: the id and every field of the marketplace's getOffer."""
    m = market.contract
    return {"offerId": offer_id, "offer": _plain(m.getOffer(offer_id), _output(m, "getOffer"))}


def _lease_entry(market: Market, lease_id: int) -> dict:
    """The entry the lens must give for `lease_id`: the id, every field of getLease, earned and refundable now."""
    m = market.contract
    return {"leaseId": lease_id, "lease": _plain(m.getLease(lease_id), _output(m, "getLease")),
            "earned": m.earned(lease_id), "refundable": m.refundable(lease_id)}


# ------------------------------------------------------------------------------------------------ set-ups

SPECS = [bytes([0x10 + i]) * 32 for i in range(5)]


def _offers(market: Market, roles) -> dict[int, str]:
    """Five offers, alice and bob interleaved, each with its own price, durations and spec; the third is
    deactivated. Returns the provider of each id."""
    market.provider(roles.alice)
    market.provider(roles.bob)
    owners = {}
    for index, who in enumerate((roles.alice, roles.bob, roles.alice, roles.alice, roles.bob)):
        offer_id = market.offer(who, price=PRICE + index, min_duration=60 + index, max_duration=DAY + index,
                                spec=SPECS[index])
        owners[offer_id] = who.address
    market.contract.setOfferActive(3, False, sender=roles.alice)
    return owners


def _expected_offer(market: Market, offer_id: int, provider: str) -> dict:
    """Offer `offer_id` as `_offers` created it, computed from its index (not read from the marketplace)."""
    index = offer_id - 1
    return {"offerId": offer_id, "offer": {
        "provider": provider, "paymentToken": market.token.address, "pricePerSecond": PRICE + index,
        "minDuration": 60 + index, "maxDuration": DAY + index, "active": offer_id != 3, "specHash": SPECS[index],
        "uri": "ipfs://offer"}}


# ------------------------------------------------------------------------------------------------ construction

def test_the_lens_reads_the_marketplace_and_its_registry(lens, market):
    assert lens.marketplace() == market.contract.address
    assert lens.registry() == market.registry.address == market.contract.registry()
    assert lens.MAX_LIMIT() == MAX_LIMIT


def test_the_lens_refuses_a_marketplace_without_code(lens, roles):
    for no_code in (roles.carol.address, ZERO):
        with expect_revert(lens, "InvalidMarketplace", no_code):
            deploy("MarketplaceLens", roles.deployer, no_code)


# ------------------------------------------------------------------------------------------------ offers

def test_offers_page_through_every_offer_in_id_order_with_every_field(lens, market, roles):
    owners = _offers(market, roles)
    assert sorted(owners) == [1, 2, 3, 4, 5]
    expected = {i: _expected_offer(market, i, owners[i]) for i in owners}
    assert expected == {i: _offer_entry(market, i) for i in owners}  # the set-up is what the marketplace holds
    assert _page(lens, "offers", lens.offers(1, 2)) == ([expected[1], expected[2]], 3)
    assert _page(lens, "offers", lens.offers(3, 2)) == ([expected[3], expected[4]], 5)
    assert _page(lens, "offers", lens.offers(5, 2)) == ([expected[5]], 0)  # the last page is short and ends it
    assert _page(lens, "offers", lens.offers(4, 2)) == ([expected[4], expected[5]], 0)  # ends exactly at the last
    assert _page(lens, "offers", lens.offers(5, 1)) == ([expected[5]], 0)  # one id, the last
    assert _page(lens, "offers", lens.offers(4, 1)) == ([expected[4]], 5)  # one id, one before the last
    assert _page(lens, "offers", lens.offers(1, 1)) == ([expected[1]], 2)
    assert _page(lens, "offers", lens.offers(2, 3)) == ([expected[2], expected[3], expected[4]], 5)
    assert _page(lens, "offers", lens.offers(2, 4)) == ([expected[i] for i in (2, 3, 4, 5)], 0)  # a full page
    assert _page(lens, "offers", lens.offers(1, MAX_LIMIT)) == ([expected[i] for i in range(1, 6)], 0)
    assert _page(lens, "offers", lens.offers(6, 10)) == ([], 0)  # one past the end: empty
    assert _page(lens, "offers", lens.offers(2**200, MAX_LIMIT)) == ([], 0)  # far past the end
    # the largest id: empty too (the range's last id, fromId + limit - 1, would overflow: it is never computed)
    assert _page(lens, "offers", lens.offers(2**256 - 1, MAX_LIMIT)) == ([], 0)
    assert _page(lens, "offersOf", lens.offersOf(roles.bob, 2**256 - 1, 2)) == ([], 0)


def test_offers_of_a_provider_scan_a_bounded_id_range(lens, market, roles):
    owners = _offers(market, roles)
    expected = {i: _expected_offer(market, i, owners[i]) for i in owners}
    bob, alice = roles.bob.address, roles.alice.address
    assert [i for i in sorted(owners) if owners[i] == bob] == [2, 5]
    assert _page(lens, "offersOf", lens.offersOf(bob, 1, 3)) == ([expected[2]], 4)  # ids 1..3 examined: one match
    assert _page(lens, "offersOf", lens.offersOf(bob, 4, 3)) == ([expected[5]], 0)
    assert _page(lens, "offersOf", lens.offersOf(bob, 3, 1)) == ([], 4)  # empty while more ids remain
    assert _page(lens, "offersOf", lens.offersOf(bob, 5, 1)) == ([expected[5]], 0)
    assert _page(lens, "offersOf", lens.offersOf(bob, 2, 1)) == ([expected[2]], 3)
    assert _page(lens, "offersOf", lens.offersOf(alice, 1, MAX_LIMIT)) == ([expected[i] for i in (1, 3, 4)], 0)
    assert _page(lens, "offersOf", lens.offersOf(alice, 2, 2)) == ([expected[3]], 4)
    assert _page(lens, "offersOf", lens.offersOf(roles.carol, 1, MAX_LIMIT)) == ([], 0)
    assert _page(lens, "offersOf", lens.offersOf(alice, 6, 1)) == ([], 0)
    # the zero address is not a provider filter: it matches every offer (offers() is offersOf(0, ...))
    assert _page(lens, "offersOf", lens.offersOf(ZERO, 2, 3)) == ([expected[i] for i in (2, 3, 4)], 5)


@pytest.mark.parametrize("limit", [0, MAX_LIMIT + 1, 2**256 - 1])
def test_a_limit_outside_one_to_max_is_refused(lens, market, roles, limit):
    _offers(market, roles)
    calls = (lambda: lens.offers(1, limit), lambda: lens.offersOf(roles.bob, 1, limit),
             lambda: lens.leasesOfClient(roles.carol, 1, limit), lambda: lens.leasesOfProvider(roles.bob, 1, limit))
    for call in calls:
        with expect_revert(lens, "LimitOutOfRange", limit, MAX_LIMIT):
            call()


def test_id_zero_is_refused_ids_start_at_one(lens, market, roles):
    for call in (lambda: lens.offers(0, 1), lambda: lens.offersOf(roles.bob, 0, 1),
                 lambda: lens.leasesOfClient(roles.carol, 0, 1), lambda: lens.leasesOfProvider(roles.bob, 0, 1)):
        with expect_revert(lens, "ZeroId"):
            call()
    _offers(market, roles)  # with offers too, and a valid limit: the id is refused (checked after the limit)
    with expect_revert(lens, "ZeroId"):
        lens.offers(0, MAX_LIMIT)
    with expect_revert(lens, "LimitOutOfRange", 0, MAX_LIMIT):
        lens.offers(0, 0)


def test_empty_marketplace_gives_empty_pages(lens, roles):
    assert _ids(lens.offers(1, MAX_LIMIT)) == ([], 0)
    assert _ids(lens.offersOf(roles.bob, 1, 1)) == ([], 0)
    assert _ids(lens.leasesOfClient(roles.carol, 1, MAX_LIMIT)) == ([], 0)
    assert _ids(lens.leasesOfProvider(roles.bob, 1, 1)) == ([], 0)


# ------------------------------------------------------------------------------------------------ leases

def _leases(market: Market, roles, mp_params) -> dict[str, Any]:
    """Four leases: 1 carol on alice (accepted), 2 dave on bob (open), 3 carol on bob (open), 4 dave on alice
    (cancelled); the head block is `holdback + 600` s after lease 1's acceptance. Returns their times."""
    m, chain = market.contract, market.chain
    market.provider(roles.alice)
    market.provider(roles.bob)
    alice_offer, bob_offer = market.offer(roles.alice), market.offer(roles.bob)
    start = chain.pending_timestamp + 100  # each step funds its client first (two transactions): gaps of 100 s
    assert market.open(roles.carol, alice_offer, DAY, at=start)[0] == 1
    assert market.open(roles.dave, bob_offer, DAY, at=start + 100)[0] == 2
    assert market.open(roles.carol, bob_offer, HOUR, at=start + 200)[0] == 3
    accepted = market.time_of(market.accept(1, roles.alice, at=start + 300))
    assert accepted == start + 300
    assert market.open(roles.dave, alice_offer, 2 * HOUR, at=start + 400)[0] == 4
    market.at(start + 500)
    m.cancelLease(4, sender=roles.dave)
    now = accepted + mp_params.holdback + 600
    chain.mine(timestamp=now)  # views read the head block's time
    return {"accepted": accepted, "now": now, "alice_offer": alice_offer, "bob_offer": bob_offer}


def test_leases_of_a_client_with_every_field_earned_and_refundable(lens, market, roles, mp_params):
    times = _leases(market, roles, mp_params)
    accepted, now = times["accepted"], times["now"]
    entries = {i: _lease_entry(market, i) for i in (1, 2, 3, 4)}
    page, next_id = _page(lens, "leasesOfClient", lens.leasesOfClient(roles.carol, 1, MAX_LIMIT))
    assert (page, next_id) == ([entries[1], entries[3]], 0)
    first, third = page
    lease = first["lease"]
    assert (lease["offerId"], lease["client"], lease["provider"], lease["paymentToken"]) == (
        times["alice_offer"], roles.carol.address, roles.alice.address, market.token.address)
    assert (lease["pricePerSecond"], lease["deposit"], lease["start"], lease["end"], lease["status"]) == (
        PRICE, DAY * PRICE, accepted, accepted + DAY, ACTIVE)
    gross = 600 * PRICE  # streamed up to `holdback` seconds ago
    assert first["earned"] == gross - gross * mp_params.fee_bps // 10_000
    assert first["refundable"] == DAY * PRICE - (now - accepted) * PRICE
    assert first["earned"] != first["refundable"]
    assert (third["earned"], third["refundable"], third["lease"]["status"], third["lease"]["deposit"]) == (
        0, HOUR * PRICE, OPEN, HOUR * PRICE)  # Open: all of it refundable
    assert third["lease"]["provider"] == roles.bob.address
    dave = _page(lens, "leasesOfClient", lens.leasesOfClient(roles.dave, 1, MAX_LIMIT))
    assert dave == ([entries[2], entries[4]], 0)
    cancelled = dave[0][1]
    assert (cancelled["earned"], cancelled["refundable"], cancelled["lease"]["status"]) == (0, 0, CANCELLED)
    assert cancelled["lease"]["refunded"] == 2 * HOUR * PRICE


def test_leases_of_a_client_are_paged_over_a_bounded_id_range(lens, market, roles, mp_params):
    _leases(market, roles, mp_params)
    entries = {i: _lease_entry(market, i) for i in (1, 2, 3, 4)}
    carol, dave = roles.carol.address, roles.dave.address
    assert _page(lens, "leasesOfClient", lens.leasesOfClient(carol, 1, 2)) == ([entries[1]], 3)
    assert _page(lens, "leasesOfClient", lens.leasesOfClient(carol, 2, 1)) == ([], 3)
    assert _page(lens, "leasesOfClient", lens.leasesOfClient(carol, 3, 1)) == ([entries[3]], 4)
    assert _page(lens, "leasesOfClient", lens.leasesOfClient(carol, 3, 2)) == ([entries[3]], 0)
    assert _page(lens, "leasesOfClient", lens.leasesOfClient(dave, 4, 1)) == ([entries[4]], 0)
    assert _page(lens, "leasesOfClient", lens.leasesOfClient(dave, 2, 2)) == ([entries[2]], 4)
    assert _page(lens, "leasesOfClient", lens.leasesOfClient(dave, 5, 1)) == ([], 0)
    assert _page(lens, "leasesOfClient", lens.leasesOfClient(dave, 2**256 - 1, MAX_LIMIT)) == ([], 0)
    assert _page(lens, "leasesOfProvider", lens.leasesOfProvider(roles.bob, 2**256 - 1, 2)) == ([], 0)
    assert _page(lens, "leasesOfClient", lens.leasesOfClient(roles.alice, 1, MAX_LIMIT)) == ([], 0)  # a provider
    # the zero address is no client filter: every lease
    assert _page(lens, "leasesOfClient", lens.leasesOfClient(ZERO, 1, 3)) == ([entries[i] for i in (1, 2, 3)], 4)


def test_leases_of_a_provider_with_every_field(lens, market, roles, mp_params):
    _leases(market, roles, mp_params)
    entries = {i: _lease_entry(market, i) for i in (1, 2, 3, 4)}
    alice, bob = roles.alice.address, roles.bob.address
    bobs = _page(lens, "leasesOfProvider", lens.leasesOfProvider(bob, 1, MAX_LIMIT))
    assert bobs == ([entries[2], entries[3]], 0)
    assert [e["lease"]["client"] for e in bobs[0]] == [roles.dave.address, roles.carol.address]
    assert all(e["lease"]["provider"] == bob for e in bobs[0])
    assert _page(lens, "leasesOfProvider", lens.leasesOfProvider(alice, 1, MAX_LIMIT)) == ([entries[1], entries[4]], 0)
    assert _page(lens, "leasesOfProvider", lens.leasesOfProvider(alice, 2, 2)) == ([], 4)
    assert _page(lens, "leasesOfProvider", lens.leasesOfProvider(alice, 4, 1)) == ([entries[4]], 0)
    assert _page(lens, "leasesOfProvider", lens.leasesOfProvider(bob, 3, 1)) == ([entries[3]], 4)
    assert _page(lens, "leasesOfProvider", lens.leasesOfProvider(roles.carol, 1, MAX_LIMIT)) == ([], 0)  # a client
    assert _page(lens, "leasesOfProvider", lens.leasesOfProvider(ZERO, 2, 3)) == ([entries[i] for i in (2, 3, 4)], 0)


# ------------------------------------------------------------------------------------------------ bounded work

def _gas_of_read(wallet, owner, lens, function: str, *args) -> int:
    """The gas of one lens read, made as a transaction through a BatchingWallet (a transaction's gas is measured the
    same way on both backends; the wallet discards the answer)."""
    data = getattr(lens, function).encode_input(*args)
    return wallet.run([lens.address], [data], sender=owner).gas_used


def test_a_pages_work_is_bounded_by_its_limit_whatever_its_first_id(lens, market, roles):
    """The lens's promise "the work per call is bounded by `limit`, whatever the number of offers or leases": a page
    of one id far into the list costs what the page of the first id costs (same shape of offer and lease, so the
    same reads), within a small margin. A page allocated for more entries than it examines would cost a memory
    expansion that grows with the id (each struct entry is allocated up front)."""
    wallet = deploy("BatchingWallet", roles.deployer, roles.deployer)
    market.provider(roles.bob)
    count = 40
    for _ in range(count):
        market.offer(roles.bob)
    offer_id = market.contract.offerCount()
    market.fund(roles.carol, count * HOUR * PRICE)
    market.at(market.chain.pending_timestamp + 10)
    for _ in range(count):
        market.contract.openLease(offer_id, HOUR, PRICE, sender=roles.carol)
    assert market.contract.leaseCount() == count
    margin = 300  # calldata and stack differences only; allocating dozens of unexamined entries costs thousands
    for function, first_args, far_args in (
            ("offers", (1, 1), (count, 1)), ("offersOf", (roles.bob, 1, 1), (roles.bob, count, 1)),
            ("leasesOfClient", (roles.carol, 1, 1), (roles.carol, count, 1)),
            ("leasesOfProvider", (roles.bob, 1, 1), (roles.bob, count, 1))):
        first = _gas_of_read(wallet, roles.deployer, lens, function, *first_args)
        far = _gas_of_read(wallet, roles.deployer, lens, function, *far_args)
        assert abs(far - first) < margin, (function, first, far)
        assert _ids(getattr(lens, function)(*far_args)) == ([count], 0)
        # a full page from the middle of the list: every examined id matches, so every allocated entry is filled
        mid_args = (*far_args[:-2], 2, 10)
        assert _ids(getattr(lens, function)(*mid_args)) == (list(range(2, 12)), 12)


# ------------------------------------------------------------------------------------------------ registry, tokens

def test_provider_info_is_the_registrys(lens, market, roles, mp_params):
    """Every field of the registry's providerInfo, with free, locked and pending stake all non-zero."""
    registry = market.registry
    market.provider(roles.alice)
    offer = market.offer(roles.alice)
    market.open(roles.carol, offer, DAY, at=market.chain.pending_timestamp + 10)
    market.accept(1, roles.alice, at=market.chain.pending_timestamp + 10)
    unstake_at = market.chain.pending_timestamp + 10
    market.at(unstake_at)
    registry.requestUnstake(STAKE // 4, sender=roles.alice)
    expected = _plain(registry.providerInfo(roles.alice), _output(registry, "providerInfo"))
    info = _plain(lens.providerInfo(roles.alice), _output(lens, "providerInfo"))
    assert info == expected
    locked = DAY * PRICE * mp_params.collateral_bps // 10_000  # one payment unit per stake unit (UNIT_RATE)
    assert (info["registered"], info["lockedStake"], info["pendingStake"]) == (True, locked, STAKE // 4)
    assert info["freeStake"] == STAKE - locked - STAKE // 4
    assert info["unlockAt"] == unstake_at + mp_params.unstake_cooldown
    assert info["metadataURI"] == f"ipfs://provider/{roles.alice.address}"
    nobody = _plain(lens.providerInfo(roles.carol), _output(lens, "providerInfo"))
    assert nobody == _plain(registry.providerInfo(roles.carol), _output(registry, "providerInfo"))
    assert (nobody["registered"], nobody["freeStake"], nobody["metadataURI"]) == (False, 0, "")


def test_allowed_tokens_lists_the_payment_tokens_allowed_now(lens, market: Market, roles):
    """`allowedTokens()` (moved here from the marketplace in round 5, to free its EIP-3860 initcode): the payment tokens
    allowed now, in the order they were first allowed; a token allowed again keeps its place."""
    m, first = market.contract, market.token.address
    assert lens.allowedTokens() == [first]
    second, third = (deploy_token("standard18", roles.deployer) for _ in range(2))
    m.setPaymentToken(second, True, 10**18, sender=roles.admin)
    m.setPaymentToken(third, True, 2 * 10**18, sender=roles.admin)
    assert lens.allowedTokens() == [first, second.address, third.address]
    m.setPaymentToken(second, False, 0, sender=roles.admin)  # a gap in the middle
    assert lens.allowedTokens() == [first, third.address]
    m.setPaymentToken(market.token, False, 0, sender=roles.admin)
    assert lens.allowedTokens() == [third.address]
    m.setPaymentToken(third, False, 0, sender=roles.admin)
    assert lens.allowedTokens() == []  # none allowed: empty, though three are tracked
    m.setPaymentToken(market.token, True, 10**18, sender=roles.admin)
    m.setPaymentToken(second, True, 10**18, sender=roles.admin)
    assert lens.allowedTokens() == [first, second.address]
    # the stake token is tracked from the start (first), and listed only while it is allowed for payment too
    assert list(m.trackedTokens()) == [market.stake.address, first, second.address, third.address]
    assert not m.isTokenAllowed(market.stake)
    m.setPaymentToken(market.stake, True, 10**18, sender=roles.admin)
    assert lens.allowedTokens() == [market.stake.address, first, second.address]
    assert list(m.trackedTokens()) == [market.stake.address, first, second.address, third.address]
