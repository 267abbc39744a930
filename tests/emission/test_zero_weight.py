"""Issue #13 item 1: no account is paid for time in which it held no weight. Emission a pool accrues while its total
weight is zero is forfeited to the protection fund (the splitter's bucket-4 recipient), never lost and never taken by
the next staker. Each scenario is one the review used to take the backlog."""

from __future__ import annotations

from emission_oracle import curve_of

from deai.deploy.contracts import deploy
from deai.deploy.emission import STAKING, PoolSpec, deploy_emission
from deai.testing.blocks import block_time

DAY = 86_400
CAPITAL = 2400


def share(splitter, a, b):
    """The Capital bucket's accrual over [a, b) in one epoch (independent model)."""
    curve = curve_of(splitter)
    return curve.epoch_share(curve.start, b, CAPITAL) - curve.epoch_share(curve.start, a, CAPITAL)


def exact_split(splitter):
    assert sum(splitter.claimed(b) + splitter.claimable(b) for b in range(5)) == splitter.totalEmitted()


def flash(chain, roles, staking, lp, at_time):
    attacker = deploy("FlashStaker", roles.mallory)
    lp.mint(attacker, 1, sender=roles.mallory)
    chain.pending_timestamp = at_time
    receipt = attacker.flash(staking, lp, 1, sender=roles.mallory)
    return receipt.decode_logs(attacker.Flashed)[0].reward, receipt


def release(chain, staking, token, sink, sender):
    before = token.balanceOf(sink)
    staking.releaseForfeited(sender=sender)
    return token.balanceOf(sink) - before


def test_flash_stake_through_a_contract_takes_nothing(pools, roles, chain):
    staking, lp, token, splitter, start = (pools[k] for k in ("staking", "lp", "token", "splitter", "start"))
    reward, receipt = flash(chain, roles, staking, lp, start + DAY)
    assert reward == 0  # before the fix: 3,456 tokens, the whole day of the Capital bucket
    t = block_time(chain, receipt)
    [log] = receipt.decode_logs(staking.RewardsForfeited)
    assert log.amount == log.total == share(splitter, start, t) > 3_455 * 10**18
    chain.pending_timestamp = t + 1
    staking.stake(10**18, sender=roles.alice)  # weight again: the forfeit stops growing
    assert staking.forfeited() == share(splitter, start, t + 1)
    assert release(chain, staking, token, roles.treasury, roles.mallory) == share(splitter, start, t + 1)
    assert staking.sinkOwed() == 0 and token.balanceOf(staking) == 0
    exact_split(splitter)


def test_one_wei_just_before_an_honest_staker_earns_only_its_time(pools, roles, chain):
    staking, lp, splitter, start = (pools[k] for k in ("staking", "lp", "splitter", "start"))
    lp.mint(roles.mallory, 1, sender=roles.mallory)
    lp.approve(staking, 1, sender=roles.mallory)
    chain.pending_timestamp = start + 2 * DAY
    t1 = block_time(chain, staking.stake(1, sender=roles.mallory))
    chain.pending_timestamp = t1 + 1
    t2 = block_time(chain, staking.stake(10**18, sender=roles.alice))
    t3 = t2 + DAY
    chain.mine(timestamp=t3)
    # mallory held all the weight for one second, then 1 / (1e18 + 1) of it
    mallory_bound = share(splitter, t1, t2) + share(splitter, t2, t3) // (10**18 + 1) + 1
    assert staking.earned(roles.mallory) <= mallory_bound  # before the fix: the two-day backlog, 6,911 tokens
    honest = share(splitter, t2, t3)
    assert honest * 10**18 // (10**18 + 1) - 2 <= staking.earned(roles.alice) <= honest
    assert staking.sinkOwed() == share(splitter, start, t1)  # the backlog went to the sink


def test_start_in_the_past_is_harmless(roles, params, recipients, chain):
    """The constructor accepts any start (Morpheus's own began before its contracts): the backlog rule makes a past
    start harmless, since everything accrued before the first stake goes to the protection fund."""
    from deai.testing.tokens import deploy_token

    lp = deploy_token("standard18", roles.deployer)
    start = int(chain.pending_timestamp) - 30 * DAY
    system = deploy_emission(roles.deployer, params, [PoolSpec(STAKING, deposit_token=lp)] + recipients[1:],
                             roles.governance, roles.guardian, start)
    staking, splitter, token = system.pools[0], system.splitter, system.token
    reward, receipt = flash(chain, roles, staking, lp, int(chain.pending_timestamp) + 10)
    assert reward == 0  # before the fix: 103,422 tokens
    chain.pending_timestamp = block_time(chain, receipt) + 1
    # released at t: everything accrued until then, nobody having held weight but for the flash's zero seconds
    t = block_time(chain, staking.releaseForfeited(sender=roles.alice))
    assert token.balanceOf(roles.treasury) == share(splitter, start, t) > 103_000 * 10**18
    exact_split(splitter)


def test_everyone_leaves_then_the_bucket_moves(pools, roles, chain):
    staking, lp, token, splitter, start = (pools[k] for k in ("staking", "lp", "token", "splitter", "start"))
    chain.pending_timestamp = start - 10
    staking.stake(10**18, sender=roles.alice)
    chain.pending_timestamp = start + DAY
    t1 = block_time(chain, staking.withdraw(10**18, sender=roles.alice))
    chain.pending_timestamp = start + 2 * DAY
    receipt = splitter.proposeRecipient(0, roles.carol, False, sender=roles.governance)
    chain.pending_timestamp = block_time(chain, receipt) + 48 * 3600
    t2 = block_time(chain, splitter.executeRecipient(0, sender=roles.mallory))
    lp.mint(roles.mallory, 1, sender=roles.mallory)
    lp.approve(staking, 1, sender=roles.mallory)
    chain.pending_timestamp = t2 + 90 * DAY
    staking.stake(1, sender=roles.mallory)
    chain.mine(timestamp=t2 + 91 * DAY)
    assert staking.earned(roles.mallory) == 0  # before the fix: 6,887 tokens paid into the empty pool
    gap = share(splitter, t1, t2)
    assert staking.sinkOwed() == gap > 6_800 * 10**18
    staking.claimReward(sender=roles.alice)  # alice's day is paid in full from what the pool holds
    assert release(chain, staking, token, roles.treasury, roles.mallory) == gap
    assert token.balanceOf(staking) <= 1  # rounding dust at most
    exact_split(splitter)
