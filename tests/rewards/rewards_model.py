"""An independent model of ComputeRewards, written from the README's rules (not the contract): the bucket's accrual
from the emission oracle's curve, the lazy checkpoint split by the curve, shares, caps, held-back amounts and dust."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

_spec = importlib.util.spec_from_file_location("emission_oracle", Path(__file__).parents[1] / "emission" /
                                               "emission_oracle.py")
emission_oracle = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(emission_oracle)
Curve = emission_oracle.Curve
BPS = 10_000
CAP_UNIT = 10**18
COMPUTE_SHARE = 2_400


@dataclass
class EpochModel:
    total_value: int = 0
    cap: int = 0
    emission: int = 0
    distributed: int = 0
    providers: int = 0
    claims: int = 0


@dataclass
class RewardsModel:
    curve: Curve
    epoch_start: int
    epoch_length: int
    cap: int
    share: int = COMPUTE_SHARE
    last: int = 0
    accounted: int = 0
    protection_owed: int = 0
    protection_paid: int = 0
    rewards_paid: int = 0
    epochs: dict[int, EpochModel] = field(default_factory=dict)
    work: dict[tuple[str, int], list[int]] = field(default_factory=dict)  # (provider, epoch) -> [value, fee]

    def __post_init__(self) -> None:
        self.last = self.epoch_start

    def epoch_of(self, t: int) -> int:
        return 0 if t < self.epoch_start else (t - self.epoch_start) // self.epoch_length

    def epoch(self, k: int) -> EpochModel:
        return self.epochs.setdefault(k, EpochModel())

    def accrual(self, t: int) -> int:
        """The Compute bucket's accrual at t (one splitter epoch: shares never change in these tests)."""
        return self.curve.emitted(t) * self.share // BPS

    def checkpoint(self, t: int) -> None:
        lo, hi = self.epoch_of(self.last), self.epoch_of(t)
        if lo == hi:
            return
        amount = self.accrual(t) - self.accounted
        self.accounted += amount
        to_last = to_current = 0
        if amount:
            total = self.curve.emitted(t) - self.curve.emitted(self.last)
            if total == 0:
                to_current = amount
            else:
                end_last = self.epoch_start + (lo + 1) * self.epoch_length
                start_current = self.epoch_start + hi * self.epoch_length
                to_last = amount * (self.curve.emitted(end_last) - self.curve.emitted(self.last)) // total
                to_current = amount * (self.curve.emitted(t) - self.curve.emitted(start_current)) // total
        protection = amount - to_last - to_current
        previous = self.epoch(lo)
        if previous.total_value == 0:
            protection += previous.emission + to_last
            previous.emission = 0
        else:
            previous.emission += to_last
        self.epoch(hi).emission += to_current
        self.protection_owed += protection
        self.last = t

    def report(self, provider: str, value: int, fee: int, t: int) -> None:
        self.checkpoint(t)
        k = self.epoch_of(t)
        entry = self.epoch(k)
        if entry.total_value == 0:
            entry.cap = self.cap
        entry.total_value += value
        if (provider, k) not in self.work:
            entry.providers += 1
        work = self.work.setdefault((provider, k), [0, 0])
        work[0] += value
        work[1] += fee

    def split(self, provider: str, k: int) -> tuple[int, int, int]:
        """(reward, held back, share) of the provider's work in epoch k as it stands."""
        value, fee = self.work[(provider, k)]
        entry = self.epoch(k)
        share = entry.emission * value // entry.total_value
        reward = min(share, fee * entry.cap // CAP_UNIT)
        return reward, share - reward, share

    def claim(self, provider: str, k: int, t: int) -> tuple[int, int]:
        self.checkpoint(t)
        reward, held, share = self.split(provider, k)
        self.work.pop((provider, k))
        entry = self.epoch(k)
        entry.distributed += share
        entry.claims += 1
        if entry.claims == entry.providers:  # the last claim takes the dust to protection
            held += entry.emission - entry.distributed
        self.protection_owed += held
        self.rewards_paid += reward
        return reward, held

    def claimable(self, provider: str, k: int, t: int) -> bool:
        return self.epoch_of(t) > k and (provider, k) in self.work

    def release(self) -> int:
        amount, self.protection_owed = self.protection_owed, 0
        self.protection_paid += amount
        return amount

    def unclaimed_shares(self) -> int:
        """What the epochs' emissions still owe to unclaimed work and to dust not yet released to protection."""
        return sum(e.emission - e.distributed for e in self.epochs.values()
                   if not e.total_value or e.claims < e.providers)  # a fully claimed epoch's dust is paid
