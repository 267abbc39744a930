"""Round-4 review findings (low) on the splitter's recipient handover and the pools' forfeits and manager rotation.
Every test here failed on the contracts before its fix (named in each test)."""

from __future__ import annotations

from deai.deploy.contracts import deploy
from deai.testing.blocks import block_time
from deai.testing.reverts import expect_revert

DAY = 86_400
DELAY = 48 * 3600
E18 = 10**18
KEEP, FORFEIT = False, True


def test_a_recipient_that_starts_answering_splitter_cannot_block_forfeit(emission, roles, chain):
    """A plain recipient whose code changes (Safe fallback handler, upgradeable wallet, EIP-7702 account) used to
    block forfeit mode against itself by starting to answer `splitter()`: the splitter asked the current recipient
    live and reverted UnclaimedOwedToPool. Whether a recipient is a pool is now recorded when it is set."""
    token, splitter, start = emission
    wallet = deploy("ToggleRecipient", roles.mallory)
    receipt = splitter.proposeRecipient(2, wallet, KEEP, sender=roles.governance)
    chain.pending_timestamp = block_time(chain, receipt) + DELAY
    splitter.executeRecipient(2, sender=roles.mallory)
    chain.pending_timestamp = int(chain.pending_timestamp) + DAY
    splitter.pause(2, sender=roles.guardian)
    wallet.setAnswer(roles.mallory, sender=roles.mallory)
    unclaimed = splitter.claimable(2)
    assert unclaimed > 3_000 * E18
    receipt = splitter.proposeRecipient(2, roles.relayer, FORFEIT, sender=roles.governance)
    assert tuple(splitter.proposedRecipient(2)) == (roles.relayer.address, block_time(chain, receipt) + DELAY, True)
    chain.pending_timestamp = block_time(chain, receipt) + DELAY
    receipt = splitter.executeRecipient(2, sender=roles.relayer)
    [log] = receipt.decode_logs(splitter.RecipientExecuted)
    assert (log.previous, log.recipient) == (wallet.address, roles.relayer.address) and log.forfeited > unclaimed
    assert token.balanceOf(wallet) == 0 and splitter.claimable(2) == 0 and splitter.claimable(4) >= log.forfeited


def test_a_pool_stays_a_pool_for_forfeit_refusal(pools, roles, chain):
    """The refusal of forfeit mode for a pool rests on what was recorded when the pool was set (constructor)."""
    splitter, managed = pools["splitter"], pools["managed"]
    with expect_revert(splitter, "UnclaimedOwedToPool", 1, managed.address):
        splitter.proposeRecipient(1, roles.relayer, FORFEIT, sender=roles.governance)
    # once a plain account replaces the pool (keep mode), forfeit mode is allowed against that account
    receipt = splitter.proposeRecipient(1, roles.relayer, KEEP, sender=roles.governance)
    chain.pending_timestamp = block_time(chain, receipt) + DELAY
    splitter.executeRecipient(1, sender=roles.relayer)
    splitter.proposeRecipient(1, roles.bob, FORFEIT, sender=roles.governance)
    assert tuple(splitter.proposedRecipient(1))[2] is True


def test_the_protection_bucket_refuses_every_emission_recipient_contract(emission, roles):
    """A contract naming this splitter, bucket 4 and this token is still refused for the protection bucket (the
    sink of the pools' forfeits is never a pool); the same contract shape is accepted for bucket 2."""
    token, splitter, start = emission
    for_protection = deploy("StaticRecipient", roles.deployer, splitter.address, 4, token.address)
    with expect_revert(splitter, "RecipientMismatch", 4, for_protection.address):
        splitter.proposeRecipient(4, for_protection, KEEP, sender=roles.governance)
    for_compute = deploy("StaticRecipient", roles.deployer, splitter.address, 2, token.address)
    splitter.proposeRecipient(2, for_compute, KEEP, sender=roles.governance)
    assert tuple(splitter.proposedRecipient(2))[0] == for_compute.address


