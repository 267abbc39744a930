"""NatSpec (solc's devdoc and userdoc, as Ape stores them in the ContractType) as TSDoc comments."""

from __future__ import annotations

from typing import Any

from deai.frontend.abi_items import signature


def _clean(text: str) -> str:
    return " ".join(str(text).split()).replace("*/", "*\\/")


def _docs(doc: Any) -> dict[str, Any]:
    if doc is None:
        return {}
    return doc if isinstance(doc, dict) else doc.model_dump(mode="json", by_alias=True, exclude_none=True)


def _first(entry: Any) -> dict[str, Any]:
    """Errors' docs are lists (one per declaration); take the first."""
    if isinstance(entry, list):
        return entry[0] if entry else {}
    return entry or {}


def item_doc(item: dict[str, Any], devdoc: Any, userdoc: Any) -> list[str]:
    """The TSDoc lines (without `/**`) for one ABI item."""
    dev, user = _docs(devdoc), _docs(userdoc)
    section = {"function": "methods", "constructor": "methods", "event": "events", "error": "errors"}.get(item["type"])
    if section is None:
        return []
    key = signature(item)
    notice = _first(user.get(section, {}).get(key)).get("notice")
    details = _first(dev.get(section, {}).get(key))
    if item["type"] == "function" and not details:
        details = dev.get("stateVariables", {}).get(item["name"], {})  # a public variable's getter
    lines = []
    if notice:
        lines.append(_clean(notice))
    if details.get("details"):
        lines.append("@remarks " + _clean(details["details"]))
    for name, text in (details.get("params") or {}).items():
        lines.append(f"@param {name} - {_clean(text)}")
    returns = details.get("returns") or {}
    if isinstance(returns, dict) and returns:
        parts = [f"`{k}`: {_clean(v)}" if not k.startswith("_") else _clean(v) for k, v in returns.items()]
        lines.append("@returns " + "; ".join(parts))
    elif isinstance(returns, str):
        lines.append("@returns " + _clean(returns))
    return lines


def contract_doc(devdoc: Any, userdoc: Any) -> list[str]:
    dev, user = _docs(devdoc), _docs(userdoc)
    lines = [_clean(x) for x in (dev.get("title"), user.get("notice")) if x]
    if dev.get("details"):
        lines.append("@remarks " + _clean(dev["details"]))
    return lines


def comment(lines: list[str], indent: str = "") -> str:
    if not lines:
        return ""
    body = "".join(f"{indent} * {line}\n" for line in lines)
    return f"{indent}/**\n{body}{indent} */\n"
