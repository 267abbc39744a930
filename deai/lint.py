"""Static analysis: slither over every production contract, through the project's solc front end.

High- and medium-impact findings fail unless `slither-triage.json` lists them with a reason:
    [{"check": "reentrancy-no-eth", "match": "ComputeMarketplace.finalize", "reason": "..."}]
An entry matches a finding when the check is the same and `match` occurs in the finding's description.
Run `make lint` (or `python -m deai.lint`); tests/toolchain/test_lint.py runs the same check in CI.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from deai.toolchain import PROJECT_ROOT, SOLC_FRONT_END

CONTRACTS = PROJECT_ROOT / "contracts"
TRIAGE_FILE = PROJECT_ROOT / "slither-triage.json"
FAILING_IMPACTS = ("High", "Medium")
REMAPPING = f"@openzeppelin/contracts/={PROJECT_ROOT / 'node_modules' / '@openzeppelin' / 'contracts'}/"


@dataclass(frozen=True)
class Finding:
    check: str
    impact: str
    description: str


def production_sources() -> list[Path]:
    """Every Solidity file under contracts/ except test doubles (contracts/test), interfaces and caches."""
    def is_production(path: Path) -> bool:
        parts = path.relative_to(CONTRACTS).parts
        # Ape caches dependencies under contracts/.cache; test doubles and interfaces are not production code.
        return not any(part.startswith(".") or part in ("test", "interfaces") for part in parts)

    return sorted(p for p in CONTRACTS.rglob("*.sol") if is_production(p))


def needs_bytecode() -> bool:
    """Slither reads bytecode only to give `type(C).creationCode` / `runtimeCode` their values; without them in the
    project's contracts it analyses the AST alone, so the solc front end can skip code generation
    (DEAI_SOLC_NO_BYTECODE, tools/solc/solc.js)."""
    texts = (p.read_text() for p in CONTRACTS.rglob("*.sol") if not any(x.startswith(".") for x in p.parts))
    return any("creationCode" in text or "runtimeCode" in text for text in texts)


def analyse(sources: list[Path]) -> list[Finding]:
    """Slither's findings for the given sources, analysed together as one program in one slither run: a temporary
    entry file imports each source under its own unit alias (no name clash), so one solc front-end run parses them
    all. An abstract base is thus analysed with the contracts that derive from it (a state variable the derived
    constructor writes is not "never initialized"), and slither starts once instead of once per file (12 s of CPU
    instead of 46 s for the eleven production sources)."""
    env = dict(os.environ, DEAI_SOLC_NO_BYTECODE="0" if needs_bytecode() else "1")
    scratch = PROJECT_ROOT / ".cache" / "lint"  # inside the project: the solc front end reads only allowed paths
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=scratch) as tmp:
        entry = Path(tmp) / "AllSources.sol"
        entry.write_text("// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0;\n" + "".join(
            f'import "{os.path.relpath(source, entry.parent)}" as Source{index};\n'
            for index, source in enumerate(sources)))
        report = Path(tmp) / "slither.json"
        proc = subprocess.run(
            [
                str(Path(sys.executable).parent / "slither"), str(entry.relative_to(PROJECT_ROOT)),
                "--solc", str(SOLC_FRONT_END), "--solc-remaps", REMAPPING,
                "--solc-args", "--optimize --via-ir --evm-version prague",  # as Ape compiles
                "--exclude-dependencies", "--json", str(report),
            ],
            cwd=PROJECT_ROOT, capture_output=True, text=True, env=env,
        )
        if not report.exists():
            raise RuntimeError(f"slither failed: {proc.stderr.strip()[-2000:]}")
        data = json.loads(report.read_text())
    if not data["success"]:
        raise RuntimeError(f"slither failed: {data.get('error')}")
    return [
        Finding(r["check"], r["impact"], r["description"].strip())
        for r in data.get("results", {}).get("detectors", [])
        if not _only_in_dependencies(r)
    ]


def _only_in_dependencies(result: dict) -> bool:
    """A finding located entirely inside node_modules (OpenZeppelin) is the library's, not ours."""
    files = [e.get("source_mapping", {}).get("filename_relative", "") for e in result.get("elements", [])]
    return bool(files) and all("node_modules/" in f for f in files)


def load_triage() -> list[dict[str, str]]:
    entries = json.loads(TRIAGE_FILE.read_text()) if TRIAGE_FILE.exists() else []
    for entry in entries:
        if not entry.get("reason", "").strip():
            raise ValueError(f"triage entry without a reason: {entry}")
    return entries


def excuses(entry: dict[str, str], finding: Finding) -> bool:
    """Whether a triage entry covers a finding: same check, and its `match` text is in the finding's description."""
    return entry["check"] == finding.check and entry["match"] in finding.description


def untriaged(findings: list[Finding], triage: list[dict[str, str]]) -> list[Finding]:
    return [f for f in findings if f.impact in FAILING_IMPACTS and not any(excuses(t, f) for t in triage)]


def unused(findings: list[Finding], triage: list[dict[str, str]]) -> list[dict[str, str]]:
    """Triage entries that match no finding (the code they excused changed): to be deleted, so that the file says
    exactly what is excused."""
    return [t for t in triage if not any(excuses(t, f) for f in findings)]


def main() -> int:
    triage = load_triage()
    sources = production_sources()
    findings = analyse(sources)
    failures = untriaged(findings, triage)
    stale = unused(findings, triage)
    print(f"{len(sources)} production sources: {len(findings)} findings, {len(failures)} untriaged high/medium, "
          f"{len(stale)} triage entries matching nothing")
    for entry in stale:
        print(f"\n[stale triage entry] {entry['check']}: {entry['match']}")
    for f in dict.fromkeys(failures):
        print(f"\n[{f.impact}] {f.check}\n{f.description}")
    return 1 if failures or stale else 0


if __name__ == "__main__":
    sys.exit(main())
