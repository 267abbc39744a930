"""The demo story (what `make demo` prints) runs end to end on the test chain."""

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
