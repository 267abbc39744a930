"""An independent model of the emission curve and its split, written from the issue's text, not the contract.

The curve is summed interval by interval (a prefix table), not with the contract's closed-form series.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

BPS = 10_000


class Curve:
    def __init__(self, start: int, interval: int, r0: int, decrease: int):
        self.start, self.interval, self.r0, self.decrease = start, interval, r0, decrease
        rewards = []
        reward = r0
        while reward > 0:
            rewards.append(reward)
            reward -= decrease
        self.rewards = rewards
        self.prefix = [0]
        for r in rewards:
            self.prefix.append(self.prefix[-1] + r)
        self.total = self.prefix[-1]
        self.end = start + len(rewards) * interval

    def __deepcopy__(self, memo: dict) -> "Curve":
        """Never changed after construction, so a copied model shares it: the rewards machine copies its model before
        a claim, and copying this curve's 5,833-interval tables cost 2.4 ms, several steps' worth."""
        return self

    def reward_of_interval(self, index: int) -> int:
        return self.rewards[index] if 0 <= index < len(self.rewards) else 0

    def emitted(self, t: int) -> int:
        """E(t): whole intervals summed one by one + the current interval prorated, rounded down."""
        if t <= self.start:
            return 0
        full, part = divmod(t - self.start, self.interval)
        if full >= len(self.rewards):
            return self.total
        return self.prefix[full] + self.rewards[full] * part // self.interval

    def epoch_share(self, a: int, b: int, share: int) -> int:
        """A bucket's entitlement over one epoch [a, b): its share of the epoch's emission, rounded down once (the
        splitter floors every epoch on its own, so this is not floor(E(b)*s) - floor(E(a)*s))."""
        return (self.emitted(b) - self.emitted(a)) * share // BPS

    def exact(self, t: int) -> Fraction:
        """The exact integral of the piecewise-constant rate."""
        if t <= self.start:
            return Fraction(0)
        full, part = divmod(t - self.start, self.interval)
        if full >= len(self.rewards):
            return Fraction(self.total)
        return Fraction(self.prefix[full]) + Fraction(self.rewards[full] * part, self.interval)


def curve_of(splitter) -> Curve:
    """The model curve for a deployed splitter's constructor parameters."""
    return Curve(splitter.start(), splitter.interval(), splitter.initialReward(), splitter.rewardDecrease())


def split(amount: int, shares: list[int]) -> list[int]:
    """Buckets 0-3 rounded down, the rest (every remainder) to bucket 4."""
    parts = [amount * s // BPS for s in shares[:4]]
    return parts + [amount - sum(parts)]


@lru_cache(maxsize=None)
def morpheus_curve(start: int) -> Curve:
    return Curve(start, 86_400, 14_400 * 10**18, 2_468_994_701 * 10**9)
