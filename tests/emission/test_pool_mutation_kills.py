"""Mutation kills (issue 16 item 6) for RewardPool, on both backends: contract callers (a staker, a pending manager,
a manager and governance that act through a contract, where `msg.sender` and `tx.origin` differ) and the claim-lock
rules the machines do not configure. Each test names the mutants it kills (mutation-survivors.json,
docs/mutation-report.md); every expected value is computed here from the rule (rewards from the independent curve
model, emission_oracle), not read back from the contract."""

from __future__ import annotations

from fractions import Fraction

import pytest

from conftest import fund, permit_args, staking_system
from emission_oracle import curve_of
from eth_utils import keccak

from deai.deploy.contracts import contract_at, deploy
from deai.deploy.emission import STAKING, EmissionParams
from deai.testing.backends import on_both_backends
from deai.testing.blocks import block_time
from deai.testing.calldata import calldata
from deai.testing.reverts import expect_revert
from deai.testing.tokens import deploy_token as deploy_zoo_token

E18 = 10**18
DELAY = 48 * 3600  # EmissionParams' timelock delay (the splitter's timelockDelay)
HOUR, DAY = 3_600, 86_400
GRACE = 14 * DAY  # RewardPool.GRACE_PERIOD
STAKING_SHARE = 2_400  # bucket 0's share of the emission in EmissionParams (basis points)
ZERO = "0x" + "00" * 20
ANY = b"\x00" * 4  # FallbackAnswer: answer every call


def _forward(forwarder, target, signature, *args, sender):
    """`target.signature(*args)` called by the contract `forwarder` (msg.sender) in a transaction of `sender`."""
    return forwarder.forward(target, calldata(signature, *args), sender=sender)


def _contract_staker(roles, lp, pool, amount, driver):
    """A new CallForwarder holding `amount` of `lp`, approved to `pool` without limit, its calls sent by `driver`."""
    forwarder = deploy("CallForwarder", roles.deployer)
    lp.mint(forwarder, amount, sender=driver)
    _forward(forwarder, lp, "approve(address,uint256)", pool, 2**256 - 1, sender=driver)
    return forwarder


def _accrual(curve, share: int = STAKING_SHARE):
    """A bucket's accrual at time t (one epoch: the shares never changed)."""
    return lambda t: curve.emitted(t) * share // 10_000


def _exact_share(curve, segments) -> Fraction:
    """What an account earns over `segments` of (from, to, its weight, the total weight): its pro-rata part of the
    staking bucket's accrual in each, exactly (the pool floors each step and carries the remainder to the next, so
    it pays this within a few wei either way)."""
    accrual = _accrual(curve)
    return sum((Fraction((accrual(b) - accrual(a)) * weight, total) for a, b, weight, total in segments), Fraction(0))


def _close(actual: int, exact: Fraction, slack: int = 10) -> bool:
    return abs(exact - actual) <= slack


@on_both_backends
def test_a_contract_staker_is_the_account_its_own_stake_locks_claims_and_pays(backend, params):
    """A contract (CallForwarder, driven by alice's transactions) stakes for itself and for alice: its own stakes
    lock its withdrawals and claims, its stake for alice locks nothing of alice's; its claim reads its own lock, pays
    its own rewards, locks its next claim, and leaves alice's settled rewards and lock alone. Kills, in
    RewardPool: SBR `msg.sender` -> `tx.origin` in _stake's own-stake test (line 438), in _withdraw's lock read
    (463), in _claimTo's account read (525), lock read (530), settlement store (540) and claim-lock write (548)."""
    roles, chain = backend.roles, backend.chain
    alice = roles.alice
    withdraw_lock, stake_lock, claim_lock = HOUR, 2 * HOUR, DAY
    lp = deploy_zoo_token("standard18", roles.deployer)
    system, start = staking_system(roles, params, chain, lp, withdraw_lock=withdraw_lock,
                                   claim_lock_after_stake=stake_lock, claim_lock_after_claim=claim_lock)
    pool, token = system.pools[0], system.token
    curve = curve_of(system.splitter)
    fund(lp, pool, alice)
    forwarder = _contract_staker(roles, lp, pool, 5 * E18, alice)

    chain.pending_timestamp = t1 = start + DAY
    _forward(forwarder, pool, "stake(uint256)", E18, sender=alice)  # its own stake: locks it
    chain.pending_timestamp = t1 + 1
    _forward(forwarder, pool, "stakeFor(address,uint256)", alice, 3 * E18, sender=alice)  # for alice: no lock
    assert (pool.withdrawableAt(forwarder), pool.claimableAt(forwarder)) == (t1 + withdraw_lock, t1 + stake_lock)
    assert (pool.withdrawableAt(alice), pool.claimableAt(alice)) == (0, 0)

    chain.pending_timestamp = t2 = t1 + DAY  # both stake again: both have settled rewards waiting (flagged)
    _forward(forwarder, pool, "stake(uint256)", E18, sender=alice)
    chain.pending_timestamp = t2 + 1
    pool.stake(E18, sender=alice)
    assert pool.claimableAt(forwarder) == t2 + stake_lock and pool.claimableAt(alice) == t2 + 1 + stake_lock
    chain.pending_timestamp = t2 + withdraw_lock - 1  # its own withdrawal lock, not alice's (one second later)
    with expect_revert(pool, "WithdrawLocked", t2 + withdraw_lock):
        _forward(forwarder, pool, "withdraw(uint256)", E18, sender=alice)

    chain.pending_timestamp = t2 + stake_lock - 1  # the contract's own claim lock, not alice's (one second later)
    with expect_revert(pool, "ClaimLocked", t2 + stake_lock):
        _forward(forwarder, pool, "claimReward()", sender=alice)
    chain.pending_timestamp = t2 + stake_lock  # its lock has passed, alice's has not
    receipt = _forward(forwarder, pool, "claimReward()", sender=alice)
    tc = block_time(chain, receipt)
    [claimed] = receipt.decode_logs(pool.RewardClaimed)
    assert (claimed.account, claimed.to) == (forwarder.address, forwarder.address)
    contract_share = _exact_share(curve, [(t1, t1 + 1, 1, 1), (t1 + 1, t2, 1, 4), (t2, t2 + 1, 2, 5),
                                          (t2 + 1, tc, 2, 6)])
    assert _close(claimed.amount, contract_share) and token.balanceOf(forwarder) == claimed.amount
    assert pool.claimableAt(forwarder) == tc + claim_lock and pool.claimableAt(alice) == t2 + 1 + stake_lock
    alice_share = _exact_share(curve, [(t1 + 1, t2, 3, 4), (t2, t2 + 1, 3, 5), (t2 + 1, tc, 4, 6)])
    assert _close(pool.earned(alice), alice_share)  # her settled rewards are still hers
    assert pool.earned(forwarder) == 0


