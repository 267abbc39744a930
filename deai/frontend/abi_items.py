"""Small helpers over JSON ABI items (what solc and the manifests hold)."""

from __future__ import annotations

from typing import Any

from eth_utils import keccak


def canonical_type(param: dict[str, Any]) -> str:
    """`uint256`, `(address,uint64)[]`: the type as it appears in a signature."""
    kind = param["type"]
    if kind.startswith("tuple"):
        return "(" + ",".join(canonical_type(c) for c in param.get("components", [])) + ")" + kind[len("tuple"):]
    return kind


def signature(item: dict[str, Any]) -> str:
    """`name(type,...)`; `constructor` for the constructor (the key solc's devdoc uses)."""
    if item["type"] == "constructor":
        return "constructor"
    return f"{item['name']}({','.join(canonical_type(p) for p in item.get('inputs', []))})"


def selector(item: dict[str, Any]) -> str:
    """The 4-byte selector of a function or error as 0x-hex."""
    return "0x" + keccak(text=signature(item))[:4].hex()


def errors_of(abi: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [item for item in abi if item["type"] == "error"]
