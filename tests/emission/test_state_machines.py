"""Hypothesis state machines for the EmissionSplitter and for RewardPool in both modes, against ghost models.

Splitter invariants after every step: sum over buckets of (claimed + claimable) == totalEmitted() to the wei; every
bucket's claimed and claimable equal the model's (so a governance change never alters what had accrued before it:
the model settles at the old shares); per-interval emission never increases; claimable never decreases between
claims of that bucket (the protection bucket may move by its < 4 wei rounding dust, see EmissionSplitter's NatSpec);
supply never exceeds the cap.
Pool invariants: earned, weights, the accumulator and queued rewards equal the model's; the pool's balance and the
splitter's `accrual` for it equal the model's; what the pool holds plus what its bucket can still mint covers the sum
of `earned` plus the queue, and what is left over is rounding dust in the pool's favour, below weight / 1e18 + 1 wei
per settlement of an account.
"""

from __future__ import annotations

import pytest
from emission_oracle import BPS, curve_of, split
from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule

from deai.deploy.emission import MANAGED, STAKING
from deai.testing.backends import on_both_backends
from deai.testing.chain_isolation import ChainStateMachine
from deai.testing.reverts import expect_revert

DAY = 86_400
DELAY = 48 * 3600
WAITS = st.one_of(st.sampled_from([1, DAY - 1, DAY, DELAY - 1, DELAY, 400 * DAY, 6000 * DAY]),
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
            self.paused = False
            self.share_proposal = None
            self.recipient_proposals: dict[int, tuple[str, int]] = {}
            self.last_claimable = [0] * 5

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

        @rule(bucket=st.integers(0, 5))
        def claim(self, bucket):
            t = self.tick()
            if bucket == 5:
                if self.paused:
                    with expect_revert(splitter, "ClaimsArePaused"):
                        splitter.claimAll(sender=roles.mallory)
                    return
                splitter.claimAll(sender=roles.mallory)
                for b in range(5):
                    self.pay(b, t, self.recipients[b])
                return
            if self.paused:
                with expect_revert(splitter, "ClaimsArePaused"):
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
            splitter.proposeShares(new, sender=roles.governance)
            self.share_proposal = (new, t + DELAY)

        @rule()
        def execute_shares(self):
            t = self.tick()
            if self.share_proposal is None:
                with expect_revert(splitter, "NoProposal"):
                    splitter.executeShares(sender=roles.mallory)
            elif t < self.share_proposal[1]:
                with expect_revert(splitter, "TimelockNotElapsed", self.share_proposal[1]):
                    splitter.executeShares(sender=roles.mallory)
            else:
                splitter.executeShares(sender=roles.mallory)
                self.close_epoch(t)
                self.shares = list(self.share_proposal[0])
                self.share_proposal = None

        @rule()
        def cancel_shares(self):
            self.tick()
            if self.share_proposal is None:
                with expect_revert(splitter, "NoProposal"):
                    splitter.cancelShares(sender=roles.governance)
            else:
                splitter.cancelShares(sender=roles.governance)
                self.share_proposal = None

        @rule(bucket=st.integers(0, 4), who=st.sampled_from(others))
        def propose_recipient(self, bucket, who):
            t = self.tick()
            splitter.proposeRecipient(bucket, who, sender=roles.governance)
            self.recipient_proposals[bucket] = (who.address, t + DELAY)

        @rule(bucket=st.integers(0, 4))
        def execute_recipient(self, bucket):
            t = self.tick()
            proposal = self.recipient_proposals.get(bucket)
            if proposal is None:
                error = ("NoProposal",)
            elif t < proposal[1]:
                error = ("TimelockNotElapsed", proposal[1])
            elif self.paused:
                error = ("ClaimsArePaused",)
            else:
                error = None
            if error:
                with expect_revert(splitter, *error):
                    splitter.executeRecipient(bucket, sender=roles.mallory)
                return
            splitter.executeRecipient(bucket, sender=roles.mallory)
            del self.recipient_proposals[bucket]
            self.close_epoch(t)
            self.pay(bucket, t, self.recipients[bucket])
            self.recipients[bucket] = proposal[0]

        @rule(pause=st.booleans())
        def toggle_pause(self, pause):
            self.tick()
            if pause:
                splitter.pause(sender=roles.guardian)
            else:
                splitter.unpause(sender=roles.governance)
            self.paused = pause

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

        @invariant()
        def interval_emission_never_increases(self):
            t = chain.blocks.head.timestamp
            k = max(0, (t - start) // DAY)
            assert splitter.intervalReward(k) >= splitter.intervalReward(k + 1)
            assert splitter.intervalReward(k) == curve.reward_of_interval(k)

    SplitterMachine.TestCase().runTest()


@on_both_backends
@pytest.mark.parametrize("mode", [STAKING, MANAGED])
def test_reward_pool_state_machine(pools, backend, mode):
    roles, chain = backend.roles, backend.chain
    token, splitter, lp, start = pools["token"], pools["splitter"], pools["lp"], pools["start"]
    pool = pools["staking"] if mode == STAKING else pools["managed"]
    bucket = 0 if mode == STAKING else 1
    curve = curve_of(splitter)
    actors = [roles.alice, roles.bob, roles.carol]
    precision = 10**18

    class PoolMachine(ChainStateMachine):
        """Ghost model of a lazy accumulator: the bucket's accrual (24% of the curve, the pool is its recipient) is
        distributed pro rata to weight; checkpoints (stored accumulator + remainder) happen when weight changes."""

        def __init__(self):
            super().__init__()
            self.now = max(self.start_time, start - DAY)
            self.rpw = 1  # the accumulator starts at 1 (only differences matter)
            self.carry = self.checkpoint_accrual = self.total_weight = 0
            self.accounts = {a.address: [0, 0, 0] for a in actors}  # weight, rewards, paid
            self.bucket_claimed = 0  # minted from the bucket, to the pool or straight to claimants
            self.balance = 0  # tokens the pool holds
            self.paused = False
            self.dust_allowance = 0  # rounding the settlements so far may have left in the pool

        def accrual(self, t):
            return curve.epoch_share(start, t, 2400)

        def reward_per_weight(self, t):
            if self.total_weight == 0:
                return self.rpw
            return self.rpw + ((self.accrual(t) - self.checkpoint_accrual) * precision + self.carry) // self.total_weight

        def earned(self, address, t):
            weight, rewards, paid = self.accounts[address]
            return rewards + weight * (self.reward_per_weight(t) - paid) // precision

        def checkpoint(self, t):
            """Before the weight changes: fold the accrual since the last checkpoint and the remainder into the
            accumulator at the old weight; returns the accumulator the changed accounts settle at."""
            if self.total_weight:
                scaled = (self.accrual(t) - self.checkpoint_accrual) * precision + self.carry
                self.rpw += scaled // self.total_weight
                self.carry = scaled % self.total_weight
                self.checkpoint_accrual = self.accrual(t)
            return self.rpw

        def settle(self, address, current):
            entry = self.accounts[address]
            weight, rewards, paid = entry
            # the accumulator is floored (off by < 1 unit), so a share is short by < weight / 1e18 + 1 wei
            self.dust_allowance += weight // precision + 1
            entry[1] = rewards + weight * (current - paid) // precision
            entry[2] = current

        if mode == STAKING:
            @rule(actor=st.sampled_from(actors), amount=st.integers(1, 10**21))
            def stake(self, actor, amount):
                t = self.tick()
                pool.stake(amount, sender=actor)
                self.settle(actor.address, self.checkpoint(t))
                self.accounts[actor.address][0] += amount
                self.total_weight += amount

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
                before = lp.balanceOf(actor)
                pool.withdraw(amount, sender=actor)
                assert lp.balanceOf(actor) == before + amount
                self.settle(actor.address, self.checkpoint(t))
                self.accounts[actor.address][0] -= amount
                self.total_weight -= amount
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

        @rule(actor=st.sampled_from(actors))
        def claim(self, actor):
            t = self.tick()
            before = token.balanceOf(actor)
            pool.claimReward(sender=actor)
            self.settle(actor.address, self.reward_per_weight(t))
            amount = self.accounts[actor.address][1]
            mintable = 0 if self.paused else self.accrual(t) - self.bucket_claimed
            minted = min(amount, mintable)
            from_balance = min(amount - minted, self.balance)
            self.bucket_claimed += minted
            self.balance -= from_balance
            self.accounts[actor.address][1] = amount - minted - from_balance
            assert token.balanceOf(actor) - before == minted + from_balance

        @rule()
        def third_party_claim(self):
            """Someone else claims the pool's bucket: the tokens land in the pool, which pays with them later."""
            t = self.tick()
            if self.paused:
                with expect_revert(splitter, "ClaimsArePaused"):
                    splitter.claim(bucket, sender=roles.mallory)
                return
            splitter.claim(bucket, sender=roles.mallory)
            self.balance += self.accrual(t) - self.bucket_claimed
            self.bucket_claimed = self.accrual(t)

        @rule(pause=st.booleans())
        def toggle_splitter_pause(self, pause):
            t = self.tick()
            (splitter.pause if pause else splitter.unpause)(sender=roles.guardian)
            self.paused = pause

        @rule(seconds=WAITS)
        def wait(self, seconds):
            self.now += seconds

        @invariant()
        def pool_matches_the_model_and_is_solvent(self):
            t = int(chain.blocks.head.timestamp)  # views run at the head block's time (reverted calls move it too)
            earned = {a: pool.earned(a) for a in self.accounts}
            assert earned == {a: self.earned(a, t) for a in self.accounts}
            queued = self.accrual(t) - self.checkpoint_accrual if self.total_weight == 0 else 0
            assert pool.totalWeight() == self.total_weight and pool.queuedRewards() == queued
            accumulator = pool.rewardPerWeight()
            assert accumulator == self.reward_per_weight(t)
            assert accumulator >= getattr(self, "last_accumulator", 0), "the accumulator moved backwards"
            self.last_accumulator = accumulator
            balance = token.balanceOf(pool)
            assert balance == self.balance
            # solvent: what the pool holds plus what the bucket can still mint to it covers everything owed
            unminted = self.accrual(t) - self.bucket_claimed
            assert splitter.accrual(bucket, pool) == (self.accrual(t), 0 if self.paused else unminted)
            assert balance + unminted >= sum(earned.values()) + queued
            # no reward stuck: what is neither earned nor queued is the undistributed remainder plus rounding dust
            # that favours the pool, under weight / 1e18 + 1 wei per account settlement (and per live `earned`)
            dust = balance + unminted - sum(earned.values()) - queued
            live = sum(weight // precision + 1 for weight, _, _ in self.accounts.values())
            assert dust <= self.dust_allowance + live + 1

    PoolMachine.TestCase().runTest()
