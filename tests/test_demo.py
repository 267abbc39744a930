"""The demo story (what `make demo` prints) runs end to end on the test chain."""

from deai.demo import Story


def test_demo_story_completes(accounts):
    lines: list[str] = []
    steps = Story(accounts, log=lines.append).run()
    assert len(steps) >= 8 and all(step.gas > 0 for step in steps)
    assert any("takes the record over" in step.action for step in steps)
