"""The whole Morpheus schedule, walked with random time jumps and random claims to past day 5,833."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from emission_oracle import BPS, morpheus_curve

DAY = 86_400
SHARES = [2400, 2400, 2400, 2400, 400]


# Seed 1 on anvil (the node the suite deploys to); sixteen walks in-process, where one costs milliseconds, not seconds.
WALKS = [("ape", 1)] + [("revm", seed) for seed in range(1, 17)]


@pytest.mark.parametrize("backend, seed", WALKS, indirect=["backend"])
def test_whole_schedule_mints_exactly_the_curve(backend, emission, recipients, seed):
    roles, chain = backend.roles, backend.chain
    token, splitter, start = emission
    curve = morpheus_curve(start)  # summed day by day in Python, independently of the contract
    rng = random.Random(seed)
    assert len(curve.rewards) == 5833 and curve.total == 41_999_999_998_839_372 * 10**9
    assert curve.total <= token.cap()
    now = start - 10
    paid_bound = [0] * 5
    while now < curve.end + 30 * DAY:
        now += rng.choice([1, 59, DAY - 1, DAY, DAY + 1, rng.randint(1, 400 * DAY)])
        chain.pending_timestamp = now
        bucket = rng.randrange(6)
        receipt = splitter.claimAll(sender=roles.mallory) if bucket == 5 else splitter.claim(bucket, sender=roles.mallory)
        t = chain.blocks[receipt.block_number].timestamp
        emitted = curve.emitted(t)
        assert emitted <= curve.exact(t)
        minted = token.totalSupply()
        assert minted <= emitted <= token.cap()
        for b in range(4):
            claimed = splitter.claimed(b)
            assert claimed <= Fraction(emitted * SHARES[b], BPS), "a 24% bucket got more than its exact share"
            assert claimed >= paid_bound[b]
            paid_bound[b] = claimed
        assert sum(splitter.claimed(b) + splitter.claimable(b) for b in range(5)) == emitted
    splitter.claimAll(sender=roles.mallory)
    total = curve.total
    for b in range(4):
        assert token.balanceOf(recipients[b]) == total * SHARES[b] // BPS  # floor: at most one wei below exact
        assert Fraction(total * SHARES[b], BPS) - token.balanceOf(recipients[b]) < 1
    assert token.balanceOf(recipients[4]) == total - 4 * (total * 2400 // BPS)  # every remainder
    assert token.totalSupply() == total == splitter.totalEmitted()
    assert all(splitter.claimable(b) == 0 for b in range(5))
    assert splitter.claim.call(0) == 0 and splitter.claim.call(4) == 0  # after the end, claims return zero


def test_last_interval_and_after_the_end(emission):
    _, splitter, start = emission
    curve = morpheus_curve(start)
    last = start + 5832 * DAY
    assert splitter.periodReward(last, last + DAY) == curve.rewards[-1] == 822_903_768 * 10**9
    assert splitter.intervalReward(5832) == curve.rewards[-1] and splitter.intervalReward(5833) == 0
    assert splitter.periodReward(last + DAY, last + 400 * DAY) == 0
    assert splitter.periodReward(start - 5 * DAY, start) == 0
    assert splitter.periodReward(start, start + 100 * 365 * DAY) == curve.total
