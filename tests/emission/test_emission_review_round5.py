"""Issue #13, the hostile review of round 5's recovery and claim locks: each test here reproduces a finding and
failed on the contracts at f249f8c (r5-emission), before its fix."""

from __future__ import annotations

from conftest import fund, staking_system
from eth_utils import to_checksum_address

from deai.deploy.contracts import contract_at, deploy
from deai.deploy.emission import STAKING
from deai.testing.blocks import block_time
from deai.testing.delegation import code_of, install_code
from deai.testing.reverts import expect_revert
from deai.testing.tokens import deploy_token as deploy_zoo_token

DAY = 86_400
DELAY = 48 * 3600
E18 = 10**18
ZERO = "0x" + "00" * 20
MAX = 2**256 - 1


def deploy_with_locks(roles, params, chain, **limits):
    """An emission system with a staking pool of a fresh token and `limits`; alice, bob and mallory funded."""
    lp = deploy_zoo_token("standard18", roles.deployer)
    system, start = staking_system(roles, params, chain, lp, **limits)
    fund(lp, system.pools[0], roles.alice, roles.bob, roles.mallory)
    return system, start


# ---------------------------------------------------------------- finding 1: a claim that pays nothing

def test_a_claim_that_pays_nothing_starts_no_claim_lock_and_emits_no_reward_claimed(roles, params, chain):
    """The bucket is paused and the pool holds no reward tokens: alice's claim and bob's exit pay nothing, so they
    emit no RewardClaimed and start no claim lock (what they earned stays earned); after the unpause alice is paid at
    once and only that paying claim starts the lock."""
    system, start = deploy_with_locks(roles, params, chain, claim_lock_after_claim=30 * DAY)
    pool, splitter, token = system.pools[0], system.splitter, system.token
    chain.pending_timestamp = start - 10
    pool.stake(10 * E18, sender=roles.alice)
    pool.stake(10 * E18, sender=roles.bob)
    chain.pending_timestamp = start + DAY
    splitter.pause(0, sender=roles.guardian)
    assert token.balanceOf(pool) == 0
    receipt = pool.claimReward(sender=roles.alice)
    assert receipt.decode_logs(pool.RewardClaimed) == []
    assert pool.claimableAt(roles.alice) == 0 and token.balanceOf(roles.alice) == 0
    earned = pool.earned(roles.alice)
    assert earned > 0
    receipt = pool.exit(sender=roles.bob)
    assert receipt.decode_logs(pool.RewardClaimed) == [] and pool.claimableAt(roles.bob) == 0
    assert pool.weightOf(roles.bob) == 0 and pool.earned(roles.bob) > 0
    splitter.unpause(0, sender=roles.guardian)
    chain.pending_timestamp = block_time(chain, receipt) + 60
    receipt = pool.claimReward(sender=roles.alice)
    t = block_time(chain, receipt)
    [log] = receipt.decode_logs(pool.RewardClaimed)
    assert log.amount >= earned and token.balanceOf(roles.alice) == log.amount
    assert pool.claimableAt(roles.alice) == t + 30 * DAY
    chain.pending_timestamp = t + 60
    with expect_revert(pool, "ClaimLocked", t + 30 * DAY):
        pool.claimReward(sender=roles.alice)
    receipt = pool.claimReward(sender=roles.bob)  # bob's exit started no lock: he is paid now
    assert receipt.decode_logs(pool.RewardClaimed)[0].amount > 0


# ---------------------------------------------------------------- finding 3: a pool set before its code exists

