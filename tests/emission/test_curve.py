"""periodReward against the independent day-by-day model: exact values, additivity, constant gas."""

from __future__ import annotations

import pytest
from eth_abi import encode
from eth_utils import keccak
from emission_oracle import morpheus_curve
from hypothesis import given, settings
from hypothesis import strategies as st

DAY = 86_400
SPAN = 5_900 * DAY


@pytest.fixture(scope="module")
def deployed(roles, chain):
    from deai.deploy.emission import EmissionParams, deploy_emission

    start = int(chain.pending_timestamp) + 1_000
    recipients = [roles.alice, roles.bob, roles.carol, roles.dave, roles.treasury]
    splitter = deploy_emission(roles.deployer, EmissionParams(), recipients, roles.governance, roles.guardian, start).splitter
    return splitter, morpheus_curve(start)


@given(a=st.integers(-DAY, SPAN), b=st.integers(-DAY, SPAN), c=st.integers(-DAY, SPAN))
@settings(max_examples=40)
def test_period_reward_matches_model_and_is_additive(deployed, a, b, c):
    splitter, curve = deployed
    a, b, c = sorted(curve.start + x for x in (a, b, c))
    whole = splitter.periodReward(a, c)
    assert whole == curve.emitted(c) - curve.emitted(a)
    assert splitter.periodReward(a, b) + splitter.periodReward(b, c) == whole  # pieces never sum to more
    assert whole <= curve.exact(c) - curve.exact(a) + 1  # floors only: never above the exact integral (±1 wei)
    if c > a:
        assert splitter.periodReward(c, a) == 0  # a reversed range is empty


@pytest.mark.node_only("estimates gas through the node's web3")
def test_period_reward_gas_is_constant(deployed, gas):
    splitter, curve = deployed
    costs = {}
    for label, length in (("1 hour", 3600), ("16 years", 5_840 * DAY)):
        calldata = keccak(text="periodReward(uint256,uint256)")[:4] + encode(
            ["uint256", "uint256"], [curve.start + 7, curve.start + 7 + length])
        estimate = splitter.provider.web3.eth.estimate_gas({"to": splitter.address, "data": "0x" + calldata.hex()})
        intrinsic = 21_000 + sum(16 if byte else 4 for byte in calldata)
        costs[label] = gas.record(f"EmissionSplitter.periodReward ({label}, execution)", estimate - intrinsic, budget=10_000)
    assert abs(costs["1 hour"] - costs["16 years"]) < 500
