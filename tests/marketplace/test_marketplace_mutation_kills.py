"""Mutation kills (issue 16 item 6) for the marketplace family, on both backends: behaviours the in-process machine
does not reach, so that `make mutation` judges these mutants in-process instead of through the unit tests on anvil.
Kept to offers and the provider registry (lease storage is being reshaped on another branch). Each test names the
mutants it kills (docs/mutation-report.md, mutation-survivors.json); expected values are computed here."""

from __future__ import annotations

import pytest

from deai.deploy.contracts import deploy
from deai.deploy.marketplace import CONTRACT, NO_RELAY, MarketplaceParams, registry_of
from deai.testing.backends import on_both_backends
from deai.testing.calldata import calldata
from deai.testing.reverts import expect_revert, revert_data
from deai.testing.storage import slot_of, write_storage
from deai.testing.tokens import deploy_token
from market_model import ARBITER_DELAY

ARBITER_PROPOSAL_TTL = 7 * 86_400  # MarketplaceBase: how long a due arbiter proposal stays installable

STAKE = 10**12
SPEC = b"\x5e" * 32
ZERO = "0x" + "00" * 20


def _market(backend, result_relay=NO_RELAY, treasury=None, params=None, arbiter=None, stake_token=None):
    """A marketplace naming `result_relay` (none by default), `treasury` and `arbiter` (roles' by default), with the
    deploy plan's parameters (or `params`), whose stake token is `stake_token` (default: a new 6-decimal token);
    nothing registered. Returns (market, registry, token)."""
    roles = backend.roles
    token = stake_token or deploy_token("standard6", roles.deployer)
    market = deploy(CONTRACT, roles.deployer, *(params or MarketplaceParams()).constructor_args(
        token.address, (treasury or roles.treasury).address, (arbiter or roles.arbiter).address, roles.admin.address,
        result_relay))
    return market, registry_of(market), token


def _market_with_offer(backend, price, result_relay=NO_RELAY, treasury=None, params=None, arbiter=None,
                       stake_token=None):
    """`_market`, with its token also a payment token, a staked provider (bob) and bob's offer 1 at `price` per
    second in it."""
    roles = backend.roles
    market, registry, token = _market(backend, result_relay, treasury, params, arbiter, stake_token)
    market.setPaymentToken(token, True, 10**18, sender=roles.admin)
    token.mint(roles.bob, STAKE, sender=roles.bob)
    token.approve(registry, STAKE, sender=roles.bob)
    registry.registerProvider("ipfs://gpu", sender=roles.bob)
    registry.depositStake(STAKE, sender=roles.bob)
    market.createOffer(token, price, 60, 86_400, SPEC, "ipfs://offer", sender=roles.bob)
    return market, token


def _fund_alice(backend, market, token, amount):
    token.mint(backend.roles.alice, amount, sender=backend.roles.alice)
    token.approve(market, amount, sender=backend.roles.alice)


def _alice_opens_a_lease(backend, market, token, price, duration, at=None, funded=False):
    """alice funds exactly price x duration (unless `funded`) and opens the next lease on offer 1 (in the block at
    `at`, when given)."""
    if not funded:
        _fund_alice(backend, market, token, price * duration)
    if at is not None:
        backend.chain.pending_timestamp = at
    market.openLease(1, duration, price, sender=backend.roles.alice)


def _running_lease(backend, market, token, price, duration, at=None, lease_id=1):
    """Lease `lease_id` (the next one on offer 1) opened by alice at `at` (default: 3 s after the pending block once
    she is funded, so no transaction left to the clock comes between reading it and setting it) and accepted by bob
    10 s later; returns the acceptance time."""
    _fund_alice(backend, market, token, price * duration)
    opened = int(backend.chain.pending_timestamp) + 3 if at is None else at
    _alice_opens_a_lease(backend, market, token, price, duration, opened, funded=True)
    backend.chain.pending_timestamp = opened + 10
    market.acceptLease(lease_id, sender=backend.roles.bob)
    return opened + 10


def _forwarder_opens_a_lease(backend, market, token, price, duration, at):
    """A CallForwarder (a contract caller, driven by alice) funds and opens lease 1 on offer 1 at time `at`;
    returns the forwarder and the opening's receipt."""
    roles, chain = backend.roles, backend.chain
    forwarder = deploy("CallForwarder", roles.deployer)
    token.mint(forwarder, price * duration, sender=roles.alice)
    forwarder.forward(token, calldata("approve(address,uint256)", market, price * duration), sender=roles.alice)
    chain.pending_timestamp = at
    receipt = forwarder.forward(market, calldata("openLease(uint256,uint64,uint256)", 1, duration, price),
                                sender=roles.alice)
    return forwarder, receipt


def _alice_disputes_an_ended_lease(backend, price, duration, after, reason):
    """bob's lease 1 at `price` for `duration` s, run to its end; `after` seconds past the end alice, holding and
    having approved the bond (5% of the frozen deposit, computed here), disputes it with `reason`. Returns
    (market, token, frozen, bond, the dispute's receipt)."""
    roles, chain = backend.roles, backend.chain
    market, token = _market_with_offer(backend, price)
    accepted = _running_lease(backend, market, token, price, duration)
    frozen = price * duration
    bond = frozen * MarketplaceParams().dispute_bond_bps // 10_000
    token.mint(roles.alice, bond, sender=roles.alice)
    token.approve(market, bond, sender=roles.alice)
    chain.pending_timestamp = accepted + duration + after
    receipt = market.dispute(1, reason, sender=roles.alice)
    return market, token, frozen, bond, receipt


@on_both_backends
def test_set_offer_price_changes_the_offers_price(backend):
    """setOfferPrice stores the new price (getOffer), emits it, and only the offer's provider may call it.
    Kills: CR of `offer.pricePerSecond = uint96(pricePerSecond)` in ComputeMarketplace.setOfferPrice."""
    roles = backend.roles
    market, _ = _market_with_offer(backend, 1_009)
    receipt = market.setOfferPrice(1, 2_017, sender=roles.bob)
    [log] = receipt.decode_logs(market.OfferPriceSet)
    assert (log.offerId, log.pricePerSecond) == (1, 2_017)
    assert market.getOffer(1).pricePerSecond == 2_017
    with expect_revert(market, "NotProvider", roles.mallory.address):
        market.setOfferPrice(1, 1, sender=roles.mallory)
    assert market.getOffer(1).pricePerSecond == 2_017


@on_both_backends
def test_refundable_is_the_whole_deposit_until_accepted_then_what_has_not_streamed(backend):
    """refundable(lease): an Open lease refunds its whole deposit (price x duration), an accepted one what has not
    streamed at the head block's time, a cancelled one nothing. Kills: CR of `return lease.deposit` in
    ComputeMarketplace.refundable (the next check became the Open branch's body: an Open lease showed 0)."""
    roles, chain = backend.roles, backend.chain
    price, duration = 1_009, 600
    market, token = _market_with_offer(backend, price)
    token.mint(roles.alice, 10 * price * duration, sender=roles.alice)
    token.approve(market, 10 * price * duration, sender=roles.alice)
    deposit = price * duration
    t0 = int(chain.pending_timestamp) + 3
    chain.pending_timestamp = t0
    market.openLease(1, duration, price, sender=roles.alice)
    assert market.refundable(1) == deposit
    chain.pending_timestamp = t0 + 1
    market.cancelLease(1, sender=roles.alice)
    assert market.refundable(1) == 0
    chain.pending_timestamp = t0 + 2
    market.openLease(1, duration, price, sender=roles.alice)
    assert market.refundable(2) == deposit
    accepted = t0 + 10
    chain.pending_timestamp = accepted
    market.acceptLease(2, sender=roles.bob)
    chain.pending_timestamp = accepted + 100
    chain.mine()
    assert market.refundable(2) == deposit - 100 * price


@on_both_backends
def test_is_token_allowed_follows_the_admins_list(backend):
    """isTokenAllowed(token): true once the admin allows it, false for a token never allowed and after the admin
    disallows it. Kills: CR of `return _tokens[token].allowed` in ComputeMarketplace.isTokenAllowed (always false)."""
    roles = backend.roles
    market, token = _market_with_offer(backend, 1_009)
    other = deploy_token("standard18", roles.deployer)
    assert market.isTokenAllowed(token) and not market.isTokenAllowed(other)
    market.setPaymentToken(other, True, 2 * 10**18, sender=roles.admin)
    assert market.isTokenAllowed(other) and market.collateralRate(other) == 2 * 10**18
    market.setPaymentToken(other, False, 0, sender=roles.admin)
    assert not market.isTokenAllowed(other) and market.isTokenAllowed(token)


@on_both_backends
def test_get_lease_end_and_arbiter_are_zero_until_accepted(backend):
    """getLease: `end` and `arbiter` are zero while the lease is Open and after it is cancelled; once accepted,
    end = acceptance + deposit / price and the arbiter is the one in office. Kills: LOR `&&` -> `||` in getLease's
    end condition (an Open lease showed an end). getLease is being reshaped on another branch: re-judge after it."""
    roles, chain = backend.roles, backend.chain
    price, duration = 1_009, 600
    market, token = _market_with_offer(backend, price)
    token.mint(roles.alice, 10 * price * duration, sender=roles.alice)
    token.approve(market, 10 * price * duration, sender=roles.alice)
    zero = "0x" + "00" * 20
    t0 = int(chain.pending_timestamp) + 3
    chain.pending_timestamp = t0
    market.openLease(1, duration, price, sender=roles.alice)
    lease = market.getLease(1)
    assert (lease.end, lease.arbiter) == (0, zero)
    chain.pending_timestamp = t0 + 1
    market.cancelLease(1, sender=roles.alice)
    lease = market.getLease(1)
    assert (lease.end, lease.arbiter) == (0, zero)
    chain.pending_timestamp = t0 + 2
    market.openLease(1, duration, price, sender=roles.alice)
    chain.pending_timestamp = t0 + 10
    market.acceptLease(2, sender=roles.bob)
    lease = market.getLease(2)
    assert (lease.end, lease.arbiter) == (t0 + 10 + duration, roles.arbiter.address)


@on_both_backends
def test_submit_result_for_is_open_to_the_result_relay_only(backend):
    """submitResultFor: the result relay named at deployment (here an account, carol) submits a result for a running
    lease's provider: it returns the offer's spec hash and the lease's start, stores the result and emits it naming
    the provider. Anyone else (the provider included) gets NotResultRelay; the relay naming someone other than the
    provider gets NotProvider. Kills: MIA `msg.sender != resultRelay` -> `true` in ComputeMarketplace.submitResultFor
    (the relay was refused too) and SBR `revert NotResultRelay(msg.sender)` -> `tx.origin` (line 274: a contract
    driven by the relay's own account was named as that account)."""
    roles, chain = backend.roles, backend.chain
    price, duration = 1_009, 600
    market, token = _market_with_offer(backend, price, result_relay=roles.carol.address)
    assert market.resultRelay() == roles.carol.address
    accepted = _running_lease(backend, market, token, price, duration)
    result = b"\x4e" * 32
    chain.pending_timestamp = accepted + 100
    with expect_revert(market, "NotResultRelay", roles.mallory.address):
        market.submitResultFor(1, result, roles.bob, sender=roles.mallory)
    with expect_revert(market, "NotResultRelay", roles.bob.address):
        market.submitResultFor(1, result, roles.bob, sender=roles.bob)
    stranger = deploy("CallForwarder", roles.deployer)  # a contract is named itself, not the account behind it
    with expect_revert(market, "NotResultRelay", stranger.address):
        stranger.forward(market, calldata("submitResultFor(uint256,bytes32,address)", 1, result, roles.bob),
                         sender=roles.carol)
    with expect_revert(market, "NotProvider", roles.mallory.address):
        market.submitResultFor(1, result, roles.mallory, sender=roles.carol)
    spec_hash, start = market.submitResultFor.call(1, result, roles.bob, sender=roles.carol)
    assert (bytes(spec_hash), start) == (SPEC, accepted)
    receipt = market.submitResultFor(1, result, roles.bob, sender=roles.carol)
    [log] = receipt.decode_logs(market.ResultSubmitted)
    # `provider` through event_arguments: on Ape's logs the attribute is the chain provider
    assert (log.leaseId, log.event_arguments["provider"], bytes(log.resultHash)) == (1, roles.bob.address, result)
    assert bytes(market.getLease(1).resultHash) == result


