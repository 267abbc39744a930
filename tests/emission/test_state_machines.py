"""Hypothesis state machines for the EmissionSplitter and for RewardPool in both modes, against ghost models.

Splitter invariants after every step: sum over buckets of (claimed + claimable) == totalEmitted() to the wei; every
bucket's claimed and claimable equal the model's (so a governance change never alters what had accrued before it:
the model settles at the old shares); per-interval emission never increases; claimable never decreases between
claims of that bucket (the protection bucket may move by its < 4 wei rounding dust, see EmissionSplitter's NatSpec);
supply never exceeds the cap.
Splitter actors: claims, governance that proposes, executes, cancels, hands over (cancelling what is pending) and
re-proposes, expiry, a guardian pausing single buckets, recipient changes in both handover modes (keep: the unclaimed
amount is paid to the previous recipient, paused or not; forfeit: it moves to the protection bucket).
Extra splitter invariants: every executed proposal waited at least the delay (and at most delay + grace).
Pool actors (staking, managed, and staking with an undetected rebasing deposit token): stakers, a flash staker (stake,
claim, withdraw in one transaction through a contract), everyone leaving, third-party bucket claims, a paused bucket,
releases to the sink, rebases, governance moving the bucket away from the pool and back (keep or forfeit mode, paused
or not, early execution refused), a flash staker that stakes, executes the handover and withdraws in one transaction,
a stranger that sends reward tokens to the pool by a plain transfer, governance that recovers them (one wei more than
`recoverable` reverts). Pool invariants: earned, weights, the accumulator and the forfeit equal the model's; the
pool's balance and the splitter's `accrual` for it equal the model's; what the pool holds plus what its bucket can
still mint covers the sum of `earned` plus what the sink is owed, and what is left over is rounding dust in the pool's
favour, below weight / 1e18 + 1 wei per settlement of an account; no account's rewards (paid + earned) exceed what its
weight earned, exactly and pro rata, over the time it held it; everything accrued while the pool had no weight reached
the sink (sent or owed); a withdrawal pays its pro-rata part of a shortfall; every handover waited at least its delay;
`recoverable(rewardToken)` and the splitter's `mintedToRecipient` equal the model's, and what governance may not take
plus what the bucket can still mint covers everything earned plus what the sink is owed (the pool stays solvent
whatever governance recovers).
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from emission_oracle import BPS, curve_of, split
from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule

from deai.deploy.emission import MANAGED, STAKING
from deai.testing.backends import on_both_backends
from deai.testing.blocks import event_names
from deai.testing.chain_isolation import ChainStateMachine
from deai.testing.reverts import expect_revert

DAY = 86_400
DELAY = 48 * 3600
GRACE = 14 * DAY
WAITS = st.one_of(st.sampled_from([1, DAY - 1, DAY, DELAY - 1, DELAY, GRACE, 400 * DAY, 6000 * DAY]),
                  st.integers(1, 30 * DAY))


@st.composite
def share_sets(draw):
    cuts = sorted(draw(st.lists(st.integers(0, BPS), min_size=4, max_size=4)))
    bounds = [0, *cuts, BPS]
    return [bounds[i + 1] - bounds[i] for i in range(5)]


@on_both_backends
def test_splitter_state_machine(emission, backend, recipients):
    roles, chain = backend.roles, backend.chain
    token, splitter, start = emission
    curve = curve_of(splitter)
    others = [roles.relayer, roles.arbiter]

    class SplitterMachine(ChainStateMachine):
        def __init__(self):
            super().__init__()
            self.now = max(self.start_time, start - 3 * DAY)
            self.shares = [2400, 2400, 2400, 2400, 400]
            self.epoch_start = start
            self.credited = [0] * 5
            self.claimed = [0] * 5
            self.recipients = [r.address for r in recipients]
            self.minted: dict[str, int] = {}
            self.paused = [False] * 5
            self.governance = roles.governance
            self.share_proposal = None  # (shares, eta, proposed at)
            self.recipient_proposals: dict[int, tuple[str, int, int]] = {}
            self.last_claimable = [0] * 5
            self.waited: list[int] = []  # how long each executed proposal actually waited

        def entitled(self, bucket, t, payable):
            d = curve.emitted(t) - curve.emitted(self.epoch_start)
            if payable and bucket == 4 and t < curve.end:
                return -(-d * self.shares[4] // BPS)
            return split(d, self.shares)[bucket]

        def pay(self, bucket, t, to):
            amount = self.credited[bucket] + self.entitled(bucket, t, True) - self.claimed[bucket]
            self.claimed[bucket] += amount
            self.minted[to] = self.minted.get(to, 0) + amount
            self.last_claimable[bucket] = self.credited[bucket] + self.entitled(bucket, t, False) - self.claimed[bucket]

        def close_epoch(self, t):
            for b in range(5):
                self.credited[b] += self.entitled(b, t, False)
            self.epoch_start = t

        def timing_error(self, proposal, t):
            """The revert a proposal's execution at t must give, or None."""
            if proposal is None:
                return ("NoProposal",)
            if t < proposal[1]:
                return ("TimelockNotElapsed", proposal[1])
            if t > proposal[1] + GRACE:
                return ("ProposalExpired", proposal[1] + GRACE)
            return None

        @rule(bucket=st.integers(0, 5))
        def claim(self, bucket):
            t = self.tick()
            if bucket == 5:  # claimAll pays every bucket that is not paused
                splitter.claimAll(sender=roles.mallory)
                for b in range(5):
                    if not self.paused[b]:
                        self.pay(b, t, self.recipients[b])
                return
            if self.paused[bucket]:
                with expect_revert(splitter, "BucketPaused", bucket):
                    splitter.claim(bucket, sender=roles.mallory)
                return
            splitter.claim(bucket, sender=roles.mallory)
            self.pay(bucket, t, self.recipients[bucket])

        @rule(new=share_sets(), by_governance=st.booleans())
        def propose_shares(self, new, by_governance):
            t = self.tick()
            if not by_governance:
                with expect_revert(splitter, "OwnableUnauthorizedAccount", roles.mallory.address):
                    splitter.proposeShares(new, sender=roles.mallory)
                return
            if self.share_proposal and t <= self.share_proposal[1] + GRACE:  # a live one is never replaced
                with expect_revert(splitter, "ProposalPending", self.share_proposal[1]):
                    splitter.proposeShares(new, sender=self.governance)
                return
            receipt = splitter.proposeShares(new, sender=self.governance)
            if self.share_proposal:  # an expired one is cancelled first, with its event
                assert event_names(receipt) == ["SharesCancelled", "SharesProposed"]
            self.share_proposal = (new, t + DELAY, t)
            assert receipt.decode_logs(splitter.SharesProposed)[0].eta == t + DELAY == splitter.proposedShares()[1]

        @rule()
        def execute_shares(self):
            t = self.tick()
            error = self.timing_error(self.share_proposal, t)
            if error:
                with expect_revert(splitter, *error):
                    splitter.executeShares(sender=roles.mallory)
                return
            splitter.executeShares(sender=roles.mallory)
            self.waited.append(t - self.share_proposal[2])
            self.close_epoch(t)
            self.shares = list(self.share_proposal[0])
            self.share_proposal = None

        @rule()
        def cancel_shares(self):
            self.tick()
            if self.share_proposal is None:
                with expect_revert(splitter, "NoProposal"):
                    splitter.cancelShares(sender=self.governance)
            else:
                splitter.cancelShares(sender=self.governance)
                self.share_proposal = None

        @rule(bucket=st.integers(0, 4), who=st.sampled_from(others), forfeit=st.booleans())
        def propose_recipient(self, bucket, who, forfeit):
            """The handover mode (keep: pay the previous recipient; forfeit: to the protection bucket) is fixed here."""
            t = self.tick()
            pending = self.recipient_proposals.get(bucket)
            if pending and t <= pending[1] + GRACE:
                with expect_revert(splitter, "ProposalPending", pending[1]):
                    splitter.proposeRecipient(bucket, who, forfeit, sender=self.governance)
                return
            splitter.proposeRecipient(bucket, who, forfeit, sender=self.governance)
            self.recipient_proposals[bucket] = (who.address, t + DELAY, t, forfeit)

        @rule(bucket=st.integers(0, 4))
        def cancel_recipient(self, bucket):
            self.tick()
            if bucket not in self.recipient_proposals:
                with expect_revert(splitter, "NoProposal"):
                    splitter.cancelRecipient(bucket, sender=self.governance)
                return
            splitter.cancelRecipient(bucket, sender=self.governance)
            del self.recipient_proposals[bucket]

        @rule(bucket=st.integers(0, 4))
        def execute_recipient(self, bucket):
            t = self.tick()
            proposal = self.recipient_proposals.get(bucket)
            error = self.timing_error(proposal, t)
            if error:
                with expect_revert(splitter, *error):
                    splitter.executeRecipient(bucket, sender=roles.mallory)
                return
            receipt = splitter.executeRecipient(bucket, sender=roles.mallory)
            self.waited.append(t - proposal[2])
            del self.recipient_proposals[bucket]
            self.close_epoch(t)
            # the mode fixed at proposal decides, never the pause: keep pays the previous recipient; forfeit moves
            # what it had not claimed to the protection bucket (for bucket 4: it stays, for the new recipient)
            if proposal[3]:
                forfeited = self.credited[bucket] - self.claimed[bucket]
                self.credited[bucket] -= forfeited
                self.credited[4] += forfeited
                self.last_claimable[bucket] = 0
            else:
                self.pay(bucket, t, self.recipients[bucket])
                forfeited = 0
            assert receipt.decode_logs(splitter.RecipientExecuted)[0].forfeited == forfeited
            self.recipients[bucket] = proposal[0]

        @rule(to_carol=st.booleans())
        def hand_over_governance(self, to_carol):
            """Governance moves (two-step): every pending proposal is cancelled; the new governance re-proposes."""
            self.tick()
            new = roles.carol if to_carol else roles.governance
            splitter.transferOwnership(new, sender=self.governance)
            self.tick()
            splitter.acceptOwnership(sender=new)
            self.governance = new
            self.share_proposal = None
            self.recipient_proposals.clear()

        @rule(bucket=st.integers(0, 4), pause=st.booleans())
        def toggle_pause(self, bucket, pause):
            """The guardian pauses single buckets; governance (whoever it is now) can unpause."""
            self.tick()
            if pause:
                splitter.pause(bucket, sender=roles.guardian)
            else:
                splitter.unpause(bucket, sender=self.governance)
            self.paused[bucket] = pause

        @rule(seconds=WAITS)
        def wait(self, seconds):
            self.now += seconds

        @invariant()
        def accounting_is_exact_and_matches_the_model(self):
            t = chain.blocks.head.timestamp
            claimed = [splitter.claimed(b) for b in range(5)]
            claimable = [splitter.claimable(b) for b in range(5)]
            assert sum(claimed) + sum(claimable) == splitter.totalEmitted() == curve.emitted(t)
            assert claimed == self.claimed
            assert claimable == [self.credited[b] + self.entitled(b, t, False) - self.claimed[b] for b in range(5)]
            for b in range(5):
                slack = 3 if b == 4 else 0
                assert claimable[b] + slack >= self.last_claimable[b], "claimable decreased between claims"
                self.last_claimable[b] = max(self.last_claimable[b], claimable[b]) if b == 4 else claimable[b]
            assert token.totalSupply() == sum(claimed) <= token.cap()
            for address, amount in self.minted.items():
                assert token.balanceOf(address) == amount
            assert [splitter.paused(b) for b in range(5)] == self.paused
            assert splitter.owner() == self.governance.address

        @invariant()
        def every_delay_waited_at_least_its_minimum(self):
            assert all(DELAY <= waited <= DELAY + GRACE for waited in self.waited)

        @invariant()
        def interval_emission_never_increases(self):
            t = chain.blocks.head.timestamp
            k = max(0, (t - start) // DAY)
            assert splitter.intervalReward(k) >= splitter.intervalReward(k + 1)
            assert splitter.intervalReward(k) == curve.reward_of_interval(k)

    SplitterMachine.TestCase().runTest()


@on_both_backends
@pytest.mark.parametrize("variant", ["staking", "managed", "rebasing"])
def test_reward_pool_state_machine(pools, backend, params, variant):
    """variant "rebasing": a staking pool whose deposit token is an (undetected) rebasing token."""
    from deai.deploy.contracts import deploy
    from deai.deploy.emission import PoolSpec, deploy_emission
    from deai.testing.tokens import deploy_token as deploy_zoo_token

    roles, chain = backend.roles, backend.chain
    mode = MANAGED if variant == "managed" else STAKING
    token, splitter, lp, start = pools["token"], pools["splitter"], pools["lp"], pools["start"]
    pool = pools["staking"] if mode == STAKING else pools["managed"]
    actors = [roles.alice, roles.bob, roles.carol]
    if variant == "rebasing":
        lp = deploy_zoo_token("rebasing", roles.deployer)
        start = int(chain.pending_timestamp) + 1_000
        system = deploy_emission(roles.deployer, params, [PoolSpec(STAKING, deposit_token=lp), roles.bob, roles.carol,
                                                          roles.dave, roles.treasury],
                                 roles.governance, roles.guardian, start)
        token, splitter, pool = system.token, system.splitter, system.pools[0]
        for who in actors:
            lp.mint(who, 10**24, sender=who)
            lp.approve(pool, 2**256 - 1, sender=who)
    bucket = 0 if mode == STAKING else 1
    curve = curve_of(splitter)
    flash_staker = deploy("FlashStaker", roles.mallory) if mode == STAKING else None
    sink = roles.treasury
    away = roles.relayer  # the bucket's other recipient when governance moves it away from the pool
    precision = 10**18

    def rounding() -> int:
        """How far a deposit-token transfer can fall short of its amount: 0, or the rebasing token's bound."""
        return lp.maxTransferShortfall() if variant == "rebasing" else 0

    class PoolMachine(ChainStateMachine):
        """Ghost model of a lazy accumulator: the bucket's accrual (24% of the curve, the pool is its recipient) is
        distributed pro rata to weight; checkpoints (stored accumulator + remainder) happen when weight changes;
        what accrues while nobody holds weight is forfeited to the sink. Beside it, an exact ledger of what each
        account's weight earned over the time it held it (`fair`) and of everything accrued at zero weight."""

        def __init__(self):
            super().__init__()
            self.now = max(self.start_time, start - DAY)
            self.rpw = 1  # the accumulator starts at 1 (only differences matter)
            self.carry = self.checkpoint_accrual = self.total_weight = self.forfeited = 0
            self.accounts = {a.address: [0, 0, 0] for a in actors}  # weight, rewards, paid
            if flash_staker is not None:
                self.accounts[flash_staker.address] = [0, 0, 0]
            self.bucket_claimed = 0  # minted from the bucket, to the pool or straight to claimants
            self.balance = 0  # tokens the pool holds
            self.paused = False
            self.dust_allowance = 0  # rounding the settlements so far may have left in the pool
            self.fair = {a: Fraction(0) for a in self.accounts}  # exact share of what each weight earned
            self.received = {a: 0 for a in self.accounts}  # rewards paid to each account
            # the division remainder carried into a checkpoint is shared by the weights then: each account's
            # pro-rata part of it (below total weight / 1e18 wei a checkpoint) is rounding, not time without weight
            self.carried = {a: Fraction(0) for a in self.accounts}
            self.zero_weight_accrual = 0  # everything accrued while nobody held weight
            self.ledger_time = start  # the exact ledgers run up to here
            self.released = 0  # forfeited emission sent to the sink
            self.carry_forfeited = 0  # whole wei of division remainders forfeited when the pool emptied
            # the bucket (shares fixed at 24%): credited at closed epochs, its running epoch, all it minted; and the
            # pool's tenures as its recipient (its accrual is `base` plus the bucket's accrual since `tenure_start`)
            self.bucket_credited, self.epoch_start, self.bucket_total_claimed = 0, start, 0
            self.is_recipient, self.base, self.tenure_start = True, 0, 0
            self.waited: list[int] = []  # how long each executed handover waited after its proposal
            # reward tokens: what the bucket minted to the pool itself (the splitter's mintedToRecipient), what the
            # pool paid from its balance, and what strangers gave it less what governance recovered
            self.minted_to_pool = self.paid_from_balance = self.donated = 0

        def bucket_accrual(self, t):
            return self.bucket_credited + curve.epoch_share(self.epoch_start, t, 2400)

        def accrual(self, t):
            """Everything the bucket accrued to the pool until t (t at or after the last handover)."""
            if not self.is_recipient:
                return self.base
            return self.base + self.bucket_accrual(t) - self.tenure_start

        def run_ledgers(self, t):
            """Before any weight changes at t: credit [ledger_time, t) to the weights held during it."""
            delta = self.accrual(t) - self.accrual(self.ledger_time)
            if self.total_weight == 0:
                self.zero_weight_accrual += delta
            else:
                for address, (weight, _, _) in self.accounts.items():
                    self.fair[address] += Fraction(delta * weight, self.total_weight)
            self.ledger_time = max(self.ledger_time, t)

        def reward_per_weight(self, t):
            if self.total_weight == 0:
                return self.rpw
            return self.rpw + ((self.accrual(t) - self.checkpoint_accrual) * precision + self.carry) // self.total_weight

        def earned(self, address, t):
            weight, rewards, paid = self.accounts[address]
            return rewards + weight * (self.reward_per_weight(t) - paid) // precision

        def checkpoint(self, t):
            """Before the weight changes: fold the accrual since the last checkpoint and the remainder into the
            accumulator at the old weight (or forfeit it, with no weight); returns the accumulator the changed
            accounts settle at."""
            self.run_ledgers(t)
            if self.total_weight:
                for address, (weight, _, _) in self.accounts.items():
                    self.carried[address] += Fraction(weight * self.carry, self.total_weight * precision)
                scaled = (self.accrual(t) - self.checkpoint_accrual) * precision + self.carry
                self.rpw += scaled // self.total_weight
                self.carry = scaled % self.total_weight
            else:  # nobody held weight: forfeited to the sink, with the last holders' carried remainder (whole wei)
                self.forfeited += self.accrual(t) - self.checkpoint_accrual + self.carry // precision
                self.carry_forfeited += self.carry // precision
                self.carry = 0
            self.checkpoint_accrual = self.accrual(t)
            return self.rpw

        def settle(self, address, current):
            entry = self.accounts[address]
            weight, rewards, paid = entry
            # the accumulator is floored (off by < 1 unit), so a share is short by < weight / 1e18 + 1 wei
            self.dust_allowance += weight // precision + 1
            entry[1] = rewards + weight * (current - paid) // precision
            entry[2] = current

        def pay_out(self, amount, t):
            """How the pool pays `amount`: minted by the bucket up to what it can mint, the rest from its balance."""
            mintable = self.mintable(t)
            minted = min(amount, mintable)
            from_balance = min(amount - minted, self.balance)
            self.bucket_claimed += minted
            self.bucket_total_claimed += minted
            self.balance -= from_balance
            self.paid_from_balance += from_balance
            return minted + from_balance

        def mintable(self, t):
            """What the bucket can mint for the pool now: nothing while paused or after it lost the bucket."""
            return 0 if self.paused or not self.is_recipient else self.accrual(t) - self.bucket_claimed

        def hand_over_model(self, t, forfeit):
            """A recipient change executed at t: the pool's accrual is continuous (no jump either way)."""
            self.run_ledgers(t)  # the ledgers' accrual formula changes here
            self.bucket_credited += curve.epoch_share(self.epoch_start, t, 2400)
            self.epoch_start = t
            if self.is_recipient:  # keep mode (forfeit is refused for a pool): the bucket mints the pool its rest
                self.base = self.base + self.bucket_credited - self.tenure_start
                self.balance += self.base - self.bucket_claimed
                self.minted_to_pool += self.base - self.bucket_claimed
                self.bucket_claimed = self.base
                self.bucket_total_claimed = self.bucket_credited
                self.is_recipient = False
                return 0
            owed = self.bucket_credited - self.bucket_total_claimed  # the other recipient's unclaimed amount
            if forfeit:
                self.bucket_credited -= owed  # to the protection bucket
            else:
                self.bucket_total_claimed += owed  # paid to the other recipient
            self.tenure_start = self.bucket_credited
            self.is_recipient = True
            return owed if forfeit else 0

        if mode == STAKING:
            def do_withdraw(self, actor, amount, t):
                held, total = lp.balanceOf(pool), self.total_weight
                before, shortfall = lp.balanceOf(actor), rounding()
                receipt = pool.withdraw(amount, sender=actor)
                expected = amount * held // total if held < total else amount  # a shortfall is shared pro rata
                assert receipt.decode_logs(pool.Withdrawn)[0].paid == expected
                assert lp.balanceOf(actor) - before >= expected - shortfall  # a rebasing token's transfer rounds
                self.settle(actor.address, self.checkpoint(t))
                self.accounts[actor.address][0] -= amount
                self.total_weight -= amount

            @rule(actor=st.sampled_from(actors), amount=st.integers(1, 10**21))
            def stake(self, actor, amount):
                amount = max(amount, 10**6) if variant == "rebasing" else amount  # 1 wei may round to no share
                t = self.tick()
                shortfall = rounding()
                receipt = pool.stake(amount, sender=actor)
                received = receipt.decode_logs(pool.Staked)[0].amount  # what arrived (a rebasing token may round)
                assert amount - shortfall <= received <= amount
                self.settle(actor.address, self.checkpoint(t))
                self.accounts[actor.address][0] += received
                self.total_weight += received

            @rule(actor=st.sampled_from(actors), fraction=st.integers(0, 4))
            def withdraw(self, actor, fraction):
                t = self.tick()
                weight = self.accounts[actor.address][0]
                amount = weight * fraction // 4 if weight else 1
                if amount == 0 or amount > weight:
                    error = ("ZeroAmount",) if amount == 0 else ("InsufficientStake", actor.address, weight, amount)
                    with expect_revert(pool, *error):
                        pool.withdraw(amount, sender=actor)
                    return
                self.do_withdraw(actor, amount, t)

            @rule()
            def everyone_leaves(self):
                """Every staker withdraws everything (one block each): the pool is empty until someone stakes."""
                for actor in actors:
                    weight = self.accounts[actor.address][0]
                    if weight:
                        self.do_withdraw(actor, weight, self.tick())

            @rule(amount=st.integers(1, 10**21))
            def flash_stake(self, amount):
                """Stake, claim and withdraw in one transaction through a contract: it must earn nothing."""
                amount = max(amount, 10**6) if variant == "rebasing" else amount  # 1 wei may round to no share
                t = self.tick()
                lp.mint(flash_staker, amount, sender=roles.mallory)
                t = self.tick()
                held, total, shortfall = lp.balanceOf(pool), self.total_weight, rounding()
                receipt = flash_staker.flash(pool, lp, amount, sender=roles.mallory)
                assert receipt.decode_logs(flash_staker.Flashed)[0].reward == 0
                [staked] = receipt.decode_logs(pool.Staked)
                self.settle(flash_staker.address, self.checkpoint(t))
                # it held weight for no time: the withdrawal folds nothing more
                assert staked.amount >= amount - shortfall
                if held < total:  # a shortfall before it staked is shared with it too
                    assert receipt.decode_logs(pool.Withdrawn)[0].paid <= staked.amount

            if variant == "rebasing":
                @rule(bps=st.integers(-2_000, 2_000))
                def rebase(self, bps):
                    self.tick()
                    lp.rebase(bps, sender=roles.mallory)
        else:
            @rule(chosen=st.lists(st.sampled_from(actors), min_size=1, max_size=3, unique=True),
                  weights=st.lists(st.integers(0, 10**6), min_size=3, max_size=3))
            def set_weights(self, chosen, weights):
                t = self.tick()
                weights = weights[: len(chosen)]
                pool.setWeights(chosen, weights, sender=roles.admin)
                current = self.checkpoint(t)
                for actor, weight in zip(chosen, weights):
                    self.settle(actor.address, current)
                    self.total_weight += weight - self.accounts[actor.address][0]
                    self.accounts[actor.address][0] = weight

            @rule()
            def everyone_leaves(self):
                t = self.tick()
                pool.setWeights(actors, [0, 0, 0], sender=roles.admin)
                current = self.checkpoint(t)
                for actor in actors:
                    self.settle(actor.address, current)
                    self.accounts[actor.address][0] = 0
                self.total_weight = 0

        @rule(actor=st.sampled_from(actors))
        def claim(self, actor):
            t = self.tick()
            before = token.balanceOf(actor)
            pool.claimReward(sender=actor)
            self.settle(actor.address, self.reward_per_weight(t))
            amount = self.accounts[actor.address][1]
            paid = self.pay_out(amount, t)
            self.accounts[actor.address][1] = amount - paid
            self.received[actor.address] += paid
            assert token.balanceOf(actor) - before == paid

        @rule()
        def release_forfeited(self):
            """Anyone sends the forfeited emission to the sink (the protection bucket's recipient)."""
            t = self.tick()
            before = token.balanceOf(sink)
            pool.releaseForfeited(sender=roles.mallory)
            self.checkpoint(t)  # it folds first
            paid = self.pay_out(self.forfeited - self.released, t)
            self.released += paid
            assert token.balanceOf(sink) - before == paid

        @rule()
        def third_party_claim(self):
            """Someone else claims the pool's bucket: the tokens land in the pool, which pays with them later (or in
            the other recipient's account while the pool is not the recipient)."""
            t = self.tick()
            if self.paused:
                with expect_revert(splitter, "BucketPaused", bucket):
                    splitter.claim(bucket, sender=roles.mallory)
                return
            splitter.claim(bucket, sender=roles.mallory)
            if self.is_recipient:
                self.balance += self.accrual(t) - self.bucket_claimed
                self.minted_to_pool += self.accrual(t) - self.bucket_claimed
                self.bucket_claimed = self.accrual(t)
            self.bucket_total_claimed = self.bucket_accrual(t)

        @rule(forfeit=st.booleans(), pause=st.booleans(), early=st.booleans(), late=st.sampled_from([0, 1, GRACE]),
              through_flash=st.booleans(), amount=st.integers(1, 10**21))
        def hand_over(self, forfeit, pause, early, late, through_flash, amount):
            """Governance moves the bucket from the pool to another account or back (in keep or forfeit mode, the
            guardian having paused it or not); in staking mode possibly executed by a contract that stakes, executes
            and withdraws in one transaction, which must earn nothing."""
            t = self.tick()
            if pause and not self.paused:
                splitter.pause(bucket, sender=roles.guardian)
                self.paused = True
                t = self.tick()
            target = away if self.is_recipient else pool
            if forfeit and self.is_recipient:
                with expect_revert(splitter, "UnclaimedOwedToPool", bucket, pool.address):
                    splitter.proposeRecipient(bucket, target, True, sender=roles.governance)
                return
            flash = through_flash and flash_staker is not None
            if flash:
                amount = max(amount, 10**6) if variant == "rebasing" else amount
                lp.mint(flash_staker, amount, sender=roles.mallory)
                t = self.tick()
            splitter.proposeRecipient(bucket, target, forfeit, sender=roles.governance)
            eta = t + DELAY
            if early:
                self.now = eta - 2
                self.tick()
                with expect_revert(splitter, "TimelockNotElapsed", eta):
                    splitter.executeRecipient(bucket, sender=roles.mallory)
            self.now = max(self.now, eta + late - 1)
            t2 = self.tick()
            if flash:
                receipt = flash_staker.flashExecute(pool, lp, amount, splitter, bucket, sender=roles.mallory)
                assert receipt.decode_logs(flash_staker.Flashed)[0].reward == 0
                self.settle(flash_staker.address, self.checkpoint(t2))  # its stake, before the execution
            else:
                receipt = splitter.executeRecipient(bucket, sender=roles.mallory)
            self.waited.append(t2 - t)
            forfeited = self.hand_over_model(t2, forfeit)
            assert receipt.decode_logs(splitter.RecipientExecuted)[0].forfeited == forfeited
            if flash:
                assert pool.earned(flash_staker) == 0  # nothing owed either (a paused bucket pays nothing now)

        def owed_from_balance(self):
            """Reward tokens the pool must keep: what the bucket minted to it less what it paid from its balance."""
            return max(self.minted_to_pool - self.paid_from_balance, 0)

        @rule(amount=st.integers(1, 10**24))
        def stranger_donates(self, amount):
            """A stranger (the Community bucket's recipient) sends reward tokens to the pool by a plain transfer."""
            self.tick()
            splitter.claim(3, sender=roles.dave)
            amount = min(amount, token.balanceOf(roles.dave))
            if amount:
                token.transfer(pool, amount, sender=roles.dave)
                self.balance += amount
                self.donated += amount

        @rule(fraction=st.integers(0, 4), one_more=st.booleans())
        def governance_recovers(self, fraction, one_more):
            """Governance recovers part or all of the reward tokens above what the pool owes; one wei more reverts."""
            self.tick()
            available = max(self.balance - self.owed_from_balance(), 0)
            assert pool.recoverable(token) == available
            if one_more or available == 0:
                with expect_revert(pool, "ExceedsRecoverable", token.address, available + 1, available):
                    pool.recoverToken(token, roles.treasury, available + 1, sender=roles.governance)
                return
            amount = max(available * fraction // 4, 1)
            pool.recoverToken(token, away, amount, sender=roles.governance)
            self.balance -= amount
            self.donated -= amount

        @rule(pause=st.booleans())
        def toggle_splitter_pause(self, pause):
            self.tick()
            (splitter.pause if pause else splitter.unpause)(bucket, sender=roles.guardian)
            self.paused = pause

        @rule(seconds=WAITS)
        def wait(self, seconds):
            self.now += seconds

        @invariant()
        def pool_matches_the_model_and_is_solvent(self):
            t = int(chain.blocks.head.timestamp)  # views run at the head block's time (reverted calls move it too)
            earned = {a: pool.earned(a) for a in self.accounts}
            assert earned == {a: self.earned(a, t) for a in self.accounts}
            pending = self.accrual(t) - self.checkpoint_accrual + self.carry // precision if self.total_weight == 0 else 0
            owed_to_sink = self.forfeited + pending - self.released
            assert pool.totalWeight() == self.total_weight
            assert pool.forfeited() == self.forfeited + pending and pool.sinkOwed() == owed_to_sink
            accumulator = pool.rewardPerWeight()
            assert accumulator == self.reward_per_weight(t)
            assert accumulator >= getattr(self, "last_accumulator", 0), "the accumulator moved backwards"
            self.last_accumulator = accumulator
            balance = token.balanceOf(pool)
            assert balance == self.balance
            # solvent: what the pool holds plus what the bucket can still mint to it covers everything owed
            unminted = self.accrual(t) - self.bucket_claimed
            assert splitter.accrual(bucket, pool) == (self.accrual(t), self.mintable(t))
            assert balance + unminted >= sum(earned.values()) + owed_to_sink
            # and stays solvent whatever governance recovers: what it may not take covers everything owed
            recoverable = pool.recoverable(token)
            assert recoverable == max(balance - self.owed_from_balance(), 0)
            assert splitter.mintedToRecipient(bucket, pool) == self.minted_to_pool
            assert balance - recoverable + unminted >= sum(earned.values()) + owed_to_sink
            # no reward stuck: what is neither earned nor owed to the sink is what strangers gave (less what was
            # recovered), the undistributed remainder and rounding dust that favours the pool, under weight / 1e18 +
            # 1 wei per account settlement
            dust = balance + unminted - sum(earned.values()) - owed_to_sink - self.donated
            live = sum(weight // precision + 1 for weight, _, _ in self.accounts.values())
            assert dust <= self.dust_allowance + live + 1
            assert sum(splitter.claimed(b) + splitter.claimable(b) for b in range(5)) == splitter.totalEmitted()

        @invariant()
        def nobody_is_paid_for_time_without_weight(self):
            """Each account's rewards (paid + earned) never exceed what its weight earned over the time it held it
            (exact, pro rata) plus its part of the carried rounding remainders; everything accrued while nobody held
            weight is the sink's (sent or owed)."""
            t = int(chain.blocks.head.timestamp)
            delta = self.accrual(t) - self.accrual(self.ledger_time)
            for address, (weight, _, _) in self.accounts.items():
                fair = self.fair[address] + self.carried[address]
                if self.total_weight:
                    fair += Fraction(delta * weight * precision + weight * self.carry, self.total_weight * precision)
                assert self.received[address] + pool.earned(address) <= fair, "paid for time without weight"
            zero = self.zero_weight_accrual + (delta if self.total_weight == 0 else 0)
            carried = self.carry_forfeited + (self.carry // precision if self.total_weight == 0 else 0)
            assert pool.forfeited() == zero + carried  # the accrual at zero weight, and rounding remainders
            zero += carried
            assert token.balanceOf(sink) == self.released and self.released + pool.sinkOwed() == zero

        @invariant()
        def every_delay_waited_at_least_its_minimum(self):
            assert all(DELAY <= waited <= DELAY + GRACE for waited in self.waited)

    PoolMachine.TestCase().runTest()
