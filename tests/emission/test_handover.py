"""Round-3 review finding (high): a recipient change must never hand a pool an accrual jump that whoever holds weight
at that moment captures, and the guardian's pause must not decide where a bucket's unclaimed emission goes.

The handover mode is part of the proposal (`proposeRecipient(bucket, recipient, forfeitUnclaimed)`), fixed when it
is proposed: keep (the unclaimed amount is minted to the previous recipient at execution, paused or not) or forfeit
(it moves to the protection bucket; refused while the current recipient is an emission recipient contract such as a
pool, whose stakers earned it). A new recipient's accrual therefore always starts where its earlier tenures left it.
Every test here failed on the contracts before the fix (the first one with the flash staker taking the paused
bucket's whole unclaimed amount)."""

from __future__ import annotations

import pytest
from emission_oracle import curve_of

from deai.deploy.contracts import container, deploy
from deai.deploy.emission import MANAGED, STAKING, PoolSpec, deploy_emission
from deai.testing.blocks import block_time
from deai.testing.reverts import expect_revert

DAY = 86_400
DELAY = 48 * 3600
CAPITAL = 2400
ZERO = "0x" + "00" * 20
KEEP, FORFEIT = False, True


def exact_split(splitter):
    assert sum(splitter.claimed(b) + splitter.claimable(b) for b in range(5)) == splitter.totalEmitted()


def second_pool(roles, pools):
    """Another staking pool for bucket 0 of the same splitter (the new recipient of a handover)."""
    factory = container("RewardPool")
    return roles.deployer.deploy(factory, pools["splitter"], pools["token"], 0, STAKING, pools["lp"], ZERO, 0, 0, 0, 0)


def test_a_flash_staker_around_a_paused_handover_to_a_pool_takes_nothing(pools, roles, chain):
    """Before the fix the paused bucket's unclaimed amount (two days of Capital, 6,900 tokens) became the new pool's
    accrual at execution: a contract staking 1 wei, executing and withdrawing in one transaction took all of it, and
    the old pool's stakers lost what had not been minted to them."""
    old, lp, token, splitter, start = (pools[k] for k in ("staking", "lp", "token", "splitter", "start"))
    curve = curve_of(splitter)
    new = second_pool(roles, pools)
    chain.pending_timestamp = start - 10
    old.stake(10**18, sender=roles.alice)
    splitter.pause(0, sender=roles.guardian)
    receipt = splitter.proposeRecipient(0, new, KEEP, sender=roles.governance)
    attacker = deploy("FlashStaker", roles.mallory)
    lp.mint(attacker, 1, sender=roles.mallory)
    chain.pending_timestamp = block_time(chain, receipt) + DELAY
    receipt = attacker.flashExecute(new, lp, 1, splitter, 0, sender=roles.mallory)
    t = block_time(chain, receipt)
    assert receipt.decode_logs(attacker.Flashed)[0].reward == 0
    assert new.earned(attacker) == 0  # before the fix: 6,911 tokens, settled unpaid (the bucket was paused)
    owed = curve.epoch_share(start, t, CAPITAL)
    [log] = receipt.decode_logs(splitter.RecipientExecuted)
    assert (log.previous, log.recipient, log.forfeited) == (old.address, new.address, 0)
    # the paused bucket's unclaimed amount went to the old pool, whose staker held all the weight
    assert token.balanceOf(old) == owed > 6_800 * 10**18
    assert tuple(splitter.accrual(0, old)) == (owed, 0) and splitter.accrual(0, new)[0] == 0
    assert owed - 1 <= old.earned(roles.alice) <= owed
    chain.pending_timestamp = t + DAY
    splitter.unpause(0, sender=roles.governance)
    old.claimReward(sender=roles.alice)  # paid from what the pool holds
    assert owed - 1 <= token.balanceOf(roles.alice) <= owed
    exact_split(splitter)


