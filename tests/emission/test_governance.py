"""Issue #13 items 2, 3, 5, 6 and 7 (splitter side): bounded timelocks with safe casts, proposals that expire and do
not survive a change of governance, per-bucket pause as incident response, recipients checked against their bucket,
and the smaller items (payable-now view, no renounce, Claimed naming both the recipient and the end user, the exact
periodReward rule). Every test here failed on the contracts before the issue."""

from __future__ import annotations

from fractions import Fraction

import pytest
from emission_oracle import BPS, curve_of, morpheus_curve
from test_splitter import _args, token_for_next_splitter

from deai.deploy.contracts import container, deploy, next_create_address
from deai.deploy.emission import MANAGED, EmissionParams, PoolSpec, deploy_emission, deploy_token
from deai.testing.blocks import block_time, event_names
from deai.testing.reverts import expect_revert

DAY = 86_400
DELAY = 48 * 3600
MAX_DELAY = 30 * DAY
GRACE = 14 * DAY
NEW_SHARES = [2000, 2000, 2000, 2000, 2000]


# ---------------------------------------------------------------- item 2: bounded delay, safe casts

@pytest.mark.parametrize("delay", [MAX_DELAY + 1, 2**64 - 1, 2**64 + 3600, 2**256 - 1])
def test_delay_has_a_maximum(roles, recipients, delay):
    """Before: 2^64 - 1 wrapped the stored eta to the past, 2^64 + 3,600 passed the 48-hour check as one hour."""
    token = token_for_next_splitter(roles, 10**9)
    factory = container("EmissionSplitter")
    with expect_revert(factory, "DelayOutOfRange", delay, DELAY, MAX_DELAY):
        roles.deployer.deploy(factory, *_args(token.address, recipients, roles, delay=delay))


def test_the_longest_delay_is_stored_and_shown_as_waited(roles, recipients, chain):
    token = token_for_next_splitter(roles, 10**9)
    splitter = deploy("EmissionSplitter", roles.deployer, *_args(token.address, recipients, roles, delay=MAX_DELAY))
    assert splitter.MAX_TIMELOCK_DELAY() == MAX_DELAY and splitter.GRACE_PERIOD() == GRACE
    receipt = splitter.proposeShares(NEW_SHARES, sender=roles.governance)
    eta = block_time(chain, receipt) + MAX_DELAY
    assert receipt.decode_logs(splitter.SharesProposed)[0].eta == eta == splitter.proposedShares()[1]
    chain.pending_timestamp = eta - 1
    with expect_revert(splitter, "TimelockNotElapsed", eta):
        splitter.executeShares(sender=roles.mallory)
    chain.pending_timestamp = eta
    splitter.executeShares(sender=roles.mallory)
    assert list(splitter.shares()) == NEW_SHARES


# ---------------------------------------------------------------- item 3: expiry, handover, no silent replacement

def test_a_proposal_expires_after_the_grace_period(emission, roles, chain):
    _, splitter, _ = emission
    receipt = splitter.proposeRecipient(2, roles.relayer, False, sender=roles.governance)
    eta = block_time(chain, receipt) + DELAY
    splitter.proposeShares(NEW_SHARES, sender=roles.governance)
    share_eta = splitter.proposedShares()[1]
    chain.pending_timestamp = eta + GRACE + 1  # before: executed 365 days late
    with expect_revert(splitter, "ProposalExpired", eta + GRACE):
        splitter.executeRecipient(2, sender=roles.mallory)
    chain.pending_timestamp = share_eta + GRACE + 1
    with expect_revert(splitter, "ProposalExpired", share_eta + GRACE):
        splitter.executeShares(sender=roles.mallory)
    # an expired proposal may be replaced: the cancel event comes first
    receipt = splitter.proposeRecipient(2, roles.arbiter, False, sender=roles.governance)
    assert event_names(receipt) == ["RecipientCancelled", "RecipientProposed"]
    eta = block_time(chain, receipt) + DELAY
    chain.pending_timestamp = eta + GRACE  # the last second it can execute
    splitter.executeRecipient(2, sender=roles.mallory)
    assert splitter.recipients()[2] == roles.arbiter.address


def test_a_second_proposal_does_not_replace_the_first(emission, roles, chain):
    _, splitter, _ = emission
    receipt = splitter.proposeRecipient(1, roles.relayer, False, sender=roles.governance)
    eta = block_time(chain, receipt) + DELAY
    with expect_revert(splitter, "ProposalPending", eta):
        splitter.proposeRecipient(1, roles.arbiter, False, sender=roles.governance)
    splitter.proposeRecipient(0, roles.arbiter, False, sender=roles.governance)  # another bucket is another item
    receipt = splitter.proposeShares(NEW_SHARES, sender=roles.governance)
    share_eta = block_time(chain, receipt) + DELAY
    with expect_revert(splitter, "ProposalPending", share_eta):
        splitter.proposeShares([2400, 2400, 2400, 2400, 400], sender=roles.governance)
    splitter.cancelRecipient(1, sender=roles.governance)
    splitter.proposeRecipient(1, roles.arbiter, False, sender=roles.governance)
    assert splitter.proposedRecipient(1)[0] == roles.arbiter.address