def test_execute_recipient_rechecks_the_recipient(emission, roles, chain):
    """A recipient whose answers change between proposal and execution is checked again: naming another splitter
    at execution reverts RecipientMismatch and leaves the proposal pending."""
    token, splitter, start = emission
    wallet = deploy("ToggleRecipient", roles.mallory)
    receipt = splitter.proposeRecipient(2, wallet, KEEP, sender=roles.governance)
    eta = block_time(chain, receipt) + DELAY
    wallet.setAnswer(roles.mallory, sender=roles.mallory)
    chain.pending_timestamp = eta
    with expect_revert(splitter, "RecipientMismatch", 2, wallet.address):
        splitter.executeRecipient(2, sender=roles.relayer)
    assert tuple(splitter.proposedRecipient(2)) == (wallet.address, eta, False)


def test_a_paused_protection_recipient_receives_no_forfeit(pools, roles, chain):
    """Pools used to pay forfeits to the protection recipient while the guardian had paused bucket 4. While it is
    paused `releaseForfeited` releases nothing; the amount stays recorded and goes to whoever is the recipient once
    the bucket is unpaused."""
    managed, splitter, token, start = pools["managed"], pools["splitter"], pools["token"], pools["start"]
    sink = splitter.recipients()[4]
    chain.pending_timestamp = start + DAY
    splitter.pause(4, sender=roles.guardian)
    before = token.balanceOf(sink)
    receipt = managed.releaseForfeited(sender=roles.mallory)
    assert splitter.paused(4) and token.balanceOf(sink) == before
    assert not receipt.decode_logs(managed.ForfeitReleased)
    owed = managed.sinkOwed()
    assert owed > 3_000 * E18
    # governance replaces the protection recipient (forfeit mode: the suspect gets nothing more); after unpausing,
    # the recorded amount goes to the new one
    receipt = splitter.proposeRecipient(4, roles.relayer, FORFEIT, sender=roles.governance)
    chain.pending_timestamp = block_time(chain, receipt) + DELAY
    splitter.executeRecipient(4, sender=roles.relayer)
    splitter.unpause(4, sender=roles.governance)
    owed = managed.sinkOwed()  # forfeits only grow until the release (nobody holds weight)
    start_balance = token.balanceOf(roles.relayer)
    chain.pending_timestamp = int(chain.pending_timestamp) + 60
    receipt = managed.releaseForfeited(sender=roles.mallory)
    [log] = receipt.decode_logs(managed.ForfeitReleased)
    assert log.sink == roles.relayer.address and log.amount >= owed
    assert token.balanceOf(roles.relayer) - start_balance == log.amount
    assert token.balanceOf(sink) == before and managed.sinkOwed() == 0


def test_a_governance_return_does_not_revive_a_voided_rotation(pools, roles, chain):
    """A -> B -> A used to revive governance A's rotation (the pool compared governance addresses). The pool now
    records how many times the splitter's governance had changed when the rotation was proposed."""
    managed, splitter = pools["managed"], pools["splitter"]
    changes = splitter.governanceChanges()
    receipt = managed.proposeManager(roles.carol, sender=roles.governance)
    assert managed.pendingGovernanceChanges() == changes
    eta = block_time(chain, receipt) + DELAY
    splitter.transferOwnership(roles.bob, sender=roles.governance)
    splitter.acceptOwnership(sender=roles.bob)
    splitter.transferOwnership(roles.governance, sender=roles.bob)
    splitter.acceptOwnership(sender=roles.governance)
    assert splitter.governanceChanges() == changes + 2
    chain.pending_timestamp = eta
    with expect_revert(managed, "RotationVoided", changes, changes + 2):
        managed.acceptManager(sender=roles.carol)
    assert managed.manager() == roles.admin.address
    # the voided rotation does not block the manager's own handover
    managed.proposeManager(roles.dave, sender=roles.admin)
    managed.acceptManager(sender=roles.dave)
    assert managed.manager() == roles.dave.address
