"""Sample arguments for any ABI parameter list, encoded with eth-abi, and the shape viem decodes them back into."""

from __future__ import annotations

from typing import Any

from eth_abi import encode
from eth_utils import keccak, to_checksum_address

from deai.frontend.abi_items import canonical_type, signature


def sample(param: dict[str, Any], seed: int) -> Any:
    """A valid value of `param`'s type, different for different seeds."""
    kind = param["type"]
    if kind.endswith("]"):
        base, size = kind[:kind.rindex("[")], kind[kind.rindex("[") + 1:-1]
        inner = {**param, "type": base}
        return [sample(inner, seed + i) for i in range(int(size) if size else 2)]
    if kind == "tuple":
        return tuple(sample(c, seed + i) for i, c in enumerate(param["components"]))
    if kind == "address":
        return to_checksum_address(keccak(seed.to_bytes(32, "big"))[:20])
    if kind == "bool":
        return seed % 2 == 1
    if kind.startswith("uint"):
        return (0xC0FFEE * (seed + 1)) % 2 ** int(kind[4:] or 256)
    if kind.startswith("int"):
        return -(seed + 7)
    if kind == "bytes":
        return bytes([seed % 256, 1, 2])
    if kind.startswith("bytes"):
        return keccak(seed.to_bytes(32, "big"))[:int(kind[5:])]
    if kind == "string":
        return f"value {seed}"
    raise ValueError(f"no sample for ABI type {kind}")


def revert_data(error: dict[str, Any], seed: int = 1) -> tuple[str, list[Any]]:
    """(0x revert data, arguments) of `error` with sample arguments."""
    inputs = error.get("inputs", [])
    args = [sample(p, seed + 10 * i) for i, p in enumerate(inputs)]
    data = keccak(text=signature(error))[:4] + encode([canonical_type(p) for p in inputs], args)
    return "0x" + data.hex(), args


def as_decoded(param: dict[str, Any], value: Any) -> Any:
    """`value` the way decode.mjs prints viem's decoding (bigints as strings, bytes as 0x-hex)."""
    kind = param["type"]
    if kind.endswith("]"):
        inner = {**param, "type": kind[:kind.rindex("[")]}
        return [as_decoded(inner, v) for v in value]
    if kind == "tuple":
        parts = [as_decoded(c, v) for c, v in zip(param["components"], value)]
        names = [c.get("name") for c in param["components"]]
        return dict(zip(names, parts)) if all(names) else parts
    if kind.startswith(("uint", "int")):
        bits = int(kind.lstrip("uint") or 256)
        return value if bits <= 48 else str(value)  # viem: a JS number up to 48 bits, a bigint above
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return value