def test_handing_over_governance_cancels_pending_proposals(emission, roles, chain):
    _, splitter, _ = emission
    splitter.proposeShares(NEW_SHARES, sender=roles.governance)
    splitter.proposeRecipient(3, roles.relayer, False, sender=roles.governance)
    splitter.transferOwnership(roles.carol, sender=roles.governance)
    receipt = splitter.acceptOwnership(sender=roles.carol)
    names = event_names(receipt)
    assert "SharesCancelled" in names and receipt.decode_logs(splitter.RecipientCancelled)[0].bucket == 3
    chain.pending_timestamp = block_time(chain, receipt) + DELAY
    with expect_revert(splitter, "NoProposal"):  # before: B's splitter executed A's recipient change
        splitter.executeRecipient(3, sender=roles.mallory)
    with expect_revert(splitter, "NoProposal"):
        splitter.executeShares(sender=roles.mallory)
    assert tuple(splitter.proposedShares()[1:]) == (0,) and splitter.proposedRecipient(3)[1] == 0


def test_renounce_ownership_is_disabled(emission, roles):
    _, splitter, _ = emission
    with expect_revert(splitter, "RenounceDisabled"):
        splitter.renounceOwnership(sender=roles.governance)
    with expect_revert(splitter, "OwnableUnauthorizedAccount", roles.mallory.address):
        splitter.renounceOwnership(sender=roles.mallory)
    assert splitter.owner() == roles.governance.address


# ---------------------------------------------------------------- item 5: per-bucket pause and incident response

def test_a_compromised_recipient_is_cut_off_by_pausing_its_bucket_only(emission, roles, recipients, chain):
    """The guardian pauses the leaked key's bucket; governance proposes a new recipient in forfeit mode: what the
    leaked key had not claimed goes to the protection bucket (before round 4: to the new recipient, decided by the
    pause alone)."""
    token, splitter, start = emission
    curve = curve_of(splitter)
    leaked = recipients[3]
    chain.pending_timestamp = start + DAY
    t0 = block_time(chain, splitter.claim(3, sender=leaked))
    paid_before = token.balanceOf(leaked)
    assert paid_before == curve.epoch_share(start, t0, 2400)
    splitter.pause(3, sender=roles.guardian)
    receipt = splitter.proposeRecipient(3, roles.relayer, True, sender=roles.governance)
    chain.pending_timestamp = block_time(chain, receipt) + DELAY
    splitter.claim(1, sender=roles.bob)  # the other buckets keep paying
    protection_before = splitter.claimable(4)
    receipt = splitter.executeRecipient(3, sender=roles.mallory)  # before round 3: ClaimsArePaused
    t1 = block_time(chain, receipt)
    [log] = receipt.decode_logs(splitter.RecipientExecuted)
    unclaimed = curve.epoch_share(start, t1, 2400) - paid_before
    assert (log.previous, log.recipient, log.forfeited) == (leaked.address, roles.relayer.address, unclaimed)
    assert token.balanceOf(leaked) == paid_before  # nothing accrued during the pause reached the leaked key
    assert tuple(splitter.accrual(3, leaked)) == (paid_before, 0)
    assert splitter.claimable(4) >= protection_before + unclaimed  # the protection fund has it
    splitter.unpause(3, sender=roles.guardian)
    chain.pending_timestamp = t1 + 10
    t2 = block_time(chain, splitter.claim(3, sender=roles.mallory))
    assert token.balanceOf(roles.relayer) == curve.epoch_share(t1, t2, 2400)  # its own tenure only
    assert sum(splitter.claimed(b) + splitter.claimable(b) for b in range(5)) == splitter.totalEmitted()


# ---------------------------------------------------------------- item 6: a pool must match its bucket

def test_a_pool_built_for_another_bucket_is_refused(roles, params, chain):
    lp_manager = roles.admin
    system = deploy_emission(roles.deployer, params, [roles.alice, PoolSpec(MANAGED, manager=lp_manager),
                                                      roles.carol, roles.dave, roles.treasury],
                             roles.governance, roles.guardian, chain.pending_timestamp + 100)
    splitter, pool = system.splitter, system.pools[1]
    with expect_revert(splitter, "RecipientMismatch", 2, pool.address):  # before: 34,533 tokens stranded
        splitter.proposeRecipient(2, pool, False, sender=roles.governance)
    foreign = deploy("RewardPool", roles.deployer, roles.bob, system.token, 2, MANAGED,
                     "0x" + "00" * 20, lp_manager, 0, 0, 0, 0)  # bucket 2, another splitter
    with expect_revert(splitter, "RecipientMismatch", 2, foreign.address):
        splitter.proposeRecipient(2, foreign, False, sender=roles.governance)
    other_token = deploy_token(roles.deployer, EmissionParams(), roles.bob)
    wrong_token = deploy("RewardPool", roles.deployer, splitter, other_token, 2, MANAGED, "0x" + "00" * 20,
                         lp_manager, 0, 0, 0, 0)
    with expect_revert(splitter, "RecipientMismatch", 2, wrong_token.address):
        splitter.proposeRecipient(2, wrong_token, False, sender=roles.governance)
    right = deploy("RewardPool", roles.deployer, splitter, system.token, 2, MANAGED, "0x" + "00" * 20, lp_manager,
                   0, 0, 0, 0)
    splitter.proposeRecipient(2, right, False, sender=roles.governance)
    token_contract = system.token  # a contract that is not an emission recipient is accepted as it is
    splitter.proposeRecipient(0, token_contract, False, sender=roles.governance)