@on_both_backends
def test_a_contract_stakers_unpaid_claim_stays_its_own(backend, params):
    """A contract (CallForwarder, driven by alice's transactions) is the only staker. Its claim while the bucket is
    paused, with nothing in the pool, pays nothing: what it earned stays settled for the contract (not for alice,
    who sent the transaction), and after the unpause its next claim pays it all, its exact share of the accrual.
    Kills: SBR `msg.sender` -> `tx.origin` in RewardPool._claimTo's settlement store (line 540: the contract's flag
    was set over an empty slot, so reading its rewards underflowed)."""
    roles, chain = backend.roles, backend.chain
    lp = deploy_zoo_token("standard18", roles.deployer)
    system, start = staking_system(roles, params, chain, lp)
    pool, token, splitter = system.pools[0], system.token, system.splitter
    curve = curve_of(splitter)
    forwarder = _contract_staker(roles, lp, pool, E18, roles.alice)
    chain.pending_timestamp = t1 = start + DAY
    _forward(forwarder, pool, "stake(uint256)", E18, sender=roles.alice)
    chain.pending_timestamp = t1 + DAY
    splitter.pause(0, sender=roles.guardian)
    chain.pending_timestamp = t2 = t1 + DAY + 10
    receipt = _forward(forwarder, pool, "claimReward()", sender=roles.alice)  # nothing can be paid
    assert not receipt.decode_logs(pool.RewardClaimed) and token.balanceOf(forwarder) == 0
    assert _close(pool.earned(forwarder), _exact_share(curve, [(t1, t2, 1, 1)])) and pool.earned(roles.alice) == 0
    chain.pending_timestamp = t2 + 10
    splitter.unpause(0, sender=roles.guardian)
    chain.pending_timestamp = tc = t2 + HOUR
    receipt = _forward(forwarder, pool, "claimReward()", sender=roles.alice)
    [claimed] = receipt.decode_logs(pool.RewardClaimed)
    assert (claimed.account, claimed.to) == (forwarder.address, forwarder.address)
    assert _close(claimed.amount, _exact_share(curve, [(t1, tc, 1, 1)])) and token.balanceOf(forwarder) == claimed.amount
    assert pool.earned(forwarder) == 0 and token.balanceOf(roles.alice) == 0


@on_both_backends
def test_an_accumulator_past_2_to_the_128_pays_each_claim_its_own_interval(backend, params):
    """One wei staked alone drives the reward-per-weight accumulator (1e18 per token per unit of weight) past 2^128
    within hours. A claim then stores a snapshot above 2^128, and the next claim pays exactly the accrual since it
    (within the pool's rounding), nothing more. Kills: SBR `~uint256(FLAGS)` -> `~uint128(FLAGS)` in
    RewardPool._earned (line 629: the snapshot's bits above 127 were dropped with the flags, so the second claim paid
    about 2^128 / 1e18 wei more for each time past)."""
    roles, chain = backend.roles, backend.chain
    lp = deploy_zoo_token("standard18", roles.deployer)
    system, start = staking_system(roles, params, chain, lp)
    pool, token = system.pools[0], system.token
    accrual = _accrual(curve_of(system.splitter))
    fund(lp, pool, roles.alice)
    chain.pending_timestamp = t1 = start + DAY
    pool.stake(1, sender=roles.alice)
    chain.pending_timestamp = t2 = t1 + DAY
    first = pool.claimReward(sender=roles.alice).decode_logs(pool.RewardClaimed)[0].amount
    assert (accrual(t2) - accrual(t1)) * 10**18 > 2**128  # the snapshot the first claim stored
    assert abs(first - (accrual(t2) - accrual(t1))) <= 1
    chain.pending_timestamp = t3 = t2 + DAY
    second = pool.claimReward(sender=roles.alice).decode_logs(pool.RewardClaimed)[0].amount
    assert abs(second - (accrual(t3) - accrual(t2))) <= 1 and token.balanceOf(roles.alice) == first + second


