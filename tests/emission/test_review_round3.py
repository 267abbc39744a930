"""Round-3 review findings (low) on the pools and the splitter's recipient check. Every test here failed on the
contracts before its fix (named in each test)."""

from __future__ import annotations

from deai.deploy.contracts import container, deploy
from deai.testing.blocks import block_time
from deai.testing.reverts import expect_revert
from deai.testing.tokens import deploy_token as deploy_zoo_token
from conftest import staking_system

DAY = 86_400
DELAY = 48 * 3600
E18 = 10**18
ZERO = "0x" + "00" * 20


def staking_pool(roles, params, chain, deposit, **limits):
    return staking_system(roles, params, chain, deposit, **limits)[0].pools[0]


def test_a_third_party_stake_never_blocks_a_full_withdrawal(roles, params, chain):
    """A 1-wei `stakeFor` front-running a full withdrawal used to make it leave 1 wei below the minimum stake and
    revert BelowMinimumStake(1, 1e18). A withdrawal that would leave less than the minimum now takes the whole stake;
    the third party's stake does not extend the lock either."""
    lp = deploy_zoo_token("standard18", roles.deployer)
    pool = staking_pool(roles, params, chain, lp, min_stake=E18, withdraw_lock=DAY)
    for who in (roles.alice, roles.mallory):
        lp.mint(who, 10 * E18, sender=who)
        lp.approve(pool, 2**256 - 1, sender=who)
    t = block_time(chain, pool.stake(E18, sender=roles.alice))
    chain.pending_timestamp = t + DAY - 10
    pool.stakeFor(roles.alice, 1, sender=roles.mallory)
    assert pool.withdrawableAt(roles.alice) == t + DAY
    chain.pending_timestamp = t + DAY
    before = lp.balanceOf(roles.alice)
    receipt = pool.withdraw(E18, sender=roles.alice)
    [log] = receipt.decode_logs(pool.Withdrawn)
    assert (log.amount, log.paid) == (E18 + 1, E18 + 1)
    assert pool.weightOf(roles.alice) == 0 and lp.balanceOf(roles.alice) == before + E18 + 1
    # a partial withdrawal leaving at least the minimum stays partial
    pool.stake(3 * E18, sender=roles.alice)
    chain.pending_timestamp = block_time(chain, receipt) + 2 * DAY
    pool.withdraw(2 * E18, sender=roles.alice)
    assert pool.weightOf(roles.alice) == E18


def test_a_governance_handover_voids_a_pending_manager_rotation(pools, roles, chain):
    """A rotation proposed under governance A used to be acceptable after governance moved to B."""
    managed, splitter = pools["managed"], pools["splitter"]
    changes = splitter.governanceChanges()
    receipt = managed.proposeManager(roles.carol, sender=roles.governance)
    eta = block_time(chain, receipt) + DELAY
    splitter.transferOwnership(roles.bob, sender=roles.governance)
    splitter.acceptOwnership(sender=roles.bob)
    chain.pending_timestamp = eta
    with expect_revert(managed, "RotationVoided", changes, changes + 1):
        managed.acceptManager(sender=roles.carol)
    # the voided rotation no longer blocks the manager's own handover, nor a new one by governance B
    managed.proposeManager(roles.dave, sender=roles.admin)
    receipt = managed.proposeManager(roles.carol, sender=roles.bob)
    assert managed.pendingGovernanceChanges() == changes + 1
    chain.pending_timestamp = block_time(chain, receipt) + DELAY
    managed.acceptManager(sender=roles.carol)
    assert managed.manager() == roles.carol.address


def test_recovery_through_a_second_token_address_never_takes_deposits(roles, params, chain):
    """TUSD-style deposit token: its second address shares the ledger. `recoverable(secondary)` sees the whole
    balance, and recovering it used to send the stakers' deposits to governance's address."""
    tusd = deploy("TwoAddressToken", roles.deployer)
    secondary = container("SecondaryEntry").at(tusd.secondary())
    pool = staking_pool(roles, params, chain, tusd)
    tusd.mint(roles.alice, 10 * E18, sender=roles.alice)
    tusd.approve(pool, 2**256 - 1, sender=roles.alice)
    pool.stake(10 * E18, sender=roles.alice)
    tusd.mint(pool, 3 * E18, sender=roles.mallory)  # a donation: recoverable
    assert pool.recoverable(secondary) == 13 * E18  # it cannot know the second address
    with expect_revert(pool, "RecoveryTakesOwed", tusd.address, 10 * E18, 0):
        pool.recoverToken(secondary, roles.treasury, 13 * E18, sender=roles.governance)
    pool.recoverToken(tusd, roles.treasury, 3 * E18, sender=roles.governance)  # the surplus, through the primary
    assert tusd.balanceOf(roles.treasury) == 3 * E18 and tusd.balanceOf(pool) == 10 * E18
    pool.withdraw(10 * E18, sender=roles.alice)
    assert tusd.balanceOf(roles.alice) == 10 * E18


def test_a_recipient_answering_splitter_with_under_a_word_is_a_plain_contract(emission, roles, chain):
    """A contract whose `splitter()` returns one byte used to make `proposeRecipient` (and the constructor) revert
    without a reason while decoding; it is now accepted as a contract that is not an emission recipient."""
    token, splitter, _ = emission
    short = deploy("ShortAnswer", roles.deployer)
    receipt = splitter.proposeRecipient(2, short, False, sender=roles.governance)
    chain.pending_timestamp = block_time(chain, receipt) + DELAY
    splitter.executeRecipient(2, sender=roles.mallory)
    assert splitter.recipients()[2] == short.address
    # and it may be the protection fund (it is not a pool)
    receipt = splitter.proposeRecipient(4, short, False, sender=roles.governance)
    chain.pending_timestamp = block_time(chain, receipt) + DELAY
    splitter.executeRecipient(4, sender=roles.mallory)
    assert splitter.recipients()[4] == short.address