def test_a_pool_set_before_its_code_exists_never_lets_governance_take_its_stakers_rewards(pools, roles, chain):
    """Governance makes a CREATE2-predicted address (no code yet) bucket 0's recipient; the pool is deployed there
    after the handover, so the splitter never tracked what it minted to it. The pool then reports nothing of the
    reward token as recoverable (the splitter does not vouch for it), governance cannot take it, and the staker is
    paid what she earned."""
    splitter, token, lp, start, staking = pools["splitter"], pools["token"], pools["lp"], pools["start"], pools["staking"]
    assert splitter.poolTracked(0, staking) and not splitter.poolTracked(1, staking)
    assert not splitter.poolTracked(2, roles.carol)
    template = deploy("RewardPool", roles.deployer, splitter, token, 0, STAKING, lp, ZERO, 0, 0, 0, 0)
    code = code_of(chain, template)
    predicted = to_checksum_address("0x00000000000000000000000000000000000c2e42")  # CREATE2-predicted, no code yet
    receipt = splitter.proposeRecipient(0, predicted, False, sender=roles.governance)
    chain.pending_timestamp = block_time(chain, receipt) + DELAY
    receipt = splitter.executeRecipient(0, sender=roles.mallory)  # the pool is deployed only after the handover
    install_code(chain, predicted, code)  # its "deployment" at the predicted address
    pool = contract_at("RewardPool", predicted, splitter)
    assert not splitter.poolTracked(0, pool)
    lp.approve(predicted, MAX, sender=roles.alice)
    pool.stake(E18, sender=roles.alice)
    chain.pending_timestamp = block_time(chain, receipt) + DAY
    splitter.claim(0, sender=roles.mallory)  # anyone: mints the bucket to the pool
    held = token.balanceOf(pool)
    assert held > 0 and splitter.mintedToRecipient(0, pool) == 0
    assert pool.recoverable(token) == 0
    with expect_revert(pool, "ExceedsRecoverable", token.address, held, 0):
        pool.recoverToken(token, roles.treasury, held, sender=roles.governance)
    with expect_revert(pool, "ExceedsRecoverable", token.address, 1, 0):
        pool.recoverToken(token, roles.treasury, 1, sender=roles.governance)
    earned = pool.earned(roles.alice)
    paid = pool.claimReward(sender=roles.alice).decode_logs(pool.RewardClaimed)[0].amount
    assert paid >= earned > 0 and pool.earned(roles.alice) == 0  # (the claim is a block later than the view)
    # a tracked pool that was replaced stays vouched for: its donations remain recoverable
    assert splitter.poolTracked(0, staking)
    # the pool made recipient again, now that its code answers as a pool: one tenure was untracked, so it stays
    # unvouched for (kills ASOR `|=` -> `=` on line 399 of EmissionSplitter, which forgot the untracked tenure)
    receipt = splitter.proposeRecipient(0, staking, False, sender=roles.governance)
    chain.pending_timestamp = block_time(chain, receipt) + DELAY
    splitter.executeRecipient(0, sender=roles.mallory)
    receipt = splitter.proposeRecipient(0, pool, False, sender=roles.governance)
    chain.pending_timestamp = block_time(chain, receipt) + DELAY
    splitter.executeRecipient(0, sender=roles.mallory)
    assert splitter.recipients()[0] == pool.address and not splitter.poolTracked(0, pool)


# ---------------------------------------------------------------- finding 5: smaller items

def test_minted_to_recipient_checks_the_bucket(pools, roles):
    with expect_revert(pools["splitter"], "InvalidBucket", 5):
        pools["splitter"].mintedToRecipient(5, pools["staking"])
    with expect_revert(pools["splitter"], "InvalidBucket", 5):
        pools["splitter"].poolTracked(5, pools["staking"])


def test_paid_from_balance_view_and_recover_all_with_max(pools, roles, chain):
    """`paidFromBalance` is what the pool paid out of what it holds (the bucket was paused, so all of a claim: the
    day a keeper minted to the pool and the minute since, from a donation); `recoverToken(token, to,
    type(uint256).max)` recovers all that is recoverable at that moment, so a claim paid from the balance just before
    cannot make it revert."""
    staking, splitter, token, start = pools["staking"], pools["splitter"], pools["token"], pools["start"]
    assert staking.paidFromBalance() == 0
    chain.pending_timestamp = start - 10
    staking.stake(E18, sender=roles.alice)
    chain.pending_timestamp = start + DAY
    splitter.claim(2, sender=roles.carol)
    minted = splitter.claim(0, sender=roles.mallory).decode_logs(splitter.Claimed)[0].amount  # to the pool
    donation = 100 * E18
    token.transfer(staking, donation, sender=roles.carol)
    splitter.pause(0, sender=roles.guardian)
    chain.pending_timestamp = start + DAY + 60
    paid = staking.claimReward(sender=roles.alice).decode_logs(staking.RewardClaimed)[0].amount
    assert minted < paid < minted + donation and staking.paidFromBalance() == paid  # all from the balance (paused)
    available = staking.recoverable(token)
    assert available == minted + donation - paid == token.balanceOf(staking)
    before = token.balanceOf(roles.treasury)
    receipt = staking.recoverToken(token, roles.treasury, MAX, sender=roles.governance)
    [log] = receipt.decode_logs(staking.TokenRecovered)
    assert log.amount == available and token.balanceOf(roles.treasury) - before == available
    assert staking.recoverable(token) == 0
    with expect_revert(staking, "ExceedsRecoverable", token.address, 1, 0):
        staking.recoverToken(token, roles.treasury, 1, sender=roles.governance)
