"""Mutation kills (issue 16 item 6) for the emission system, on both backends: behaviours the in-process machines
do not reach, so that `make mutation` judges these mutants in-process (seconds) instead of through the unit tests
on anvil (minutes). Each test names the mutants it kills (mutation-survivors.json, docs/mutation-report.md); every
expected value is computed here from the rule, not read back from the contract."""

from __future__ import annotations

import pytest

from deai.deploy.contracts import deploy
from deai.deploy.emission import STAKING, EmissionParams
from deai.testing.backends import on_both_backends
from deai.testing.blocks import block_time, event_names
from deai.testing.calldata import calldata
from deai.testing.reverts import expect_revert
from deai.testing.tokens import deploy_token as deploy_zoo_token
from emission_oracle import curve_of, split

DELAY = 48 * 3600  # EmissionParams' timelock delay (the splitter's timelockDelay)
GRACE = 14 * 86_400  # RewardPool.GRACE_PERIOD
ZERO = "0x" + "00" * 20


@on_both_backends
def test_pool_manager_handover_and_governance_rotation_state(pools, backend):
    """RewardPool.proposeManager/acceptManager: a manager's proposal is acceptable at once and records who proposed
    under which governance; governance's proposal is timelocked and the manager cannot override it while it lives.
    Kills: RR of each assignment in proposeManager (lines 241-244: the pool's handover reverted), and any mutant
    that drops pendingByGovernance/pendingGovernanceChanges (the RotationPending check reads them)."""
    roles, chain = backend.roles, backend.chain
    managed, splitter = pools["managed"], pools["splitter"]
    t0 = int(chain.pending_timestamp) + 10
    chain.pending_timestamp = t0
    receipt = managed.proposeManager(roles.bob, sender=roles.admin)
    [event] = receipt.decode_logs(managed.ManagerProposed)
    assert (event.proposer, event.manager, event.eta) == (roles.admin.address, roles.bob.address, t0)
    assert managed.pendingManager() == roles.bob.address
    assert managed.pendingManagerEta() == t0 and not managed.pendingByGovernance()
    assert managed.pendingGovernanceChanges() == splitter.governanceChanges()
    chain.pending_timestamp = t0 + 1
    receipt = managed.acceptManager(sender=roles.bob)
    [event] = receipt.decode_logs(managed.ManagerChanged)
    assert (event.previous, event.manager) == (roles.admin.address, roles.bob.address)
    assert managed.manager() == roles.bob.address and managed.pendingManager() == ZERO
    assert managed.pendingManagerEta() == 0 and managed.pendingGovernanceChanges() == 0
    # governance rotates a lost key: timelocked; the (compromised) manager cannot replace it during its life
    t1 = t0 + 100
    chain.pending_timestamp = t1
    managed.proposeManager(roles.carol, sender=roles.governance)
    assert managed.pendingManagerEta() == t1 + DELAY and managed.pendingByGovernance()
    assert managed.pendingGovernanceChanges() == splitter.governanceChanges()
    chain.pending_timestamp = t1 + DELAY + GRACE  # the last second it is acceptable: still pending
    with expect_revert(managed, "RotationPending", t1 + DELAY):
        managed.proposeManager(roles.bob, sender=roles.bob)
    chain.pending_timestamp = t1 + DELAY + GRACE + 1  # expired: the manager may hand over again
    managed.proposeManager(roles.dave, sender=roles.bob)
    assert managed.pendingManager() == roles.dave.address and not managed.pendingByGovernance()


@on_both_backends
def test_pool_refuses_a_deposit_token_that_says_it_rebases(pools, backend):
    """A staking pool's constructor refuses a deposit token answering getTotalShares() (stETH-like).
    Kills: RR of `return true` in RewardPool._rebases (the constructor reverted without the error)."""
    roles = backend.roles
    steth = deploy_zoo_token("steth_like", roles.deployer)
    with expect_revert(pools["staking"], "UnsupportedDepositToken", steth.address):
        deploy("RewardPool", roles.deployer, pools["splitter"], pools["token"], 0, STAKING, steth, ZERO, 0, 0, 0, 0)


