"""The project's solc front end (tools/solc/solc.js) behaves like native solc for every tool that calls it."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import solcx
from solcx.exceptions import SolcError

from deai.toolchain import PROJECT_ROOT, SOLC_FRONT_END, SOLC_VERSION, SOLCX_FOLDER

OZ = PROJECT_ROOT / "node_modules" / "@openzeppelin" / "contracts"
BIG_SOURCES = ("token/ERC20/ERC20.sol", "token/ERC721/ERC721.sol", "token/ERC1155/ERC1155.sol")
SOLC = str(SOLCX_FOLDER / f"solc-v{SOLC_VERSION}")


def run_solc(*args: str, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SOLC, *args], input=stdin, capture_output=True, text=True, cwd=cwd, timeout=300)


def test_version_is_native_format_and_parsed_by_py_solc_x():
    out = run_solc("--version")
    assert out.returncode == 0
    lines = out.stdout.splitlines()
    assert lines[0] == "solc, the solidity compiler commandline interface"
    assert lines[1].startswith(f"Version: {SOLC_VERSION}+commit.")
    assert str(solcx.wrapper.get_solc_version(SOLC)) == SOLC_VERSION
    assert str(solcx.wrapper.get_solc_version(SOLC, with_commit_hash=True)).startswith(f"{SOLC_VERSION}+commit")


def test_py_solc_x_finds_the_front_end_as_an_installed_version():
    assert SOLC_VERSION in [str(v) for v in solcx.get_installed_solc_versions()]
    assert Path(solcx.install.get_executable(SOLC_VERSION)).resolve() == SOLC_FRONT_END.resolve()


def _project(tmp_path: Path) -> Path:
    (tmp_path / "src" / "lib").mkdir(parents=True)
    (tmp_path / "src" / "lib" / "Base.sol").write_text(
        "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.24;\n"
        'import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";\n'
        "abstract contract Base is Ownable { constructor() Ownable(msg.sender) {} }\n"
    )
    (tmp_path / "src" / "Token.sol").write_text(
        "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.24;\n"
        'import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";\n'
        'import {Base} from "./lib/Base.sol";\n'
        'contract Token is ERC20, Base { constructor() ERC20("T", "T") { _mint(msg.sender, 1); } }\n'
    )
    return tmp_path


def test_standard_json_multi_file_project_with_openzeppelin_imports(tmp_path):
    root = _project(tmp_path)
    output = solcx.compile_standard(
        {
            "language": "Solidity",
            "sources": {"src/Token.sol": {"urls": ["src/Token.sol"]}},
            "settings": {
                "remappings": [f"@openzeppelin/contracts/={OZ}/"],
                "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object"]}},
            },
        },
        solc_binary=SOLC,
        base_path=root,
        allow_paths=OZ,
    )
    token = output["contracts"]["src/Token.sol"]["Token"]
    assert {f["name"] for f in token["abi"] if f["type"] == "function"} >= {"transfer", "owner", "renounceOwnership"}
    assert len(token["evm"]["bytecode"]["object"]) > 1000
    assert "src/lib/Base.sol" in output["sources"]
    assert f"{OZ}/token/ERC20/ERC20.sol" in output["sources"]


def test_imports_outside_allowed_paths_are_refused(tmp_path):
    root = _project(tmp_path / "inner")
    request = {
        "language": "Solidity",
        "sources": {"a.sol": {"content": 'pragma solidity ^0.8.0; import "/etc/hostname";'}},
        "settings": {"outputSelection": {"*": {"*": ["abi"]}}},
    }
    out = run_solc("--standard-json", "--base-path", str(root), stdin=json.dumps(request))
    errors = json.loads(out.stdout)["errors"]
    assert any("File outside of allowed directories" in e["message"] for e in errors)


def test_output_over_one_megabyte_arrives_intact_through_a_pipe():
    request = {
        "language": "Solidity",
        "sources": {name: {"urls": [name]} for name in BIG_SOURCES},
        "settings": {"outputSelection": {"*": {"*": ["*"], "": ["ast"]}}},
    }
    out = run_solc("--standard-json", "--base-path", str(OZ), stdin=json.dumps(request))
    assert out.returncode == 0
    assert len(out.stdout.encode()) > 1_000_000, "the request must produce a >1 MB output to test truncation"
    parsed = json.loads(out.stdout)  # a truncated write would not parse
    assert set(parsed["contracts"]) >= set(BIG_SOURCES)
    assert "ERC721" in parsed["contracts"]["token/ERC721/ERC721.sol"]


def test_combined_json_for_slither(tmp_path):
    root = _project(tmp_path)
    out = run_solc(
        "@openzeppelin/contracts/=" + str(OZ) + "/", "src/Token.sol",
        "--combined-json", "abi,ast,bin,bin-runtime,srcmap,srcmap-runtime,userdoc,devdoc,hashes",
        "--allow-paths", f".,{PROJECT_ROOT}", cwd=root,
    )
    assert out.returncode == 0, out.stderr
    combined = json.loads(out.stdout)
    token = combined["contracts"]["src/Token.sol:Token"]
    assert token["hashes"]["transfer(address,uint256)"] == "a9059cbb"
    assert set(token) >= {"abi", "bin", "bin-runtime", "srcmap", "srcmap-runtime", "userdoc", "devdoc"}
    assert combined["sources"]["src/Token.sol"]["AST"]["nodeType"] == "SourceUnit"
    assert combined["sourceList"][combined["sources"]["src/Token.sol"]["id"]] == "src/Token.sol"


def test_combined_json_without_bytecode_for_slither_keeps_the_analysis(tmp_path):
    """DEAI_SOLC_NO_BYTECODE=1 (deai.lint's slither runs): the same AST, ABI and method hashes as a full compile, the
    bytecode keys present and empty (crytic-compile reads them), and no code generation."""
    import os

    root = _project(tmp_path)
    args = ("@openzeppelin/contracts/=" + str(OZ) + "/", "src/Token.sol", "--combined-json",
            "abi,ast,bin,bin-runtime,srcmap,srcmap-runtime,userdoc,devdoc,hashes", "--allow-paths", f".,{PROJECT_ROOT}")
    outputs = {}
    for flag in ("0", "1"):
        done = subprocess.run([SOLC, *args], capture_output=True, text=True, cwd=root, timeout=300,
                              env=dict(os.environ, DEAI_SOLC_NO_BYTECODE=flag))
        assert done.returncode == 0, done.stderr
        outputs[flag] = json.loads(done.stdout)
    full, lean = outputs["0"], outputs["1"]
    assert lean["sources"] == full["sources"] and lean["sourceList"] == full["sourceList"]
    token, lean_token = full["contracts"]["src/Token.sol:Token"], lean["contracts"]["src/Token.sol:Token"]
    for key in ("abi", "hashes", "userdoc", "devdoc"):
        assert lean_token[key] == token[key]
    assert token["bin"] and token["srcmap-runtime"]
    assert {key: lean_token[key] for key in ("bin", "bin-runtime", "srcmap", "srcmap-runtime")} == dict.fromkeys(
        ("bin", "bin-runtime", "srcmap", "srcmap-runtime"), "")


def test_syntax_error_is_reported_as_solc_reports_it(tmp_path):
    bad = tmp_path / "Bad.sol"
    bad.write_text("pragma solidity ^0.8.0;\ncontract Bad { function f() public { uint x = ; } }\n")
    cli = run_solc(str(bad), "--combined-json", "abi")
    assert cli.returncode == 1
    assert "ParserError: Expected primary expression." in cli.stderr
    assert "Traceback" not in cli.stderr
    standard = run_solc(
        "--standard-json",
        stdin=json.dumps({"language": "Solidity", "sources": {"Bad.sol": {"content": bad.read_text()}}}),
    )
    assert standard.returncode == 0  # native solc reports compile errors inside the JSON
    [error] = json.loads(standard.stdout)["errors"]
    assert (error["type"], error["severity"]) == ("ParserError", "error")
    with pytest.raises(SolcError, match="Expected primary expression"):
        solcx.compile_source(bad.read_text(), solc_binary=SOLC)


@pytest.mark.parametrize(
    "args, message",
    [
        (("--frobnicate",), "Error: unrecognised option '--frobnicate'"),
        (("missing.sol",), '"missing.sol" is not found.'),
        (("--standard-json", "missing.json"), '"missing.json" is not found.'),
        (("--optimize-runs",), "Error: the required argument for option '--optimize-runs' is missing"),
        (("--include-path", "x", "a.sol"), "Error: --include-path option requires a non-empty base path."),
    ],
)
def test_bad_input_gives_solc_style_error_and_non_zero_exit(tmp_path, args, message):
    out = run_solc(*args, cwd=tmp_path)
    assert out.returncode == 1
    assert message in out.stderr
    assert "Traceback" not in out.stderr and "at " not in out.stderr.splitlines()[-1]


def test_ape_compile_surfaces_the_compiler_error(tmp_path):
    """A broken contract in an Ape project fails `ape compile` with solc's own message and exit code 1."""
    (tmp_path / "contracts").mkdir()
    (tmp_path / "contracts" / "Bad.sol").write_text("pragma solidity 0.8.30;\ncontract Bad { uint x = ; }\n")
    (tmp_path / "ape-config.yaml").write_text("name: broken\nsolidity:\n  version: 0.8.30\n")
    ape = Path(PROJECT_ROOT / ".venv" / "bin" / "ape")
    out = subprocess.run([str(ape), "compile"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert out.returncode == 1
    assert "ParserError: Expected primary expression." in out.stdout + out.stderr


def _per_file_input(root: Path, files: list[str]) -> dict:
    """A Standard JSON input as Ape writes it: every source by content, outputs selected file by file."""
    outputs = ["abi", "evm.bytecode.object", "evm.deployedBytecode.object", "devdoc"]
    return {"language": "Solidity",
            "sources": {name: {"content": (root / name).read_text()} for name in files},
            "settings": {"remappings": [f"@openzeppelin/contracts/={OZ}/"],
                         "outputSelection": {name: {"*": outputs, "": ["ast"]} for name in files}}}


def _standard_json(request: dict, jobs: int, cwd: Path) -> tuple[dict, list[str]]:
    out = subprocess.run([SOLC, "--standard-json", "--allow-paths", str(OZ)], input=json.dumps(request),
                         capture_output=True, text=True, cwd=cwd, env=dict(os.environ, DEAI_SOLC_JOBS=str(jobs)),
                         timeout=300)
    assert out.returncode == 0, out.stderr
    output = json.loads(out.stdout)
    return output, list(output.get("contracts", {}))


def test_parallel_parts_give_the_output_of_one_compile(tmp_path):
    """With two jobs, outputs selected in three folders are compiled in two child processes and merged into what a
    single compile gives, contracts in solc's order: the same name in two files (`Twin`), the last file's last.
    Each warning is reported once (both parts analyse every file). A compile error is reported as one compile does."""
    root = _project(tmp_path)
    (root / "src" / "other").mkdir()
    (root / "src" / "other" / "Twin.sol").write_text(
        "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.24;\n"
        "contract Twin { function f(uint256 unused) external pure returns (uint256) { return 1; } }\n")
    (root / "src" / "lib" / "Twin.sol").write_text(
        "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.24;\ncontract Twin { uint256 public x = 2; }\n")
    files = ["src/Token.sol", "src/lib/Base.sol", "src/lib/Twin.sol", "src/other/Twin.sol"]
    request = _per_file_input(root, files)
    single, single_order = _standard_json(request, 1, root)
    parallel, parallel_order = _standard_json(request, 2, root)
    assert parallel == single and parallel_order == single_order == files
    assert list(parallel["sources"]) == list(single["sources"]) and all("ast" in parallel["sources"][f] for f in files)
    assert [e["errorCode"] for e in parallel["errors"]] == ["5667"]  # the unused parameter, once
    (root / "src" / "other" / "Twin.sol").write_text("pragma solidity ^0.8.24;\ncontract Twin { uint x = ; }\n")
    broken = _per_file_input(root, files)
    single, _ = _standard_json(broken, 1, root)
    parallel, _ = _standard_json(broken, 2, root)
    assert parallel == single and [e["type"] for e in parallel["errors"]] == ["ParserError"]