def test_the_constructor_refuses_a_pool_for_another_bucket(roles, recipients):
    token = deploy_token(roles.deployer, EmissionParams(), next_create_address(roles.deployer, 2))  # then pool
    splitter_address = next_create_address(roles.deployer, 1)
    pool = deploy("RewardPool", roles.deployer, splitter_address, token, 0, MANAGED, "0x" + "00" * 20, roles.admin,
                  0, 0, 0, 0)
    factory = container("EmissionSplitter")
    bad = [recipients[0].address, pool.address] + [r.address for r in recipients[2:]]
    with expect_revert(factory, "RecipientMismatch", 1, pool.address):
        roles.deployer.deploy(factory, *_args(token.address, recipients, roles, recips=bad))


# ---------------------------------------------------------------- item 7: smaller items

def test_claimable_now_is_what_claim_pays(emission, roles, chain):
    """claimable(4) is the protection bucket's entitlement (with its < 4 wei running dust); claimableNow(4) is what
    claim(4) mints at that moment: ceil(E * 400 / 10,000) minus what it claimed (model)."""
    _, splitter, start = emission
    curve = curve_of(splitter)

    def payable_now(t):
        return -(-curve.emitted(t) * 400 // BPS) - splitter.claimed(4)

    seen_dust = False
    for t in (start + DAY + 7, start + 2 * DAY + 13, start + 3 * DAY + 1):
        chain.mine(timestamp=t)
        now = [splitter.claimableNow(b) for b in range(5)]
        entitled = [splitter.claimable(b) for b in range(5)]
        assert now[:4] == entitled[:4] and now[4] == payable_now(t) and entitled[4] - 3 <= now[4] <= entitled[4]
        seen_dust |= now[4] != entitled[4]
        chain.pending_timestamp = t + 5
        receipt = splitter.claim(4, sender=roles.mallory)
        before = splitter.claimed(4) - receipt.decode_logs(splitter.Claimed)[0].amount
        assert receipt.decode_logs(splitter.Claimed)[0].amount == -(-curve.emitted(t + 5) * 400 // BPS) - before
    assert seen_dust  # before: claimable(4) showed wei that claim(4) did not pay
    splitter.pause(4, sender=roles.guardian)
    assert splitter.claimableNow(4) == 0 < splitter.claimable(4)


def test_period_reward_rule_is_exact(emission, roles, chain):
    """periodReward(a, b) = E(b) - E(a): strictly within one wei of the exact integral. With Morpheus's curve, the
    range [start + 102,512,094, start + 496,426,237) (about 4,560 days, starting and ending mid-interval) exceeds
    the exact integral by 2/9 wei: the old NatSpec and README said it never does."""
    start = 1_000_000_000
    curve = morpheus_curve(start)
    token = token_for_next_splitter(roles, 42_000_000 * 10**18)
    recipients = [roles.alice, roles.bob, roles.carol, roles.dave, roles.treasury]
    splitter = deploy("EmissionSplitter", roles.deployer, *_args(
        token.address, recipients, roles, start=start, r0=curve.r0, d=curve.decrease))
    a, b = start + 102_512_094, start + 496_426_237
    got = splitter.periodReward(a, b)
    exact = curve.exact(b) - curve.exact(a)
    assert got == curve.emitted(b) - curve.emitted(a)
    assert got > exact and got - exact == Fraction(2, 9)
    assert exact - 1 < got < exact + 1
    for t in (start + 1, a, b, start + 5_833 * DAY - 1):  # from the start it never exceeds
        assert splitter.periodReward(start, t) <= curve.exact(t)
        assert splitter.periodReward(0, t) == splitter.periodReward(start, t)


def test_emission_rate_per_bucket(emission, roles, chain):
    _, splitter, start = emission
    curve = curve_of(splitter)
    chain.mine(timestamp=start - 5)
    assert splitter.emissionRate(0) == 0
    chain.mine(timestamp=start + 10 * DAY + 5)
    r = curve.reward_of_interval(10)
    assert [splitter.emissionRate(b) for b in range(5)] == [
        r * s // BPS // DAY for s in (2400, 2400, 2400, 2400, 400)]
    with expect_revert(splitter, "InvalidBucket", 5):
        splitter.emissionRate(5)
