"""Calldata of a function call from its signature, for tests that send a call through a contract (the CallForwarder
double: a contract caller, not an account): `calldata("mint(address,uint256)", alice, 1)`."""

from __future__ import annotations

from typing import Any

from eth_abi import encode
from eth_utils import keccak


def parameter_types(signature: str) -> list[str]:
    """The parameter types of `name(type,...)`, tuples kept whole: "f(uint256,(address,bool))" -> two types."""
    inner = signature[signature.index("(") + 1:signature.rindex(")")]
    types, depth, start = [], 0, 0
    for index, char in enumerate(inner):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            types.append(inner[start:index])
            start = index + 1
    if inner:
        types.append(inner[start:])
    return types


def _plain(value: Any) -> Any:
    """An account or contract as its address, inside lists and tuples too; anything else unchanged."""
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(item) for item in value)
    return getattr(value, "address", value)


def calldata(signature: str, *args: Any) -> bytes:
    """The 4-byte selector of `signature` followed by `args` ABI-encoded as its parameter types (accounts and
    contracts are taken by their address, also inside arrays and tuples)."""
    return keccak(text=signature)[:4] + encode(parameter_types(signature), [_plain(arg) for arg in args])
