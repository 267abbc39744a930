"""Tests written for mutants of ComputeRewards that survived the machine and the unit tests (issue 16, item 6; the
round-8 full campaign): each names the mutant it kills, and `mutation-survivors.json` points back here.

Most use a rewards contract whose reporter is an account (`dave`), so work is reported directly, in any amount and at
any time, while the contract still receives the Compute bucket of a real splitter."""

from __future__ import annotations

import pytest

from conftest import DAY, REWARDS, deploy_rewards
from deai.deploy.contracts import contract_at, deploy
from deai.testing.calldata import calldata
from deai.testing.reverts import expect_revert


@pytest.fixture
def direct(roles, chain):
    """(rewards, splitter, start): ComputeRewards receiving the Compute bucket, `roles.dave` its reporter."""
    emission, rewards, start = deploy_rewards(roles, chain, roles.dave)
    return rewards, emission.splitter, start


def test_the_constructor_announces_the_rebate_cap(direct):
    """An indexer rebuilds the cap from `RebateCapSet` alone, the constructor's included. Kills: CR of the
    constructor's `emit RebateCapSet(rebateCap_)` (line 135)."""
    rewards = direct[0]
    events = [e for e in rewards.creation_metadata.receipt.events if e.event_name == "RebateCapSet"]
    assert [e.rebateCap for e in events] == [REWARDS.rebate_cap]