@on_both_backends
def test_a_withdrawal_lock_alone_never_locks_claims(backend, params):
    """A staking pool with a withdrawal lock and no claim lock: an own stake sets the withdrawal unlock and leaves
    the claim unlock at 0, and a claim right after it pays (minted in full: nothing moves from the pool's balance)
    and sets no claim unlock. Kills: MIA `claimLockAfterStake != 0` -> `true` and ROR `!= 0` -> `>= 0` in
    RewardPool._lockAfterStake (line 448: the stake's time was written as a claim unlock); in _claimTo, MIA
    `lockAfterClaim` -> `true` (line 548: the claim wrote its own time as the unlock) and MIA/ROR of `fromBalance != 0`
    before the transfer (line 552: a transfer of 0 from the pool)."""
    roles, chain = backend.roles, backend.chain
    lp = deploy_zoo_token("standard18", roles.deployer)
    system, start = staking_system(roles, params, chain, lp, withdraw_lock=HOUR)
    pool = system.pools[0]
    fund(lp, pool, roles.alice)
    chain.pending_timestamp = start + DAY
    t = block_time(chain, pool.stake(E18, sender=roles.alice))
    assert (pool.withdrawableAt(roles.alice), pool.claimableAt(roles.alice)) == (t + HOUR, 0)
    chain.pending_timestamp = t + 10
    receipt = pool.claimReward(sender=roles.alice)
    [claimed] = receipt.decode_logs(pool.RewardClaimed)
    assert _close(claimed.amount, _exact_share(curve_of(system.splitter), [(t, t + 10, 1, 1)]))
    assert pool.claimableAt(roles.alice) == 0  # no claim lock after a claim either
    # minted in full by the bucket: one token movement, the mint to alice, and none from the pool's own balance
    [minted] = receipt.decode_logs(system.token.Transfer)
    assert (minted.to, minted.value) == (roles.alice.address, claimed.amount)


@on_both_backends
def test_a_stake_never_shortens_a_longer_claim_lock(backend, params):
    """A claim lock after a claim (a day) outlasting the lock after a stake (an hour): a stake right after a claim
    keeps the claim's later unlock. Kills: ROR `unlock > locks.claimUnlock` -> `!=` in RewardPool._lockAfterStake
    (line 450: the stake moved the unlock back to its own, earlier one)."""
    roles, chain = backend.roles, backend.chain
    lp = deploy_zoo_token("standard18", roles.deployer)
    system, start = staking_system(roles, params, chain, lp, claim_lock_after_stake=HOUR, claim_lock_after_claim=DAY)
    pool = system.pools[0]
    fund(lp, pool, roles.alice)
    chain.pending_timestamp = t0 = start + DAY
    pool.stake(E18, sender=roles.alice)
    chain.pending_timestamp = tc = t0 + HOUR
    pool.claimReward(sender=roles.alice)
    assert pool.claimableAt(roles.alice) == tc + DAY
    chain.pending_timestamp = tc + 1
    pool.stake(E18, sender=roles.alice)  # its own lock would end at tc + 1 + HOUR
    assert pool.claimableAt(roles.alice) == tc + DAY
    chain.pending_timestamp = tc + 2 + HOUR
    with expect_revert(pool, "ClaimLocked", tc + DAY):
        pool.claimReward(sender=roles.alice)


@on_both_backends
def test_a_second_own_stake_keeps_its_claim_lock_flagged(backend, params):
    """With a claim lock after a stake and none after a claim, a claim reads the lock only while the account is
    flagged: a second own stake inside the lock keeps the flag set, so a claim before the new unlock is refused.
    Kills: BOR `|= LOCK_FLAG` -> `^= LOCK_FLAG` and ASOR `|=` -> `+=` in RewardPool._lockAfterStake (line 451: the
    second stake cleared the flag and the claim went through; with `+=` the account, already flagged as settled
    by then, overflows its 160-bit word and the stake panics)."""
    roles, chain = backend.roles, backend.chain
    lp = deploy_zoo_token("standard18", roles.deployer)
    system, start = staking_system(roles, params, chain, lp, claim_lock_after_stake=HOUR)
    pool = system.pools[0]
    fund(lp, pool, roles.alice)
    chain.pending_timestamp = t0 = start + DAY
    pool.stake(E18, sender=roles.alice)
    chain.pending_timestamp = t0 + 10
    pool.stake(E18, sender=roles.alice)
    chain.pending_timestamp = t0 + 20
    with expect_revert(pool, "ClaimLocked", t0 + 10 + HOUR):
        pool.claimReward(sender=roles.alice)
    chain.pending_timestamp = t0 + 10 + HOUR
    [claimed] = pool.claimReward(sender=roles.alice).decode_logs(pool.RewardClaimed)
    curve = curve_of(system.splitter)
    assert _close(claimed.amount, _exact_share(curve, [(t0, t0 + 10 + HOUR, 1, 1)]))


