"""The demo story (what `make demo` prints) runs end to end on the test chain."""

from hashlib import sha256

from deai.demo import Story


def test_demo_story_completes(accounts, chain):
    lines: list[str] = []
    story = Story(accounts, log=lines.append)
    steps = story.run()
    assert len(steps) >= 8 and all(step.gas > 0 for step in steps)
    assert any("takes the record over" in step.action for step in steps)
    actions = [step.action for step in steps]
    for expected in ("accept: 30% collateral locked", "register the result in the provenance registry",
                     "close the lease", "claimAll"):
        assert any(expected in action for action in actions), expected
    # the result was submitted and registered in one transaction, by the provider, with the model as its parent
    result, model = sha256(b"fine-tuned weights, epoch 3").digest(), sha256(b"demo model weights v1").digest()
    registry, relay = story.contracts["ProvenanceRegistry"], story.contracts["ResultProvenanceRelay"]
    assert [bytes(p) for p in registry.parentsOf(result)] == [model]
    record = registry.getRecord(result)
    submitted = next(r for k, r in story.receipts.items() if k.startswith("6 hours later: submit the result"))
    [linked] = submitted.decode_logs(relay.ResultRegistered)
    lease = story.contracts["ComputeMarketplace"].getLease(linked.leaseId)
    assert (record.creator, record.origin, record.registeredAt) == (lease.provider, 2, linked.registeredAt)
    assert bytes(lease.resultHash) == result
    assert f"has parent {model.hex()[:16]}" in next(line for line in lines if "has parent" in line)
    summary = next(line for line in lines if "provider earned" in line)
    time_of = {key: chain.blocks[r.block_number].timestamp for key, r in story.receipts.items() if r is not None}
    start = time_of["accept: 30% collateral locked, the clock starts"]
    closed = time_of["close the lease: the unused 18 hours are refunded"] - start
    withdrawn = time_of["withdraw what 5 hours earned (the last hour is held back for disputes), less the fee"] - start
    price, deposit = 50, 50 * 24 * 3_600  # units of the 6-decimal mock a second; a 24-hour escrow
    holdback = 3_600  # config/networks/local.yaml: the last hour of earnings is not withdrawable yet
    fee = -(-(withdrawn - holdback) * price * 250 // 10_000)  # the fee so far (rounded up) is on what was withdrawn
    assert (f"provider earned {closed * price / 1e6:.6f} mUSD for {closed:,} s, client refunded "
            f"{(deposit - closed * price) / 1e6:.6f} mUSD, fee {fee / 1e6:.6f}") in summary
    assert closed >= 6 * 3_600 + 60
    rewards_figures(story, lines, chain, closed * price)


def rewards_figures(story, lines, chain, honest_value: int) -> None:
    """The Compute rewards chapter: both leases finalize in one epoch; each provider's reward is its pro-rata
    share of the epoch's emission capped at rebateCap x fee (config/networks/local.yaml), computed here."""
    time_of = {key: chain.blocks[r.block_number].timestamp for key, r in story.receipts.items() if r is not None}
    epoch_start, epoch_length, cap = story.epoch_start, 86_400, 5 * 10**17  # local.yaml's rewards block
    finalized = [time_of[k] for k in time_of if k.startswith("finalize")]
    assert len(finalized) == 2
    epoch = (finalized[0] - epoch_start) // epoch_length
    assert all((t - epoch_start) // epoch_length == epoch for t in finalized)
    assert story.contracts["ComputeRewards"].epochStart() == epoch_start
    claims = [k for k in time_of if k.startswith(f"claim epoch {epoch}'s")]
    assert len(claims) == 2 and "first claim" in claims[0]
    claimed_at, end = time_of[claims[0]], epoch_start + (epoch + 1) * epoch_length  # the epoch's checkpoint
    assert claimed_at > end
    splitter = story.contracts["EmissionSplitter"]
    # what the Compute bucket accrued until the claim, attributed to the epoch by the curve (ComputeRewards' rule)
    accrued = splitter.periodReward(splitter.start(), claimed_at) * 2_400 // 10_000
    emission = accrued * splitter.periodReward(epoch_start, end) // splitter.periodReward(epoch_start, claimed_at)
    wash_value = (100 * 10**6 // 3_600) * 3_600  # 100 mUSD/hour in whole units a second, for an hour
    values = {"provider": honest_value, "self-dealer": wash_value}
    total = sum(values.values())
    for who, value in values.items():
        fee = value * 250 // 10_000
        reward = min(emission * value // total, fee * cap // 10**6)  # per whole mUSD of fee
        expected = f"  {who} reward {reward} DEAI wei for fee {fee} mUSD units in epoch {epoch} (emission {emission}"
        assert any(line.startswith(expected) for line in lines), (expected, [l for l in lines if "reward" in l])
    fee, reward = wash_value * 250 // 10_000, min(emission * wash_value // total, wash_value * 250 // 10_000 * cap // 10**6)
    assert reward <= fee * 10**12 // 2  # at most 0.5 DEAI per mUSD of fee: a loss at any DEAI price below 2 mUSD
    assert any(f"self-dealer paid {fee / 1e6:.6f} mUSD in fees and earned {reward / 1e18:.18f} DEAI" in l for l in lines)