@on_both_backends
def test_token_not_minter_names_the_calling_contract(pools, backend):
    """A contract that is not the minter calling EmissionToken.mint gets NotMinter(that contract), not the account
    behind the transaction. Kills: SBR `revert NotMinter(msg.sender)` -> `revert NotMinter(tx.origin)`."""
    roles = backend.roles
    token = pools["token"]
    forwarder = deploy("CallForwarder", roles.deployer)
    data = calldata("mint(address,uint256)", roles.alice, 1)
    with expect_revert(token, "NotMinter", forwarder.address):
        forwarder.forward(token, data, sender=roles.alice)
    assert token.balanceOf(roles.alice) == 0


@on_both_backends
def test_splitter_claimable_now_is_zero_while_a_bucket_is_paused(emission, backend):
    """claimableNow(bucket) is 0 while the guardian has paused the bucket (its accrual, claimable(bucket), keeps
    growing) and positive again once governance unpauses it. Kills: RR of claimableNow's `return 0` (the view
    reverted for a paused bucket)."""
    roles, chain = backend.roles, backend.chain
    token, splitter, start = emission
    bucket = 2
    chain.pending_timestamp = start + 3 * 86_400
    splitter.pause(bucket, sender=roles.guardian)
    chain.pending_timestamp = start + 4 * 86_400
    chain.mine()
    assert splitter.paused(bucket)
    assert splitter.claimableNow(bucket) == 0 and splitter.claimable(bucket) > 0
    chain.pending_timestamp = start + 4 * 86_400 + 1
    splitter.unpause(bucket, sender=roles.governance)
    assert splitter.claimableNow(bucket) > 0


@on_both_backends
def test_pool_accepts_a_deposit_token_whose_unknown_functions_revert_with_a_reason(pools, backend):
    """A staking pool's rebasing probe reads a failed `scaledBalanceOf` as "not rebasing" whatever its revert data: a
    plain token whose fallback reverts with a reason string (more than 32 bytes) is accepted and staked into.
    Kills: LOR `ok && data.length >= 32` -> `ok || data.length >= 32` in RewardPool._rebases (line 518: the revert
    data was taken for an answer and the token refused)."""
    roles = backend.roles
    loud = deploy("LoudFallbackToken", roles.deployer)
    pool = deploy("RewardPool", roles.deployer, pools["splitter"], pools["token"], 0, STAKING, loud, ZERO, 0, 0, 0, 0)
    assert pool.depositToken() == loud.address
    loud.mint(roles.alice, 10**18, sender=roles.alice)
    loud.approve(pool, 10**18, sender=roles.alice)
    pool.stake(10**18, sender=roles.alice)
    assert loud.balanceOf(pool) == 10**18 and loud.balanceOf(roles.alice) == 0


@on_both_backends
def test_a_claim_lock_alone_never_locks_withdrawals(pools, backend):
    """A staking pool with a claim lock after staking but no withdrawal lock: an own stake moves the claim unlock
    to now + the lock and leaves the withdrawal unlock at 0. Kills: MIA `withdrawLock != 0` -> `true` in
    RewardPool._lockAfterStake (line 447: the stake's time was written as the withdrawal unlock)."""
    roles, chain = backend.roles, backend.chain
    lp, lock = pools["lp"], 3_600
    pool = deploy("RewardPool", roles.deployer, pools["splitter"], pools["token"], 0, STAKING, lp, ZERO, 0, 0, lock, 0)
    lp.approve(pool, 10**18, sender=roles.alice)
    t = int(chain.pending_timestamp) + 10
    chain.pending_timestamp = t
    pool.stake(10**18, sender=roles.alice)
    assert pool.withdrawableAt(roles.alice) == 0
    assert pool.claimableAt(roles.alice) == t + lock


