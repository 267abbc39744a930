"""Ape cache files a killed process left half-written are dropped before a script reads them (deai.ape_cache), and every
script goes through the command class that does it. The end-to-end case (a deploy killed mid-write, then the resume and
a user command) is tests/deploy/test_standalone_node.py `test_deploy_is_resumable_after_a_kill_and_idempotent`."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from ape.managers._contractscache import ApeDataCache
from ethpm_types import ContractType

from deai.ape_cache import drop_unreadable
from deai.deploy.contracts import container
from deai.toolchain import PROJECT_ROOT

ADDRESSES = [f"0x{n:040x}" for n in range(1, 5)]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_unreadable_cache_files_of_the_network_are_dropped_and_complete_ones_kept(tmp_path):
    ecosystem = tmp_path / "ethereum"
    contract_type = json.dumps(container("ProvenanceRegistry").contract_type.model_dump(mode="json"))
    in_bytecode = contract_type.index('"0x', contract_type.index('"runtimeBytecode"')) + 2_000
    creation = json.dumps({"txn_hash": "0x" + "ab" * 32, "block": 3, "deployer": ADDRESSES[0], "factory": None})
    complete = [write(ecosystem / "custom" / "contract_types" / f"{ADDRESSES[0]}.json", contract_type),
                write(ecosystem / "custom" / "contract_creation" / f"{ADDRESSES[0]}.json", creation)]
    cut = [write(ecosystem / "custom" / "contract_types" / f"{ADDRESSES[1]}.json", contract_type[:in_bytecode]),
           write(ecosystem / "custom" / "contract_types" / f"{ADDRESSES[2]}.json", ""),  # killed before the write
           write(ecosystem / "custom" / "contract_creation" / f"{ADDRESSES[1]}.json", creation[:40]),
           write(ecosystem / "deployments_map.json", '{"ecosystems": {"ethereum": {"custom": {"Provenance')]
    other_network = write(ecosystem / "sepolia" / "contract_types" / f"{ADDRESSES[3]}.json", contract_type[:100])
    before = {path: path.read_bytes() for path in complete + [other_network]}

    ape_reads = ApeDataCache(tmp_path, "ethereum", "custom", "contract_types", ContractType)
    with pytest.raises(ValueError, match="Unterminated string"):  # what Ape logged as ERROR on every command
        ape_reads.get_type(ADDRESSES[1])

    assert sorted(drop_unreadable(ecosystem, "custom")) == sorted(cut)
    assert not any(path.exists() for path in cut)
    assert {path: path.read_bytes() for path in before} == before, "a complete file or another network's was touched"
    assert ape_reads.get_type(ADDRESSES[1]) is None and ape_reads.get_type(ADDRESSES[2]) is None
    assert ape_reads.get_type(ADDRESSES[0]).name == "ProvenanceRegistry"
    assert drop_unreadable(ecosystem, "custom") == [] and drop_unreadable(ecosystem, "base-sepolia") == []


def command_classes(script: Path) -> list[str]:
    """The `cls=` of every click command declared in a script (`@<group or click>.command(...)`)."""
    classes = []
    for node in ast.walk(ast.parse(script.read_text())):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "command":
            given = {keyword.arg: keyword.value for keyword in node.keywords}.get("cls")
            classes.append(given.id if isinstance(given, ast.Name) else repr(given))
    return classes


def test_every_script_command_drops_unreadable_caches_when_it_connects():
    scripts = sorted((PROJECT_ROOT / "scripts").glob("*.py"))
    found = {script.name: command_classes(script) for script in scripts}
    assert {"deploy.py", "market.py", "emission.py", "provenance.py"} <= set(found)
    assert all(found.values()), f"a script declares no command: {found}"
    assert all(cls == "ConnectedCommand" for classes in found.values() for cls in classes), found
