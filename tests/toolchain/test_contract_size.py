"""EIP-170: mainnet and every L2 refuse to deploy runtime code above 24,576 bytes (anvil would not tell us by
default in every configuration), so each production contract's compiled size is checked here."""

from __future__ import annotations

import pytest

from deai.deploy.contracts import container
from deai.lint import production_sources

EIP170_LIMIT = 24_576


@pytest.mark.parametrize("name", [source.stem for source in production_sources()])
def test_runtime_code_fits_eip170(name):
    size = len(bytes.fromhex(container(name).contract_type.runtime_bytecode.bytecode.removeprefix("0x")))
    assert 0 < size <= EIP170_LIMIT, f"{name}: {size} bytes of runtime code (limit {EIP170_LIMIT})"