def test_an_executed_rebate_cap_leaves_no_pending_proposal(direct, roles, chain):
    """Kills: CR of `pendingRebateCap = 0` in `executeRebateCap` (line 258)."""
    rewards, splitter, start = direct
    chain.pending_timestamp = start + 10
    rewards.proposeRebateCap(REWARDS.rebate_cap // 2, sender=roles.governance)
    assert rewards.pendingRebateCap() == REWARDS.rebate_cap // 2
    chain.pending_timestamp = start + 10 + splitter.timelockDelay()
    rewards.executeRebateCap(sender=roles.bob)
    assert (rewards.rebateCap(), rewards.pendingRebateCap(), rewards.rebateCapEta()) == (REWARDS.rebate_cap // 2, 0, 0)


def test_a_provider_is_counted_once_per_epoch_however_often_it_reports(direct, roles, chain):
    """Kills: MIA `work.value == 0` -> `true` in `reportWork` (line 183: every report counted a provider again, so
    the epoch's last claim, which takes the rounding dust, was never recognised)."""
    rewards, _, start = direct
    for i, (provider, value) in enumerate([(roles.bob, 5), (roles.bob, 7), (roles.carol, 1), (roles.bob, 1)]):
        chain.pending_timestamp = start + 10 + i
        rewards.reportWork(provider, value, 0, sender=roles.dave)
    info = rewards.epochInfo(0)
    assert (info.totalValue, info.providers) == (14, 2)
    assert rewards.workOf(roles.bob, 0) == (13, 0)


def test_epochs_are_counted_from_the_start_past_twice_the_start_time(direct, chain):
    """`currentEpoch` = (now - epochStart) / epochLength at any time, also after 2081, when now is more than twice
    the start time. Kills: AOR `(time - epochStart)` -> `(time % epochStart)` in `_epochOf` (line 321: the same for
    every time below twice the start, about 1.77e9 s)."""
    rewards, _, start = direct
    t = 2 * start + 5 * DAY + 17
    chain.pending_timestamp = t
    chain.mine()
    assert chain.blocks.head.timestamp == t
    assert rewards.currentEpoch() == (t - start) // DAY


def test_the_last_claim_takes_its_held_back_share_plus_the_rounding_dust(direct, roles, chain):
    """Two providers split an epoch 1:2 (value), neither paid a fee, so each whole share is held back; the second
    claim, the epoch's last, also takes the rounding dust: heldBack = share + (emission - shares). Expected values are
    the arithmetic written out from the epoch's emission. Kills: ASOR `heldBack += emission - distributed` ->
    `heldBack |= ...` in `_settle` (line 391; the two differ when the share is odd and the dust 1, checked first)."""
    rewards, _, start = direct
    chain.pending_timestamp = start + 10
    rewards.reportWork(roles.bob, 1, 0, sender=roles.dave)
    rewards.reportWork(roles.carol, 2, 0, sender=roles.dave)
    chain.pending_timestamp = start + DAY + 10
    rewards.checkpoint(sender=roles.alice)
    emission = rewards.epochInfo(0).emission
    bob_share, carol_share = emission // 3, emission * 2 // 3
    dust = emission - bob_share - carol_share
    assert dust == 1 and carol_share % 2 == 1, "the scenario must make `+` and `|` differ"
    first = rewards.claim(0, sender=roles.bob)
    assert [(e.reward, e.heldBack) for e in first.events if e.event_name == "RewardClaimed"] == [(0, bob_share)]
    last = rewards.claim(0, sender=roles.carol)
    assert [(e.reward, e.heldBack) for e in last.events if e.event_name == "RewardClaimed"] == [
        (0, carol_share + dust)]
    assert rewards.protectionOwed() >= emission  # both shares and the dust are held for protection


def _via(forwarder, caller, target, signature: str, *args):
    """`target.signature(args)` sent by the contract `forwarder` in a transaction of `caller`."""
    return forwarder.forward(target, calldata(signature, *args), sender=caller)


def test_errors_name_the_calling_contract_and_governance_is_the_splitters_owner_itself(direct, roles):
    """A contract calling `reportWork` or a governance function is named in the error, and governance acting
    through a contract is not governance. Kills: SBR `NotReporter(msg.sender)` -> `(tx.origin)` (line 165),
    `NotGovernance(msg.sender)` -> `(tx.origin)` and `msg.sender != owner` -> `tx.origin != owner` (line 325)."""
    rewards = direct[0]
    forwarder = deploy("CallForwarder", roles.deployer)
    with expect_revert(rewards, "NotReporter", forwarder.address):
        _via(forwarder, roles.dave, rewards, "reportWork(address,uint256,uint256)", roles.bob, 1, 0)
    with expect_revert(rewards, "NotGovernance", forwarder.address):
        _via(forwarder, roles.governance, rewards, "proposeRebateCap(uint256)", 1)
    assert rewards.rebateCapEta() == 0


@pytest.mark.parametrize("many", [False, True])
def test_a_contract_provider_is_settled_and_paid_itself(direct, roles, chain, many):
    """Work reported for a contract is settled and paid to that contract when it claims, not to the account behind
    the transaction. Kills: SBR `_settle(msg.sender, ...)` -> `tx.origin` (line 202) and `_pay(msg.sender, reward)`
    -> `tx.origin` in `claim` (line 204) and in `claimMany` (line 218)."""
    rewards, splitter, start = direct
    forwarder = deploy("CallForwarder", roles.deployer)
    chain.pending_timestamp = start + 10
    rewards.reportWork(forwarder, 10**18, 10**18, sender=roles.dave)  # one whole token of fee: a reward of cap x 1
    chain.pending_timestamp = start + DAY + 10
    if many:
        _via(forwarder, roles.alice, rewards, "claimMany(uint256[])", [0])
    else:
        _via(forwarder, roles.alice, rewards, "claim(uint256)", 0)
    token = contract_at("EmissionToken", splitter.token(), splitter)
    assert token.balanceOf(forwarder) == REWARDS.rebate_cap and token.balanceOf(roles.alice) == 0
    assert rewards.workOf(forwarder, 0) == (0, 0)


def test_the_grace_period_is_fourteen_days_to_the_second(direct, roles, chain):
    """A proposal executes up to eta + 14 days inclusive and stays pending (blocking a new one) until then; one
    second later it has expired and a new proposal replaces it. Kills: SBR changes of `GRACE_PERIOD = 14 days`
    (line 53), ROR `block.timestamp > eta + GRACE_PERIOD` -> `>=` (line 255) and `block.timestamp <= pending +
    GRACE_PERIOD` -> `<` (line 240)."""
    rewards, splitter, start = direct
    gov = roles.governance
    assert rewards.GRACE_PERIOD() == 14 * DAY
    t0 = start + 10
    chain.pending_timestamp = t0
    rewards.proposeRebateCap(1, sender=gov)
    eta = t0 + splitter.timelockDelay()
    chain.pending_timestamp = eta + 14 * DAY
    with expect_revert(rewards, "ProposalPending", eta):
        rewards.proposeRebateCap(2, sender=gov)
    with chain.isolate():
        chain.pending_timestamp = eta + 14 * DAY
        rewards.executeRebateCap(sender=roles.bob)
        assert rewards.rebateCap() == 1
    chain.pending_timestamp = eta + 14 * DAY + 1
    with expect_revert(rewards, "ProposalExpired", eta + 14 * DAY):
        rewards.executeRebateCap(sender=roles.bob)
    rewards.proposeRebateCap(2, sender=gov)
    assert rewards.pendingRebateCap() == 2


def test_a_proposals_eta_is_kept_whole_after_2106(direct, roles, chain):
    """Kills: SBR `uint64 eta = uint64(...)` -> `uint32 eta = uint32(...)` in `proposeRebateCap` (line 244: the
    same before 2^32 s, February 2106)."""
    rewards, splitter, _ = direct
    t = 2**32 + 1_000
    chain.pending_timestamp = t
    rewards.proposeRebateCap(1, sender=roles.governance)
    assert rewards.rebateCapEta() == t + splitter.timelockDelay()


def test_a_claim_takes_the_rest_of_the_bucket_when_a_stranger_minted_part_of_it_here(direct, roles, chain):
    """Anyone may mint the bucket's accrual to its recipient (the splitter's `claim`). If a stranger did so during an
    epoch, a claim of that epoch's reward finds the splitter short (`claimTo` refuses more than is claimable) and the
    contract's own balance short too: it mints the rest of the bucket to itself and pays from its balance. Kills: RR
    of `_splitter.claim(BUCKET)` (line 408) and the MIA/ROR mutants of `balance < amount && recipient` that skip it
    (`false`, `!(...)`, `>`, `>=`, `==`)."""
    rewards, splitter, start = direct
    token = contract_at("EmissionToken", splitter.token(), splitter)
    chain.pending_timestamp = start + 10
    rewards.reportWork(roles.bob, 10**30, 10**30, sender=roles.dave)  # a fee this large leaves the share uncapped
    chain.pending_timestamp = start + DAY // 2
    splitter.claim(2, sender=roles.mallory)  # the Compute bucket's accrual so far, minted to the rewards contract
    minted = token.balanceOf(rewards)
    assert minted > 0
    chain.pending_timestamp = start + DAY + 1
    receipt = rewards.claim(0, sender=roles.bob)
    reward = [e.reward for e in receipt.events if e.event_name == "RewardClaimed"][0]
    emission = rewards.epochInfo(0).emission
    assert reward == emission > minted  # the whole epoch, more than the stranger's mint
    assert token.balanceOf(roles.bob) == reward
    assert token.balanceOf(rewards) + reward > minted  # the contract minted the rest of the bucket to itself


def test_a_claim_pays_from_the_balance_without_minting_more_when_the_balance_covers_it(direct, roles, chain):
    """After an epoch ended, a stranger mints the whole bucket to the contract; a claim a few seconds later finds the
    splitter short (only those seconds' accrual is claimable) but the contract's balance enough: it pays from the
    balance and mints nothing more, so exactly the reward leaves and the few seconds' accrual stays claimable in the
    splitter. Kills: MIA `balance < amount && recipient` -> `true` and ROR `<` -> `!=` (line 408: they minted the
    bucket's rest to the contract as well)."""
    rewards, splitter, start = direct
    token = contract_at("EmissionToken", splitter.token(), splitter)
    chain.pending_timestamp = start + 10
    rewards.reportWork(roles.bob, 10**30, 10**30, sender=roles.dave)
    chain.pending_timestamp = start + DAY + 5
    splitter.claim(2, sender=roles.mallory)
    minted = token.balanceOf(rewards)
    chain.pending_timestamp = start + DAY + 10
    receipt = rewards.claim(0, sender=roles.bob)
    reward = [e.reward for e in receipt.events if e.event_name == "RewardClaimed"][0]
    assert 0 < reward <= minted
    assert token.balanceOf(rewards) == minted - reward  # nothing more was minted here
    assert splitter.claimable(2) > 0  # the five seconds since the stranger's mint are still the splitter's


def test_a_balance_of_exactly_the_reward_pays_it_without_minting_more(direct, roles, chain):
    """A stranger mints the bucket to the contract at 0.6 of epoch 0 (M, computed beforehand from the curve: the
    Compute share, 24%, of the emission since the start, rounded down); the provider's fee makes its reward exactly M.
    The claim in epoch 1 finds the splitter short (0.4 of a day is claimable) and the balance exactly enough: it pays
    from the balance and mints nothing more. Kills: ROR `balance < amount` -> `balance <= amount` (line 408)."""
    rewards, splitter, start = direct
    token = contract_at("EmissionToken", splitter.token(), splitter)
    t_mint = start + DAY * 6 // 10
    expected = splitter.periodReward(start, t_mint) * 2_400 // 10_000
    chain.pending_timestamp = start + 10
    rewards.reportWork(roles.bob, 2 * expected, 2 * expected, sender=roles.dave)  # reward = fee x cap = expected
    chain.pending_timestamp = t_mint
    splitter.claim(2, sender=roles.mallory)
    assert token.balanceOf(rewards) == expected
    chain.pending_timestamp = start + DAY + 10
    receipt = rewards.claim(0, sender=roles.bob)
    assert [e.reward for e in receipt.events if e.event_name == "RewardClaimed"] == [expected]
    assert token.balanceOf(roles.bob) == expected and token.balanceOf(rewards) == 0