def test_forfeit_mode_is_refused_while_a_pool_is_the_recipient(pools, roles):
    splitter, staking = pools["splitter"], pools["staking"]
    with expect_revert(splitter, "UnclaimedOwedToPool", 0, staking.address):
        splitter.proposeRecipient(0, roles.relayer, FORFEIT, sender=roles.governance)
    with expect_revert(splitter, "UnclaimedOwedToPool", 1, pools["managed"].address):
        splitter.proposeRecipient(1, roles.relayer, FORFEIT, sender=roles.governance)
    splitter.proposeRecipient(0, roles.relayer, KEEP, sender=roles.governance)
    assert tuple(splitter.proposedRecipient(0))[0] == roles.relayer.address


def test_the_pause_does_not_decide_where_the_unclaimed_amount_goes(emission, roles, recipients, chain):
    """Keep mode pays the previous recipient even while its bucket is paused; forfeit mode moves the unclaimed amount
    to the protection bucket even when nothing is paused. Before the fix the pause alone decided."""
    token, splitter, start = emission
    curve = curve_of(splitter)
    chain.pending_timestamp = start + DAY
    splitter.pause(2, sender=roles.guardian)
    receipt = splitter.proposeRecipient(2, roles.relayer, KEEP, sender=roles.governance)
    log = receipt.decode_logs(splitter.RecipientProposed)[0]
    assert (log.bucket, log.recipient, log.forfeitUnclaimed) == (2, roles.relayer.address, False)
    receipt = splitter.proposeRecipient(1, roles.arbiter, FORFEIT, sender=roles.governance)
    chain.pending_timestamp = block_time(chain, receipt) + DELAY
    t1 = block_time(chain, splitter.executeRecipient(2, sender=roles.mallory))
    assert token.balanceOf(recipients[2]) == curve.epoch_share(start, t1, CAPITAL)  # paused, paid all the same
    assert splitter.paused(2) and splitter.claimable(2) == 0
    protection_before = splitter.claimable(4)
    receipt = splitter.executeRecipient(1, sender=roles.mallory)  # bucket 1 is not paused
    t2 = block_time(chain, receipt)
    moved = curve.epoch_share(start, t1, CAPITAL) + curve.epoch_share(t1, t2, CAPITAL)
    [log] = receipt.decode_logs(splitter.RecipientExecuted)
    assert (log.previous, log.recipient, log.forfeited) == (recipients[1].address, roles.arbiter.address, moved)
    assert token.balanceOf(recipients[1]) == 0 and tuple(splitter.accrual(1, recipients[1])) == (0, 0)
    assert splitter.claimable(1) == 0 and tuple(splitter.accrual(1, roles.arbiter)) == (0, 0)
    assert splitter.claimable(4) >= protection_before + moved  # the protection bucket received it
    exact_split(splitter)


def test_the_protection_bucket_refuses_a_pool_and_pools_refuse_it(pools, roles):
    """Round-3 review: a pool as the protection fund lost its forfeits (they were owed to itself and
    `releaseForfeited` reverted). A pool cannot be the protection fund now: the pool constructor refuses bucket 4 and
    the splitter refuses any emission recipient contract for it (a forfeited handover would also be an accrual jump
    in it)."""
    splitter, token, lp = pools["splitter"], pools["token"], pools["lp"]
    factory = container("RewardPool")
    with expect_revert(factory, "InvalidConfiguration"):
        roles.deployer.deploy(factory, splitter, token, 4, STAKING, lp, ZERO, 0, 0, 0, 0)
    with expect_revert(splitter, "RecipientMismatch", 4, pools["staking"].address):
        splitter.proposeRecipient(4, pools["staking"], KEEP, sender=roles.governance)


def test_the_deploy_module_refuses_a_pool_as_the_protection_fund(roles, params, recipients, chain):
    """The same rule, said before anything is deployed (config/networks/*.yaml give bucket 4 an address)."""
    with pytest.raises(ValueError, match="protection fund"):
        deploy_emission(roles.deployer, params, [*recipients[:4], PoolSpec(MANAGED, manager=roles.admin)],
                        roles.governance, roles.guardian, int(chain.pending_timestamp) + 100)
