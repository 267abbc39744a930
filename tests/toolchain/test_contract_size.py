"""EIP-170: mainnet and every L2 refuse to deploy runtime code above 24,576 bytes (anvil would not tell us by
default in every configuration), so each production contract's compiled size is checked here."""

from __future__ import annotations

import pytest

from deai.deploy.contracts import container
from deai.lint import production_sources

EIP170_LIMIT = 24_576
MARGIN = 2_048  # every production contract keeps this much room for fixes


@pytest.mark.parametrize("source", production_sources(), ids=lambda source: source.stem)
def test_runtime_code_fits_eip170(source):
    name = source.stem
    runtime = container(name).contract_type.runtime_bytecode
    size = len(bytes.fromhex((runtime.bytecode if runtime and runtime.bytecode else "0x").removeprefix("0x")))
    if size == 0:  # an abstract base (storage layout, shared rules) is never deployed on its own
        assert f"abstract contract {name} " in source.read_text(), f"{name}: no runtime code"
        return
    assert size <= EIP170_LIMIT - MARGIN, (
        f"{name}: {size} bytes of runtime code (limit {EIP170_LIMIT}, keep {MARGIN} bytes of margin)")