@on_both_backends
def test_a_contract_manager_accepts_sets_weights_and_strangers_are_named(pools, backend):
    """A contract can be a managed pool's manager: it accepts the handover (announced with its address), sets
    weights through its own calls, and the manager's key calling through another contract is refused naming that
    contract; it hands over through its own call, while governance's key and a stranger calling through a contract
    are refused naming that contract. Kills: SBR `msg.sender` -> `tx.origin` in proposeManager (the manager test,
    governance test, error and event: lines 260, 271, 274, 280), in acceptManager (the check and error, line 285;
    the event and the new manager, lines 291-292) and in setWeights' check and error (line 330)."""
    roles, chain = backend.roles, backend.chain
    managed = pools["managed"]
    manager, stranger = deploy("CallForwarder", roles.deployer), deploy("CallForwarder", roles.deployer)
    managed.proposeManager(manager, sender=roles.admin)
    receipt = _forward(manager, managed, "acceptManager()", sender=roles.alice)
    [changed] = receipt.decode_logs(managed.ManagerChanged)
    assert (changed.previous, changed.manager) == (roles.admin.address, manager.address)
    assert managed.manager() == manager.address
    receipt = _forward(manager, managed, "setWeights(address[],uint256[])", [roles.bob], [5], sender=roles.alice)
    [weight] = receipt.decode_logs(managed.WeightSet)
    assert (weight.account, weight.weight) == (roles.bob.address, 5) and managed.weightOf(roles.bob) == 5
    with expect_revert(managed, "NotManager", stranger.address):
        _forward(stranger, managed, "setWeights(address[],uint256[])", [roles.bob], [7], sender=roles.alice)
    with expect_revert(managed, "NotManager", roles.alice.address):
        managed.setWeights([roles.bob], [7], sender=roles.alice)
    assert managed.weightOf(roles.bob) == 5
    # the contract manager hands over through its own call: at once, announced with its address
    t = int(chain.pending_timestamp) + 10
    chain.pending_timestamp = t
    receipt = _forward(manager, managed, "proposeManager(address)", roles.bob, sender=roles.alice)
    [proposed] = receipt.decode_logs(managed.ManagerProposed)
    assert (proposed.proposer, proposed.manager, proposed.eta) == (manager.address, roles.bob.address, t)
    assert not managed.pendingByGovernance()
    # governance's key through a contract is not governance; a contract that is not the pending manager cannot accept
    with expect_revert(managed, "NotManager", stranger.address):
        _forward(stranger, managed, "proposeManager(address)", roles.carol, sender=roles.governance)
    with expect_revert(managed, "NotManager", stranger.address):
        _forward(stranger, managed, "acceptManager()", sender=roles.bob)
    assert managed.pendingManager() == roles.bob.address and managed.manager() == manager.address


@on_both_backends
def test_governance_calling_through_a_contract_cannot_recover(pools, backend):
    """recoverToken answers to the splitter's governance as the direct caller only: governance's key calling through
    a contract is refused naming the contract, and nothing moves. Kills: SBR `msg.sender` -> `tx.origin` in
    RewardPool.recoverToken (line 310)."""
    roles = backend.roles
    staking = pools["staking"]
    foreign = deploy_zoo_token("standard18", roles.deployer)
    foreign.mint(staking, E18, sender=roles.alice)
    forwarder = deploy("CallForwarder", roles.deployer)
    with expect_revert(staking, "NotGovernance", forwarder.address):
        _forward(forwarder, staking, "recoverToken(address,address,uint256)", foreign, roles.treasury, E18,
                 sender=roles.governance)
    assert foreign.balanceOf(staking) == E18
    staking.recoverToken(foreign, roles.treasury, E18, sender=roles.governance)
    assert foreign.balanceOf(roles.treasury) == E18


@on_both_backends
def test_a_deposit_token_answering_scaled_balance_of_is_refused(pools, backend):
    """A staking pool's constructor refuses a deposit token that answers `scaledBalanceOf(address)` (Aave aTokens,
    Ampleforth) but not stETH's `getTotalShares()`. Kills: CR of `return ok && data.length >= 32` in
    RewardPool._rebases (line 518: the second probe's answer was dropped and the token accepted)."""
    roles = backend.roles
    scaled = deploy("ScaledBalanceToken", roles.deployer)
    assert scaled.scaledBalanceOf(roles.alice) == 0  # it answers the probe
    with expect_revert(pools["staking"], "UnsupportedDepositToken", scaled.address):
        deploy("RewardPool", roles.deployer, pools["splitter"], pools["token"], 0, STAKING, scaled, ZERO, 0, 0, 0, 0)


@on_both_backends
def test_an_accepted_governance_rotation_leaves_nothing_pending(pools, backend):
    """Governance's rotation of a lost manager key, once accepted, leaves no proposal behind: no pending manager,
    eta, governance flag or governance count. Kills: CR of `pendingByGovernance = false` in
    RewardPool.acceptManager (line 295: the pool went on saying governance had a rotation pending)."""
    roles, chain = backend.roles, backend.chain
    managed = pools["managed"]
    t0 = int(chain.pending_timestamp) + 10
    chain.pending_timestamp = t0
    managed.proposeManager(roles.bob, sender=roles.governance)
    assert managed.pendingByGovernance() and managed.pendingManagerEta() == t0 + DELAY
    chain.pending_timestamp = t0 + DELAY
    managed.acceptManager(sender=roles.bob)
    assert managed.manager() == roles.bob.address and managed.pendingManager() == ZERO
    assert (managed.pendingManagerEta(), managed.pendingByGovernance(), managed.pendingGovernanceChanges()) == (
        0, False, 0)


@on_both_backends
def test_recovery_through_a_second_address_of_the_reward_token_is_refused(pools, backend):
    """A pool whose reward token is reachable at a second address sharing its ledger (TUSD-style) and that the
    splitter does not vouch for (it keeps every reward token it holds): recovering the second address, which
    `recoverable` takes for a foreign token, would empty the reward balance, and is refused by the balance-delta check.
    Kills: CR of `_checkKept(rewardToken, rewards)` in RewardPool.recoverToken (line 324)."""
    roles = backend.roles
    tusd = deploy("TwoAddressToken", roles.deployer)
    secondary = contract_at("SecondaryEntry", tusd.secondary(), tusd)
    lp = deploy_zoo_token("standard18", roles.deployer)
    pool = deploy("RewardPool", roles.deployer, pools["splitter"], tusd, 2, STAKING, lp, ZERO, 0, 0, 0, 0)
    tusd.mint(pool, 5 * E18, sender=roles.alice)
    assert pool.recoverable(tusd) == 0 and pool.recoverable(secondary) == 5 * E18
    with expect_revert(pool, "RecoveryTakesOwed", tusd.address, 5 * E18, 0):
        pool.recoverToken(secondary, roles.treasury, 5 * E18, sender=roles.governance)
    assert tusd.balanceOf(pool) == 5 * E18


