"""The demo story (what `make demo` prints) runs end to end on the test chain."""

from deai.demo import Story


def test_demo_story_completes(accounts):
    lines: list[str] = []
    steps = Story(accounts, log=lines.append).run()
    assert len(steps) >= 8 and all(step.gas > 0 for step in steps)
    assert any("takes the record over" in step.action for step in steps)
    actions = [step.action for step in steps]
    for expected in ("accept: 30% collateral locked", "register the result in the provenance registry",
                     "close the lease", "claimAll"):
        assert any(expected in action for action in actions), expected
    summary = next(line for line in lines if "provider earned" in line)
    assert "provider earned 1.083000 mUSD for 21,660 s, client refunded 3.237000 mUSD, fee 0.027000" in summary  # fee on the 6 h withdrawn
