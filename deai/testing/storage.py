"""Raw storage for tests: contracts' layouts from solc's own `storageLayout` output (no bytecode is generated, so it
takes about a second), and one slot written on either backend, e.g. a counter moved to a bound no test could reach by
transactions."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from deai.toolchain import PROJECT_ROOT, SOLC_VERSION

MARKETPLACE_FILES = (("ComputeMarketplace", "contracts/marketplace/ComputeMarketplace.sol"),
                     ("MarketplaceDisputesAdmin", "contracts/marketplace/MarketplaceDisputesAdmin.sol"))


@lru_cache(maxsize=4)
def layouts(files: tuple[tuple[str, str], ...] = MARKETPLACE_FILES) -> dict[str, Any]:
    """`{name: [(slot, offset, label, type), ...], name + ".types": {...}}` for each (contract name, source path),
    compiled together (struct ids in type names are AST ids, equal within one compilation)."""
    import solcx

    standard = {
        "language": "Solidity",
        "sources": {path: {"urls": [path]} for _, path in files},
        "settings": {"remappings": ["@openzeppelin/contracts=node_modules/@openzeppelin/contracts"],
                     "outputSelection": {path: {name: ["storageLayout"]} for name, path in files}},
    }
    output = solcx.compile_standard(standard, solc_version=SOLC_VERSION, allow_paths=[str(PROJECT_ROOT)],
                                    base_path=str(PROJECT_ROOT))
    result: dict[str, Any] = {}
    for name, path in files:
        layout = output["contracts"][path][name]["storageLayout"]
        result[name] = [(int(v["slot"]), v["offset"], v["label"], v["type"]) for v in layout["storage"]]
        result[name + ".types"] = layout["types"]
    return result


def slot_of(contract: str, label: str, files: tuple[tuple[str, str], ...] = MARKETPLACE_FILES) -> int:
    """The slot of state variable `label` of `contract` (a dynamic array's length, a mapping's seed)."""
    return next(slot for slot, _, name, _ in layouts(files)[contract] if name == label)


def write_storage(chain: Any, address: Any, slot: int, value: int) -> None:
    """Write one raw storage slot of `address` on `chain`: the in-process chain, or Ape's (anvil_setStorageAt)."""
    address = getattr(address, "address", address)
    if hasattr(chain, "set_storage"):
        chain.set_storage(address, slot, value)
    else:
        chain.provider.set_storage(address, slot, value.to_bytes(32, "big"))