@on_both_backends
def test_an_empty_pool_with_nothing_accrued_records_no_forfeit(pools, backend):
    """A stake into an empty pool before the emission starts has nothing to forfeit: no RewardsForfeited event,
    nothing recorded. Kills: CR of the early `return current` in RewardPool._fold's zero-weight branch (line 603:
    the next statement became the `if`'s body, so an empty fold announced a forfeit of 0, and a carried remainder
    was no longer forfeited) and MIA of its condition (line 603); with weight, MIA `increase == 0 && amount == 0`
    -> `false` (line 614: an empty fold announced a distribution of 0)."""
    roles, chain = backend.roles, backend.chain
    staking = pools["staking"]
    chain.pending_timestamp = pools["start"] - 10
    receipt = staking.stake(E18, sender=roles.alice)
    assert receipt.decode_logs(staking.RewardsForfeited) == [] and staking.forfeited() == 0
    [staked] = receipt.decode_logs(staking.Staked)
    assert (staked.account, staked.amount) == (roles.alice.address, E18)
    chain.pending_timestamp = pools["start"] - 5  # weight now, still nothing accrued: nothing to distribute either
    receipt = staking.stake(E18, sender=roles.bob)
    assert receipt.decode_logs(staking.RewardDistributed) == [] and receipt.decode_logs(staking.RewardsForfeited) == []


@on_both_backends
def test_exit_without_a_stake_claims_what_was_settled(pools, backend):
    """`exit` by an account that has already withdrawn its whole stake only claims: it pays the rewards settled at
    the withdrawal and withdraws nothing. Kills: MIA `weight != 0` -> `true` in RewardPool.exit (line 239: it
    withdrew 0 and reverted ZeroAmount)."""
    roles, chain = backend.roles, backend.chain
    staking = pools["staking"]
    accrual = _accrual(curve_of(pools["splitter"]))
    chain.pending_timestamp = t0 = pools["start"] + DAY
    staking.stake(E18, sender=roles.alice)
    chain.pending_timestamp = t1 = t0 + 100
    staking.withdraw(E18, sender=roles.alice)
    chain.pending_timestamp = t1 + 50
    receipt = staking.exit(sender=roles.alice)
    assert receipt.decode_logs(staking.Withdrawn) == []
    [claimed] = receipt.decode_logs(staking.RewardClaimed)
    assert claimed.amount == accrual(t1) - accrual(t0)  # the only staker, weight 1e18: exact


@on_both_backends
def test_the_last_holders_remainder_is_forfeited_whole(pools, backend):
    """When the last holder leaves, the division remainder carried from its last checkpoint (here 1 or 2 whole wei:
    an accrual not divisible by a 3e18 weight) is forfeited with the next accrual, added to it, at the next
    checkpoint. Kills: ASOR `amount += totals.carry / PRECISION` -> `^=` and `>>=` in RewardPool._fold (line 604),
    and CR of the zero-weight branch's early return (line 603: the remainder was not forfeited). The times are
    chosen from the model so that adding and xor-ing differ."""
    roles, chain = backend.roles, backend.chain
    staking, splitter = pools["staking"], pools["splitter"]
    accrual = _accrual(curve_of(splitter))
    t0 = pools["start"] + DAY
    t1 = next(t for t in range(t0 + 10, t0 + 100) if (accrual(t) - accrual(t0)) % 3)
    carry = (accrual(t1) - accrual(t0)) % 3  # whole wei of the remainder (accrual * 1e18) mod 3e18
    t2 = next(t for t in range(t1 + 10, t1 + 100)
              if (accrual(t) - accrual(t1)) ^ carry != accrual(t) - accrual(t1) + carry)
    chain.pending_timestamp = t0
    staking.stake(3 * E18, sender=roles.alice)  # the first stake forfeits everything accrued before it
    chain.pending_timestamp = t1
    staking.withdraw(3 * E18, sender=roles.alice)
    chain.pending_timestamp = t2
    receipt = staking.stake(E18, sender=roles.bob)
    forfeit = accrual(t2) - accrual(t1) + carry
    [event] = receipt.decode_logs(staking.RewardsForfeited)
    assert (event.amount, event.total) == (forfeit, accrual(t0) + forfeit)
    assert staking.forfeited() == accrual(t0) + forfeit


TINY_CURVE = dict(initial_reward=864_000, reward_decrease=8_640)  # 10 wei a second on the first day


@pytest.mark.parametrize("params", [EmissionParams(**TINY_CURVE)])
@on_both_backends
def test_an_accrual_below_one_accumulator_unit_is_folded_and_announced(pools, backend):
    """An accrual too small to move the accumulator at the current total weight (2 or 3 wei over 1e19 of weight) is
    still folded at a checkpoint: RewardDistributed announces it with the accumulator unchanged, and the remainder
    carries it. Kills: LOR `increase == 0 && amount == 0` -> `||` in RewardPool._fold (line 614: the fold returned
    early and announced nothing)."""
    roles, chain = backend.roles, backend.chain
    managed = pools["managed"]
    accrual = _accrual(curve_of(pools["splitter"]), 2_400)
    chain.pending_timestamp = t0 = pools["start"] + 10
    managed.setWeights([roles.alice], [10 * E18], sender=roles.admin)
    chain.pending_timestamp = t0 + 1
    receipt = managed.setWeights([roles.bob], [1], sender=roles.admin)
    amount = accrual(t0 + 1) - accrual(t0)
    assert 0 < amount * E18 < 10 * E18  # below one unit of the accumulator at this weight
    [event] = receipt.decode_logs(managed.RewardDistributed)
    assert (event.amount, event.rewardPerWeight) == (amount, 1)  # the accumulator starts at 1; nothing moved it


