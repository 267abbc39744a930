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


EIP3860_LIMIT = 49_152  # initcode (creation code plus ABI-encoded constructor arguments), Shanghai and later


@pytest.mark.parametrize("source", production_sources(), ids=lambda source: source.stem)
def test_creation_code_fits_eip3860(source):
    """The creation code plus its constructor arguments (one word each: every constructor takes static types) fits
    EIP-3860's initcode limit. The marketplace's embeds its ProviderRegistry's and MarketplaceDisputesAdmin's: a
    change to any of the three counts (its headroom is printed)."""
    contract_type = container(source.stem).contract_type
    creation = contract_type.deployment_bytecode
    size = len(bytes.fromhex((creation.bytecode if creation and creation.bytecode else "0x").removeprefix("0x")))
    if size == 0:
        return  # abstract (checked by the runtime test above)
    arguments = 32 * len(contract_type.constructor.inputs)
    print(f"{source.stem}: {size} + {arguments} bytes of initcode, {EIP3860_LIMIT - size - arguments} to spare")
    assert size + arguments <= EIP3860_LIMIT, (
        f"{source.stem}: {size} bytes of creation code + {arguments} of constructor arguments exceed EIP-3860's "
        f"{EIP3860_LIMIT}: move code out of it (for the marketplace: out of it, its registry or its disputes module)")

INITCODE_MARGIN = 256  # bytes the ComputeMarketplace (the largest initcode) keeps below EIP-3860 (367 left in round 5)


def test_marketplace_deployment_initcode_fits_eip3860():
    """What the deploy plan sends to create the ComputeMarketplace (creation code, which embeds its ProviderRegistry's
    and its disputes module's, plus its ABI-encoded constructor arguments as deai.deploy.marketplace builds them)
    stays at least INITCODE_MARGIN bytes under EIP-3860's limit. Every argument is a static type, so the encoding's
    length does not depend on the values."""
    from eth_abi import encode

    from deai.deploy.marketplace import CONTRACT, MarketplaceParams

    contract_type = container(CONTRACT).contract_type
    creation = bytes.fromhex(contract_type.deployment_bytecode.bytecode.removeprefix("0x"))
    [constructor] = [item for item in contract_type.abi if item.type == "constructor"]
    types = [arg.canonical_type for arg in constructor.inputs]
    address = "0x" + "11" * 20
    args = encode(types, list(MarketplaceParams().constructor_args(address, address, address, address, address)))
    assert len(args) == 32 * len(types)
    initcode = len(creation) + len(args)
    assert initcode <= EIP3860_LIMIT - INITCODE_MARGIN, (
        f"{CONTRACT}: {initcode} bytes of initcode ({len(creation)} creation code + {len(args)} constructor "
        f"arguments; limit {EIP3860_LIMIT}, keep {INITCODE_MARGIN} bytes of margin)")
