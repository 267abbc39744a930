"""deai.testing.calldata: a call's calldata from its signature, for calls sent through a contract (CallForwarder)."""

from __future__ import annotations

from eth_abi import decode

from deai.testing.calldata import calldata, parameter_types

ALICE = "0x" + "a1" * 20


class _Account:
    address = ALICE


def test_parameter_types_keep_tuples_and_arrays_whole():
    assert parameter_types("f()") == []
    assert parameter_types("claim(uint256)") == ["uint256"]
    assert parameter_types("f(uint256,(address,(bool,bytes)),bytes32[],(uint8,uint8)[2])") == [
        "uint256", "(address,(bool,bytes))", "bytes32[]", "(uint8,uint8)[2]"]


def test_calldata_is_the_selector_then_the_encoded_arguments_with_accounts_as_addresses():
    data = calldata("transfer(address,uint256)", _Account(), 5)
    assert data[:4].hex() == "a9059cbb"  # ERC-20 transfer's well-known selector
    assert decode(["address", "uint256"], data[4:]) == (ALICE, 5)
    data = calldata("claimMany(uint256[])", [0, 7])
    assert data[:4].hex() == "925489a8"  # keccak("claimMany(uint256[])")[:4]
    assert decode(["uint256[]"], data[4:]) == ((0, 7),)
    assert calldata("f()") == bytes.fromhex("26121ff0")  # keccak("f()")[:4]


def test_accounts_inside_arrays_and_tuples_are_taken_by_address():
    data = calldata("setWeights(address[],uint256[])", [_Account(), ALICE], [5, 6])
    assert decode(["address[]", "uint256[]"], data[4:]) == ((ALICE, ALICE), (5, 6))
    data = calldata("f((address,uint256))", (_Account(), 1))
    assert decode(["(address,uint256)"], data[4:]) == ((ALICE, 1),)