@on_both_backends
def test_a_contract_staker_withdraws_and_exits_as_itself(pools, backend):
    """A contract (driven by alice's transactions, who stakes more herself) stakes, is refused a withdrawal above
    its stake naming itself, withdraws to itself and exits: every event names it, the deposits and its rewards go to
    it, and alice's position is untouched. Kills: SBR `msg.sender` -> `tx.origin` in stake (line 207) and the Staked
    event's payer (439), withdraw (227), exit's weight, withdrawal and claim (238-240), and _withdraw's settlement,
    error and event (466, 469, 477)."""
    roles, chain = backend.roles, backend.chain
    staking, lp, token, alice = pools["staking"], pools["lp"], pools["token"], roles.alice
    curve = curve_of(pools["splitter"])
    forwarder = _contract_staker(roles, lp, staking, 2 * E18, alice)
    chain.pending_timestamp = t0 = pools["start"] + DAY
    staking.stake(5 * E18, sender=alice)
    chain.pending_timestamp = t1 = t0 + 100
    receipt = _forward(forwarder, staking, "stake(uint256)", 2 * E18, sender=alice)
    [staked] = receipt.decode_logs(staking.Staked)
    assert (staked.account, staked.payer, staked.amount) == (forwarder.address, forwarder.address, 2 * E18)
    assert staking.weightOf(forwarder) == 2 * E18 and staking.weightOf(alice) == 5 * E18
    with expect_revert(staking, "InsufficientStake", forwarder.address, 2 * E18, 3 * E18):
        _forward(forwarder, staking, "withdraw(uint256)", 3 * E18, sender=alice)
    chain.pending_timestamp = t2 = t1 + 100
    receipt = _forward(forwarder, staking, "withdraw(uint256)", E18, sender=alice)
    [withdrawn] = receipt.decode_logs(staking.Withdrawn)
    assert (withdrawn.account, withdrawn.to, withdrawn.amount, withdrawn.paid) == (
        forwarder.address, forwarder.address, E18, E18)
    assert lp.balanceOf(forwarder) == E18
    chain.pending_timestamp = t3 = t2 + 100
    receipt = _forward(forwarder, staking, "exit()", sender=alice)
    [withdrawn] = receipt.decode_logs(staking.Withdrawn)
    assert (withdrawn.account, withdrawn.to, withdrawn.amount) == (forwarder.address, forwarder.address, E18)
    [claimed] = receipt.decode_logs(staking.RewardClaimed)
    assert (claimed.account, claimed.to) == (forwarder.address, forwarder.address)
    share = _exact_share(curve, [(t1, t2, 2, 7), (t2, t3, 1, 6)])
    assert _close(claimed.amount, share) and token.balanceOf(forwarder) == claimed.amount
    assert lp.balanceOf(forwarder) == 2 * E18 and staking.weightOf(forwarder) == 0
    assert staking.weightOf(alice) == 5 * E18 and token.balanceOf(alice) == 0
    alice_share = _exact_share(curve, [(t0, t1, 1, 1), (t1, t2, 5, 7), (t2, t3, 5, 6)])
    assert _close(staking.earned(alice), alice_share)


@on_both_backends
def test_a_permit_is_only_ever_tried_for_the_caller(backend, params):
    """stakeWithPermit tries the permit of its caller only: a contract calling it with a permit alice signed stakes
    its own tokens on its own allowance, and alice's signature stays unused (no allowance, nonce 0). Kills: SBR
    `permit(msg.sender, ...)` -> `permit(tx.origin, ...)` and `_stake(msg.sender, ...)` -> `_stake(tx.origin, ...)`
    in RewardPool.stakeWithPermit (lines 220 and 222)."""
    from deai.deploy.emission import deploy_token as deploy_emission_token

    roles, chain = backend.roles, backend.chain
    permit_token = deploy_emission_token(roles.deployer, EmissionParams(name="LP Permit"), roles.deployer)
    pool = staking_system(roles, params, chain, permit_token)[0].pools[0]
    forwarder = deploy("CallForwarder", roles.deployer)
    permit_token.mint(forwarder, 5 * E18, sender=roles.deployer)
    _forward(forwarder, permit_token, "approve(address,uint256)", pool, 5 * E18, sender=roles.alice)
    args = permit_args(roles.alice, permit_token, pool, 5 * E18, int(chain.pending_timestamp) + HOUR, chain.chain_id,
                       "LP Permit")
    _forward(forwarder, pool, "stakeWithPermit(uint256,uint256,uint8,bytes32,bytes32)", *args, sender=roles.alice)
    assert pool.weightOf(forwarder) == 5 * E18 and pool.weightOf(roles.alice) == 0
    assert permit_token.allowance(roles.alice, pool) == 0 and permit_token.nonces(roles.alice) == 0


