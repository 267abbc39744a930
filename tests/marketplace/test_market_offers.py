"""Offers: creation rules, activation, and price changes that only affect new leases."""

from __future__ import annotations

from conftest import DAY, PRICE
from deai.testing.reverts import expect_revert
from deai.testing.storage import slot_of, write_storage

MAX_DURATION = 2**32 - 1


def test_create_offer(market, roles):
    m, bob = market.contract, roles.bob
    with expect_revert(m, "NotRegistered", bob.address):
        m.createOffer(market.token, PRICE, 60, DAY, b"\x01" * 32, "u", sender=bob)
    market.provider(bob, stake=0)
    receipt = m.createOffer(market.token, PRICE, 60, DAY, b"\x01" * 32, "ipfs://gpu", sender=bob)
    event = receipt.events[0]
    assert (event.offerId, event.event_arguments["provider"], event.paymentToken, event.pricePerSecond, event.minDuration,
            event.maxDuration, event.uri) == (1, bob.address, market.token.address, PRICE, 60, DAY, "ipfs://gpu")
    offer = m.getOffer(1)
    assert (offer.provider, offer.paymentToken, offer.pricePerSecond, offer.minDuration, offer.maxDuration,
            offer.active, offer.specHash, offer.uri) == (bob.address, market.token.address, PRICE, 60, DAY, True,
                                                         b"\x01" * 32, "ipfs://gpu")
    assert m.offerCount() == 1


def test_create_offer_rejects_bad_parameters(market, roles):
    m, bob = market.contract, roles.bob
    market.provider(bob, stake=0)
    spec = b"\x01" * 32
    with expect_revert(m, "TokenNotAllowed", market.stake.address):
        m.createOffer(market.stake, PRICE, 60, DAY, spec, "", sender=bob)
    with expect_revert(m, "DurationOutOfRange", DAY, 0, DAY):
        m.createOffer(market.token, PRICE, 0, DAY, spec, "", sender=bob)
    with expect_revert(m, "DurationOutOfRange", 60, 61, 60):
        m.createOffer(market.token, PRICE, 61, 60, spec, "", sender=bob)
    with expect_revert(m, "DurationOutOfRange", MAX_DURATION + 1, 1, MAX_DURATION + 1):
        m.createOffer(market.token, PRICE, 1, MAX_DURATION + 1, spec, "", sender=bob)
    with expect_revert(m, "InvalidParameter"):
        m.createOffer(market.token, 0, 60, DAY, spec, "", sender=bob)
    too_high = 2**96  # prices are kept in 96 bits, so a lease of up to 2^32 - 1 seconds fits 128 bits
    with expect_revert(m, "AmountTooLarge", too_high):
        m.createOffer(market.token, too_high, 60, DAY, spec, "", sender=bob)
    m.createOffer(market.token, too_high - 1, 60, DAY, spec, "", sender=bob)
    with expect_revert(m, "AmountTooLarge", too_high):
        m.setOfferPrice(m.offerCount(), too_high, sender=bob)
    m.pause(sender=roles.admin)
    with expect_revert(m, "EnforcedPause"):
        m.createOffer(market.token, PRICE, 60, DAY, spec, "", sender=bob)


def test_only_the_provider_edits_an_offer(market, roles):
    m, bob = market.contract, roles.bob
    market.provider(bob, stake=0)
    offer_id = market.offer(bob)
    for call in (lambda: m.setOfferActive(offer_id, False, sender=roles.mallory),
                 lambda: m.setOfferPrice(offer_id, 1, sender=roles.mallory)):
        with expect_revert(m, "NotProvider", roles.mallory.address):
            call()
    with expect_revert(m, "UnknownOffer", 99):
        m.setOfferActive(99, False, sender=bob)
    with expect_revert(m, "UnknownOffer", 99):
        m.getOffer(99)
    with expect_revert(m, "InvalidParameter"):
        m.setOfferPrice(offer_id, 0, sender=bob)


def test_deactivated_offer_takes_no_leases_but_running_ones_continue(market, roles):
    m, bob, alice = market.contract, roles.bob, roles.alice
    lease_id, _ = market.running_lease(alice, bob)
    receipt = m.setOfferActive(1, False, sender=bob)
    assert [(e.offerId, e.active) for e in receipt.events] == [(1, False)]
    market.fund(alice, PRICE * DAY)
    with expect_revert(m, "OfferInactive", 1):
        m.openLease(1, DAY, PRICE, sender=alice)
    assert m.withdrawEarnings(lease_id, sender=bob)  # the running lease is untouched
    m.setOfferActive(1, True, sender=bob)
    m.openLease(1, DAY, PRICE, sender=alice)


def test_price_change_affects_new_leases_only_and_max_price_blocks_a_front_run(market, roles):
    m, bob, alice = market.contract, roles.bob, roles.alice
    lease_id, start = market.running_lease(alice, bob)
    receipt = m.setOfferPrice(1, 3 * PRICE, sender=bob)  # lands before alice's second lease
    assert [(e.offerId, e.pricePerSecond) for e in receipt.events] == [(1, 3 * PRICE)]
    assert m.getLease(lease_id).pricePerSecond == PRICE
    market.fund(alice, 3 * PRICE * DAY)
    with expect_revert(m, "PriceAboveMax", 3 * PRICE, PRICE):
        m.openLease(1, DAY, PRICE, sender=alice)
    second, _ = market.open(alice, 1, DAY, max_price=3 * PRICE)
    assert (m.getLease(second).pricePerSecond, m.getLease(second).deposit) == (3 * PRICE, 3 * PRICE * DAY)


def test_offer_ids_stop_at_2_to_the_32(market, roles, chain):
    """Leases store the offer id in 32 bits: the last id is 2^32 - 1 and the next offer is refused (the counter is
    moved to the edge by a storage write: four billion offers cannot be created)."""
    m = market.contract
    market.provider(roles.bob)
    write_storage(chain, m, slot_of("ComputeMarketplace", "offerCount"), 2**32 - 2)
    assert m.offerCount() == 2**32 - 2
    last = market.offer(roles.bob)
    assert last == 2**32 - 1
    with expect_revert(m, "AmountTooLarge", 2**32):
        m.createOffer(market.token, 1, 60, 3_600, b"\x01" * 32, "", sender=roles.bob)
    lease_id, _ = market.open(roles.alice, last, 3_600)
    assert m.getLease(lease_id).offerId == last  # not truncated
