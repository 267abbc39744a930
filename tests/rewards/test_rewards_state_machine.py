"""Stateful property test across ComputeMarketplace + ProviderRegistry + ComputeRewards + EmissionSplitter.

Two honest providers (bob, dave) lease to alice; a self-dealing provider (mallory) leases to herself through two
client addresses (carol, relayer); payment tokens: a 6-decimal token (rate 1e30: one whole token is one stake token)
and a 1% fee-on-transfer token (rate 1e18). Actions: leases opened and accepted, finalized by the client at the end
or by anyone after the dispute window, disputed and ruled for the provider (DisputeWon) or against it (DisputeLost),
or timed out; claims of any epoch (one or several), checkpoints, protection releases; governance changes the rebate
cap through its timelock (the time jump crosses epochs); the guardian pauses and unpauses the Compute bucket; time
jumps within and across epochs. A model (rewards_model.py: the curve summed by the emission oracle, the checkpoint
split, shares, caps, dust) predicts every figure first.
Invariants after every step:
1. exact sum: providers' rewards + protection paid + protection owed + what the epochs still owe (unclaimed shares
   and dust) + accrual not yet attributed == the Compute bucket's emission (splitter claimed + claimable), to the wei,
   and equal to the model's accrual from the curve; the rewards contract holds no tokens;
2. no reward for work not finalized or lost: per provider, the value reported to the rewards contract equals the
   registry's `valueFinalized` (same call) and the model's sum over finalized and won leases only; unclaimed work
   per (provider, epoch) matches the model;
3. every claim paid at most floor(emission x value / total value) and at most floor(fees x cap / 1e18) of its epoch
   (checked in the claim rule, with the figures the model computed independently);
4. exits are never blocked by the rewards contract: every finalize and ruling the model allows succeeds, also while
   the Compute bucket is paused (claims then revert with the splitter's BucketPaused and change nothing).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from hypothesis import strategies as st
from hypothesis.stateful import invariant, precondition, rule

from conftest import DAY, FUNDS, HOUR, MARKET, REWARDS, STAKE, build_system
from deai.testing.backends import on_both_backends
from deai.testing.chain_isolation import ChainStateMachine
from deai.testing.reverts import expect_revert
from deai.testing.tokens import deploy_token
from rewards_model import CAP_UNIT, Curve, RewardsModel

KINDS = ("standard6", "fee_on_transfer")
RATES = (10**30, 10**18)
PRICES = (7, 1_000_003 * 10**6)  # per second: small and large leases, odd so fees round
MAX_UINT = 2**256 - 1
BPS = 10_000
CAPS = (0, CAP_UNIT // 2, 3 * CAP_UNIT, 10 * CAP_UNIT)
WAITS = st.sampled_from([1, HOUR, DAY - 1, DAY, DAY + 1, 3 * DAY]) | st.integers(1, 2 * DAY)
ACTIVE, DISPUTED = 2, 3


@dataclass
class Lease:
    id: int
    provider: object
    client: object
    token: int
    start: int
    end: int
    deposit: int
    status: int = ACTIVE
    disputed_at: int = 0


def arrives(token: int, amount: int) -> int:
    return amount - amount // 100 if KINDS[token] == "fee_on_transfer" else amount


@on_both_backends
def test_rewards_state_machine(backend):
    roles, chain = backend.roles, backend.chain
    system = build_system(roles, chain)
    market, registry, rewards, splitter, token = (system.market, system.registry, system.rewards, system.splitter,
                                                  system.token)
    honest, cheat = [roles.bob, roles.dave], roles.mallory
    providers = [*honest, cheat]
    clients = {roles.bob.address: [roles.alice], roles.dave.address: [roles.alice],
               cheat.address: [roles.carol, roles.relayer]}
    payments = [deploy_token(kind, roles.deployer) for kind in KINDS]
    offers = {}
    for i, payment in enumerate(payments):
        system.allow(payment, RATES[i])
        for who in (roles.alice, roles.carol, roles.relayer):
            system.fund(who, payment, market)
    for provider in providers:
        for i, payment in enumerate(payments):
            if i == 0:
                offers[(provider.address, i)] = system.provider(provider, payment, PRICES[i])
            else:
                market.createOffer(payment, PRICES[i], 60, 30 * DAY, b"\x11" * 32, "ipfs://o", sender=provider)
                offers[(provider.address, i)] = market.offerCount()
    s = splitter
    curve = Curve(s.start(), s.interval(), s.initialReward(), s.rewardDecrease())
    delay, grace = splitter.timelockDelay(), rewards.GRACE_PERIOD()

    class RewardsMachine(ChainStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.model = RewardsModel(curve, system.start, REWARDS.epoch_length, REWARDS.rebate_cap)
            self.leases: list[Lease] = []
            self.reported = {p.address: 0 for p in providers}
            self.paid = {p.address: 0 for p in providers}
            self.paused = False
            self.now = max(self.now, system.start + 1)

        # ------------------------------------------------------------------ helpers

        def report(self, lease: Lease, paid: int, t: int, receipt) -> None:
            value = paid * RATES[lease.token] // 10**18
            fee = value * MARKET.fee_bps // BPS
            events = [e for e in receipt.events if e.event_name == "LeaseOutcome"]
            assert [(e.event_arguments["provider"], e.value, e.fee) for e in events] == [
                (lease.provider.address, value, fee)]
            assert not [e for e in receipt.events if e.event_name == "RewardsReportFailed"]
            if value == 0:
                return
            self.model.report(lease.provider.address, value, fee, t)
            self.reported[lease.provider.address] += value

        def pick(self, index: int, status: int) -> Lease | None:
            candidates = [l for l in self.leases if l.status == status]
            return candidates[index % len(candidates)] if candidates else None

        # ------------------------------------------------------------------ marketplace actors

        @rule(p=st.integers(0, 2), c=st.integers(0, 1), tok=st.integers(0, 1), duration=st.integers(60, 2 * DAY))
        def lease(self, p, c, tok, duration):
            provider = providers[p]
            client = clients[provider.address][c % len(clients[provider.address])]
            t = self.tick()
            market.openLease(offers[(provider.address, tok)], duration, MAX_UINT, sender=client)
            lease_id = market.leaseCount()
            self.tick()
            market.acceptLease(lease_id, sender=provider)
            deposit = arrives(tok, PRICES[tok] * duration)
            assert market.getLease(lease_id).deposit == deposit
            start = self.now
            end = start + -(-deposit // PRICES[tok])
            self.leases.append(Lease(lease_id, provider, client, tok, start, end, deposit))
            assert t < start

        @rule(i=st.integers(0, 50), by_client=st.booleans())
        def finalize(self, i, by_client):
            lease = self.pick(i, ACTIVE)
            if lease is None:
                return
            ready = lease.end if by_client else lease.end + MARKET.dispute_window + 1
            self.now = max(self.now, ready - 1)
            t = self.tick()
            receipt = market.finalize(lease.id, sender=lease.client if by_client else roles.alice)
            lease.status = 5
            self.report(lease, lease.deposit, t, receipt)

        @rule(i=st.integers(0, 50), share=st.sampled_from([0, 2_500, 5_000, 5_001, 10_000]), slash=st.booleans())
        def dispute_and_rule(self, i, share, slash):
            lease = self.pick(i, ACTIVE)
            if lease is None or self.now + 1 >= lease.end + MARKET.dispute_window:
                return
            self.now = max(self.now, lease.end - 1)
            self.tick()
            market.dispute(lease.id, b"\x02" * 32, sender=lease.client)
            lease.status = DISPUTED
            t = self.tick()
            slash_amount = 1 if slash else 0
            receipt = market.resolveDispute(lease.id, share, slash_amount, sender=roles.arbiter)
            lease.status = 6
            paid = market.getLease(lease.id).withdrawn
            won = share <= 5_000 and not slash
            if won:
                self.report(lease, paid, t, receipt)
            else:
                assert [e.outcome for e in receipt.events if e.event_name == "LeaseOutcome"] == [2]  # DisputeLost

        @rule(i=st.integers(0, 50))
        def dispute_and_time_out(self, i):
            lease = self.pick(i, ACTIVE)
            if lease is None or self.now + 1 >= lease.end + MARKET.dispute_window:
                return
            self.now = max(self.now, lease.end - 1)
            t = self.tick()
            market.dispute(lease.id, b"\x03" * 32, sender=lease.client)
            self.now = t + MARKET.arbitration_window + 1
            self.tick()
            receipt = market.resolveDisputeByTimeout(lease.id, sender=roles.carol)
            lease.status = 6
            assert [e.outcome for e in receipt.events if e.event_name == "LeaseOutcome"] == [3]  # TimedOut

        # ------------------------------------------------------------------ rewards actors

        def claimable_epochs(self, provider) -> list[int]:
            return sorted(k for (p, k) in self.model.work if p == provider.address)

        @rule(p=st.integers(0, 2), pick=st.integers(0, 100), many=st.booleans())
        def claim(self, p, pick, many):
            provider = providers[p]
            t = self.tick()
            current = self.model.epoch_of(t)
            epochs = [k for k in self.claimable_epochs(provider) if k < current]
            if not epochs:
                k = pick % (current + 2)
                if k >= current:
                    with expect_revert(rewards, "EpochNotEnded", k, current):
                        rewards.claim(k, sender=provider)
                else:
                    with expect_revert(rewards, "NothingToClaim", provider.address, k):
                        rewards.claim(k, sender=provider)
                return
            chosen = epochs if many else [epochs[pick % len(epochs)]]
            before_model = copy.deepcopy(self.model)
            before = token.balanceOf(provider)
            expected = 0
            self.model.checkpoint(t)
            for k in chosen:
                value, fee = self.model.work[(provider.address, k)]
                entry = self.model.epoch(k)
                pro_rata = entry.emission * value // entry.total_value
                reward, _ = self.model.claim(provider.address, k, t)
                assert reward <= pro_rata and reward <= fee * entry.cap // CAP_UNIT
                expected += reward
            if self.paused and expected:  # nothing to pay it with: the claim reverts and changes nothing
                self.model = before_model
                with expect_revert(splitter, "BucketPaused", 2):
                    rewards.claimMany(chosen, sender=provider) if many else rewards.claim(chosen[0], sender=provider)
                return
            receipt = (rewards.claimMany(chosen, sender=provider) if many else
                       rewards.claim(chosen[0], sender=provider))
            got = [e.reward for e in receipt.events if e.event_name == "RewardClaimed"]
            assert sum(got) == expected == token.balanceOf(provider) - before
            self.paid[provider.address] += expected

        @rule()
        def checkpoint(self):
            t = self.tick()
            rewards.checkpoint(sender=roles.carol)
            self.model.checkpoint(t)

        @rule()
        def release_protection(self):
            self.tick()
            if self.model.protection_owed == 0:
                with expect_revert(rewards, "NothingToRelease"):
                    rewards.releaseProtection(sender=roles.alice)
                return
            if self.paused:
                with expect_revert(splitter, "BucketPaused", 2):
                    rewards.releaseProtection(sender=roles.alice)
                return
            before = token.balanceOf(roles.guardian)
            rewards.releaseProtection(sender=roles.alice)
            assert token.balanceOf(roles.guardian) - before == self.model.release()

        @rule(cap=st.sampled_from(CAPS))
        def change_cap_through_governance(self, cap):
            self.tick()
            with expect_revert(rewards, "NotGovernance", cheat.address):
                rewards.proposeRebateCap(cap, sender=cheat)
            t = self.tick()
            rewards.proposeRebateCap(cap, sender=roles.governance)
            self.now = t + delay - 1
            self.tick()  # exactly at the eta
            rewards.executeRebateCap(sender=cheat)
            self.model.cap = cap

        @rule(pause=st.booleans())
        def guardian_pauses_compute(self, pause):
            self.tick()
            if pause:
                splitter.pause(2, sender=roles.guardian)
            else:
                splitter.unpause(2, sender=roles.guardian)
            self.paused = pause

        @rule(seconds=WAITS)
        def wait(self, seconds):
            self.now += seconds

        # ------------------------------------------------------------------ invariants

        @invariant()
        def exact_sum(self):
            t = chain.blocks.head.timestamp
            m = self.model
            bucket = splitter.claimed(2) + splitter.claimable(2)
            assert bucket == m.accrual(t) == splitter.accrual(2, rewards)[0]
            assert rewards.accounted() == m.accounted and rewards.protectionOwed() == m.protection_owed
            paid = sum(token.balanceOf(p) for p in providers)
            assert paid == m.rewards_paid == sum(self.paid.values())
            assert token.balanceOf(roles.guardian) == m.protection_paid
            assert token.balanceOf(rewards) == 0
            assert paid + m.protection_paid + m.protection_owed + m.unclaimed_shares() + (
                m.accrual(t) - m.accounted) == bucket

        @invariant()
        def no_reward_without_finalized_work(self):
            for p in providers:
                assert registry.providerInfo(p).valueFinalized == self.reported[p.address]
            for (p, k), (value, fee) in self.model.work.items():
                assert rewards.workOf(p, k) == (value, fee)
            for k, entry in self.model.epochs.items():
                info = rewards.epochInfo(k)
                assert (info.totalValue, info.rebateCap, info.providers, info.emission, info.distributed,
                        info.claims) == (entry.total_value, entry.cap, entry.providers, entry.emission,
                                         entry.distributed, entry.claims)

    RewardsMachine.TestCase().runTest()