@on_both_backends
def test_manager_rotation_boundaries(pools, backend):
    """A manager proposal names someone (ZeroAmount for the zero address); a handover is acceptable from its eta up
    to and including eta + GRACE_PERIOD. Kills: MIA `newManager == address(0)` -> `false` (line 258) and ROR
    `block.timestamp > eta + GRACE_PERIOD` -> `>=` in acceptManager (line 287: refused in its last second)."""
    roles, chain = backend.roles, backend.chain
    managed = pools["managed"]
    with expect_revert(managed, "ZeroAmount"):
        managed.proposeManager(ZERO, sender=roles.admin)
    t0 = int(chain.pending_timestamp) + 10
    chain.pending_timestamp = t0
    managed.proposeManager(roles.bob, sender=roles.admin)
    snapshot = chain.snapshot()
    chain.pending_timestamp = t0 + GRACE + 1  # one second too late
    with expect_revert(managed, "ManagerNotAcceptable", t0):
        managed.acceptManager(sender=roles.bob)
    chain.restore(snapshot)
    chain.pending_timestamp = t0 + GRACE  # the last second
    managed.acceptManager(sender=roles.bob)
    assert managed.manager() == roles.bob.address


@on_both_backends
def test_set_weights_refuses_more_accounts_than_weights(pools, backend):
    """setWeights needs one weight per account, in both directions: LengthMismatch(accounts, weights). Kills: ROR
    `accounts.length != weights.length` -> `<` in RewardPool.setWeights (line 331: more accounts than weights
    panicked on the missing weight instead)."""
    roles = backend.roles
    managed = pools["managed"]
    with expect_revert(managed, "LengthMismatch", 2, 1):
        managed.setWeights([roles.alice, roles.bob], [1], sender=roles.admin)
    with expect_revert(managed, "LengthMismatch", 1, 2):
        managed.setWeights([roles.alice], [1, 2], sender=roles.admin)


@on_both_backends
def test_a_pool_for_a_bucket_past_the_protection_fund_is_refused(pools, backend):
    """A pool serves one of buckets 0-3: the protection fund (4) is the sink of forfeits and there is no bucket 5.
    Kills: ROR `bucket_ >= PROTECTION` -> `== PROTECTION` in the constructor (line 182: bucket 5 was accepted)."""
    roles = backend.roles
    factory = pools["staking"]
    for bucket in (4, 5, 255):
        with expect_revert(factory, "InvalidConfiguration"):
            deploy("RewardPool", roles.deployer, pools["splitter"], pools["token"], bucket, STAKING, pools["lp"], ZERO,
                   0, 0, 0, 0)


@on_both_backends
def test_forfeited_counts_the_pending_accrual_only_while_nobody_holds_weight(pools, backend):
    """`forfeited()` adds the accrual since the last checkpoint while nobody holds weight (nothing is recorded yet,
    all of it is forfeit), and only then: once a staker holds weight, it stays what the first stake recorded however
    much accrues. Kills: MIA of `totals.totalWeight == 0` -> `true` in RewardPool.forfeited (line 363: the
    stakers' accrual was reported as forfeited)."""
    roles, chain = backend.roles, backend.chain
    staking = pools["staking"]
    accrual = _accrual(curve_of(pools["splitter"]))
    chain.pending_timestamp = pools["start"] + HOUR
    chain.mine()
    assert staking.forfeited() == staking.sinkOwed() == accrual(pools["start"] + HOUR) > 0
    chain.pending_timestamp = t0 = pools["start"] + DAY
    staking.stake(E18, sender=roles.alice)
    chain.pending_timestamp = t0 + 3_600
    chain.mine()
    assert staking.forfeited() == accrual(t0) and staking.sinkOwed() == accrual(t0)


@on_both_backends
def test_a_release_with_nothing_owed_announces_nothing_and_a_minted_release_moves_nothing_from_the_pool(pools, backend):
    """releaseForfeited mints what the sink is owed from the bucket when it can (no transfer from the pool's
    balance, not even of 0), and with nothing owed does nothing and announces nothing. Kills: MIA/ROR of
    `owed == 0` in releaseForfeited (line 386: a release of 0 was announced) and MIA `fromBalance != 0` -> `true`
    before its transfer (line 394: a transfer of 0 from the pool)."""
    roles, chain = backend.roles, backend.chain
    staking, token = pools["staking"], pools["token"]
    accrual = _accrual(curve_of(pools["splitter"]))
    chain.pending_timestamp = t0 = pools["start"] + DAY
    staking.stake(E18, sender=roles.alice)  # records the day's accrual as forfeited
    receipt = staking.releaseForfeited(sender=roles.mallory)
    [released] = receipt.decode_logs(staking.ForfeitReleased)
    assert (released.sink, released.amount) == (roles.treasury.address, accrual(t0))
    [minted] = receipt.decode_logs(token.Transfer)
    assert (minted.to, minted.value) == (roles.treasury.address, accrual(t0))
    receipt = staking.releaseForfeited(sender=roles.mallory)
    assert receipt.decode_logs(staking.ForfeitReleased) == [] and receipt.decode_logs(token.Transfer) == []


@on_both_backends
def test_a_stake_of_zero_is_refused_before_any_transfer(pools, backend):
    """stake(0) is refused with ZeroAmount before the deposit token is called: a token that would revert the
    transfer (a blocklisted staker) does not change the error. Kills: MIA `amount == 0` -> `false` and ROR `< 0` in
    RewardPool._stake (line 428: the transfer ran first and the token's Blocked error came out)."""
    roles = backend.roles
    blocklist = deploy("BlocklistToken", roles.deployer)
    pool = deploy("RewardPool", roles.deployer, pools["splitter"], pools["token"], 0, STAKING, blocklist, ZERO, 0, 0,
                  0, 0)
    blocklist.setBlocked(roles.alice, True, sender=roles.deployer)
    with expect_revert(pool, "ZeroAmount"):
        pool.stake(0, sender=roles.alice)


