"""ComputeRewards unit tests: every rule and revert of the rewards contract and of the registry's report hook,
against the token zoo as payment tokens. Expected figures come from tests/rewards/rewards_model.py (the curve summed
interval by interval by the emission oracle) or from the arithmetic written out in the test."""

from __future__ import annotations

import pytest
from eth_abi import decode, encode
from eth_utils import keccak

from conftest import DAY, FUNDS, HOUR, MARKET, REWARDS, STAKE, System, build_system
from deai.deploy.contracts import container, deploy
from deai.deploy.rewards import RewardsParams, deploy_rewards
from deai.testing.blocks import block_time, event_names
from deai.testing.reverts import expect_revert, revert_data
from deai.testing.tokens import deploy_token
from rewards_model import CAP_UNIT, Curve, RewardsModel

BIG_PRICE = 10**20  # per second, 18-decimal token at rate 1: one hour is 3.6e23 of value (share-bound rewards)
SMALL_PRICE = 10**15  # one hour is 3.6e18 of value (cap-bound rewards)
RATE_ONE = 10**18
MAX_CAP = 10 * CAP_UNIT
# payment token kind -> collateral rate (stake-token units per payment-token unit x 1e18): 18-decimal stake token
ZOO = {"standard18": RATE_ONE, "standard6": RATE_ONE * 10**12, "fee_on_transfer": RATE_ONE, "no_return": 3 * RATE_ONE,
       "blocklist": RATE_ONE // 2}


def model_of(system: System, cap: int = REWARDS.rebate_cap) -> RewardsModel:
    s = system.splitter
    curve = Curve(s.start(), s.interval(), s.initialReward(), s.rewardDecrease())
    return RewardsModel(curve, system.start, REWARDS.epoch_length, cap)


def one_lease(system: System, provider, client, price: int, duration: int = HOUR, payment=None, at: int | None = None):
    """A provider with an offer, a lease accepted at `at` (default: emission start + 10); returns (lease id, end)."""
    payment = payment or _payment(system)
    offer = system.provider(provider, payment, price)
    system.fund(client, payment, system.market)
    lease_id, start = system.lease(client, provider, offer, duration, at=at or system.start + 10)
    return lease_id, start + duration


def _payment(system: System, kind: str = "standard18"):
    token = deploy_token(kind, system.roles.deployer)
    system.allow(token, ZOO[kind])
    return token


def report_of(receipt) -> tuple:
    """(provider, value, fee) of the registry's LeaseOutcome for finalized work that reached the rewards contract."""
    events = [e for e in receipt.events if e.event_name == "LeaseOutcome"]
    assert len(events) == 1 and events[0].outcome in (0, 1)  # Finalized or DisputeWon
    assert not [e for e in receipt.events if e.event_name == "RewardsReportFailed"]
    return events[0].event_arguments["provider"], events[0].value, events[0].fee


# ---------------------------------------------------------------------------------------------------- wiring

def test_emission_recipient_views(system):
    r = system.rewards
    assert r.splitter() == system.splitter.address
    assert r.bucket() == 2
    assert r.rewardToken() == system.token.address
    assert r.reporter() == system.registry.address
    assert (r.epochStart(), r.epochLength(), r.rebateCap()) == (system.start, DAY, REWARDS.rebate_cap)
    assert system.splitter.recipients()[2] == r.address
    assert system.registry.rewards() == r.address
    assert r.currentEpoch() == 0 and r.lastCheckpoint() == system.start


def test_constructor_refusals(system):
    roles, c = system.roles, container("ComputeRewards")
    s, t, reg = system.splitter.address, system.token.address, system.registry.address
    zero = "0x" + "00" * 20
    for args in ((zero, t, reg), (s, zero, reg), (s, t, zero)):
        with expect_revert(c, "InvalidParameter"):
            deploy("ComputeRewards", roles.deployer, *args, system.start, DAY, 0, 18)
    for length in (HOUR - 1, 365 * DAY + 1):
        with expect_revert(c, "InvalidParameter"):
            deploy("ComputeRewards", roles.deployer, s, t, reg, system.start, length, 0, 18)
    with expect_revert(c, "InvalidParameter"):
        deploy("ComputeRewards", roles.deployer, s, t, reg, 2**40, DAY, 0, 18)
    with expect_revert(c, "InvalidParameter"):  # a stake token with more than 18 decimals
        deploy("ComputeRewards", roles.deployer, s, t, reg, system.start, DAY, 0, 19)
    with expect_revert(c, "CapTooLarge", MAX_CAP + 1, MAX_CAP):
        deploy("ComputeRewards", roles.deployer, s, t, reg, system.start, DAY, MAX_CAP + 1, 18)
    edge = deploy("ComputeRewards", roles.deployer, s, t, reg, system.start, HOUR, MAX_CAP, 0)  # bounds accepted
    assert edge.rebateCap() == MAX_CAP and edge.feeUnit() == 1
    assert system.rewards.feeUnit() == 10**18  # the test system's stake token has 18 decimals


def test_set_rewards_once_by_the_marketplace_owner(roles, chain):
    system = build_system(roles, chain, wire=False)
    reg, rewards = system.registry, system.rewards
    assert reg.rewards() == "0x" + "00" * 20
    with expect_revert(reg, "NotMarketplaceOwner", roles.mallory.address):
        reg.setRewards(rewards, sender=roles.mallory)
    with expect_revert(reg, "RewardsMismatch", roles.bob.address):  # not a contract
        reg.setRewards(roles.bob, sender=roles.admin)
    other = deploy_rewards(roles.deployer, REWARDS, system.splitter, system.token, roles.bob, system.start, 18)
    with expect_revert(reg, "RewardsMismatch", other.address):  # reports to someone else
        reg.setRewards(other, sender=roles.admin)
    receipt = reg.setRewards(rewards, sender=roles.admin)
    assert [(e.event_name, e.rewards) for e in receipt.events] == [("RewardsSet", rewards.address)]
    with expect_revert(reg, "RewardsAlreadySet", rewards.address):
        reg.setRewards(rewards, sender=roles.admin)


def test_only_the_registry_reports(system):
    for who in (system.roles.mallory, system.roles.admin):
        with expect_revert(system.rewards, "NotReporter", who.address):
            system.rewards.reportWork(who, 1, 0, sender=who)


def test_report_bounds_with_a_direct_reporter(system):
    """A fee above the value and a total above 128 bits are refused (the registry never sends them)."""
    roles = system.roles
    r = deploy_rewards(roles.deployer, REWARDS, system.splitter, system.token, roles.dave, system.start, 18)
    with expect_revert(r, "InvalidParameter"):
        r.reportWork(roles.bob, 10, 11, sender=roles.dave)
    r.reportWork(roles.bob, 2**128 - 2, 0, sender=roles.dave)
    with expect_revert(r, "AmountTooLarge", 2**128):
        r.reportWork(roles.carol, 2, 1, sender=roles.dave)
    r.reportWork(roles.carol, 1, 1, sender=roles.dave)
    assert r.epochInfo(0).totalValue == 2**128 - 1
    assert r.workOf(roles.carol, 0) == (1, 1)


# ---------------------------------------------------------------------------------------------------- reporting

@pytest.mark.parametrize("kind", list(ZOO))
def test_finalize_reports_value_and_fee_as_reputation_records(system, kind):
    """Value = what the lease escrowed (what arrived) x its rate; fee = value x feeBps / 10,000 (rounded down); the
    registry's reputation and the rewards contract receive the same figures from the same call."""
    roles = system.roles
    payment = _payment(system, kind)
    price = 10**3 if kind == "standard6" else SMALL_PRICE
    lease_id, end = one_lease(system, roles.bob, roles.alice, price, payment=payment)
    deposit = system.market.getLease(lease_id).deposit
    receipt = system.finalize(lease_id, roles.alice, end)
    value = deposit * ZOO[kind] // RATE_ONE
    fee = value * MARKET.fee_bps // 10_000
    assert report_of(receipt) == (roles.bob.address, value, fee)
    assert system.rewards.workOf(roles.bob, 0) == (value, fee)
    assert system.registry.providerInfo(roles.bob).valueFinalized == value
    info = system.rewards.epochInfo(0)
    assert (info.totalValue, info.rebateCap) == (value, REWARDS.rebate_cap)


def test_disputes_report_only_what_the_provider_won(system):
    """A ruling that leaves the provider its earnings (DisputeWon) reports the paid value; a lost dispute and a
    timeout report nothing, and neither does a close with nothing delivered."""
    roles, m = system.roles, system.market
    payment = _payment(system)
    offer = system.provider(roles.bob, payment, SMALL_PRICE)
    system.fund(roles.alice, payment, m)
    ids = []
    for i in range(3):
        lease_id, start = system.lease(roles.alice, roles.bob, offer, HOUR, at=system.start + 10 + i * 10)
        ids.append((lease_id, start))
    t = ids[-1][1] + HOUR + 1
    for lease_id, _ in ids:
        system.chain.pending_timestamp = t
        m.dispute(lease_id, b"\x01" * 32, sender=roles.alice)
        t += 1
    system.chain.pending_timestamp = t
    won = m.resolveDispute(ids[0][0], 4_000, 0, sender=roles.arbiter)
    deposit = m.getLease(ids[0][0]).deposit
    paid = deposit - deposit * 4_000 // 10_000
    value = paid
    assert report_of(won) == (roles.bob.address, value, value * MARKET.fee_bps // 10_000)
    system.chain.pending_timestamp = t + 1
    lost = m.resolveDispute(ids[1][0], 6_000, 0, sender=roles.arbiter)
    assert [e.outcome for e in lost.events if e.event_name == "LeaseOutcome"] == [2]  # DisputeLost
    system.chain.pending_timestamp = ids[2][1] + HOUR + 1 + 2 + MARKET.arbitration_window + 1
    timed_out = m.resolveDisputeByTimeout(ids[2][0], sender=roles.carol)
    assert [e.outcome for e in timed_out.events if e.event_name == "LeaseOutcome"] == [3]  # TimedOut
    assert system.rewards.workOf(roles.bob, 0)[0] == value == system.registry.providerInfo(roles.bob).valueFinalized


@pytest.mark.parametrize("mode", [0, 1, 2])
def test_a_failing_rewards_contract_never_blocks_finalize(roles, chain, mode):
    """Reverting, gas-burning and return-bomb rewards contracts: the lease still finalizes, pays the provider and
    records reputation; the registry emits RewardsReportFailed."""
    system = build_system(roles, chain, wire=False)
    hostile = deploy("HostileRewards", roles.deployer, system.registry.address)
    hostile.setMode(mode, sender=roles.deployer)
    system.registry.setRewards(hostile, sender=roles.admin)
    lease_id, end = one_lease(system, roles.bob, roles.alice, SMALL_PRICE)
    deposit = system.market.getLease(lease_id).deposit
    receipt = system.finalize(lease_id, roles.carol, end + HOUR + 1)
    failed = [e for e in receipt.events if e.event_name == "RewardsReportFailed"]
    assert [(e.event_arguments["provider"], e.value, e.fee) for e in failed] == [(roles.bob.address, deposit, deposit * 250 // 10_000)]
    assert system.market.getLease(lease_id).status == 5  # Finalized
    assert system.registry.providerInfo(roles.bob).valueFinalized == deposit
    assert receipt.gas_used < 400_000


def test_finalize_cannot_be_starved_of_the_report_gas(system):
    """A finalize sent with too little gas for the report reverts (whole), it never skips the report."""
    roles = system.roles
    lease_id, end = one_lease(system, roles.bob, roles.alice, SMALL_PRICE)
    system.chain.pending_timestamp = end + HOUR + 1
    with pytest.raises(Exception) as raised:
        system.market.finalize(lease_id, sender=roles.carol, gas=200_000)
    data = revert_data(raised.value)
    selector, args = data[:4], decode(["uint256", "uint256"], data[4:])
    from eth_utils import keccak
    assert selector == keccak(text="InsufficientGasForRewards(uint256,uint256)")[:4]
    required = 200_000 + 200_000 // 63 + 5_000
    assert args[1] == required and args[0] < required
    system.chain.pending_timestamp = end + HOUR + 2
    assert report_of(system.market.finalize(lease_id, sender=roles.carol))[0] == roles.bob.address



def test_the_cheapest_successful_worst_case_finalize_still_reports(system, chain):
    """Review finding (round 4, info): the report's margin. The worst case (the first report after an epoch boundary
    nobody checkpointed) sent with the least gas that succeeds still lands its report: a binary search over the gas
    a stranger sends never finds a successful finalize with `RewardsReportFailed`."""
    roles, market = system.roles, system.market
    first, end0 = one_lease(system, roles.bob, roles.alice, SMALL_PRICE, at=system.start + 10)
    # after the first lease's transactions (on Ape's in-process chain each one mines a block a second later)
    second, end1 = one_lease(system, roles.dave, roles.carol, SMALL_PRICE, at=system.start + 100)
    system.finalize(first, roles.alice, end0)
    at = system.epoch_end(0) + 10
    low, high = 150_000, 600_000  # low fails (InsufficientGasForRewards), high succeeds
    step = 0
    while high - low > 256:
        middle = (low + high) // 2
        step += 1
        snapshot = chain.snapshot()
        chain.pending_timestamp = at + step
        try:
            receipt = market.finalize(second, sender=roles.mallory, gas=middle)
        except Exception:
            receipt = None
        chain.restore(snapshot)
        if receipt is None:
            low = middle
            continue
        assert not any(log.event_name == "RewardsReportFailed" for log in receipt.events), middle
        high = middle
    assert high < 600_000


def test_a_paused_bucket_stops_claims_even_from_tokens_minted_here(system, chain):
    """Review finding (round 4, low): anyone can mint the bucket's claimable to this contract with the splitter's
    permissionless `claim(2)` just before the guardian pauses it; claims then paid from that balance during the
    pause. While this contract is the recipient, a paused bucket stops every payout (`BucketPaused`)."""
    roles, rewards, splitter = system.roles, system.rewards, system.splitter
    lease_id, end = one_lease(system, roles.bob, roles.alice, BIG_PRICE)
    system.finalize(lease_id, roles.alice, end)
    chain.pending_timestamp = system.epoch_end(0) + 5
    splitter.claim(2, sender=roles.carol)
    assert system.token.balanceOf(rewards) > 0
    chain.pending_timestamp = system.epoch_end(0) + 6
    splitter.pause(2, sender=roles.guardian)
    chain.pending_timestamp = system.epoch_end(0) + 7
    with expect_revert(rewards, "BucketPaused", 2):
        rewards.claim(0, sender=roles.bob)
    assert system.token.balanceOf(roles.bob) == 0
    chain.pending_timestamp = system.epoch_end(0) + 8
    splitter.unpause(2, sender=roles.guardian)
    chain.pending_timestamp = system.epoch_end(0) + 9
    rewards.claim(0, sender=roles.bob)
    assert system.token.balanceOf(roles.bob) > 0


# ---------------------------------------------------------------------------------------------------- claims

def test_claim_pays_pro_rata_share_within_cap(system):
    """Two providers in epoch 0 (share-bound: big leases); claimed exactly at the boundary, epoch 0's emission is the
    bucket's accrual at its end; each gets floor(emission x value / total); the last claim sends the dust to
    protection."""
    roles, r = system.roles, system.rewards
    model = model_of(system)
    payment = _payment(system)
    reports, leases = [], []
    for provider, client, price, at in ((roles.bob, roles.alice, BIG_PRICE, 10), (roles.dave, roles.carol,
                                                                                    BIG_PRICE // 3, 20)):
        leases.append((provider, client, *one_lease(system, provider, client, price, payment=payment,
                                                    at=system.start + at)))
    for provider, client, lease_id, end in leases:
        receipt = system.finalize(lease_id, client, end)
        who, value, fee = report_of(receipt)
        model.report(who, value, fee, block_time(system.chain, receipt))
        reports.append((provider, value, fee))
    boundary = system.epoch_end(0)
    system.chain.pending_timestamp = boundary - 1
    with expect_revert(r, "EpochNotEnded", 0, 0):
        r.claim(0, sender=roles.bob)
    system.chain.pending_timestamp = boundary
    emission = model.curve.emitted(boundary) * 2_400 // 10_000
    total_value = reports[0][1] + reports[1][1]
    for provider, value, fee in reports:
        t = system.chain.pending_timestamp
        reward, held = model.claim(provider.address, 0, t)
        assert reward == emission * value // total_value  # share-bound: the cap is above it
        assert fee * REWARDS.rebate_cap // CAP_UNIT > reward
        receipt = r.claim(0, sender=provider)
        assert [(e.event_arguments["provider"], e.epoch, e.reward, e.heldBack) for e in receipt.events if e.event_name ==
                "RewardClaimed"] == [(provider.address, 0, reward, held)]
        assert system.token.balanceOf(provider) == reward
        system.chain.pending_timestamp = t + 1
    assert r.epochInfo(0).emission == emission
    dust = emission - sum(emission * v // total_value for _, v, _ in reports)
    assert r.protectionOwed() == dust == model.protection_owed
    with expect_revert(r, "NothingToClaim", roles.bob.address, 0):
        r.claim(0, sender=roles.bob)
    with expect_revert(r, "NothingToClaim", roles.mallory.address, 0):
        r.claim(0, sender=roles.mallory)


def test_self_dealing_earns_at_most_the_cap_and_the_rest_goes_to_protection(system):
    """Mallory leases her own GPU through two client addresses: she pays 2.5% fees and receives at most
    rebateCap x fees (0.5 emission tokens per stake-token unit of fee); what her share exceeds goes to protection."""
    roles, r = system.roles, system.rewards
    payment = _payment(system)
    offer = system.provider(roles.mallory, payment, SMALL_PRICE)
    fees = 0
    model = model_of(system)
    for i, client in enumerate((roles.carol, roles.relayer)):
        system.fund(client, payment, system.market)
        lease_id, start = system.lease(client, roles.mallory, offer, HOUR, at=system.start + 10 + 2 * HOUR * i)
        receipt = system.finalize(lease_id, client, start + HOUR)
        _, value, fee = report_of(receipt)
        model.report(roles.mallory.address, value, fee, block_time(system.chain, receipt))
        fees += fee
    assert fees == 2 * (SMALL_PRICE * HOUR * 250 // 10_000)
    system.chain.pending_timestamp = system.epoch_end(0) + 7
    reward, held = model.claim(roles.mallory.address, 0, system.epoch_end(0) + 7)
    assert reward == fees * REWARDS.rebate_cap // CAP_UNIT == fees // 2  # 0.09 stake tokens of fees -> 0.09 DEAI
    r.claim(0, sender=roles.mallory)
    assert system.token.balanceOf(roles.mallory) == reward
    assert held == model.epoch(0).emission - reward  # her whole share above the cap (she is alone in the epoch)
    assert r.protectionOwed() == model.protection_owed >= held  # plus the checkpoint's rounding rest
    before = system.token.balanceOf(roles.guardian)
    receipt = r.releaseProtection(sender=roles.bob)
    assert [(e.fund, e.amount) for e in receipt.events if e.event_name == "ProtectionReleased"] == [
        (roles.guardian.address, model.protection_owed)]
    assert system.token.balanceOf(roles.guardian) - before == model.protection_owed
    with expect_revert(r, "NothingToRelease"):
        r.releaseProtection(sender=roles.bob)


def test_epochs_without_work_go_to_protection_and_a_late_checkpoint_splits_by_the_curve(system):
    """No work in epochs 0-1; work in epoch 2 reported 5 hours in: its report checkpoints, epoch 0 and 1 and the
    first 5 hours of epoch 2 are split by the curve: epochs 0-1 to protection, the 5 hours to epoch 2."""
    roles, r = system.roles, system.rewards
    model = model_of(system)
    lease_id, end = one_lease(system, roles.bob, roles.alice, SMALL_PRICE, at=system.epoch_end(1) + 5 * HOUR - HOUR)
    receipt = system.finalize(lease_id, roles.alice, end)
    t = block_time(system.chain, receipt)
    model.report(roles.bob.address, *report_of(receipt)[1:], t)
    assert r.protectionOwed() == model.protection_owed > 0
    assert r.epochInfo(2).emission == model.epoch(2).emission > 0
    assert r.epochInfo(0).emission == 0 and r.accounted() == model.accrual(t)
    assert model.protection_owed + model.epoch(2).emission == model.accrual(t)
    # anyone's checkpoint after the boundary closes epoch 2; the next epoch gets its part of the range
    system.chain.pending_timestamp = system.epoch_end(2) + 100
    r.checkpoint(sender=roles.carol)
    model.checkpoint(system.epoch_end(2) + 100)
    assert r.epochInfo(2).emission == model.epoch(2).emission
    assert r.epochInfo(3).emission == model.epoch(3).emission > 0
    assert r.protectionOwed() == model.protection_owed
    r.checkpoint(sender=roles.carol)  # same epoch: a no-op
    assert r.lastCheckpoint() == system.epoch_end(2) + 100


def test_claim_many_epochs_in_one_call(system):
    roles, r = system.roles, system.rewards
    model = model_of(system)
    payment = _payment(system)
    offer = system.provider(roles.bob, payment, SMALL_PRICE)
    system.fund(roles.alice, payment, system.market)
    for k in range(3):
        lease_id, start = system.lease(roles.alice, roles.bob, offer, HOUR, at=system.start + k * DAY + 10)
        receipt = system.finalize(lease_id, roles.alice, start + HOUR)
        model.report(roles.bob.address, *report_of(receipt)[1:], start + HOUR)
    t = system.epoch_end(2) + 1
    system.chain.pending_timestamp = t
    with expect_revert(r, "EpochNotEnded", 3, 3):
        r.claimMany([0, 3], sender=roles.bob)
    system.chain.pending_timestamp = t + 1
    with expect_revert(r, "NothingToClaim", roles.bob.address, 0):
        r.claimMany([0, 0], sender=roles.bob)
    t += 2
    expected = sum(model.claim(roles.bob.address, k, t)[0] for k in (0, 2, 1))
    system.chain.pending_timestamp = t
    r.claimMany([0, 2, 1], sender=roles.bob)
    assert system.token.balanceOf(roles.bob) == expected
    assert r.protectionOwed() == model.protection_owed


def test_pending_reward_view(system):
    roles, r = system.roles, system.rewards
    model = model_of(system)
    assert r.pendingReward(roles.bob, 0) == (0, 0)
    lease_id, end = one_lease(system, roles.bob, roles.alice, SMALL_PRICE)
    receipt = system.finalize(lease_id, roles.alice, end)
    model.report(roles.bob.address, *report_of(receipt)[1:], end)
    system.chain.pending_timestamp = system.epoch_end(0) + 1
    r.checkpoint(sender=roles.carol)
    model.checkpoint(system.epoch_end(0) + 1)
    reward, held, _ = model.split(roles.bob.address, 0)
    assert r.pendingReward(roles.bob, 0) == (reward, held)


# ---------------------------------------------------------------------------------------------------- governance

def test_rebate_cap_timelock(system):
    roles, r, gov = system.roles, system.rewards, system.roles.governance
    delay, grace = system.splitter.timelockDelay(), r.GRACE_PERIOD()
    with expect_revert(r, "NotGovernance", roles.mallory.address):
        r.proposeRebateCap(1, sender=roles.mallory)
    with expect_revert(r, "CapTooLarge", MAX_CAP + 1, MAX_CAP):
        r.proposeRebateCap(MAX_CAP + 1, sender=gov)
    for call in (lambda: r.executeRebateCap(sender=roles.bob), lambda: r.cancelRebateCap(sender=gov)):
        with expect_revert(r, "NoProposal"):
            call()
    t0 = system.start + 10
    system.chain.pending_timestamp = t0
    receipt = r.proposeRebateCap(7 * CAP_UNIT, sender=gov)
    eta = t0 + delay
    assert [(e.rebateCap, e.eta) for e in receipt.events] == [(7 * CAP_UNIT, eta)]
    assert (r.pendingRebateCap(), r.rebateCapEta()) == (7 * CAP_UNIT, eta)
    with expect_revert(r, "ProposalPending", eta):
        r.proposeRebateCap(1, sender=gov)
    with expect_revert(r, "NotGovernance", roles.mallory.address):
        r.cancelRebateCap(sender=roles.mallory)
    system.chain.pending_timestamp = eta - 1
    with expect_revert(r, "TimelockNotElapsed", eta):
        r.executeRebateCap(sender=roles.bob)
    system.chain.pending_timestamp = eta + grace + 1
    with expect_revert(r, "ProposalExpired", eta + grace):
        r.executeRebateCap(sender=roles.bob)
    # an expired proposal is replaced (with its cancellation) by a new one, which executes at its eta exactly
    system.chain.pending_timestamp = eta + grace + 2
    receipt = r.proposeRebateCap(3 * CAP_UNIT, sender=gov)
    assert event_names(receipt) == ["RebateCapCancelled", "RebateCapProposed"]
    eta2 = eta + grace + 2 + delay
    system.chain.pending_timestamp = eta2
    receipt = r.executeRebateCap(sender=roles.bob)
    assert [(e.event_name, e.rebateCap) for e in receipt.events] == [("RebateCapSet", 3 * CAP_UNIT)]
    assert r.rebateCap() == 3 * CAP_UNIT and r.rebateCapEta() == 0
    receipt = r.proposeRebateCap(CAP_UNIT, sender=gov)
    receipt = r.cancelRebateCap(sender=gov)
    assert event_names(receipt) == ["RebateCapCancelled"]
    assert (r.pendingRebateCap(), r.rebateCapEta()) == (0, 0)


def test_an_epoch_keeps_the_cap_in_force_at_its_first_work(roles, chain):
    """A cap executed mid-epoch applies to the next epoch with work, not to the one already reporting."""
    system = build_system(roles, chain, RewardsParams(epoch_length=30 * DAY, rebate_cap=CAP_UNIT // 2))
    r, gov = system.rewards, roles.governance
    payment = _payment(system)
    offer = system.provider(roles.bob, payment, SMALL_PRICE)
    system.fund(roles.alice, payment, system.market)
    lease_id, start = system.lease(roles.alice, roles.bob, offer, HOUR, at=system.start + 10)
    system.finalize(lease_id, roles.alice, start + HOUR)
    chain.pending_timestamp = start + HOUR + 10
    r.proposeRebateCap(2 * CAP_UNIT, sender=gov)
    chain.pending_timestamp = start + HOUR + 10 + system.splitter.timelockDelay()
    r.executeRebateCap(sender=roles.carol)
    lease_id, start = system.lease(roles.alice, roles.bob, offer, HOUR, at=start + HOUR + 20 +
                                   system.splitter.timelockDelay())
    system.finalize(lease_id, roles.alice, start + HOUR)
    assert r.epochInfo(0).rebateCap == CAP_UNIT // 2
    lease_id, start = system.lease(roles.alice, roles.bob, offer, HOUR, at=system.start + 30 * DAY + 10)
    system.finalize(lease_id, roles.alice, start + HOUR)
    assert r.epochInfo(1).rebateCap == 2 * CAP_UNIT


def test_exactness_rewards_plus_protection_plus_unclaimed_equal_the_bucket(system):
    """After claims and a release: providers' balances + the protection fund's + protection owed + what epochs
    still owe + unattributed accrual == the Compute bucket's emission (claimed + claimable), to the wei."""
    roles, r, s = system.roles, system.rewards, system.splitter
    payment = _payment(system)
    offer_b = system.provider(roles.bob, payment, BIG_PRICE)
    offer_m = system.provider(roles.mallory, payment, SMALL_PRICE)
    system.fund(roles.alice, payment, system.market)
    system.fund(roles.carol, payment, system.market)
    a, sa = system.lease(roles.alice, roles.bob, offer_b, HOUR, at=system.start + 10)
    b, sb = system.lease(roles.carol, roles.mallory, offer_m, HOUR, at=system.start + 20)
    system.finalize(a, roles.alice, sa + HOUR)
    system.finalize(b, roles.carol, sb + HOUR)
    system.chain.pending_timestamp = system.epoch_end(0) + 1234
    r.claim(0, sender=roles.mallory)
    r.releaseProtection(sender=roles.carol)
    paid = system.token.balanceOf(roles.mallory) + system.token.balanceOf(roles.guardian) - s.claimed(4)
    bucket = s.claimed(2) + s.claimable(2)
    owed = r.protectionOwed() + r.epochInfo(0).emission - r.epochInfo(0).distributed + r.epochInfo(1).emission
    assert paid + owed + (s.accrual(2, r)[0] - r.accounted()) == bucket


def test_after_governance_moves_the_bucket_away_claims_pay_from_what_the_contract_holds(system):
    """Governance moves the Compute bucket to another recipient: the splitter mints everything accrued to the rewards
    contract first, and claims then pay from its balance (the splitter refuses `claimTo` from a former recipient)."""
    roles, r, s = system.roles, system.rewards, system.splitter
    model = model_of(system)
    lease_id, end = one_lease(system, roles.bob, roles.alice, BIG_PRICE)
    system.finalize(lease_id, roles.alice, end)
    t = system.epoch_end(0) + 5
    system.chain.pending_timestamp = t
    s.proposeRecipient(2, roles.dave, False, sender=roles.governance)
    system.chain.pending_timestamp = t + s.timelockDelay()
    s.executeRecipient(2, sender=roles.carol)
    handed_over = system.token.balanceOf(r)
    assert handed_over == s.accrual(2, r)[0] == model.accrual(t + s.timelockDelay()) > 0
    now = t + s.timelockDelay() + 1
    system.chain.pending_timestamp = now
    # the accrual stopped at the handover; the checkpoint still splits it by the curve up to now (bob is alone in
    # epoch 0 and far below his cap, so his reward is epoch 0's part)
    e = model.curve.emitted
    reward = handed_over * (e(system.epoch_end(0)) - e(system.start)) // (e(now) - e(system.start))
    r.claim(0, sender=roles.bob)
    assert system.token.balanceOf(roles.bob) == reward > 0
    assert system.token.balanceOf(r) == handed_over - reward
    system.chain.pending_timestamp = now + 1
    owed = r.protectionOwed()
    r.releaseProtection(sender=roles.carol)
    assert system.token.balanceOf(roles.guardian) == owed
    assert system.token.balanceOf(r) == handed_over - reward - owed == r.epochInfo(r.currentEpoch()).emission > 0


# ---------------------------------------------------------------------------------------------------- mutation kills

def test_each_checkpoint_emits_the_closed_epoch_its_emission_and_the_protection(system):
    """`Checkpointed(epoch, time, emission, protection)`: the first report after two empty epochs closes epoch 0
    (no work: its emission 0, everything to protection); a checkpoint after epoch 2 ends reports epoch 2's final
    emission and the rounding rest. Figures from the model. Kills: CR of `emit Checkpointed(...)` (line 372)."""
    roles, r, chain = system.roles, system.rewards, system.chain
    model = model_of(system)
    lease_id, end = one_lease(system, roles.bob, roles.alice, SMALL_PRICE, at=system.epoch_end(1) + 4 * HOUR)
    receipt = system.finalize(lease_id, roles.alice, end)
    t = block_time(chain, receipt)
    model.report(roles.bob.address, *report_of(receipt)[1:], t)
    assert model.protection_owed > 0
    assert [(e.epoch, e.time, e.emission, e.protection) for e in receipt.decode_logs(r.Checkpointed)] == [
        (0, t, 0, model.protection_owed)]
    t2 = system.epoch_end(2) + 100
    chain.pending_timestamp = t2
    before = model.protection_owed
    receipt = r.checkpoint(sender=roles.carol)
    model.checkpoint(t2)
    assert model.epoch(2).emission > 0
    assert [(e.epoch, e.time, e.emission, e.protection) for e in receipt.decode_logs(r.Checkpointed)] == [
        (2, t2, model.epoch(2).emission, model.protection_owed - before)]
    chain.pending_timestamp = t2 + 1
    assert not r.checkpoint(sender=roles.carol).decode_logs(r.Checkpointed)  # same epoch: nothing to close


def test_a_zero_reward_claim_pays_nothing_even_while_the_bucket_is_paused(roles, chain):
    """With a rebate cap of 0 a provider's whole share is held back: its claim pays nothing, so it neither asks the
    splitter for a zero mint nor stops at the guardian's pause (nothing is paid out). Kills: MIA `amount == 0` ->
    `false` in `_pay` (line 399: the zero payout went to the splitter and reverted BucketPaused)."""
    system = build_system(roles, chain, RewardsParams(epoch_length=DAY, rebate_cap=0))
    r = system.rewards
    model = model_of(system, cap=0)
    lease_id, end = one_lease(system, roles.bob, roles.alice, SMALL_PRICE)
    receipt = system.finalize(lease_id, roles.alice, end)
    model.report(roles.bob.address, *report_of(receipt)[1:], block_time(chain, receipt))
    chain.pending_timestamp = system.epoch_end(0) + 5
    system.splitter.pause(2, sender=roles.guardian)
    t = system.epoch_end(0) + 6
    chain.pending_timestamp = t
    reward, held = model.claim(roles.bob.address, 0, t)
    assert reward == 0 and held > 0
    receipt = r.claim(0, sender=roles.bob)
    assert [(e.event_arguments["provider"], e.epoch, e.reward, e.heldBack) for e in
            receipt.decode_logs(r.RewardClaimed)] == [(roles.bob.address, 0, 0, held)]
    assert not receipt.decode_logs(system.token.Transfer)
    assert system.token.balanceOf(roles.bob) == 0 and r.protectionOwed() == model.protection_owed


def test_claim_many_settles_the_calling_contracts_work(system):
    """A contract provider (here a forwarder) claims through claimMany: its own work is settled, not that of the
    account behind the transaction. A rewards contract that never was the bucket's recipient accrues nothing, so
    the claim is of a zero share. Kills: SBR `_settle(msg.sender, ...)` -> `_settle(tx.origin, ...)` (line 213)."""
    roles, chain = system.roles, system.chain
    r = deploy_rewards(roles.deployer, REWARDS, system.splitter, system.token, roles.dave, system.start, 18)
    forwarder = deploy("CallForwarder", roles.deployer)
    chain.pending_timestamp = system.start + 10
    r.reportWork(forwarder, 1_000, 10, sender=roles.dave)
    chain.pending_timestamp = system.epoch_end(0) + 1
    data = keccak(text="claimMany(uint256[])")[:4] + encode(["uint256[]"], [[0]])
    receipt = forwarder.forward(r, data, sender=roles.alice)
    assert [(e.event_arguments["provider"], e.epoch, e.reward, e.heldBack) for e in
            receipt.decode_logs(r.RewardClaimed)] == [(forwarder.address, 0, 0, 0)]
    assert r.workOf(forwarder, 0) == (0, 0)
    with expect_revert(r, "NothingToClaim", forwarder.address, 0):
        forwarder.forward(r, data, sender=roles.alice)
