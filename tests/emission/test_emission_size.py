"""The emission contracts keep at least 2,048 bytes of EIP-170 headroom (the developers' guide). The suite-wide size
test (tests/toolchain/test_contract_size.py) checks only the limit itself while ComputeMarketplace is above the margin."""

from __future__ import annotations

import pytest

from deai.deploy.contracts import container

EIP170_LIMIT, MARGIN = 24_576, 2_048


@pytest.mark.parametrize("name", ["EmissionToken", "EmissionSplitter", "RewardPool"])
def test_emission_contracts_keep_the_margin(name):
    size = len(bytes.fromhex(container(name).contract_type.runtime_bytecode.bytecode.removeprefix("0x")))
    assert 0 < size <= EIP170_LIMIT - MARGIN, f"{name}: {size} bytes of runtime code"