@on_both_backends
def test_a_deposit_token_that_delivers_nothing_is_refused(pools, backend):
    """A stake of which nothing arrives (a fee-on-transfer token taking all of it) is refused: ZeroAmount, nothing
    credited. Kills: MIA/ROR of `received == 0` in RewardPool._stake (line 433: a stake of 0 was credited and
    announced)."""
    roles = backend.roles
    fot = deploy("FeeOnTransferToken", roles.deployer, 10_000)
    pool = deploy("RewardPool", roles.deployer, pools["splitter"], pools["token"], 0, STAKING, fot, ZERO, 0, 0, 0, 0)
    fot.mint(roles.alice, E18, sender=roles.alice)
    fot.approve(pool, E18, sender=roles.alice)
    with expect_revert(pool, "ZeroAmount"):
        pool.stake(E18, sender=roles.alice)
    assert pool.weightOf(roles.alice) == 0 and pool.totalWeight() == 0


LONG_CURVE = dict(initial_reward=30_000, reward_decrease=1)  # 30,000 days: still emitting after 2106


@pytest.mark.parametrize("params", [EmissionParams(**LONG_CURVE)])
@on_both_backends
def test_locks_after_2106_keep_their_whole_time(backend, params):
    """Lock times are 64-bit: a stake after 2106 (past 2^32 seconds) locks withdrawals and claims until its own
    time plus the locks, and a paying claim then locks the next one until its time plus the claim lock. Kills:
    SBR `uint64(...)` -> `uint32(...)` of the withdrawal unlock (line 447) and of the claim unlock (line 450) in
    RewardPool._lockAfterStake, and of the unlock after a claim in _claimTo (line 548)."""
    roles, chain = backend.roles, backend.chain
    lp = deploy_zoo_token("standard18", roles.deployer)
    system, start = staking_system(roles, params, chain, lp, withdraw_lock=HOUR, claim_lock_after_stake=2 * HOUR,
                                   claim_lock_after_claim=DAY)
    pool = system.pools[0]
    fund(lp, pool, roles.alice)
    chain.pending_timestamp = t = 2**32 + DAY
    pool.stake(E18, sender=roles.alice)
    assert (pool.withdrawableAt(roles.alice), pool.claimableAt(roles.alice)) == (t + HOUR, t + 2 * HOUR)
    with expect_revert(pool, "WithdrawLocked", t + HOUR):
        pool.withdraw(E18, sender=roles.alice)
    chain.pending_timestamp = t + 2 * HOUR
    [claimed] = pool.claimReward(sender=roles.alice).decode_logs(pool.RewardClaimed)
    assert claimed.amount > 0 and pool.claimableAt(roles.alice) == t + 2 * HOUR + DAY


@on_both_backends
def test_a_withdrawal_that_pays_nothing_transfers_nothing(backend, params):
    """After a negative rebase (an undetected rebasing deposit token), a withdrawal whose pro-rata part rounds to 0
    pays nothing and moves no token, not even 0. Kills: MIA/ROR of `payout != 0` in RewardPool._withdraw (line
    478: a transfer of 0)."""
    roles, chain = backend.roles, backend.chain
    rebasing = deploy("RebasingToken", roles.deployer, False)
    pool = staking_system(roles, params, chain, rebasing)[0].pools[0]
    fund(rebasing, pool, roles.alice, roles.bob)
    pool.stake(E18, sender=roles.alice)
    pool.stake(E18, sender=roles.bob)
    rebasing.rebase(-9_999, sender=roles.mallory)  # the pool's balance falls to 1/10,000 of the deposits
    assert rebasing.balanceOf(pool) * 1 < pool.totalWeight()  # 1 wei's part rounds to 0
    receipt = pool.withdraw(1, sender=roles.alice)
    [withdrawn] = receipt.decode_logs(pool.Withdrawn)
    assert (withdrawn.amount, withdrawn.paid) == (1, 0)
    assert receipt.decode_logs(rebasing.Transfer) == []


@on_both_backends
def test_the_rebasing_probe_reads_an_answer_of_at_least_one_word(pools, backend):
    """The constructor takes a deposit token for rebasing when `getTotalShares()` or `scaledBalanceOf(address)`
    answers with at least one word (32 bytes): an answer of two words is refused, also when only one of the two
    gives it; one shorter than a word is not an answer. Kills: ROR `data.length >= 32` -> `== 32` and `<= 32` in
    RewardPool._rebases (line 516), and `== 32` of the second probe (line 518)."""
    roles = backend.roles
    total_shares, scaled = keccak(text="getTotalShares()")[:4], keccak(text="scaledBalanceOf(address)")[:4]
    cases = ((0, ANY, False), (31, ANY, False), (32, ANY, True), (64, ANY, True), (64, total_shares, True),
             (64, scaled, True))
    for length, selector, refused in cases:
        answer = deploy("FallbackAnswer", roles.deployer, length, selector)
        args = (pools["splitter"], pools["token"], 0, STAKING, answer, ZERO, 0, 0, 0, 0)
        if refused:
            with expect_revert(pools["staking"], "UnsupportedDepositToken", answer.address):
                deploy("RewardPool", roles.deployer, *args)
        else:
            assert deploy("RewardPool", roles.deployer, *args).depositToken() == answer.address
