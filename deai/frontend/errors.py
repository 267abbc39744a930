"""The custom errors a call into each contract can revert with, including the ones raised by the contracts it
calls and bubbled up (a token's `ERC20InsufficientAllowance` inside `openLease`, the splitter's inside a pool claim).

Derived, never listed by hand: a contract's own ABI (solc already includes inherited and library errors such as
SafeERC20FailedOperation), plus, for every contract type its source names (`IEmissionSplitter`, `IERC20`, ...), the
errors of that contract: a project contract (`IFoo` -> `Foo`, transitively) or the OpenZeppelin implementation in
the compiled OpenZeppelin artifacts (`IERC20` -> ERC20, whose errors are IERC20Errors).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from deai.frontend.abi_items import errors_of, signature
from deai.frontend.solidity import error_doc, referenced_types
from deai.toolchain import PROJECT_ROOT

OZ_ROOT = PROJECT_ROOT / "node_modules" / "@openzeppelin" / "contracts"
OZ_BUILD = OZ_ROOT / "build" / "contracts"


@dataclass(frozen=True)
class SourcedError:
    item: dict[str, Any]
    origin: str  # the contract that declares it ("ERC20 (OpenZeppelin)" for an OpenZeppelin artifact)
    natspec: tuple[tuple[str, Any], ...] = ()  # parsed from the source when the artifact has no devdoc (OpenZeppelin)

    def docs(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """(devdoc, userdoc) shaped like solc's, for natspec.item_doc."""
        tags = dict(self.natspec)
        key = signature(self.item)
        dev = {k: v for k, v in tags.items() if k in ("details", "params")}
        if "details" not in dev and self.origin.endswith(" (OpenZeppelin)"):  # e.g. ShortStrings' errors: no NatSpec
            contract = self.origin.removesuffix(" (OpenZeppelin)")
            dev["details"] = f"Raised inside OpenZeppelin's {contract} or a library it uses; its declaration has no NatSpec."
        user = {"notice": tags["notice"]} if "notice" in tags else {}
        return {"errors": {key: [dev]}}, {"errors": {key: [user]}}


@cache
def oz_artifact(name: str) -> dict[str, Any] | None:
    path = OZ_BUILD / f"{name}.json"
    if not path.exists():
        return None
    return json.loads(path.read_text())


def _callee(identifier: str, own: str, project: dict[str, Any]) -> str | None:
    """The project contract, or `oz:<Name>`, that a type named `identifier` in `own`'s source stands for."""
    candidates = [identifier] + ([identifier[1:]] if identifier[:1] == "I" and identifier[1:2].isupper() else [])
    for name in candidates:
        if name in project and name != own:
            return name
    if identifier[:1] == "I" and identifier[1:2].isupper() and oz_artifact(identifier[1:]) is not None:
        return f"oz:{identifier[1:]}"
    return None


def reachable_errors(name: str, project: dict[str, Any], _seen: frozenset[str] = frozenset()) -> list[SourcedError]:
    """`name`'s own errors, then those of every contract it calls (depth-first), each signature once.

    `project` maps production contract names to their ethpm ContractType."""
    found: dict[str, SourcedError] = {}
    contract_type = project[name]
    for item in errors_of(abi_of(contract_type)):
        found.setdefault(signature(item), SourcedError(item, name))
    source = PROJECT_ROOT / contract_type.source_id
    for identifier in sorted(referenced_types(source)):
        callee = _callee(identifier, name, project)
        if callee is None or callee in _seen | {name}:
            continue
        if callee.startswith("oz:"):
            artifact = oz_artifact(callee[3:]) or {}
            source = OZ_ROOT / artifact.get("sourceName", "").removeprefix("contracts/")
            for item in errors_of(artifact.get("abi", [])):
                doc = tuple(error_doc(source, item["name"]).items()) if source.is_file() else ()
                found.setdefault(signature(item), SourcedError(item, f"{callee[3:]} (OpenZeppelin)", doc))
            continue
        for error in reachable_errors(callee, project, _seen | {name}):
            found.setdefault(signature(error.item), error)
    return list(found.values())


def abi_of(contract_type: Any) -> list[dict[str, Any]]:
    return [item.model_dump(mode="json", by_alias=True, exclude_none=True) for item in contract_type.abi]


def merged(per_contract: dict[str, list[SourcedError]]) -> list[SourcedError]:
    """Every error of every contract, each signature once (in contract order)."""
    found: dict[str, SourcedError] = {}
    for errors in per_contract.values():
        for error in errors:
            found.setdefault(signature(error.item), error)
    return list(found.values())