@on_both_backends
def test_accept_lease_not_provider_names_the_calling_contract(backend):
    """A contract client (its LeaseOpened names it) that is not the offer's provider calling acceptLease gets
    NotProvider(that contract), not the account behind the transaction, and the lease stays Open. Kills: SBR `revert
    NotProvider(msg.sender)` -> `revert NotProvider(tx.origin)` in ComputeMarketplace.acceptLease, and `msg.sender`
    -> `tx.origin` in openLease's LeaseOpened (line 203)."""
    roles, chain = backend.roles, backend.chain
    price, duration = 1_009, 600
    market, token = _market_with_offer(backend, price)
    t0 = int(chain.pending_timestamp) + 3
    forwarder, receipt = _forwarder_opens_a_lease(backend, market, token, price, duration, t0)
    assert [(e.leaseId, e.client, e.offerId, e.deposit) for e in receipt.decode_logs(market.LeaseOpened)] == [
        (1, forwarder.address, 1, price * duration)]
    assert market.getLease(1).client == forwarder.address
    chain.pending_timestamp = t0 + 10
    with expect_revert(market, "NotProvider", forwarder.address):
        forwarder.forward(market, calldata("acceptLease(uint256)", 1), sender=roles.alice)
    assert market.getLease(1).status == 1  # Status.Open (None = 0)


@on_both_backends
def test_withdraw_credit_to_clears_the_calling_contracts_credit(backend):
    """A contract client (CallForwarder) whose lease the provider closes is credited its refund (the deposit less
    what streamed); withdrawCreditTo from it pays the recipient and clears the contract's own credit, so a second
    withdrawal gets NothingToWithdraw; CreditWithdrawnTo names the contract. A second refund, withdrawn by the contract
    to itself with withdrawCredit, is announced by CreditWithdrawn naming it. Kills, in
    ComputeMarketplace.withdrawCreditTo: SBR `_credits[token][msg.sender] = 0` -> `_credits[token][tx.origin] = 0`
    (the contract's credit stayed: paid twice), and SBR `msg.sender` -> `tx.origin` in `recipient == msg.sender` and
    in both events (lines 291-292)."""
    roles, chain = backend.roles, backend.chain
    price, duration, ran = 1_009, 600, 100
    market, token = _market_with_offer(backend, price)
    t0 = int(chain.pending_timestamp) + 3
    forwarder, _ = _forwarder_opens_a_lease(backend, market, token, price, duration, t0)
    accepted = t0 + 10
    chain.pending_timestamp = accepted
    market.acceptLease(1, sender=roles.bob)
    chain.pending_timestamp = accepted + ran
    market.closeLease(1, sender=roles.bob)
    refund = price * duration - price * ran
    assert market.credit(token, forwarder) == refund
    withdraw = calldata("withdrawCreditTo(address,address)", token, roles.carol)
    before = token.balanceOf(roles.carol)
    receipt = forwarder.forward(market, withdraw, sender=roles.alice)
    assert token.balanceOf(roles.carol) - before == refund
    assert [(e.token, e.event_arguments["from"], e.recipient, e.amount)
            for e in receipt.decode_logs(market.CreditWithdrawnTo)] == [
        (token.address, forwarder.address, roles.carol.address, refund)]
    assert market.credit(token, forwarder) == 0
    with expect_revert(market, "NothingToWithdraw"):
        forwarder.forward(market, withdraw, sender=roles.alice)
    # a second lease's refund, withdrawn by the contract to itself: CreditWithdrawn names it
    token.mint(forwarder, price * duration, sender=roles.alice)
    forwarder.forward(token, calldata("approve(address,uint256)", market, price * duration), sender=roles.alice)
    chain.pending_timestamp = t1 = int(chain.pending_timestamp) + 3
    forwarder.forward(market, calldata("openLease(uint256,uint64,uint256)", 1, duration, price), sender=roles.alice)
    chain.pending_timestamp = t1 + 10
    market.acceptLease(2, sender=roles.bob)
    chain.pending_timestamp = t1 + 10 + ran
    market.closeLease(2, sender=roles.bob)
    receipt = forwarder.forward(market, calldata("withdrawCredit(address)", token), sender=roles.alice)
    assert [(e.token, e.account, e.amount) for e in receipt.decode_logs(market.CreditWithdrawn)] == [
        (token.address, forwarder.address, refund)]
    assert receipt.decode_logs(market.CreditWithdrawnTo) == [] and token.balanceOf(forwarder) == refund


@on_both_backends
def test_lease_closed_keeps_a_time_past_2106_whole(backend):
    """closeLease after 2^32 s (February 2106): LeaseClosed carries the close's whole 64-bit time and the refund
    (the deposit less what streamed), and getLease the whole stop time. Kills: SBR `uint64(block.timestamp)` ->
    `uint32(block.timestamp)` in ComputeMarketplace.closeLease's LeaseClosed (the event showed the 32-bit
    remainder) and `uint64(stoppedAt)` -> `uint32(stoppedAt)` in getLease (line 446)."""
    roles, chain = backend.roles, backend.chain
    price, duration, ran = 1_009, 600, 100
    market, token = _market_with_offer(backend, price)
    late = max(2**32 + 1_000, int(chain.pending_timestamp) + 3)
    closed = _running_lease(backend, market, token, price, duration, at=late) + ran
    chain.pending_timestamp = closed
    receipt = market.closeLease(1, sender=roles.alice)
    [log] = receipt.decode_logs(market.LeaseClosed)
    assert (log.leaseId, log.by, log.refund, log.end) == (1, roles.alice.address, price * (duration - ran), closed)
    assert market.getLease(1).stoppedAt == closed