@on_both_backends
def test_period_reward_far_after_the_curve_is_the_whole_emission(pools, backend):
    """periodReward for ranges ending long after the curve (at and beyond twice the start timestamp) is everything
    the curve emits in them, from the independent interval-by-interval model. Kills: AOR `time - start` ->
    `time % start` in EmissionSplitter._emittedUntil (line 616: the two agree only below 2 x start)."""
    splitter = pools["splitter"]
    curve = curve_of(splitter)
    start = splitter.start()
    assert curve.end < 2 * start  # the model's curve ends before the probed times
    for to in (2 * start, 2 * start + 86_400 // 2, 3 * start + 1):
        assert splitter.periodReward(0, to) == curve.emitted(to) == curve.total
        assert splitter.periodReward(start + 1, to) == curve.total - curve.emitted(start + 1)


@on_both_backends
def test_pool_owes_nothing_of_a_foreign_token_whatever_its_address(pools, backend):
    """A pool owes its stakers nothing of a token that is neither its deposit nor its reward token, so all of it is
    recoverable, whether its address sorts above or below the reward token's; the pool holds reward tokens the
    bucket minted to it (its stakers' own). Kills: ROR `token_ != rewardToken` -> `token_ < rewardToken` in
    RewardPool._owedFromBalance (line 489: a foreign token above the reward token was counted as rewards owed)."""
    roles, chain = backend.roles, backend.chain
    staking, reward = pools["staking"], pools["token"]
    chain.pending_timestamp = pools["start"] + 86_400
    pools["splitter"].claim(0, sender=roles.carol)  # the bucket mints its accrual to the pool itself
    assert reward.balanceOf(staking) > 0
    deployers = (roles.deployer, roles.alice, roles.bob, roles.carol, roles.dave, roles.treasury, roles.mallory)
    foreign = [deploy_zoo_token("standard18", who) for who in deployers]
    order = {int(t.address, 16) > int(reward.address, 16) for t in foreign}
    assert order == {True, False}  # both sides of the reward token's address are probed
    for token in foreign:
        token.mint(staking, 10**18, sender=roles.alice)
        assert staking.recoverable(token) == 10**18


SHARES = [2400, 2400, 2400, 2400, 400]  # EmissionParams' shares
OTHER_SHARES = [2300, 2500, 2400, 2400, 400]


@on_both_backends
def test_an_expired_share_proposal_is_cancelled_with_its_event_when_replaced(emission, backend):
    """A share proposal past its grace period may be replaced, and the replacement first announces that the old one
    is cancelled (an indexer would otherwise still show it pending); a first proposal announces only itself. Kills:
    RR (`revert()`: the replacement was refused) and CR of `emit SharesCancelled()` in proposeShares (line 331),
    MIA `_sharesEta != 0` -> `true` (line 329: every proposal announced a cancellation), and ROR `<=` -> `<` in
    _checkReplaceable (line 513: replaceable in the last second it could still execute)."""
    roles, chain = backend.roles, backend.chain
    _, splitter, _ = emission
    t0 = int(chain.pending_timestamp) + 10
    chain.pending_timestamp = t0
    assert event_names(splitter.proposeShares(OTHER_SHARES, sender=roles.governance)) == ["SharesProposed"]
    chain.pending_timestamp = t0 + DELAY + GRACE  # the last second it may execute: not replaceable yet
    with expect_revert(splitter, "ProposalPending", t0 + DELAY):
        splitter.proposeShares(SHARES, sender=roles.governance)
    chain.pending_timestamp = t0 + DELAY + GRACE + 1  # expired: no longer executable, so replaceable
    receipt = splitter.proposeShares(SHARES, sender=roles.governance)
    assert event_names(receipt) == ["SharesCancelled", "SharesProposed"]
    [proposed] = receipt.decode_logs(splitter.SharesProposed)
    assert list(proposed.shares) == SHARES and proposed.eta == t0 + DELAY + GRACE + 1 + DELAY
    assert [list(splitter.proposedShares()[0]), splitter.proposedShares()[1]] == [SHARES, proposed.eta]


@on_both_backends
def test_a_cancelled_share_proposal_leaves_no_shares_behind(emission, backend):
    """After cancelShares, and after a governance handover cancels it, `proposedShares()` reads all zero, the shares
    as well as the eta; a handover with nothing pending announces no cancellation. Kills: CR of `_proposedShares = 0`
    in cancelShares (line 355) and in _transferOwnership (line 495), and MIA `_sharesEta != 0` -> `true` in
    _transferOwnership (line 493)."""
    roles = backend.roles
    _, splitter, _ = emission
    splitter.transferOwnership(roles.carol, sender=roles.governance)
    assert "SharesCancelled" not in event_names(splitter.acceptOwnership(sender=roles.carol))  # nothing was pending
    splitter.proposeShares(OTHER_SHARES, sender=roles.carol)
    splitter.cancelShares(sender=roles.carol)
    assert [list(splitter.proposedShares()[0]), splitter.proposedShares()[1]] == [[0] * 5, 0]
    splitter.proposeShares(OTHER_SHARES, sender=roles.carol)
    splitter.transferOwnership(roles.governance, sender=roles.carol)
    receipt = splitter.acceptOwnership(sender=roles.governance)
    assert "SharesCancelled" in event_names(receipt)
    assert [list(splitter.proposedShares()[0]), splitter.proposedShares()[1]] == [[0] * 5, 0]


@on_both_backends
def test_bucket_numbers_past_the_protection_fund_are_invalid_everywhere(emission, backend):
    """Kills: CR of `_checkBucket(bucket)` in `claimableNow` (line 220), `claimed` (line 235), `paused` (line 276)
    and `unpause` (line 454),
    where bucket 5 then indexes past the five buckets (a panic, not InvalidBucket), and in `executeRecipient` (line
    391) and `cancelRecipient` (line 429), which then answer NoProposal."""
    roles = backend.roles
    _, splitter, _ = emission
    with expect_revert(splitter, "InvalidBucket", 5):
        splitter.claimed(5)
    with expect_revert(splitter, "InvalidBucket", 5):
        splitter.unpause(5, sender=roles.guardian)
    with expect_revert(splitter, "InvalidBucket", 5):
        splitter.paused(5)
    with expect_revert(splitter, "InvalidBucket", 5):
        splitter.claimableNow(5)
    with expect_revert(splitter, "InvalidBucket", 5):  # not NoProposal: there is no bucket 5 to have one
        splitter.executeRecipient(5, sender=roles.mallory)
    with expect_revert(splitter, "InvalidBucket", 5):
        splitter.cancelRecipient(5, sender=roles.governance)


@on_both_backends
def test_unpausing_and_cancelling_a_recipient_are_announced(emission, backend):
    """Every state change has its event: governance unpausing a bucket (ClaimsPaused with paused false and who did
    it) and cancelling a recipient proposal (RecipientCancelled); a first recipient proposal announces only itself.
    Kills: CR of `emit ClaimsPaused(bucket, msg.sender, false)` (line 456) and of `emit RecipientCancelled(bucket)`
    (line 432), and MIA `pending != 0` -> `true` in proposeRecipient (line 373)."""
    roles = backend.roles
    _, splitter, _ = emission
    splitter.pause(1, sender=roles.guardian)
    receipt = splitter.unpause(1, sender=roles.governance)
    [event] = receipt.decode_logs(splitter.ClaimsPaused)
    assert (event.bucket, event.account, event.paused) == (1, roles.governance.address, False)
    assert not splitter.paused(1)
    assert event_names(splitter.proposeRecipient(2, roles.relayer, False, sender=roles.governance)) == ["RecipientProposed"]
    receipt = splitter.cancelRecipient(2, sender=roles.governance)
    assert [e.bucket for e in receipt.decode_logs(splitter.RecipientCancelled)] == [2]
    assert splitter.proposedRecipient(2)[1] == 0


@on_both_backends
def test_a_pool_made_recipient_by_governance_is_tracked_as_a_pool(pools, backend):
    """A reward pool installed by executeRecipient is recorded as a pool tenure of its bucket (`poolTracked`), as
    the constructor records the first pools. Kills: CR of `_tenureKinds[bucket][recipient] |= ...` in
    executeRecipient (line 399)."""
    roles, chain = backend.roles, backend.chain
    splitter, token = pools["splitter"], pools["token"]
    deposit = deploy_zoo_token("standard18", roles.deployer)
    pool = deploy("RewardPool", roles.deployer, splitter, token, 2, STAKING, deposit, ZERO, 0, 0, 0, 0)
    assert not splitter.poolTracked(2, pool)
    t0 = int(chain.pending_timestamp) + 10
    chain.pending_timestamp = t0
    splitter.proposeRecipient(2, pool, False, sender=roles.governance)
    chain.pending_timestamp = t0 + DELAY
    splitter.executeRecipient(2, sender=roles.mallory)
    assert splitter.recipients()[2] == pool.address and splitter.poolTracked(2, pool)


@on_both_backends
def test_a_contract_answering_splitter_with_a_word_that_is_no_address_is_a_plain_recipient(emission, backend):
    """A contract whose `splitter()` answers with a whole word above 2^160 declares no splitter: it is accepted as
    a plain contract (even as the protection fund, which no pool may be), not refused and not a pool; one answering
    2^160 - 1, an address, names another splitter and is refused. Kills: RR of `isRecipient = false` (line 543: the
    proposal reverted), MIA `declared > type(uint160).max` -> `false` and ROR `>` -> `>=` in _declaredSplitter (line
    543), and MIA `isPool` -> `true` in executeRecipient (line 399: a plain contract recorded as a pool); an answer
    longer than a word is read by its first word. Kills: ROR `data.length < 32` -> `!= 32` in _word (line 551)."""
    roles, chain = backend.roles, backend.chain
    _, splitter, _ = emission
    highest = deploy("WideAnswer", roles.deployer, 2**160 - 1, False)  # still an address: naming another splitter
    with expect_revert(splitter, "RecipientMismatch", 4, highest.address):
        splitter.proposeRecipient(4, highest, False, sender=roles.governance)
    longer = deploy("WideAnswer", roles.deployer, int(splitter.address, 16), True)  # two words, the first this splitter
    with expect_revert(splitter, "RecipientMismatch", 2, longer.address):  # a recipient then, with no bucket()
        splitter.proposeRecipient(2, longer, False, sender=roles.governance)
    wide = deploy("WideAnswer", roles.deployer, 2**256 - 1, False)
    t0 = int(chain.pending_timestamp) + 10
    chain.pending_timestamp = t0
    splitter.proposeRecipient(4, wide, False, sender=roles.governance)
    chain.pending_timestamp = t0 + DELAY
    splitter.executeRecipient(4, sender=roles.mallory)
    assert splitter.recipients()[4] == wide.address and not splitter.poolTracked(4, wide)


def _claim_all(splitter, buckets, who) -> dict[int, int]:
    return {b: splitter.claim(b, sender=who).return_value for b in buckets}


@on_both_backends
def test_only_a_pools_own_claims_and_handovers_count_as_minted_to_it(pools, backend):
    """`mintedToRecipient` counts what the bucket minted to a pool recipient (its claims, and what a keep-mode
    handover paid it), never what it paid a plain account, and the constructor records only real pools as pool
    tenures. Kills: MIA `isPool` -> `true` in the constructor (line 168); MIA `_poolRecipients & (1 << bucket) != 0`
    -> `true`, BOR `(1 << bucket)` -> `(1 | bucket)` and `&` -> `<<` in _claim (line 476); BOR `&` -> `|` in
    `wasPool` (line 397) and MIA `wasPool` -> `true` (line 422)."""
    roles, chain = backend.roles, backend.chain
    splitter, token, staking, start = pools["splitter"], pools["token"], pools["staking"], pools["start"]
    recipients = splitter.recipients()
    assert [splitter.poolTracked(b, recipients[b]) for b in range(5)] == [True, True, False, False, False]
    chain.pending_timestamp = start + 3 * 86_400
    before = {b: token.balanceOf(recipients[b]) for b in (0, 2)}
    paid = _claim_all(splitter, (0, 2), roles.mallory)
    assert paid[0] > 0 and paid[2] > 0
    assert token.balanceOf(staking) - before[0] == paid[0] == splitter.mintedToRecipient(0, staking)
    assert token.balanceOf(roles.carol) - before[2] == paid[2] and splitter.mintedToRecipient(2, roles.carol) == 0
    # a keep-mode handover pays the plain recipient what it is owed, still not as a pool's
    receipt = splitter.proposeRecipient(2, roles.relayer, False, sender=roles.governance)
    chain.pending_timestamp = block_time(chain, receipt) + DELAY
    owed = token.balanceOf(roles.carol)
    splitter.executeRecipient(2, sender=roles.mallory)
    assert token.balanceOf(roles.carol) > owed and splitter.mintedToRecipient(2, roles.carol) == 0


@on_both_backends
def test_a_handover_keeps_every_buckets_pool_flag_right(pools, backend):
    """A pool replaced by another pool keeps its bucket a pool bucket (forfeit mode stays refused, claims count),
    and a plain recipient installed in another bucket leaves the pool buckets' flags alone. Kills: BOR
    `_poolRecipients | uint8(1 << bucket)` -> `^` (line 398: a pool after a pool cleared the flag) and
    `_poolRecipients & ~uint8(1 << bucket)` -> `<<` (line 398: a plain recipient cleared every bucket's flag)."""
    roles, chain = backend.roles, backend.chain
    splitter, token = pools["splitter"], pools["token"]
    deposit = deploy_zoo_token("standard18", roles.deployer)
    pool = deploy("RewardPool", roles.deployer, splitter, token, 0, STAKING, deposit, ZERO, 0, 0, 0, 0)
    receipt = splitter.proposeRecipient(2, roles.relayer, False, sender=roles.governance)  # plain -> plain
    splitter.proposeRecipient(0, pool, False, sender=roles.governance)  # pool -> pool
    chain.pending_timestamp = max(block_time(chain, receipt) + DELAY, pools["start"] + 86_400)
    splitter.executeRecipient(2, sender=roles.mallory)
    with expect_revert(splitter, "UnclaimedOwedToPool", 1, pools["managed"].address):
        splitter.proposeRecipient(1, roles.relayer, True, sender=roles.governance)
    splitter.executeRecipient(0, sender=roles.mallory)
    with expect_revert(splitter, "UnclaimedOwedToPool", 0, pool.address):
        splitter.proposeRecipient(0, roles.relayer, True, sender=roles.governance)
    chain.pending_timestamp = pools["start"] + 2 * 86_400
    paid = splitter.claim(0, sender=roles.mallory).return_value
    assert paid > 0 and splitter.mintedToRecipient(0, pool) == paid == token.balanceOf(pool)


@on_both_backends
def test_an_empty_claim_mints_nothing_and_announces_nothing(emission, backend):
    """Before emission starts a claim has nothing to pay: it returns 0 with no Claimed event and no mint. Kills: ROR
    `amount == 0` -> `amount < 0` in _claim (line 473: a zero claim was minted and announced)."""
    roles = backend.roles
    token, splitter, _ = emission
    receipt = splitter.claim(0, sender=roles.mallory)
    assert receipt.return_value == 0 and event_names(receipt) == [] and token.totalSupply() == 0


CURVE_WITH_DUST = dict(initial_reward=1234 * 10**18 + 5, reward_decrease=11 * 10**18 + 7)  # 113 intervals


@on_both_backends
@pytest.mark.parametrize("params", [EmissionParams(**CURVE_WITH_DUST)])
def test_after_the_curve_the_protection_fund_gets_the_rounding_dust_and_the_total_is_exact(emission, backend):
    """Once the curve has ended the protection bucket's claim pays its exact entitlement, the whole emission less
    the four floor shares (the rounding dust included), not the ceiling of its own share: everything ever minted is
    the curve's total to the wei, from the curve's last second on. Kills: MIA `block.timestamp < curveEnd()` ->
    `true`, ROR `<` -> `<=` and `<` -> `!=` in _payable (line 573)."""
    roles, chain = backend.roles, backend.chain
    token, splitter, start = emission
    curve = curve_of(splitter)
    total = curve.total
    floors = [total * 2400 // 10_000] * 4
    ceiling = (total * 400 + 9_999) // 10_000
    assert total - sum(floors) > ceiling  # this curve leaves dust: the test tells the two rules apart
    end = start + len(curve.rewards) * 86_400
    assert splitter.curveEnd() == end
    paid = []
    for b in range(5):  # at the curve's last second: the whole emission has been emitted
        chain.pending_timestamp = end
        paid.append(splitter.claim(b, sender=roles.mallory).return_value)
    assert paid == floors + [total - sum(floors)] and token.totalSupply() == total == splitter.totalEmission()
    chain.pending_timestamp = end + 1  # and after it, nothing more (the floor rule would have paid less: a revert)
    assert splitter.claim(4, sender=roles.mallory).return_value == 0 and token.totalSupply() == total


@on_both_backends
def test_executed_shares_are_announced_and_leave_no_proposal(emission, backend):
    """executeShares emits SharesExecuted with the new shares and leaves `proposedShares()` all zero; setGuardian
    emits GuardianSet. Kills: CR of `emit SharesExecuted(...)` (line 348), of `_proposedShares = 0` in
    executeShares (line 346) and of `emit GuardianSet(newGuardian)` (line 463)."""
    roles, chain = backend.roles, backend.chain
    _, splitter, _ = emission
    t0 = int(chain.pending_timestamp) + 10
    chain.pending_timestamp = t0
    splitter.proposeShares(OTHER_SHARES, sender=roles.governance)
    chain.pending_timestamp = t0 + DELAY
    receipt = splitter.executeShares(sender=roles.mallory)
    [event] = receipt.decode_logs(splitter.SharesExecuted)
    assert list(event.shares) == OTHER_SHARES == list(splitter.shares())
    assert [list(splitter.proposedShares()[0]), splitter.proposedShares()[1]] == [[0] * 5, 0]
    receipt = splitter.setGuardian(roles.relayer, sender=roles.governance)
    assert [e.guardian for e in receipt.decode_logs(splitter.GuardianSet)] == [roles.relayer.address]


@on_both_backends
def test_claim_to_pays_at_most_what_is_left_after_earlier_claims(emission, backend):
    """claimTo refuses more than the bucket's entitlement so far less what it already paid. Kills: AOR
    `- entry.claimed` -> `+ entry.claimed` in claimTo (line 310: earlier claims raised the limit)."""
    roles, chain = backend.roles, backend.chain
    token, splitter, start = emission
    curve = curve_of(splitter)
    chain.pending_timestamp = start + 2 * 86_400
    first = splitter.claim(0, sender=roles.mallory).return_value
    assert first == split(curve.emitted(start + 2 * 86_400), SHARES)[0]
    later = start + 2 * 86_400 + 600
    left = split(curve.emitted(later), SHARES)[0] - first
    chain.pending_timestamp = later
    with expect_revert(splitter, "ExceedsClaimable", left + 1, left):
        splitter.claimTo(0, roles.bob, left + 1, sender=roles.alice)
    chain.pending_timestamp = later
    splitter.claimTo(0, roles.bob, left, sender=roles.alice)
    assert token.balanceOf(roles.bob) == left


@on_both_backends
def test_the_emission_rate_is_zero_long_after_the_curve(emission, backend):
    """emissionRate(bucket) is the running interval's reward share per second: 0 once the curve has ended, also a
    start time later (from twice the start time on, `%` would wrap to early intervals); at the start time itself it
    is the first interval's. Kills: AOR `(block.timestamp - start)` -> `(block.timestamp % start)` (line 230) and
    ROR `block.timestamp < start` -> `<=` (line 229) in emissionRate."""
    chain = backend.chain
    _, splitter, start = emission
    curve = curve_of(splitter)
    chain.pending_timestamp = start  # the first second of emission runs at the first interval's rate
    chain.mine()
    assert splitter.emissionRate(0) == curve.rewards[0] * 2400 // 10_000 // 86_400 > 0
    chain.pending_timestamp = start + 86_400
    chain.mine()
    assert splitter.emissionRate(0) == curve.rewards[1] * 2400 // 10_000 // 86_400 > 0
    chain.pending_timestamp = 2 * start + 86_400
    chain.mine()
    assert splitter.emissionRate(0) == 0


@on_both_backends
def test_a_keep_mode_handover_with_nothing_owed_mints_and_announces_nothing(emission, backend):
    """A bucket whose share governance set to 0 accrues nothing more; once its recipient has claimed what it had,
    a keep-mode handover owes it nothing: it pays no one and emits no Claimed. Kills: ROR `owed != 0` ->
    `owed >= 0` in executeRecipient (line 421: a zero payment was minted and announced)."""
    roles, chain = backend.roles, backend.chain
    token, splitter, start = emission
    t0 = max(int(chain.pending_timestamp), start) + 10
    chain.pending_timestamp = t0
    splitter.proposeShares([2400, 2400, 0, 4800, 400], sender=roles.governance)
    chain.pending_timestamp = t0 + DELAY
    splitter.executeShares(sender=roles.mallory)
    splitter.claim(2, sender=roles.mallory)  # what bucket 2 earned before its share became 0
    splitter.proposeRecipient(2, roles.relayer, False, sender=roles.governance)
    chain.pending_timestamp = t0 + 2 * DELAY + 5
    supply = token.totalSupply()
    receipt = splitter.executeRecipient(2, sender=roles.mallory)
    assert event_names(receipt) == ["RecipientExecuted"] and token.totalSupply() == supply


@on_both_backends
def test_claim_to_names_the_calling_contract(emission, backend):
    """A contract calling claimTo for a bucket it does not receive is named in NotRecipient, not the account behind
    the transaction. Kills: SBR `NotRecipient(bucket, msg.sender)` -> `tx.origin` (line 306)."""
    roles = backend.roles
    _, splitter, _ = emission
    forwarder = deploy("CallForwarder", roles.deployer)
    with expect_revert(splitter, "NotRecipient", 0, forwarder.address):
        forwarder.forward(splitter, calldata("claimTo(uint8,address,uint256)", 0, roles.alice, 1), sender=roles.alice)


@on_both_backends
@pytest.mark.parametrize("params", [EmissionParams(interval=2**32, initial_reward=10**18, reward_decrease=10**17)])
def test_an_interval_up_to_2_to_the_64_seconds_is_accepted(emission, backend):
    """The constructor refuses an interval of 0 or above 2^64 - 1 seconds, nothing shorter: 2^32 seconds (136 years)
    is a valid, if odd, curve. Kills: SBR `type(uint64).max` -> `type(uint32).max` in the constructor (line 150)."""
    _, splitter, start = emission
    assert splitter.interval() == 2**32 and splitter.intervals() == 10
    assert splitter.curveEnd() == start + 10 * 2**32


@on_both_backends
def test_a_guardian_contract_pauses_and_unpauses_and_other_contracts_are_named(emission, backend):
    """The guardian may be a contract (a multisig): it pauses and unpauses as itself and is the account in
    ClaimsPaused; another contract is refused with its own address. Kills: SBR `msg.sender` -> `tx.origin` in pause
    (line 444: the check and NotGuardian's argument; line 447: the event) and in unpause (lines 453 and 456)."""
    roles = backend.roles
    _, splitter, _ = emission
    guardian, stranger = deploy("CallForwarder", roles.deployer), deploy("CallForwarder", roles.deployer)
    splitter.setGuardian(guardian, sender=roles.governance)
    receipt = guardian.forward(splitter, calldata("pause(uint8)", 1), sender=roles.alice)
    [event] = receipt.decode_logs(splitter.ClaimsPaused)
    assert (event.bucket, event.account, event.paused) == (1, guardian.address, True) and splitter.paused(1)
    for name in ("pause(uint8)", "unpause(uint8)"):
        with expect_revert(splitter, "NotGuardian", stranger.address):
            stranger.forward(splitter, calldata(name, 1), sender=roles.alice)
    receipt = guardian.forward(splitter, calldata("unpause(uint8)", 1), sender=roles.alice)
    [event] = receipt.decode_logs(splitter.ClaimsPaused)
    assert (event.bucket, event.account, event.paused) == (1, guardian.address, False) and not splitter.paused(1)


@on_both_backends
def test_a_proposal_after_2106_gets_its_eta(emission, backend):
    """Etas are 64-bit: a proposal made when block time plus the delay passes 2^32 (February 2106) is accepted with
    its exact eta. Kills: SBR `SafeCast.toUint64` -> `toUint32` in _eta (line 508)."""
    roles, chain = backend.roles, backend.chain
    _, splitter, _ = emission
    chain.pending_timestamp = 2**32 - 10
    receipt = splitter.proposeShares(OTHER_SHARES, sender=roles.governance)
    assert [e.eta for e in receipt.decode_logs(splitter.SharesProposed)] == [2**32 - 10 + DELAY]
