"""The gas snapshot comparison: more than 2% over the committed value, or unknown, fails."""

from __future__ import annotations

import json

import pytest

from deai.testing.gas import GasRecorder, GasRegression, compare


def test_compare_tolerates_two_percent_and_no_more():
    snapshot = {"op": 100_000}
    assert compare("op", 102_000, snapshot) is None
    assert compare("op", 90_000, snapshot) is None
    assert compare("op", 102_001, snapshot) is not None
    assert "not in gas-snapshot.json" in compare("new-op", 1, snapshot)


def test_recorder_check_mode_raises_and_update_mode_writes(tmp_path):
    recorder = GasRecorder(mode="check", snapshot={"op": 50_000})
    recorder.record("op", 50_900)
    with pytest.raises(GasRegression, match="op: 52000 gas, snapshot 50000"):
        recorder.record("op", 52_000)
    with pytest.raises(GasRegression, match="exceeds its budget"):
        GasRecorder(mode="off").record("op", 10, budget=9)
    path = tmp_path / "snap.json"
    path.write_text(json.dumps({"kept": 1, "op": 1}))
    updater = GasRecorder(mode="update", snapshot={})
    updater.record("op", 123)
    updater.write(path)
    assert json.loads(path.read_text()) == {"kept": 1, "op": 123}


def test_gas_zoo_transfers(roles, gas):
    """Reference gas of the token zoo's transfer, as a canary for the measuring set-up itself."""
    from deai.testing.tokens import deploy_token

    token = deploy_token("standard18", roles.deployer)
    token.mint(roles.alice, 10, sender=roles.alice)
    token.transfer(roles.bob, 1, sender=roles.alice)
    receipt = token.transfer(roles.bob, 1, sender=roles.alice)
    gas.record("MockERC20.transfer (warm recipient)", receipt, budget=40_000)