@on_both_backends
def test_withdraw_fees_event_names_the_treasury_contract(backend):
    """A treasury that is a contract (CallForwarder, driven by alice) withdraws the fee charged on the provider's
    earnings (ceil(earned x 2.5%)): FeesWithdrawn names the contract, not the account behind the transaction, and the
    contract receives the fee; another contract is refused NotTreasury naming it. Kills: SBR `emit
    FeesWithdrawn(token, msg.sender, amount)` -> `tx.origin` and `revert NotTreasury(msg.sender)` -> `tx.origin`
    (line 298) in ComputeMarketplace.withdrawFees."""
    roles, chain = backend.roles, backend.chain
    price, duration, ran = 1_009, 7_200, 100
    params = MarketplaceParams()
    treasury = deploy("CallForwarder", roles.deployer)
    market, token = _market_with_offer(backend, price, treasury=treasury)
    accepted = _running_lease(backend, market, token, price, duration)
    chain.pending_timestamp = accepted + params.holdback + ran  # `ran` seconds are past the holdback
    market.withdrawEarnings(1, sender=roles.bob)
    fee = -(-ran * price * params.fee_bps // 10_000)
    assert market.accruedFees(token) == fee
    stranger = deploy("CallForwarder", roles.deployer)  # named itself, not the account driving it
    with expect_revert(market, "NotTreasury", stranger.address):
        stranger.forward(market, calldata("withdrawFees(address)", token), sender=roles.alice)
    receipt = treasury.forward(market, calldata("withdrawFees(address)", token),
                               sender=roles.alice)
    [log] = receipt.decode_logs(market.FeesWithdrawn)
    assert (log.token, log.treasury, log.amount) == (token.address, treasury.address, fee)
    assert token.balanceOf(treasury) == fee and market.accruedFees(token) == 0


@on_both_backends
def test_arbiter_ids_stop_at_2_to_the_16(backend):
    """Leases snapshot the arbiter's index in 16 bits, so at most 65,536 arbiters can ever be installed. The array's
    length is written into storage (65,535 installs by transaction would take hours): the 65,536th arbiter (id
    65,535) is installed and in office; the next is refused AmountTooLarge(65536), and stays pending.
    Kills: ROR `id > type(uint16).max` -> `id == type(uint16).max` in MarketplaceDisputesAdmin.executeArbiter (it
    refuses id 65,535 and would install the next one as id 0, the first arbiter)."""
    roles, chain = backend.roles, backend.chain
    token = deploy_token("standard6", roles.deployer)
    market = deploy(CONTRACT, roles.deployer, *MarketplaceParams().constructor_args(
        token.address, roles.treasury.address, roles.arbiter.address, roles.admin.address, NO_RELAY))
    write_storage(chain, market, slot_of("ComputeMarketplace", "_arbiters"), 2**16 - 1)
    delay = market.ARBITER_DELAY()

    def propose_and_wait(arbiter):
        t = chain.pending_timestamp + 5
        chain.pending_timestamp = t
        market.proposeArbiter(arbiter, sender=roles.admin)
        chain.pending_timestamp = t + delay

    propose_and_wait(roles.carol)
    receipt = market.executeArbiter(sender=roles.mallory)
    assert [e.arbiter for e in receipt.events] == [roles.carol.address] and market.arbiter() == roles.carol.address
    propose_and_wait(roles.dave)
    with expect_revert(market, "AmountTooLarge", 2**16):
        market.executeArbiter(sender=roles.mallory)
    assert market.arbiter() == roles.carol.address and market.pendingArbiter() == roles.dave.address


@on_both_backends
def test_set_rewards_takes_once_a_contract_that_reports_to_this_registry(backend):
    """The marketplace's owner sets the rewards contract once; it must be a contract naming this registry as its
    reporter (HostileRewards in its accepting mode stands in for ComputeRewards, whose tests are in tests/rewards).
    Kills: ROR `rewards_.code.length == 0` -> `rewards_.code.length > 0` in ProviderRegistry.setRewards (it refuses
    every rewards contract)."""
    roles = backend.roles
    market, _ = _market_with_offer(backend, 1)
    registry = registry_of(market)
    elsewhere = deploy("HostileRewards", roles.deployer, roles.alice.address)  # reports to someone else
    with expect_revert(registry, "RewardsMismatch", elsewhere.address):
        registry.setRewards(elsewhere, sender=roles.admin)
    rewards = deploy("HostileRewards", roles.deployer, registry.address)
    with expect_revert(registry, "NotMarketplaceOwner", roles.mallory.address):
        registry.setRewards(rewards, sender=roles.mallory)
    receipt = registry.setRewards(rewards, sender=roles.admin)
    assert [e.rewards for e in receipt.events] == [rewards.address] and registry.rewards() == rewards.address
    with expect_revert(registry, "RewardsAlreadySet", rewards.address):
        registry.setRewards(elsewhere, sender=roles.admin)


@on_both_backends
def test_a_contract_that_is_not_the_offers_provider_is_named_as_the_caller(backend):
    """An offer's price is the provider's to change: a contract caller that is not the provider is refused with its
    own address (not the account that drove it).
    Kills: SBR `revert NotProvider(msg.sender)` -> `revert NotProvider(tx.origin)` in MarketplaceBase._ownOffer."""
    roles = backend.roles
    market, _ = _market_with_offer(backend, 1)
    forwarder = deploy("CallForwarder", roles.deployer)
    with expect_revert(market, "NotProvider", forwarder.address):
        forwarder.forward(market, calldata("setOfferPrice(uint256,uint256)", 1, 2),
                          sender=roles.alice)
    assert market.getOffer(1).pricePerSecond == 1


@on_both_backends
def test_collateral_worth_2_to_the_128_or_more_is_refused_at_acceptance(backend):
    """A lease whose collateral, valued at the token's rate, is 2^128 stake units or more cannot be accepted (the
    registry counts stake in 128 bits): AmountTooLarge with the exact value, computed here.
    Kills: MIA `value > type(uint128).max` -> `false` in MarketplaceBase._collateral (it would truncate)."""
    roles = backend.roles
    price, duration, rate = 10**14, 86_400, 2**128 - 1
    market, token = _market_with_offer(backend, price)
    market.setPaymentToken(token, True, rate, sender=roles.admin)  # leases opened from now take this rate
    _alice_opens_a_lease(backend, market, token, price, duration)
    value = price * duration * MarketplaceParams().collateral_bps * rate // (10_000 * 10**18)
    assert value > 2**128 - 1
    with expect_revert(market, "AmountTooLarge", value):
        market.acceptLease(1, sender=roles.bob)


@on_both_backends
def test_released_excess_collateral_is_announced_by_the_registry(backend):
    """Releasing a closed lease's excess collateral returns it to the provider's free stake, and the registry
    announces it (CollateralUnlocked: provider, amount) beside the marketplace's CollateralReleased, with the amount
    the locked stake fell by: 30% of the refunded part. Kills: CR of `emit CollateralUnlocked(provider, amount)` in
    ProviderRegistry.unlock (line 176)."""
    roles, chain = backend.roles, backend.chain
    price, duration = 10**6, 86_400  # the lease's collateral (30% of 8.64e10) is within bob's stake (1e12)
    market, token = _market_with_offer(backend, price)
    registry = registry_of(market)
    accepted = _running_lease(backend, market, token, price, duration)
    chain.pending_timestamp = accepted + 3_600
    market.closeLease(1, sender=roles.alice)
    locked = registry.providerInfo(roles.bob).lockedStake
    receipt = market.releaseExcessCollateral(1, sender=roles.mallory)
    refunded = price * (duration - 3_600)
    bps = MarketplaceParams().collateral_bps
    released = price * duration * bps // 10_000 - price * 3_600 * bps // 10_000
    assert 0 < released <= refunded
    [unlocked] = receipt.decode_logs(registry.CollateralUnlocked)
    # (an Ape log's `.provider` is Ape's own attribute: the argument is read by name)
    assert (unlocked.event_arguments["provider"], unlocked.amount) == (roles.bob.address, released)
    assert locked - registry.providerInfo(roles.bob).lockedStake == released



@on_both_backends
def test_a_contract_provider_registers_stakes_and_unstakes_as_itself(backend):
    """A contract (CallForwarder, driven by alice's transactions) is a provider in its own right: refused a deposit
    before it registers (naming itself), it registers with its metadata, stakes, requests, cancels and requests an
    unstake again and withdraws to itself; every event names it and alice has no position. Kills: SBR `msg.sender`
    -> `tx.origin` in ProviderRegistry (lines 90, 91, 98, 108, 124, 135, 140, 146)."""
    roles, chain = backend.roles, backend.chain
    market, registry, token = _market(backend)
    provider = deploy("CallForwarder", roles.deployer)
    token.mint(provider, STAKE, sender=roles.alice)
    provider.forward(token, calldata("approve(address,uint256)", registry, STAKE), sender=roles.alice)
    with expect_revert(registry, "NotRegistered", provider.address):
        provider.forward(registry, calldata("depositStake(uint256)", STAKE), sender=roles.alice)
    receipt = provider.forward(registry, calldata("registerProvider(string)", "ipfs://contract-gpu"),
                               sender=roles.alice)
    [registered] = receipt.decode_logs(registry.ProviderRegistered)
    assert (registered.event_arguments["provider"], registered.metadataURI) == (provider.address, "ipfs://contract-gpu")
    receipt = provider.forward(registry, calldata("depositStake(uint256)", STAKE), sender=roles.alice)
    [deposited] = receipt.decode_logs(registry.StakeDeposited)
    assert (deposited.event_arguments["provider"], deposited.amount) == (provider.address, STAKE)
    t = int(chain.pending_timestamp) + 10
    chain.pending_timestamp = t
    receipt = provider.forward(registry, calldata("requestUnstake(uint256)", STAKE), sender=roles.alice)
    [requested] = receipt.decode_logs(registry.UnstakeRequested)
    cooldown = MarketplaceParams().unstake_cooldown
    assert (requested.event_arguments["provider"], requested.amount, requested.unlockAt) == (
        provider.address, STAKE, t + cooldown)
    receipt = provider.forward(registry, calldata("cancelUnstake()"), sender=roles.alice)
    [cancelled] = receipt.decode_logs(registry.UnstakeCancelled)
    assert (cancelled.event_arguments["provider"], cancelled.amount) == (provider.address, STAKE)
    chain.pending_timestamp = t + 1
    provider.forward(registry, calldata("requestUnstake(uint256)", STAKE), sender=roles.alice)
    chain.pending_timestamp = t + 1 + cooldown
    receipt = provider.forward(registry, calldata("withdrawStake()"), sender=roles.alice)
    [withdrawn] = receipt.decode_logs(registry.StakeWithdrawn)
    assert (withdrawn.event_arguments["provider"], withdrawn.recipient, withdrawn.amount) == (
        provider.address, provider.address, STAKE)
    assert token.balanceOf(provider) == STAKE and token.balanceOf(roles.alice) == 0
    info = registry.providerInfo(provider)
    assert info.registered and info.metadataURI == "ipfs://contract-gpu" and info.pendingStake == 0
    assert not registry.isRegistered(roles.alice) and registry.providerInfo(roles.alice).metadataURI == ""


@on_both_backends
def test_a_stake_that_would_pass_2_to_the_128_is_refused(backend):
    """The registry's total stake stays below 2^128 (every provider field is 128 bits): a deposit that would reach it
    is refused with AmountTooLarge(total). Kills: MIA `total > type(uint128).max` -> `false` in depositStake
    (line 105: the deposit was taken and the provider credited a truncated amount)."""
    roles = backend.roles
    market, registry, token = _market(backend)
    huge = 2**128
    token.mint(roles.bob, huge, sender=roles.bob)
    token.approve(registry, huge, sender=roles.bob)
    registry.registerProvider("ipfs://gpu", sender=roles.bob)
    with expect_revert(registry, "AmountTooLarge", huge):
        registry.depositStake(huge, sender=roles.bob)
    registry.depositStake(huge - 1, sender=roles.bob)  # the largest total that fits
    assert registry.providerInfo(roles.bob).freeStake == huge - 1


@on_both_backends
def test_rewards_without_code_are_refused(backend):
    """setRewards takes only a contract that reports to this registry: an account without code is refused with
    RewardsMismatch(it), not a bare revert. Kills: ROR `rewards_.code.length == 0` -> `< 0` in setRewards (line 80:
    the reporter() call to an account without code reverted without data)."""
    roles = backend.roles
    market, registry, _ = _market(backend)
    with expect_revert(registry, "RewardsMismatch", roles.carol.address):
        registry.setRewards(roles.carol, sender=roles.admin)


@on_both_backends
def test_a_finalize_without_rewards_reserves_no_report_gas_and_moves_no_zero_slash(backend):
    """With no rewards contract set, a finalize neither reserves the report's gas budget (it succeeds with less
    gas than the budget, 200,000) nor transfers a slash of 0 back to the marketplace. Kills, in
    ProviderRegistry.release: MIA `rewards_ != address(0)` -> `true` (line 199: the report's gas was demanded
    with no one to report to) and MIA `slash != 0` -> `true` (line 202: a stake-token transfer of 0); and AOR of
    the fee reported with the outcome in MarketplaceBase (line 313: `value % feeBps / BPS`)."""
    roles, chain = backend.roles, backend.chain
    price, duration = 10**6, 86_400
    market, token = _market_with_offer(backend, price)
    registry = registry_of(market)
    accepted = _running_lease(backend, market, token, price, duration)
    chain.pending_timestamp = accepted + 3_600
    market.closeLease(1, sender=roles.alice)
    chain.pending_timestamp = accepted + 3_601
    receipt = market.finalize(1, sender=roles.alice, gas=180_000)  # below the 200,000 + 3,174 + 5,000 a report needs
    [outcome] = receipt.decode_logs(registry.LeaseOutcome)
    paid = price * 3_600  # the payment token's unit rate is 1e18: the value is what was paid
    fee = paid * MarketplaceParams().fee_bps // 10_000
    assert (outcome.event_arguments["provider"], outcome.slashed, outcome.value, outcome.fee) == (
        roles.bob.address, 0, paid, fee)
    assert [t for t in receipt.decode_logs(token.Transfer) if t.event_arguments["from"] == registry.address] == []


@on_both_backends
def test_a_lease_stopped_after_twice_its_start_time_refunds_what_did_not_stream(backend):
    """A lease of 2^31 seconds (68 years): its provider withdraws after twice its start time (past 2080) what had
    streamed one holdback earlier, less the fee, and the client then closes it and is refunded the deposit less what
    streamed since its start. Kills: AOR `block.timestamp - start` -> `block.timestamp % start` in
    MarketplaceBase._stopNow (line 262) and `t - start` -> `t % start` in MarketplaceBase._streamed (line 216): the
    two agree only before twice the start time."""
    roles, chain = backend.roles, backend.chain
    price, duration = 1, 2**31
    market, token = _market_with_offer(backend, 10**6)
    market.createOffer(token, price, 60, 2**32 - 1, SPEC, "ipfs://long", sender=roles.bob)  # offer 2
    token.mint(roles.alice, price * duration, sender=roles.alice)
    token.approve(market, price * duration, sender=roles.alice)
    opened = int(chain.pending_timestamp) + 3
    chain.pending_timestamp = opened
    market.openLease(2, duration, price, sender=roles.alice)
    chain.pending_timestamp = accepted = opened + 10
    market.acceptLease(1, sender=roles.bob)
    params = MarketplaceParams()
    withdrawn_at = 2 * accepted + params.holdback + 100  # what it reaches streamed up to 2 x accepted + 100
    chain.pending_timestamp = withdrawn_at
    receipt = market.withdrawEarnings(1, sender=roles.bob)
    streamed = price * (withdrawn_at - params.holdback - accepted)
    fee = -(-streamed * params.fee_bps // 10_000)  # the fee rounds up
    [log] = receipt.decode_logs(market.EarningsWithdrawn)
    assert (log.amount, log.fee) == (streamed - fee, fee)
    closed = withdrawn_at + 1
    assert closed < accepted + duration  # still running
    chain.pending_timestamp = closed
    receipt = market.closeLease(1, sender=roles.alice)
    [log] = receipt.decode_logs(market.LeaseClosed)
    assert (log.refund, log.end) == (price * (duration - (closed - accepted)), closed)


@on_both_backends
def test_a_token_whose_balance_reverts_has_its_reason_bubbled(backend):
    """The marketplace reads balances in assembly and, when a token's `balanceOf` reverts, reverts with the token's
    own revert data: an open in such a token fails with Error("balance unavailable"). Kills: CR of
    `returndatacopy(0x00, 0x00, returndatasize())` in MarketplaceBase._balanceOf (line 342: the revert carried
    whatever was in scratch memory)."""
    from eth_abi import encode

    roles = backend.roles
    market, token = _market_with_offer(backend, 10**6)
    broken = deploy("RevertingBalance", roles.deployer)
    market.setPaymentToken(broken, True, 10**18, sender=roles.admin)
    market.createOffer(broken, 1, 60, 86_400, SPEC, "ipfs://broken", sender=roles.bob)  # offer 2
    with pytest.raises(Exception) as raised:
        market.openLease(2, 600, 1, sender=roles.alice)
    reason = bytes.fromhex("08c379a0") + encode(["string"], ["balance unavailable"])  # Error(string)
    assert revert_data(raised.value) == reason


@on_both_backends
def test_what_the_marketplace_owes_in_a_token_stays_below_2_to_the_112(backend):
    """Every amount the marketplace owes in a payment token fits 112 bits: a lease whose deposit would make it reach
    2^112 is refused with AmountTooLarge(owed). Kills: MIA `owed > type(uint112).max` -> `false` in
    MarketplaceBase._owe (line 353: the deposit was taken and the amount owed truncated)."""
    roles = backend.roles
    price = 2**96 - 1  # the highest price an offer may ask
    duration = -(-(2**112) // price)  # the shortest lease whose deposit reaches 2^112 (65,537 s)
    market, token = _market_with_offer(backend, 10**6)
    market.createOffer(token, price, duration, duration, SPEC, "ipfs://huge", sender=roles.bob)  # offer 2
    deposit = price * duration
    token.mint(roles.alice, deposit, sender=roles.alice)
    token.approve(market, deposit, sender=roles.alice)
    with expect_revert(market, "AmountTooLarge", deposit):
        market.openLease(2, duration, price, sender=roles.alice)


@on_both_backends
def test_the_registry_names_a_calling_contract_that_is_not_the_marketplace(backend):
    """Only the marketplace moves stake in and out of leases: a contract calling `lock`, `unlock` or `release` is
    refused with its own address, not the account that drove it. Kills: SBR `revert NotMarketplace(msg.sender)` ->
    `revert NotMarketplace(tx.origin)` in ProviderRegistry.onlyMarketplace (line 68)."""
    roles = backend.roles
    market, registry, _ = _market(backend)
    caller = deploy("CallForwarder", roles.deployer)
    for call in (calldata("lock(address,uint256)", roles.bob, 1), calldata("unlock(address,uint256)", roles.bob, 1),
                 calldata("release(address,uint256,uint256,uint256,uint256,uint8)", roles.bob, 0, 0, 0, 0, 0)):
        with expect_revert(registry, "NotMarketplace", caller.address):
            caller.forward(registry, call, sender=roles.alice)


@on_both_backends
def test_a_contract_owning_the_marketplace_sets_the_rewards_as_itself(backend):
    """The marketplace's owner may be a contract (a multisig or a timelock): it passes setRewards' owner check as
    itself (the rewards named here have no code, so the next check refuses them: RewardsMismatch), and another
    contract is refused with its own address. Kills: SBR `msg.sender` -> `tx.origin` in ProviderRegistry.setRewards,
    in the owner check and in the NotMarketplaceOwner it reverts with (line 77)."""
    roles = backend.roles
    market, registry, _ = _market(backend)
    owner = deploy("CallForwarder", roles.deployer)
    market.transferOwnership(owner, sender=roles.admin)
    owner.forward(market, calldata("acceptOwnership()"), sender=roles.alice)
    assert market.owner() == owner.address
    with expect_revert(registry, "RewardsMismatch", roles.carol.address):
        owner.forward(registry, calldata("setRewards(address)", roles.carol), sender=roles.alice)
    stranger = deploy("CallForwarder", roles.deployer)
    with expect_revert(registry, "NotMarketplaceOwner", stranger.address):
        stranger.forward(registry, calldata("setRewards(address)", roles.carol), sender=roles.alice)


@on_both_backends
def test_stake_amounts_past_2_to_the_64_are_kept_whole(backend):
    """The registry keeps stake in 128-bit fields: a lost dispute over a lease whose collateral and slash pass 2^64
    stake units returns the unslashed collateral and counts the slash exactly (computed here from the lease's terms).
    Kills: SBR `uint128(collateral - slash)` -> `uint64(...)` and `uint128(slash)` -> `uint64(slash)` in
    ProviderRegistry.release (lines 188 and 190: the amounts were cut to 64 bits)."""
    roles, chain = backend.roles, backend.chain
    price, duration, elapsed = 10**17, 86_400, 3_600
    market, token = _market_with_offer(backend, price)
    registry = registry_of(market)
    extra = 2**72  # bob's stake covers the lease's collateral at acceptance (30% of 8.64e21)
    token.mint(roles.bob, extra, sender=roles.bob)
    token.approve(registry, extra, sender=roles.bob)
    registry.depositStake(extra, sender=roles.bob)
    accepted = _running_lease(backend, market, token, price, duration)
    chain.pending_timestamp = accepted + elapsed
    market.dispute(1, b"\x01" * 32, sender=roles.alice)
    collateral = price * elapsed * MarketplaceParams().collateral_bps // 10_000  # what the stopped lease holds
    assert registry.providerInfo(roles.bob).lockedStake == collateral
    slash = collateral // 3
    assert slash >= 2**64 and collateral - slash >= 2**64
    market.resolveDispute(1, 7_001, slash, sender=roles.arbiter)
    info = registry.providerInfo(roles.bob)
    assert (info.totalSlashed, info.lockedStake, info.freeStake, info.disputesLost) == (
        slash, 0, STAKE + extra - slash, 1)


@on_both_backends
def test_a_providers_finalized_value_adds_up_over_its_leases(backend):
    """A provider's `valueFinalized` is the sum of the value of every lease it completed (computed here: what each
    closed lease paid, at the token's unit rate), not the last one's. Kills: ASOR `info.valueFinalized += value` ->
    `= value` and `|= value` in ProviderRegistry.release (line 197)."""
    roles, chain = backend.roles, backend.chain
    price, duration = 10**6, 86_400
    market, token = _market_with_offer(backend, price)
    registry = registry_of(market)
    values = []
    for lease_id, ran in ((1, 3_600), (2, 5_400)):
        accepted = int(chain.pending_timestamp) + 13
        _running_lease(backend, market, token, price, duration, at=accepted - 10, lease_id=lease_id)
        chain.pending_timestamp = accepted + ran
        market.closeLease(lease_id, sender=roles.alice)
        chain.pending_timestamp = accepted + ran + 1
        market.finalize(lease_id, sender=roles.alice)
        values.append(price * ran)
    assert values[0] & values[1] != 0  # `|=` would lose a carry
    info = registry.providerInfo(roles.bob)
    assert (info.valueFinalized, info.leasesCompleted) == (sum(values), 2)


@on_both_backends
def test_a_holdback_longer_than_the_clock_withholds_everything_without_reverting(backend):
    """The holdback may be as long as MAX_DURATION (2^32 - 1 s, past today's clock): then nothing of a running lease
    is withdrawable yet, `earned` is 0 and a withdrawal succeeds paying nothing, rather than reverting on
    `now - holdback`. Kills: MIA `t <= back ? 0 : ...` -> `false ? 0 : ...` in MarketplaceBase._withdrawable
    (line 226: the subtraction underflowed, Panic(0x11))."""
    from dataclasses import replace

    roles, chain = backend.roles, backend.chain
    price, duration = 10**6, 86_400
    params = replace(MarketplaceParams(), holdback=2**32 - 1)
    market, token = _market_with_offer(backend, price, params=params)
    accepted = _running_lease(backend, market, token, price, duration)
    assert accepted < params.holdback
    chain.pending_timestamp = accepted + 3_600
    receipt = market.withdrawEarnings(1, sender=roles.bob)
    assert receipt.decode_logs(market.EarningsWithdrawn) == [] and market.earned(1) == 0
    assert token.balanceOf(roles.bob) == 0 and market.getLease(1).withdrawn == 0


@on_both_backends
def test_a_dispute_after_the_end_moves_and_credits_no_zero_amounts(backend):
    """A client disputing in the window after its lease ended has nothing to be refunded: the bond (5% of the
    frozen earnings, computed here) is pulled from it, and the marketplace sends no transfer of 0 back (a token that
    refuses zero transfers would turn it into a credit of 0). The arbiter then rules for the provider without a
    slash: only the provider is credited (the frozen earnings less the fee, rounded up, plus the bond), with no
    credit of 0 to the client in either token. Kills: MIA `amount == 0` -> `false` in MarketplaceBase._payOrCredit
    (line 368) and in MarketplaceBase._credit (line 379), and ROR `fromCredit != 0` -> `fromCredit >= 0` in
    MarketplaceDisputesAdmin.dispute (line 184: a CreditSpent of 0)."""
    roles = backend.roles
    # ended 10 s ago, inside the dispute window
    market, token, frozen, bond, receipt = _alice_disputes_an_ended_lease(backend, 10**6, 600, 10, b"\x02" * 32)
    [opened] = receipt.decode_logs(market.DisputeOpened)
    assert (opened.frozen, opened.refund, opened.bond) == (frozen, 0, bond)
    transfers = [(t.event_arguments["from"], t.to, t.value) for t in receipt.decode_logs(token.Transfer)]
    assert transfers == [(roles.alice.address, market.address, bond)]
    assert receipt.decode_logs(market.Credited) == [] and token.balanceOf(roles.alice) == 0
    assert receipt.decode_logs(market.CreditSpent) == []  # alice had no credit: none of it was spent
    receipt = market.resolveDispute(1, 0, 0, sender=roles.arbiter)
    fee = -(-frozen * MarketplaceParams().fee_bps // 10_000)
    credited = [(c.token, c.account, c.amount) for c in receipt.decode_logs(market.Credited)]
    assert credited == [(token.address, roles.bob.address, frozen - fee + bond)]


@on_both_backends
def test_a_contract_provider_manages_its_own_offer(backend):
    """A provider that is a contract (CallForwarder, driven by alice) is refused an offer before it registers
    (NotRegistered names it), then creates one (OfferCreated names it), changes its price and pauses it: the
    offer's provider is the calling contract, not the account behind the transaction. Kills: SBR
    `offer.provider != msg.sender` -> `offer.provider != tx.origin` in MarketplaceBase._ownOffer (line 178), and SBR
    `msg.sender` -> `tx.origin` in ComputeMarketplace.createOffer's NotRegistered (line 132) and OfferCreated
    (line 150)."""
    roles = backend.roles
    market, registry, token = _market(backend)
    market.setPaymentToken(token, True, 10**18, sender=roles.admin)
    provider = deploy("CallForwarder", roles.deployer)
    create = calldata("createOffer(address,uint256,uint64,uint64,bytes32,string)", token, 5, 60, 86_400, SPEC,
                      "ipfs://offer")
    with expect_revert(market, "NotRegistered", provider.address):
        provider.forward(market, create, sender=roles.alice)
    provider.forward(registry, calldata("registerProvider(string)", "ipfs://contract-gpu"), sender=roles.alice)
    receipt = provider.forward(market, create, sender=roles.alice)
    assert [(e.offerId, e.event_arguments["provider"], e.paymentToken, e.pricePerSecond)
            for e in receipt.decode_logs(market.OfferCreated)] == [(1, provider.address, token.address, 5)]
    assert market.getOffer(1).provider == provider.address
    receipt = provider.forward(market, calldata("setOfferPrice(uint256,uint256)", 1, 7), sender=roles.alice)
    assert [(e.offerId, e.pricePerSecond) for e in receipt.decode_logs(market.OfferPriceSet)] == [(1, 7)]
    provider.forward(market, calldata("setOfferActive(uint256,bool)", 1, False), sender=roles.alice)
    offer = market.getOffer(1)
    assert (offer.pricePerSecond, offer.active) == (7, False)


@on_both_backends
def test_a_lease_that_ended_after_2106_names_its_whole_end(backend):
    """A lease that ended after 2^32 s (February 2106) can no longer be closed: LeaseEnded carries its whole
    64-bit end (acceptance plus the paid seconds). Kills: SBR `uint64(end)` -> `uint32(end)` in
    MarketplaceBase._stopNow's LeaseEnded (line 260: the error showed the 32-bit remainder)."""
    roles, chain = backend.roles, backend.chain
    price, duration = 1_009, 600
    market, token = _market_with_offer(backend, price)
    late = max(2**32 + 1_000, int(chain.pending_timestamp) + 3)
    end = _running_lease(backend, market, token, price, duration, at=late) + duration
    chain.pending_timestamp = end + 5
    with expect_revert(market, "LeaseEnded", 1, end):
        market.closeLease(1, sender=roles.alice)


@on_both_backends
def test_a_balance_past_2_to_the_128_does_not_stop_deposits(backend):
    """The marketplace reads token balances in full 256 bits: after a donation brings its balance of a payment
    token to 2^128 - 1, a lease's deposit (which crosses 2^128) is still counted by balance delta, exactly.
    Kills: SBR `returns (uint256 amount)` -> `returns (uint128 amount)` in MarketplaceBase._balanceOf (line 336:
    the balance after the deposit was cut to 128 bits and the delta underflowed)."""
    roles = backend.roles
    price, duration = 10**6, 600
    market, token = _market_with_offer(backend, price)
    token.mint(market, 2**128 - 1, sender=roles.carol)  # a donation: not owed to anyone
    _alice_opens_a_lease(backend, market, token, price, duration)
    assert market.getLease(1).deposit == price * duration
    assert token.balanceOf(market) == 2**128 - 1 + price * duration


@on_both_backends
def test_a_deposit_that_delivers_nothing_is_refused(backend):
    """A lease is funded by what arrives (balance delta): a token that delivers nothing of the transfer (a 100%
    fee-on-transfer token) cannot open a lease with a deposit of 0. Kills: MIA `deposit == 0` -> `false` and ROR
    `deposit == 0` -> `deposit < 0` in ComputeMarketplace.openLease (line 190)."""
    roles = backend.roles
    market, _ = _market_with_offer(backend, 10**6)
    nothing = deploy("FeeOnTransferToken", roles.deployer, 10_000)  # burns the whole transfer
    market.setPaymentToken(nothing, True, 10**18, sender=roles.admin)
    market.createOffer(nothing, 5, 60, 86_400, SPEC, "ipfs://nothing", sender=roles.bob)  # offer 2
    nothing.mint(roles.alice, 5 * 600, sender=roles.alice)
    nothing.approve(market, 5 * 600, sender=roles.alice)
    with expect_revert(market, "InvalidParameter"):
        market.openLease(2, 600, 5, sender=roles.alice)
    assert market.leaseCount() == 0


@on_both_backends
def test_credit_is_withdrawn_to_oneself_or_to_another_and_never_to_zero(backend):
    """A split ruling credits both sides (amounts computed here). The provider withdraws its credit to itself
    (CreditWithdrawn), the client to another account (CreditWithdrawnTo naming both); a withdrawal to the zero
    address is refused first, whatever the caller's credit. Kills: MIA `recipient == address(0)` -> `false`
    (line 287) and MIA `recipient == msg.sender` -> `!(...)` (line 291) in ComputeMarketplace.withdrawCreditTo."""
    roles = backend.roles
    params = MarketplaceParams()
    market, token, frozen, bond, _ = _alice_disputes_an_ended_lease(backend, 10**6, 600, 10, b"\x03" * 32)
    with expect_revert(market, "InvalidParameter"):  # carol has no credit: the recipient is refused first
        market.withdrawCreditTo(token, ZERO, sender=roles.carol)
    market.resolveDispute(1, 5_000, 0, sender=roles.arbiter)  # half each: the provider won, so it gets the bond
    client_part = frozen * 5_000 // 10_000
    provider_gross = frozen - client_part  # the fee (rounded up) is charged on what the provider is paid
    provider_part = provider_gross - -(-provider_gross * params.fee_bps // 10_000) + bond
    assert (market.credit(token, roles.alice), market.credit(token, roles.bob)) == (client_part, provider_part)
    receipt = market.withdrawCredit(token, sender=roles.bob)
    assert [(e.account, e.amount) for e in receipt.decode_logs(market.CreditWithdrawn)] == [
        (roles.bob.address, provider_part)]
    assert receipt.decode_logs(market.CreditWithdrawnTo) == []
    receipt = market.withdrawCreditTo(token, roles.carol, sender=roles.alice)
    assert [(e.event_arguments["from"], e.recipient, e.amount) for e in receipt.decode_logs(market.CreditWithdrawnTo)
            ] == [(roles.alice.address, roles.carol.address, client_part)]
    assert receipt.decode_logs(market.CreditWithdrawn) == []
    assert token.balanceOf(roles.carol) == client_part and token.balanceOf(roles.bob) == provider_part


@on_both_backends
def test_a_contract_provider_runs_a_lease_as_itself(backend):
    """A provider that is a contract (CallForwarder, driven by alice) accepts a lease, withdraws its earnings,
    submits a result and closes the lease, each as itself: every event names the contract (amounts computed here);
    a contract that is neither party is refused a withdrawal and a close by its own address.
    Kills, in ComputeMarketplace: SBR `msg.sender` -> `tx.origin` in withdrawEarnings (the provider check and
    NotProvider, line 237; EarningsWithdrawn, line 246), in closeLease (NotParty, line 256; LeaseClosed, line 258)
    and in submitResult (line 265)."""
    roles, chain = backend.roles, backend.chain
    price, duration = 1_009, 7_200
    params = MarketplaceParams()
    market, registry, token = _market(backend)
    market.setPaymentToken(token, True, 10**18, sender=roles.admin)
    provider = deploy("CallForwarder", roles.deployer)
    token.mint(provider, STAKE, sender=roles.alice)
    provider.forward(token, calldata("approve(address,uint256)", registry, STAKE), sender=roles.alice)
    provider.forward(registry, calldata("registerProvider(string)", "ipfs://contract-gpu"), sender=roles.alice)
    provider.forward(registry, calldata("depositStake(uint256)", STAKE), sender=roles.alice)
    provider.forward(market, calldata("createOffer(address,uint256,uint64,uint64,bytes32,string)", token, price, 60,
                                      86_400, SPEC, "ipfs://offer"), sender=roles.alice)
    opened = int(chain.pending_timestamp) + 3
    _alice_opens_a_lease(backend, market, token, price, duration, opened)
    chain.pending_timestamp = accepted = opened + 10
    provider.forward(market, calldata("acceptLease(uint256)", 1), sender=roles.alice)
    stranger = deploy("CallForwarder", roles.deployer)  # neither party: refused by its own address
    with expect_revert(market, "NotProvider", stranger.address):
        stranger.forward(market, calldata("withdrawEarnings(uint256)", 1), sender=roles.alice)
    with expect_revert(market, "NotParty", stranger.address):
        stranger.forward(market, calldata("closeLease(uint256)", 1), sender=roles.alice)
    ran = params.holdback + 100
    chain.pending_timestamp = accepted + ran
    receipt = provider.forward(market, calldata("withdrawEarnings(uint256)", 1), sender=roles.alice)
    streamed = price * 100  # what streamed up to one holdback ago
    fee = -(-streamed * params.fee_bps // 10_000)
    assert [(e.leaseId, e.event_arguments["provider"], e.amount, e.fee)
            for e in receipt.decode_logs(market.EarningsWithdrawn)] == [(1, provider.address, streamed - fee, fee)]
    result = b"\x4f" * 32
    receipt = provider.forward(market, calldata("submitResult(uint256,bytes32)", 1, result), sender=roles.alice)
    assert [(e.leaseId, e.event_arguments["provider"], bytes(e.resultHash))
            for e in receipt.decode_logs(market.ResultSubmitted)] == [(1, provider.address, result)]
    chain.pending_timestamp = closed = accepted + ran + 1
    receipt = provider.forward(market, calldata("closeLease(uint256)", 1), sender=roles.alice)
    assert [(e.leaseId, e.by, e.refund, e.end) for e in receipt.decode_logs(market.LeaseClosed)] == [
        (1, provider.address, price * (duration - (closed - accepted)), closed)]
    assert token.balanceOf(provider) == streamed - fee


@on_both_backends
def test_lease_accepted_keeps_times_past_2106_whole(backend):
    """A lease accepted after 2^32 s (February 2106): LeaseAccepted carries the whole 64-bit start and end (the
    start plus the paid seconds), and getLease the whole end. Kills: SBR `uint64(...)` -> `uint32(...)` of both
    times in ComputeMarketplace.acceptLease's LeaseAccepted (line 225) and of `details.end` in getLease (line
    443)."""
    roles, chain = backend.roles, backend.chain
    price, duration = 1_009, 600
    market, token = _market_with_offer(backend, price)
    opened = max(2**32 + 1_000, int(chain.pending_timestamp) + 3)
    _alice_opens_a_lease(backend, market, token, price, duration, opened)
    chain.pending_timestamp = accepted = opened + 10
    receipt = market.acceptLease(1, sender=roles.bob)
    collateral = price * duration * MarketplaceParams().collateral_bps // 10_000
    assert [(e.leaseId, e.start, e.end, e.collateral) for e in receipt.decode_logs(market.LeaseAccepted)] == [
        (1, accepted, accepted + duration, collateral)]
    assert market.getLease(1).end == accepted + duration


@on_both_backends
def test_an_open_lease_has_earned_nothing(backend):
    """A lease its provider has not accepted has earned nothing, however long it waits (here a holdback and 100 s
    after it was opened, with a block mined then): `earned` is 0 and `refundable` the whole deposit. Kills: ROR
    `lease.status != Status.Active` -> `lease.status > Status.Active` in ComputeMarketplace.earned (line 455: an
    Open lease streamed from its opening)."""
    roles, chain = backend.roles, backend.chain
    price, duration = 10**6, 86_400
    market, token = _market_with_offer(backend, price)
    opened = int(chain.pending_timestamp) + 3
    _alice_opens_a_lease(backend, market, token, price, duration, opened)
    chain.pending_timestamp = opened + MarketplaceParams().holdback + 100
    token.mint(roles.carol, 1, sender=roles.carol)  # a block at that time, for the views
    assert market.getLease(1).status == 1  # Status.Open
    assert (market.earned(1), market.refundable(1)) == (0, price * duration)


@on_both_backends
def test_an_installed_arbiter_leaves_nothing_pending(backend):
    """A proposed arbiter can be installed up to the last second of its proposal's life (eta + 7 days), and
    installing it clears the proposal: `pendingArbiter` and `arbiterEta` read zero, and a second installation or a
    cancellation gets NoPendingArbiter (not an expired-proposal error from a stale proposal). Kills, in
    MarketplaceDisputesAdmin.executeArbiter: CR of `delete pendingArbiter` (line 303) and ROR `block.timestamp >
    eta + ARBITER_PROPOSAL_TTL` -> `>=` (line 298: the last second was refused)."""
    roles, chain = backend.roles, backend.chain
    market, _, _ = _market(backend)
    chain.pending_timestamp = proposed = int(chain.pending_timestamp) + 3
    market.proposeArbiter(roles.carol, sender=roles.admin)
    chain.pending_timestamp = proposed + ARBITER_DELAY + ARBITER_PROPOSAL_TTL  # the last second it may be installed
    receipt = market.executeArbiter(sender=roles.mallory)  # anyone may install it once due
    assert [e.arbiter for e in receipt.decode_logs(market.ArbiterSet)] == [roles.carol.address]
    assert (market.arbiter(), market.pendingArbiter(), market.arbiterEta()) == (roles.carol.address, ZERO, 0)
    with expect_revert(market, "NoPendingArbiter"):
        market.executeArbiter(sender=roles.mallory)
    with expect_revert(market, "NoPendingArbiter"):
        market.cancelArbiterProposal(sender=roles.admin)


@on_both_backends
def test_rate_ids_stop_at_2_to_the_16(backend):
    """Leases snapshot a token's collateral rate by its 16-bit index, so at most 65,536 rates can ever be set. The
    rates array's length is written into storage: the 65,536th rate (id 65,535) is set, the next is refused
    AmountTooLarge(65536). Kills: MIA `rateId > type(uint16).max` -> `false` in
    MarketplaceDisputesAdmin.setPaymentToken (line 249: the rate was stored as id 0, the first token's rate)."""
    roles, chain = backend.roles, backend.chain
    market, _, _ = _market(backend)
    write_storage(chain, market, slot_of("ComputeMarketplace", "_rates"), 2**16 - 1)
    first, second = deploy_token("standard6", roles.deployer), deploy_token("standard18", roles.deployer)
    receipt = market.setPaymentToken(first, True, 7 * 10**18, sender=roles.admin)
    assert [(e.token, e.allowed, e.collateralRate) for e in receipt.decode_logs(market.PaymentTokenSet)] == [
        (first.address, True, 7 * 10**18)]
    with expect_revert(market, "AmountTooLarge", 2**16):
        market.setPaymentToken(second, True, 10**18, sender=roles.admin)
    assert not market.isTokenAllowed(second)


@on_both_backends
def test_a_top_up_in_a_token_no_longer_allowed_is_refused(backend):
    """Once the owner disallows a payment token, a running lease in it cannot be topped up (the client holds and
    approved the extension's price): TokenNotAllowed(token). Kills: MIA `!info.allowed` -> `false` in
    MarketplaceDisputesAdmin.topUp (line 87: disallowing keeps the token's rate id, so no other check caught it)."""
    roles = backend.roles
    price, duration, extra = 10**6, 600, 60
    market, token = _market_with_offer(backend, price)
    _running_lease(backend, market, token, price, duration)
    market.setPaymentToken(token, False, 0, sender=roles.admin)
    token.mint(roles.alice, price * extra, sender=roles.alice)
    token.approve(market, price * extra, sender=roles.alice)
    with expect_revert(market, "TokenNotAllowed", token.address):
        market.topUp(1, extra, sender=roles.alice)


@on_both_backends
def test_the_client_cannot_finalize_before_the_end(backend):
    """The client may finalize from its lease's end (anyone else after the dispute window too), never before it:
    LeaseNotEnded(lease, end) with the end computed here. Kills: MIA `block.timestamp < end` -> `false` in
    MarketplaceDisputesAdmin.finalize (line 117: the client finalized a running lease)."""
    roles, chain = backend.roles, backend.chain
    price, duration = 10**6, 600
    market, token = _market_with_offer(backend, price)
    accepted = _running_lease(backend, market, token, price, duration)
    chain.pending_timestamp = accepted + 100
    with expect_revert(market, "LeaseNotEnded", 1, accepted + duration):
        market.finalize(1, sender=roles.alice)
    chain.pending_timestamp = accepted + duration  # the end: now it may
    receipt = market.finalize(1, sender=roles.alice)
    assert [e.leaseId for e in receipt.decode_logs(market.LeaseFinalized)] == [1]


@on_both_backends
def test_a_top_up_the_token_refuses_reverts_with_the_tokens_error(backend):
    """A top-up pulls strictly: a client that has not approved the extension gets the token's own error (the
    marketplace's allowance 0, the price needed), not a top-up of nothing. Kills: MIA `strict` -> `false` in
    MarketplaceDisputesAdmin._pullFrom (line 411: the refused pull returned 0 and the top-up succeeded)."""
    roles = backend.roles
    price, duration, extra = 10**6, 600, 60
    market, token = _market_with_offer(backend, price)
    _running_lease(backend, market, token, price, duration)
    token.mint(roles.alice, price * extra, sender=roles.alice)  # funds, but no allowance
    with expect_revert(token, "ERC20InsufficientAllowance", market.address, 0, price * extra):
        market.topUp(1, extra, sender=roles.alice)
    assert market.getLease(1).deposit == price * duration


@on_both_backends
def test_a_deferred_bond_is_cancelled_when_the_client_wins(backend):
    """A client that disputes after the end without having approved the bond still disputes: the whole bond (5% of
    the frozen earnings) is deferred. When the arbiter rules for the client, the deferred bond is cancelled, not
    taken from its share: DisputeResolved carries the client's whole share and a bond of 0. Kills: MIA `won` ->
    `true` in MarketplaceDisputesAdmin._bondAtSettlement (line 399)."""
    roles, chain = backend.roles, backend.chain
    price, duration = 10**6, 600
    market, token = _market_with_offer(backend, price)
    accepted = _running_lease(backend, market, token, price, duration)
    frozen = price * duration
    chain.pending_timestamp = accepted + duration + 10
    receipt = market.dispute(1, b"\x04" * 32, sender=roles.alice)  # no allowance: nothing can be pulled
    bond = frozen * MarketplaceParams().dispute_bond_bps // 10_000
    assert [(e.bond, e.bondDeferred) for e in receipt.decode_logs(market.DisputeOpened)] == [(0, bond)]
    receipt = market.resolveDispute(1, 10_000, 0, sender=roles.arbiter)
    assert [(e.clientAmount, e.providerAmount, e.bondTo, e.bond) for e in receipt.decode_logs(market.DisputeResolved)
            ] == [(frozen, 0, roles.alice.address, 0)]
    assert market.credit(token, roles.alice) == frozen


@on_both_backends
def test_surplus_recovery_is_refused_while_another_token_is_short(backend):
    """Recovering a token's surplus is refused while any tracked token holds less than the marketplace owes in it:
    here a rebasing payment token lost 10% after a lease was funded in it, and a donation of the stake token is
    then recovered: SurplusBelowOwed(rebasing token, its balance, what is owed); the short token itself has no
    surplus (NothingToWithdraw). Kills: MIA `held < due` -> `false` (line 331) and ROR `balance <= owed` ->
    `balance == owed` (line 316: the short balance underflowed) in MarketplaceDisputesAdmin.recoverSurplus."""
    roles = backend.roles
    market, token = _market_with_offer(backend, 10**6)
    rebasing = deploy_token("rebasing", roles.deployer)
    market.setPaymentToken(rebasing, True, 10**18, sender=roles.admin)
    market.createOffer(rebasing, 10**12, 60, 86_400, SPEC, "ipfs://rebasing", sender=roles.bob)  # offer 2
    deposit = 10**12 * 600
    rebasing.mint(roles.alice, deposit, sender=roles.alice)
    rebasing.approve(market, deposit, sender=roles.alice)
    market.openLease(2, 600, 10**12, sender=roles.alice)
    owed = rebasing.balanceOf(market)  # what arrived is what is owed: nothing else is held in it
    assert owed == market.getLease(1).deposit
    rebasing.rebase(-1_000, sender=roles.carol)
    held = rebasing.balanceOf(market)
    assert held < owed
    token.mint(market, 5, sender=roles.carol)  # a donation of the stake token: its surplus
    with expect_revert(market, "SurplusBelowOwed", rebasing.address, held, owed):
        market.recoverSurplus(token, roles.carol, sender=roles.admin)
    with expect_revert(market, "NothingToWithdraw"):  # the short token itself has no surplus
        market.recoverSurplus(rebasing, roles.carol, sender=roles.admin)


@on_both_backends
def test_a_stranger_cannot_cancel_anywhere_inside_the_accept_window(backend):
    """Anyone may cancel an open lease once its accept window has lapsed, nobody else before: a stranger is refused
    AcceptWindowOpen(lease, deadline) in the middle of the window and at its last second, and cancels the second
    after (the client, not the caller, is credited the whole deposit). Kills: ROR `block.timestamp <= deadline` -> `==` in
    MarketplaceDisputesAdmin.cancelLease (line 57: only the last second was refused)."""
    roles, chain = backend.roles, backend.chain
    price, duration = 10**6, 600
    market, token = _market_with_offer(backend, price)
    opened = int(chain.pending_timestamp) + 3
    _alice_opens_a_lease(backend, market, token, price, duration, opened)
    deadline = opened + MarketplaceParams().accept_window
    for t in (opened + 10, deadline):
        chain.pending_timestamp = t
        with expect_revert(market, "AcceptWindowOpen", 1, deadline):
            market.cancelLease(1, sender=roles.mallory)
    chain.pending_timestamp = deadline + 1
    receipt = market.cancelLease(1, sender=roles.mallory)
    assert [(e.leaseId, e.by, e.refund) for e in receipt.decode_logs(market.LeaseCancelled)] == [
        (1, roles.mallory.address, price * duration)]
    assert market.credit(token, roles.alice) == price * duration


@on_both_backends
def test_a_top_up_may_bring_the_deposit_to_exactly_2_to_the_112_minus_1(backend):
    """A lease's deposit is stored in 112 bits: a top-up that makes it exactly 2^112 - 1 (price x seconds, with
    15,790,321 a divisor of 2^112 - 1) is taken; one more unit would not fit. Kills: ROR `deposit >
    type(uint112).max` -> `>=` in MarketplaceDisputesAdmin.topUp (line 101: the largest deposit was refused)."""
    roles = backend.roles
    seconds, extra = 15_790_321, 60
    price = (2**112 - 1) // seconds
    assert price * seconds == 2**112 - 1 and price < 2**96
    market, token = _market_with_offer(backend, 10**6)
    registry = registry_of(market)
    stake = 2**111  # covers the collateral of 30% of 2^112
    token.mint(roles.bob, stake, sender=roles.bob)
    token.approve(registry, stake, sender=roles.bob)
    registry.depositStake(stake, sender=roles.bob)
    market.createOffer(token, price, 60, seconds, SPEC, "ipfs://huge", sender=roles.bob)  # offer 2
    token.mint(roles.alice, price * seconds, sender=roles.alice)
    token.approve(market, price * seconds, sender=roles.alice)
    market.openLease(2, seconds - extra, price, sender=roles.alice)
    market.acceptLease(1, sender=roles.bob)
    receipt = market.topUp(1, extra, sender=roles.alice)
    assert [e.amount for e in receipt.decode_logs(market.LeaseToppedUp)] == [price * extra]
    assert market.getLease(1).deposit == 2**112 - 1


@on_both_backends
def test_a_dispute_in_the_last_second_of_the_lease_refunds_nothing(backend):
    """At its end second a lease has streamed all it holds: a dispute then stops nothing and refunds nothing
    (DisputeOpened's refund 0, the whole deposit frozen), rather than failing on a lease that has ended. Kills: ROR
    `block.timestamp < end` -> `block.timestamp <= end` in MarketplaceDisputesAdmin.dispute (line 163: the stop at
    the end reverted LeaseEnded)."""
    market, _, frozen, bond, receipt = _alice_disputes_an_ended_lease(backend, 10**6, 600, 0, b"\x05" * 32)
    assert [(e.frozen, e.refund, e.bond) for e in receipt.decode_logs(market.DisputeOpened)] == [(frozen, 0, bond)]


@on_both_backends
def test_a_bond_the_clients_credit_covers_pulls_nothing(backend):
    """A client whose credit in the token (its first lease, cancelled by a stranger after the accept window) covers
    the bond of a dispute after its second lease ended: the bond is taken from that credit (CreditSpent) and
    nothing is pulled, not even a transfer of 0. Kills: ROR `due != 0` -> `due >= 0` in
    MarketplaceDisputesAdmin.dispute (line 189: a pull of 0 from the client)."""
    roles, chain = backend.roles, backend.chain
    price, duration = 10**6, 600
    market, token = _market_with_offer(backend, price)
    opened = int(chain.pending_timestamp) + 3
    _alice_opens_a_lease(backend, market, token, price, duration, opened)  # lease 1, never accepted
    chain.pending_timestamp = opened + MarketplaceParams().accept_window + 1
    market.cancelLease(1, sender=roles.mallory)
    assert market.credit(token, roles.alice) == price * duration
    accepted = _running_lease(backend, market, token, price, duration, lease_id=2)
    chain.pending_timestamp = accepted + duration + 10
    receipt = market.dispute(2, b"\x06" * 32, sender=roles.alice)
    bond = price * duration * MarketplaceParams().dispute_bond_bps // 10_000
    assert [(e.account, e.amount) for e in receipt.decode_logs(market.CreditSpent)] == [(roles.alice.address, bond)]
    assert receipt.decode_logs(token.Transfer) == []
    assert market.credit(token, roles.alice) == price * duration - bond


@on_both_backends
def test_a_contract_client_tops_up_as_itself(backend):
    """A client that is a contract (CallForwarder, driven by alice) tops up its running lease (LeaseToppedUp names
    the contract, with the amount that arrived and the new end, computed here) and finalizes it at its end, as the
    client. Kills: SBR `msg.sender` -> `tx.origin` in MarketplaceDisputesAdmin.topUp's LeaseToppedUp (line 107)
    and in finalize's client check (line 116: the contract was treated as a stranger, DisputeWindowOpen)."""
    roles, chain = backend.roles, backend.chain
    price, duration, extra = 1_009, 600, 60
    market, token = _market_with_offer(backend, price)
    opened = int(chain.pending_timestamp) + 3
    client, _ = _forwarder_opens_a_lease(backend, market, token, price, duration, opened)
    chain.pending_timestamp = accepted = opened + 10
    market.acceptLease(1, sender=roles.bob)
    token.mint(client, price * extra, sender=roles.alice)
    client.forward(token, calldata("approve(address,uint256)", market, price * extra), sender=roles.alice)
    receipt = client.forward(market, calldata("topUp(uint256,uint64)", 1, extra), sender=roles.alice)
    assert [(e.leaseId, e.client, e.amount, e.end) for e in receipt.decode_logs(market.LeaseToppedUp)] == [
        (1, client.address, price * extra, accepted + duration + extra)]
    chain.pending_timestamp = accepted + duration + extra  # its end: the client (only) may finalize now
    receipt = client.forward(market, calldata("finalize(uint256)", 1), sender=roles.alice)
    assert [(e.leaseId, e.by) for e in receipt.decode_logs(market.LeaseFinalized)] == [(1, client.address)]


@on_both_backends
def test_a_contract_client_cancels_its_open_lease_as_itself(backend):
    """A client that is a contract (CallForwarder, driven by alice) cancels its lease before acceptance: LeaseCancelled
    names the contract, which gets the whole deposit back. Kills: SBR `msg.sender` -> `tx.origin` in
    MarketplaceDisputesAdmin.cancelLease's LeaseCancelled (line 61: the event named alice)."""
    roles, chain = backend.roles, backend.chain
    price, duration = 1_009, 600
    market, token = _market_with_offer(backend, price)
    client, _ = _forwarder_opens_a_lease(backend, market, token, price, duration, int(chain.pending_timestamp) + 3)
    receipt = client.forward(market, calldata("cancelLease(uint256)", 1), sender=roles.alice)
    assert [(e.leaseId, e.by, e.refund) for e in receipt.decode_logs(market.LeaseCancelled)] == [
        (1, client.address, price * duration)]
    assert token.balanceOf(client) == price * duration


@on_both_backends
def test_a_contract_client_disputes_and_its_bond_is_pulled_from_it(backend):
    """A client that is a contract (CallForwarder, driven by alice) disputes its lease after the end, having approved
    the bond (5% of the frozen earnings, computed here): the dispute is the client's, and the bond is pulled from the
    contract, not from alice (who holds the same amount and approved it too), so nothing is deferred. Kills: SBR
    `msg.sender` -> `tx.origin` in MarketplaceDisputesAdmin.dispute's client check (line 157: NotClient) and in
    _pullFrom's tolerant pull (line 412: the bond came from alice)."""
    roles, chain = backend.roles, backend.chain
    price, duration = 10**6, 600
    market, token = _market_with_offer(backend, price)
    opened = int(chain.pending_timestamp) + 3
    client, _ = _forwarder_opens_a_lease(backend, market, token, price, duration, opened)
    chain.pending_timestamp = accepted = opened + 10
    market.acceptLease(1, sender=roles.bob)
    frozen = price * duration
    bond = frozen * MarketplaceParams().dispute_bond_bps // 10_000
    token.mint(client, bond, sender=roles.alice)
    client.forward(token, calldata("approve(address,uint256)", market, bond), sender=roles.alice)
    token.mint(roles.alice, bond, sender=roles.alice)
    token.approve(market, bond, sender=roles.alice)
    chain.pending_timestamp = accepted + duration + 10
    receipt = client.forward(market, calldata("dispute(uint256,bytes32)", 1, b"\x07" * 32), sender=roles.alice)
    assert [(e.leaseId, e.client, e.frozen, e.refund, e.bond, e.bondDeferred)
            for e in receipt.decode_logs(market.DisputeOpened)] == [(1, client.address, frozen, 0, bond, 0)]
    assert (token.balanceOf(client), token.balanceOf(roles.alice)) == (0, bond)


@on_both_backends
def test_a_top_up_of_a_lease_ending_after_2106_names_its_whole_end(backend):
    """A lease accepted after 2^32 s (February 2106) and topped up: LeaseToppedUp carries the whole 64-bit new end
    (acceptance plus the paid seconds, computed here). Kills: SBR `uint64(_end(...))` -> `uint32(...)` in
    MarketplaceDisputesAdmin.topUp's LeaseToppedUp (line 107: the 32-bit remainder)."""
    roles, chain = backend.roles, backend.chain
    price, duration, extra = 1_009, 600, 60
    market, token = _market_with_offer(backend, price)
    accepted = _running_lease(backend, market, token, price, duration,
                              at=max(2**32 + 1_000, int(chain.pending_timestamp) + 3))
    token.mint(roles.alice, price * extra, sender=roles.alice)
    token.approve(market, price * extra, sender=roles.alice)
    chain.pending_timestamp = accepted + 100
    receipt = market.topUp(1, extra, sender=roles.alice)
    assert [(e.leaseId, e.amount, e.end) for e in receipt.decode_logs(market.LeaseToppedUp)] == [
        (1, price * extra, accepted + duration + extra)]


@on_both_backends
def test_a_top_up_past_the_longest_duration_is_refused_for_a_lease_longer_than_its_start_time(backend):
    """A lease paid for longer than its start time (about 57 years, so it ends after twice its start) on an offer
    whose longest duration is 50 s more: a top-up of 100 s is refused with the paid seconds it would reach, one of
    50 s brings it to the longest exactly. Kills: AOR `end - start` -> `end % start` in
    MarketplaceDisputesAdmin.topUp (line 77: the two agree only while the end is below twice the start)."""
    roles, chain = backend.roles, backend.chain
    market, token = _market_with_offer(backend, 10**6)
    opened = int(chain.pending_timestamp) + 100
    accepted = opened + 10
    duration = accepted + 1_000
    longest = duration + 50
    market.createOffer(token, 1, 60, longest, SPEC, "ipfs://long", sender=roles.bob)  # offer 2, at 1 per second
    token.mint(roles.alice, duration + 150, sender=roles.alice)
    token.approve(market, duration + 150, sender=roles.alice)
    chain.pending_timestamp = opened
    market.openLease(2, duration, 1, sender=roles.alice)
    chain.pending_timestamp = accepted
    market.acceptLease(1, sender=roles.bob)
    chain.pending_timestamp = accepted + 100
    with expect_revert(market, "DurationOutOfRange", duration + 100, 60, longest):
        market.topUp(1, 100, sender=roles.alice)
    chain.pending_timestamp = accepted + 101
    receipt = market.topUp(1, 50, sender=roles.alice)
    assert [(e.amount, e.end) for e in receipt.decode_logs(market.LeaseToppedUp)] == [(50, accepted + longest)]


@on_both_backends
def test_a_bond_partly_held_back_from_the_refund_is_whole(backend):
    """A dispute 30 s before the end of a 1,000 s lease: the refund (30 s of price) covers more than half of the bond
    (5% of the 970 s that streamed, all frozen) and the rest is pulled from the client; DisputeOpened carries the
    whole bond and no refund left. Kills: AOR `bond - due + received` -> `bond % due + received` in
    MarketplaceDisputesAdmin.dispute (line 192: the two agree while the pulled part is at least half the bond)."""
    roles, chain = backend.roles, backend.chain
    price, duration, disputed_after = 10**6, 1_000, 970
    market, token = _market_with_offer(backend, price)
    accepted = _running_lease(backend, market, token, price, duration)
    held = price * disputed_after
    params = MarketplaceParams()
    bond = max(held, held * params.collateral_bps // 10_000) * params.dispute_bond_bps // 10_000
    pulled = bond - price * (duration - disputed_after)
    assert 0 < pulled < bond // 2
    token.mint(roles.alice, pulled, sender=roles.alice)
    token.approve(market, pulled, sender=roles.alice)
    chain.pending_timestamp = accepted + disputed_after
    receipt = market.dispute(1, b"\x08" * 32, sender=roles.alice)
    assert [(e.frozen, e.refund, e.bond, e.bondDeferred) for e in receipt.decode_logs(market.DisputeOpened)] == [
        (held, 0, bond, 0)]
    assert token.balanceOf(roles.alice) == 0


@on_both_backends
def test_a_bond_pulled_in_a_token_that_burns_most_of_a_transfer_counts_what_arrived(backend):
    """A lease in a token that burns 60% of every transfer: its deposit is the 40% that arrived. A dispute after the
    end pulls the whole bond (5% of the frozen deposit) and counts as bond only the 40% of it that arrived. Kills:
    AOR `bond - due + received` -> `bond - due % received` in MarketplaceDisputesAdmin.dispute (line 192: the two
    agree only while less than half of a transfer is burnt)."""
    roles, chain = backend.roles, backend.chain
    price, paid_for = 10**6, 1_000
    market, _ = _market_with_offer(backend, price)
    burning = deploy("FeeOnTransferToken", roles.deployer, 6_000)
    market.setPaymentToken(burning, True, 10**18, sender=roles.admin)
    market.createOffer(burning, price, 60, 86_400, SPEC, "ipfs://burning", sender=roles.bob)  # offer 2
    sent = price * paid_for
    burning.mint(roles.alice, sent, sender=roles.alice)
    burning.approve(market, sent, sender=roles.alice)
    opened = int(chain.pending_timestamp) + 3
    chain.pending_timestamp = opened
    market.openLease(2, paid_for, price, sender=roles.alice)
    deposit = sent - sent * 6_000 // 10_000
    assert market.getLease(1).deposit == deposit
    chain.pending_timestamp = accepted = opened + 10
    market.acceptLease(1, sender=roles.bob)
    bond = deposit * MarketplaceParams().dispute_bond_bps // 10_000  # the frozen deposit is above its collateral
    burning.mint(roles.alice, bond, sender=roles.alice)
    burning.approve(market, bond, sender=roles.alice)
    chain.pending_timestamp = accepted + deposit // price + 10
    receipt = market.dispute(1, b"\x09" * 32, sender=roles.alice)
    arrived = bond - bond * 6_000 // 10_000
    assert [(e.frozen, e.refund, e.bond, e.bondDeferred) for e in receipt.decode_logs(market.DisputeOpened)] == [
        (deposit, 0, arrived, 0)]


@on_both_backends
def test_surplus_recovery_through_a_second_address_of_the_stake_token_is_refused(backend):
    """The stake token is the first tracked token. When it is a two-address token (one ledger, two addresses) and
    escrows a lease as a payment token, "recovering" its whole balance through the second address would empty the
    escrow: refused with TrackedBalanceMoved(the stake token, its balance before, after). Kills: LIR `i = 0` ->
    `i = 1` in both loops of MarketplaceDisputesAdmin.recoverSurplus (lines 321 and 326: the first tracked token's
    balance was not recorded, or not checked)."""
    roles = backend.roles
    market, ledger = _market_with_offer(backend, 1_009, stake_token=deploy("TwoAddressToken", roles.deployer))
    _alice_opens_a_lease(backend, market, ledger, 1_009, 600)
    deposit = 1_009 * 600
    assert market.trackedTokens()[0] == ledger.address and ledger.balanceOf(market) == deposit
    with expect_revert(market, "TrackedBalanceMoved", ledger.address, deposit, 0):
        market.recoverSurplus(ledger.secondary(), roles.carol, sender=roles.admin)


@on_both_backends
def test_a_contract_strangers_refusals_name_the_contract(backend):
    """A contract (CallForwarder, driven by mallory) that is neither the client nor the arbiter: its top-up and its
    dispute are refused NotClient and its ruling NotArbiter, each naming the contract, not mallory. Kills: SBR
    `msg.sender` -> `tx.origin` in the errors of MarketplaceDisputesAdmin.topUp (line 72), dispute (line 157) and
    resolveDispute (line 210)."""
    roles, chain = backend.roles, backend.chain
    market, token = _market_with_offer(backend, 10**6)
    _running_lease(backend, market, token, 10**6, 600)
    stranger = deploy("CallForwarder", roles.deployer)
    with expect_revert(market, "NotClient", stranger.address):
        stranger.forward(market, calldata("topUp(uint256,uint64)", 1, 60), sender=roles.mallory)
    with expect_revert(market, "NotClient", stranger.address):
        stranger.forward(market, calldata("dispute(uint256,bytes32)", 1, b"\x0a" * 32), sender=roles.mallory)
    market.dispute(1, b"\x0a" * 32, sender=roles.alice)
    with expect_revert(market, "NotArbiter", stranger.address):
        stranger.forward(market, calldata("resolveDispute(uint256,uint16,uint256)", 1, 0, 0), sender=roles.mallory)


@on_both_backends
def test_refusals_after_2106_name_whole_times(backend):
    """A lease accepted after 2^32 s (February 2106): the client's finalize before the end (LeaseNotEnded), a
    stranger's before the dispute window closed (DisputeWindowOpen), a top-up after the end (LeaseEnded) and a
    dispute after the window (DisputeWindowClosed) carry whole 64-bit times, computed here. Kills: SBR `uint64` ->
    `uint32` in those errors of MarketplaceDisputesAdmin (lines 117, 119, 76 and 160)."""
    roles, chain = backend.roles, backend.chain
    price, duration = 1_009, 600
    market, token = _market_with_offer(backend, price)
    accepted = _running_lease(backend, market, token, price, duration,
                              at=max(2**32 + 1_000, int(chain.pending_timestamp) + 3))
    end, window = accepted + duration, MarketplaceParams().dispute_window
    token.mint(roles.alice, price * 60, sender=roles.alice)
    token.approve(market, price * 60, sender=roles.alice)
    chain.pending_timestamp = end - 1
    with expect_revert(market, "LeaseNotEnded", 1, end):
        market.finalize(1, sender=roles.alice)
    chain.pending_timestamp = end
    with expect_revert(market, "DisputeWindowOpen", 1, end + window):
        market.finalize(1, sender=roles.mallory)
    chain.pending_timestamp = end + 1
    with expect_revert(market, "LeaseEnded", 1, end):
        market.topUp(1, 60, sender=roles.alice)
    chain.pending_timestamp = end + window + 1
    with expect_revert(market, "DisputeWindowClosed", 1, end + window):
        market.dispute(1, b"\x0b" * 32, sender=roles.alice)


@on_both_backends
def test_a_ruling_that_slashes_counts_as_lost_however_little_the_client_gets(backend):
    """A ruling that gives the client nothing but slashes 1 unit is a dispute the provider lost: the client's bond
    goes back to the client (DisputeResolved's bondTo), as for any lost dispute. Kills: ROR `slashAmount != 0` ->
    `slashAmount < 0` in MarketplaceDisputesAdmin.resolveDispute (line 216: the slash no longer counted)."""
    roles = backend.roles
    market, _, frozen, bond, _ = _alice_disputes_an_ended_lease(backend, 10**6, 600, 10, b"\x0c" * 32)
    receipt = market.resolveDispute(1, 0, 1, sender=roles.arbiter)
    assert [(e.clientAmount, e.bondTo, e.bond) for e in receipt.decode_logs(market.DisputeResolved)] == [
        (0, roles.alice.address, bond)]


@on_both_backends
def test_a_timeout_ruling_is_refused_anywhere_inside_the_arbitration_window(backend):
    """Nobody can settle a dispute by timeout while the arbiter may still rule: one second after the dispute is as
    refused as the window's last second (ArbitrationWindowOpen with the deadline, computed here). Kills: ROR
    `block.timestamp <= deadline` -> `==` in MarketplaceDisputesAdmin.resolveDisputeByTimeout (line 231)."""
    roles, chain = backend.roles, backend.chain
    market, _, _, _, receipt = _alice_disputes_an_ended_lease(backend, 10**6, 600, 10, b"\x0d" * 32)
    deadline = receipt.timestamp + MarketplaceParams().arbitration_window
    for at in (receipt.timestamp + 1, deadline):
        chain.pending_timestamp = at
        with expect_revert(market, "ArbitrationWindowOpen", 1, deadline):
            market.resolveDisputeByTimeout(1, sender=roles.mallory)


@on_both_backends
def test_an_arbiter_that_is_a_contract_rules_as_itself(backend):
    """A marketplace whose arbiter is a contract (CallForwarder, driven by mallory): the contract rules on a dispute
    and DisputeResolved records the ruling (the whole frozen amount to the client). Kills: SBR `msg.sender` ->
    `tx.origin` in MarketplaceDisputesAdmin.resolveDispute's arbiter check (line 210: the contract was refused
    NotArbiter)."""
    roles, chain = backend.roles, backend.chain
    price, duration = 10**6, 600
    arbiter = deploy("CallForwarder", roles.deployer)
    market, token = _market_with_offer(backend, price, arbiter=arbiter)
    accepted = _running_lease(backend, market, token, price, duration)
    chain.pending_timestamp = accepted + duration + 10
    market.dispute(1, b"\x0e" * 32, sender=roles.alice)  # no allowance: the bond is deferred
    receipt = arbiter.forward(market, calldata("resolveDispute(uint256,uint16,uint256)", 1, 10_000, 0),
                              sender=roles.mallory)
    assert [(e.leaseId, e.clientAmount) for e in receipt.decode_logs(market.DisputeResolved)] == [
        (1, price * duration)]


@on_both_backends
def test_a_token_given_the_257th_rate_is_tracked_once(backend):
    """Rate ids are 16 bits: a token whose rate is the 257th ever set (id 256; the rates array's length is written
    into storage) keeps that id, so setting its rate again does not track it a second time (a token with rate id 0
    is one never set). Kills: SBR `uint16(rateId)` -> `uint8(rateId)` in MarketplaceDisputesAdmin.setPaymentToken
    (line 251: id 256 was stored as 0 and the token tracked twice)."""
    roles, chain = backend.roles, backend.chain
    market, _, stake = _market(backend)
    write_storage(chain, market, slot_of("ComputeMarketplace", "_rates"), 256)
    token = deploy_token("standard18", roles.deployer)
    market.setPaymentToken(token, True, 7 * 10**18, sender=roles.admin)
    market.setPaymentToken(token, True, 8 * 10**18, sender=roles.admin)
    assert market.trackedTokens() == [stake.address, token.address]


@on_both_backends
def test_surplus_recovery_that_raises_another_tracked_balance_goes_through(backend):
    """Recovery refuses only a fall in another tracked token's balance, never a rise: a payment token whose every
    transfer pays its sender a 10% cashback in the stake token (tracked first) has a surplus recovered, the
    marketplace gains the cashback, and that cashback is itself a surplus recovered next. Kills: ROR
    `held < before[i]` -> `held != before[i]` in MarketplaceDisputesAdmin.recoverSurplus (line 329: a rise was
    refused as TrackedBalanceMoved)."""
    roles = backend.roles
    market, token = _market_with_offer(backend, 10**6)
    cashback = deploy("CashbackToken", roles.deployer, token.address, 1_000)
    market.setPaymentToken(cashback, True, 10**18, sender=roles.admin)
    assert market.trackedTokens()[1] == cashback.address
    _alice_opens_a_lease(backend, market, token, 10**6, 600)  # the stake token is owed too
    owed = token.balanceOf(market)
    cashback.mint(market, 50_000, sender=roles.carol)  # sent by mistake
    receipt = market.recoverSurplus(cashback, roles.carol, sender=roles.admin)
    assert [(e.token, e.to, e.amount) for e in receipt.decode_logs(market.SurplusRecovered)] == [
        (cashback.address, roles.carol.address, 50_000)]
    assert cashback.balanceOf(roles.carol) == 50_000 and cashback.balanceOf(market) == 0
    assert token.balanceOf(market) == owed + 5_000 and market.totalOwed(token) == owed
    market.recoverSurplus(token, roles.carol, sender=roles.admin)  # the cashback was a surplus of the stake token
    assert token.balanceOf(roles.carol) == 5_000 and token.balanceOf(market) == owed
