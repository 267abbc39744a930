"""Every payment path against the token zoo: fee-on-transfer, no-return, returns-false, blocklisting and reentrant
tokens, as the payment token and as the stake token; plus the reentrancy attack on every external function."""

from __future__ import annotations

import pytest
from eth_utils import keccak

from conftest import Market, STAKE, UNIT_RATE
from deai.deploy.marketplace import MarketplaceParams
from deai.testing.reverts import expect_revert
from deai.testing.tokens import deploy_token
from market_model import Status, arrives, collateral, paid_seconds, payout

HOUR = 3_600
PRICE = 10**12
H = MarketplaceParams().holdback  # the fixtures' holdback: earnings younger than this cannot be withdrawn


@pytest.fixture
def zoo_market(market, zoo_token, roles) -> Market:
    """The marketplace with the current zoo token as its (only) payment token."""
    market.contract.setPaymentToken(zoo_token, True, UNIT_RATE, sender=roles.admin)
    return Market(market.contract, market.stake, zoo_token, roles, market.chain)


def assert_solvent(m, token) -> None:
    assert token.balanceOf(m) == m.totalOwed(token)


def test_lease_lifecycle_with_every_zoo_token(zoo_market, zoo_kind, roles, mp_params):
    """Deposit what arrives, stream it, refund the rest, pay out and drain to zero, whatever the token does."""
    market, m, token = zoo_market, zoo_market.contract, zoo_market.token
    alice, bob = roles.alice, roles.bob
    market.provider(bob)
    offer_id = market.offer(bob, price=PRICE)
    lease_id, _ = market.open(alice, offer_id, H + HOUR)
    deposit = arrives(zoo_kind, PRICE * (H + HOUR))
    assert m.getLease(lease_id).deposit == deposit and token.balanceOf(m) == deposit
    start = market.time_of(market.accept(lease_id, bob))
    end = start + paid_seconds(deposit, PRICE)
    assert m.getLease(lease_id).end == end
    assert m.getLease(lease_id).collateral == collateral(deposit, mp_params.collateral_bps)

    market.at(start + H + 100)
    before = token.balanceOf(bob)
    m.withdrawEarnings(lease_id, sender=bob)
    net, _ = payout(100 * PRICE, 0, mp_params.fee_bps)
    assert token.balanceOf(bob) - before == arrives(zoo_kind, net)
    assert_solvent(m, token)

    closed = H + 1_000
    market.at(start + closed)
    before = token.balanceOf(alice)
    m.closeLease(lease_id, sender=alice)
    refund = deposit - closed * PRICE
    assert token.balanceOf(alice) - before == arrives(zoo_kind, refund)

    market.at(start + closed + mp_params.dispute_window + 1)
    m.finalize(lease_id, sender=roles.mallory)
    net2, _ = payout(closed * PRICE, 100 * PRICE, mp_params.fee_bps)
    assert m.credit(token, bob) == net2
    before = token.balanceOf(bob)
    m.withdrawCredit(token, sender=bob)
    assert token.balanceOf(bob) - before == arrives(zoo_kind, net2)
    m.withdrawFees(token, sender=roles.treasury)
    assert token.balanceOf(roles.treasury) == arrives(zoo_kind, closed * PRICE * mp_params.fee_bps // 10_000)
    assert token.balanceOf(m) == 0 == m.totalOwed(token)


def test_stake_with_every_zoo_token(zoo_kind, roles, mp_params, chain):
    """The stake token may be any zoo token too: stake what arrives, lock, slash to the client, unstake."""
    from deai.deploy.marketplace import deploy_marketplace

    stake = deploy_token(zoo_kind, roles.deployer)
    pay = deploy_token("standard18", roles.deployer)
    m = deploy_marketplace(roles.deployer, mp_params, stake, roles.treasury, roles.arbiter, roles.admin)
    m.setPaymentToken(pay, True, UNIT_RATE, sender=roles.admin)
    market = Market(m, stake, pay, roles, chain)
    market.provider(roles.bob, stake=10**18)
    staked = arrives(zoo_kind, 10**18)
    assert market.registry.providerInfo(roles.bob).freeStake == staked
    assert stake.balanceOf(market.registry) == market.registry.totalStake() == staked
    offer_id = market.offer(roles.bob, price=PRICE)
    lease_id, _ = market.open(roles.alice, offer_id, HOUR)
    start = market.time_of(market.accept(lease_id, roles.bob))
    market.fund(roles.alice, PRICE * HOUR)  # the bond of a dispute after the end is pulled
    market.at(start + HOUR + 1)  # after the end: the whole collateral is still at stake
    m.dispute(lease_id, b"\x01" * 32, sender=roles.alice)
    locked = collateral(PRICE * HOUR, mp_params.collateral_bps)
    m.resolveDispute(lease_id, 10_000, locked, sender=roles.arbiter)
    slashed = arrives(zoo_kind, locked)  # what reached the marketplace from the registry (balance delta)
    assert m.credit(stake, roles.alice) == slashed
    assert_solvent(m, stake)
    m.withdrawCredit(stake, sender=roles.alice)
    assert stake.balanceOf(roles.alice) == arrives(zoo_kind, slashed)
    market.registry.requestUnstake(staked - locked, sender=roles.bob)
    market.at(chain.pending_timestamp + mp_params.unstake_cooldown)
    market.registry.withdrawStake(sender=roles.bob)
    assert stake.balanceOf(roles.bob) == arrives(zoo_kind, staked - locked)
    assert stake.balanceOf(m) == 0 == m.totalOwed(stake)
    assert stake.balanceOf(market.registry) == 0 == market.registry.totalStake()


def test_returns_false_token_is_refused_not_trusted(market, roles):
    token = deploy_token("returns_false", roles.deployer)
    zoo = Market(market.contract, market.stake, token, roles, market.chain)
    market.contract.setPaymentToken(token, True, UNIT_RATE, sender=roles.admin)
    market.provider(roles.bob)
    offer_id = zoo.offer(roles.bob, price=PRICE)
    token.mint(roles.alice, PRICE * HOUR, sender=roles.alice)  # funded but not approved: transferFrom returns false
    with expect_revert(market.contract, "SafeERC20FailedOperation", token.address):
        market.contract.openLease(offer_id, HOUR, PRICE, sender=roles.alice)
    assert market.contract.leaseCount() == 0


def test_fee_on_transfer_deposit_buys_fewer_seconds(market, roles, mp_params):
    """A 1% transfer fee: the lease escrows 99% and covers ceil(deposit / price) seconds, the last one partly."""
    token = deploy_token("fee_on_transfer", roles.deployer)
    market.contract.setPaymentToken(token, True, UNIT_RATE, sender=roles.admin)
    zoo = Market(market.contract, market.stake, token, roles, market.chain)
    zoo.provider(roles.bob)
    price = 1_000_003
    lease_id, _ = zoo.open(roles.alice, zoo.offer(roles.bob, price=price), HOUR - 1)
    deposit = arrives("fee_on_transfer", price * (HOUR - 1))
    start = zoo.time_of(zoo.accept(lease_id, roles.bob))
    end = start + paid_seconds(deposit, price)
    assert deposit % price != 0 and market.contract.getLease(lease_id).end == end
    market.chain.mine(timestamp=end - 1)  # views read the head block's time
    assert market.contract.refundable(lease_id) == deposit - (end - 1 - start) * price
    zoo.at(end)
    market.contract.finalize(lease_id, sender=roles.alice)  # the last holdback is paid at the finalization
    assert market.contract.getLease(lease_id).withdrawn == deposit  # the partial last second is paid in full


@pytest.fixture
def blocklist_market(market, roles) -> Market:
    token = deploy_token("blocklist", roles.deployer)
    market.contract.setPaymentToken(token, True, UNIT_RATE, sender=roles.admin)
    return Market(market.contract, market.stake, token, roles, market.chain)


def test_a_blocked_client_cannot_block_the_provider(blocklist_market, roles, mp_params):
    market, m, token = blocklist_market, blocklist_market.contract, blocklist_market.token
    lease_id, start = market.running_lease(roles.alice, roles.bob, duration=HOUR, price=PRICE)
    token.setBlocked(roles.alice, True, sender=roles.mallory)
    market.at(start + 600)
    m.closeLease(lease_id, sender=roles.bob)  # the refund is credited, not pushed
    m.withdrawEarnings(lease_id, sender=roles.bob)
    assert m.credit(token, roles.alice) == (HOUR - 600) * PRICE
    with expect_revert(token, "Blocked", roles.alice.address):
        m.withdrawCredit(token, sender=roles.alice)
    market.at(start + 600 + mp_params.dispute_window + 1)
    m.finalize(lease_id, sender=roles.bob)
    token.setBlocked(roles.alice, False, sender=roles.mallory)
    m.withdrawCredit(token, sender=roles.alice)
    assert token.balanceOf(roles.alice) == (HOUR - 600) * PRICE


def test_a_blocked_provider_cannot_block_the_client(blocklist_market, roles, mp_params):
    market, m, token = blocklist_market, blocklist_market.contract, blocklist_market.token
    lease_id, start = market.running_lease(roles.alice, roles.bob, duration=H + HOUR, price=PRICE)
    token.setBlocked(roles.bob, True, sender=roles.mallory)
    market.at(start + H + 600)
    m.withdrawEarnings(lease_id, sender=roles.bob)  # credited: the token refuses the provider (round 5, L3)
    assert m.credit(token, roles.bob) == payout((H + 600 - mp_params.holdback) * PRICE, 0, mp_params.fee_bps)[0]
    closed = market.time_of(m.closeLease(lease_id, sender=roles.alice)) - start
    market.at(start + closed + mp_params.dispute_window + 1)
    m.finalize(lease_id, sender=roles.alice)  # earnings are credited to the blocked provider
    assert m.credit(token, roles.bob) == payout(closed * PRICE, 0, mp_params.fee_bps)[0]
    assert market.registry.providerInfo(roles.bob).lockedStake == 0
    assert_solvent(m, token)


def test_a_blocked_treasury_is_credited_or_replaced(blocklist_market, roles, mp_params):
    """A treasury the token refuses is credited its fees (and sends them elsewhere with withdrawCreditTo); the admin
    can also name another treasury for the fees accrued from then on."""
    market, m, token = blocklist_market, blocklist_market.contract, blocklist_market.token
    fee = -(-HOUR * PRICE * mp_params.fee_bps // 10_000)
    lease_id, start = market.running_lease(roles.alice, roles.bob, duration=HOUR, price=PRICE)
    market.at(start + HOUR)
    m.finalize(lease_id, sender=roles.alice)
    token.setBlocked(roles.treasury, True, sender=roles.mallory)
    m.withdrawFees(token, sender=roles.treasury)
    assert (m.accruedFees(token), m.credit(token, roles.treasury)) == (0, fee)
    m.withdrawCreditTo(token, roles.dave, sender=roles.treasury)
    assert token.balanceOf(roles.dave) == fee
    m.setTreasury(roles.carol, sender=roles.admin)
    lease_id, _ = market.open(roles.alice, m.offerCount(), HOUR)
    start = market.time_of(market.accept(lease_id, roles.bob))
    market.at(start + HOUR)
    m.finalize(lease_id, sender=roles.alice)
    with expect_revert(m, "NotTreasury", roles.treasury.address):
        m.withdrawFees(token, sender=roles.treasury)
    m.withdrawFees(token, sender=roles.carol)
    assert token.balanceOf(roles.carol) == fee
    assert_solvent(m, token)


# ------------------------------------------------------------------------------------------- reentrancy attack

GUARD_ERROR = keccak(text="ReentrancyGuardReentrantCall()")[:4]
# Every external state-changing function with the most damaging arguments the attacking token could pick: lease 1
# (the one whose close triggers the callback), the token itself, everything owed. `guarded` ones must hit the guard;
# the others must fail on their own access rules or do nothing of value.
ATTACKS = {
    "withdrawEarnings": (True, lambda c: (1,)),
    "closeLease": (True, lambda c: (1,)),
    "cancelLease": (True, lambda c: (1,)),
    "topUp": (True, lambda c: (1, 60)),
    "openLease": (True, lambda c: (1, 60, 2**256 - 1)),
    "dispute": (True, lambda c: (1, b"\x01" * 32)),
    "resolveDispute": (True, lambda c: (1, 0, 0)),
    "resolveDisputeByTimeout": (True, lambda c: (1,)),
    "finalize": (True, lambda c: (1,)),
    "releaseExcessCollateral": (True, lambda c: (1,)),
    "withdrawCredit": (True, lambda c: (c["token"],)),
    "withdrawCreditTo": (True, lambda c: (c["token"], c["token"])),
    "withdrawFees": (True, lambda c: (c["token"],)),
    "recoverSurplus": (False, lambda c: (c["token"], c["token"])),  # admin check comes first
    "acceptLease": (False, lambda c: (1,)),
    "submitResult": (False, lambda c: (1, b"\x02" * 32)),
    "submitResultFor": (False, lambda c: (1, b"\x02" * 32, c["token"])),  # only the result relay
    "createOffer": (False, lambda c: (c["token"], 1, 1, 1, b"\x03" * 32, "")),
    "setOfferActive": (False, lambda c: (1, False)),
    "setOfferPrice": (False, lambda c: (1, 1)),
    "setPaymentToken": (False, lambda c: (c["token"], False, 0)),
    "setFeeBps": (False, lambda c: (0,)),
    "setTreasury": (False, lambda c: (c["token"],)),
    "proposeArbiter": (False, lambda c: (c["token"],)),
    "cancelArbiterProposal": (False, lambda c: ()),
    "executeArbiter": (False, lambda c: ()),
    "pause": (False, lambda c: ()),
    "unpause": (False, lambda c: ()),
    "transferOwnership": (False, lambda c: (c["token"],)),
    "acceptOwnership": (False, lambda c: ()),
    "renounceOwnership": (False, lambda c: ()),
}


def test_attack_list_covers_every_external_function(market_contract):
    mutating = {m.name for m in market_contract.contract_type.mutable_methods}
    assert mutating == set(ATTACKS)


@pytest.mark.parametrize("function", sorted(ATTACKS))
def test_reentrant_token_gains_nothing(function, market, roles, mp_params):
    """The payment token calls `function` in the middle of the refund transfer of a close; the close pays exactly
    what it should, the contract stays solvent, and the attacker ends with nothing."""
    token = deploy_token("reentrant", roles.deployer)
    m = market.contract
    m.setPaymentToken(token, True, UNIT_RATE, sender=roles.admin)
    zoo = Market(m, market.stake, token, roles, market.chain)
    lease_id, start = zoo.running_lease(roles.alice, roles.bob, duration=HOUR, price=PRICE)
    assert lease_id == 1
    guarded, make_args = ATTACKS[function]
    calldata = getattr(m, function).encode_input(*make_args({"token": token.address}))
    token.arm(m, calldata, sender=roles.mallory)
    zoo.at(start + 600)
    before = token.balanceOf(roles.alice)
    m.closeLease(lease_id, sender=roles.alice)
    assert token.lastCallAttempted()
    if guarded:
        assert not token.lastCallSucceeded()
        assert bytes(token.lastCallResult()) == GUARD_ERROR
    assert token.balanceOf(roles.alice) - before == (HOUR - 600) * PRICE
    lease = m.getLease(lease_id)
    assert (lease.status, lease.deposit, lease.refunded, lease.withdrawn) == (
        Status.ACTIVE, HOUR * PRICE, (HOUR - 600) * PRICE, 0)
    assert token.balanceOf(token) == 0 and m.credit(token, token) == 0
    assert token.balanceOf(m) == m.totalOwed(token) == 600 * PRICE
    info = market.registry.providerInfo(roles.bob)
    assert (info.lockedStake, info.freeStake) == (lease.collateral, STAKE - lease.collateral)
    assert (m.owner(), m.arbiter(), m.treasury(), m.feeBps()) == (
        roles.admin.address, roles.arbiter.address, roles.treasury.address, mp_params.fee_bps)
