"""`make mutation`: mutation testing of every production contract with slither-mutate (ships with the pinned
slither-analyzer), killed by the in-process state machines.

slither-mutate generates the mutants (its mutators: RR revert a function body, CR comment a line out, ROR/AOR/LOR/
BOR/UOR/ASOR operator swaps, MIA/MWA conditions, LIR/MVIE/MVIV literals, SBR/FHR Solidity-specific) and keeps its
bookkeeping (a line whose revert/comment mutant survives is not mutated further). Each mutant is judged here instead of
by its `--test-cmd` round trip: the mutated file is compiled with the project's solc front end (no optimizer, no IR:
seconds instead of a minute; the marketplace's sources through the IR pipeline, which they need; EIP-170 and the
initcode limit are lifted for it in-process), its contract type replaces Ape's for the in-process
backend (DEAI_REVM_ARTIFACTS), and the contract's machine tests run on revm (`mutation` hypothesis profile: 25 runs x
60 steps, no example database, no shrinking). A mutant those miss is then compiled by Ape and judged by the
contract's unit tests on anvil ("killed on anvil"). Killed: some test fails. Survived: all pass. Invalid: the
mutant does not compile. A campaign resumes: mutants already in the results are not run again (`--fresh` forgets).

Results go to .cache/mutation/results.jsonl (one line per mutant) and a per-contract table on stdout;
`mutation-survivors.json` (committed) triages every survivor: "equivalent" with the reason, or the test that now
kills it.

    python -m deai.mutation [--contracts A,B] [--mutators ROR,AOR,...] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from deai.toolchain import PROJECT_ROOT, SOLC_FRONT_END

ANVIL_TESTS = {  # stage 2, survivors of the in-process machines only: the contract's unit tests on anvil
    "ProvenanceRegistry": ["tests/provenance", "-k", "not state_machine and not gas"],
    "EmissionToken": ["tests/emission/test_splitter.py", "-k", "token"],  # the token's own unit tests
    "EmissionSplitter": ["tests/emission", "-k", "not state_machine and not gas"],
    "RewardPool": ["tests/emission", "-k", "not state_machine and not gas"],
    "ComputeMarketplace": ["tests/marketplace", "-k", "not state_machine and not gas"],
    "ProviderRegistry": ["tests/marketplace", "-k", "not state_machine and not gas"],
    "MarketplaceDisputesAdmin": ["tests/marketplace", "-k", "not state_machine and not gas"],
    "MarketplaceBase": ["tests/marketplace", "-k", "not state_machine and not gas"],
    "MarketplaceLens": ["tests/marketplace/test_lens.py"],
    "ComputeRewards": ["tests/rewards", "-k", "not state_machine and not gas"],
    "ResultProvenanceRelay": ["tests/rewards/test_results_provenance.py"],
}
ANVIL_TIMEOUT = 900
MARKET_MACHINES = ["tests/marketplace/test_market_state_machine.py", "-k", "revm"]
CONTRACTS = {  # production contract: (source, the in-process machine tests that judge its mutants)
    "ProvenanceRegistry": ("contracts/provenance/ProvenanceRegistry.sol",
                           ["tests/provenance/test_state_machine.py", "tests/provenance/test_takeover_parents.py",
                            "tests/provenance/test_domain_separator.py", "-k", "revm"]),
    "EmissionToken": ("contracts/emission/EmissionToken.sol",
                      ["tests/emission/test_state_machines.py", "-k", "revm"]),
    "EmissionSplitter": ("contracts/emission/EmissionSplitter.sol",
                         ["tests/emission/test_state_machines.py", "-k", "revm"]),
    "RewardPool": ("contracts/emission/RewardPool.sol",
                   ["tests/emission/test_state_machines.py", "-k", "revm and reward_pool"]),
    "ComputeMarketplace": ("contracts/marketplace/ComputeMarketplace.sol", MARKET_MACHINES),
    # created by ComputeMarketplace's constructor (`new`): their creation code is inside the marketplace's, so a
    # mutant of theirs is compiled through the marketplace (HOSTS) and judged by the marketplace machine
    "ProviderRegistry": ("contracts/marketplace/ProviderRegistry.sol", MARKET_MACHINES),
    "MarketplaceDisputesAdmin": ("contracts/marketplace/MarketplaceDisputesAdmin.sol", MARKET_MACHINES),
    # abstract: its code runs inside ComputeMarketplace and MarketplaceDisputesAdmin
    "MarketplaceBase": ("contracts/marketplace/MarketplaceBase.sol", MARKET_MACHINES),
    # read-only views no machine uses: the marketplace machine lets every mutant through to the lens's unit tests
    "MarketplaceLens": ("contracts/marketplace/MarketplaceLens.sol", MARKET_MACHINES),
    "ComputeRewards": ("contracts/rewards/ComputeRewards.sol",
                       ["tests/rewards/test_rewards_state_machine.py", "-k", "revm"]),
    # no machine uses the relay: the marketplace machine lets every mutant through to the relay's unit tests
    "ResultProvenanceRelay": ("contracts/marketplace/ResultProvenanceRelay.sol", MARKET_MACHINES),
}
MARKET_HOST = ("contracts/marketplace/ComputeMarketplace.sol",
               ("ComputeMarketplace", "ProviderRegistry", "MarketplaceDisputesAdmin"))
HOSTS = {  # contract: (the source compiled for its mutants, the contract types that replace Ape's)
    "ProviderRegistry": MARKET_HOST,
    "MarketplaceDisputesAdmin": MARKET_HOST,
    "MarketplaceBase": MARKET_HOST,
}
# Sources that are "stack too deep" without the IR pipeline: compiled with --via-ir (still no optimizer: ~11 s of CPU
# for the marketplace with the two contracts it creates)
VIA_IR = {MARKET_HOST[0]}
PRODUCTION_FOLDERS = ("contracts/marketplace", "contracts/emission", "contracts/provenance", "contracts/rewards")
OUT = PROJECT_ROOT / ".cache" / "mutation"
RESULTS = OUT / "results.jsonl"
SURVIVORS_FILE = PROJECT_ROOT / "mutation-survivors.json"
REMAPPING = f"@openzeppelin/contracts/={PROJECT_ROOT / 'node_modules' / '@openzeppelin' / 'contracts'}/"
TEST_TIMEOUT = 300


def compile_types(source: str, names: tuple[str, ...]) -> dict[str, dict[str, Any]] | None:
    """The contract types (abi + creation bytecode) of `names` compiled from `source` (and what it imports) as it
    is on disk now; None if it does not compile or one of them has no bytecode."""
    flags = ["--via-ir"] if source in VIA_IR else []
    done = subprocess.run(
        [str(SOLC_FRONT_END), REMAPPING, "--evm-version", "prague", *flags, "--combined-json", "abi,bin", source],
        cwd=PROJECT_ROOT, capture_output=True, text=True,
    )
    if done.returncode != 0:
        return None
    contracts = json.loads(done.stdout)["contracts"]
    types = {}
    for name in names:
        key = next((k for k in contracts if k.split(":")[-1] == name), None)
        if key is None or not contracts[key].get("bin"):
            return None
        abi = contracts[key]["abi"]
        abi = json.loads(abi) if isinstance(abi, str) else abi
        types[name] = {"contractName": name, "abi": abi,
                       "deploymentBytecode": {"bytecode": "0x" + contracts[key]["bin"]}}
    return types


def compile_contract(source: str, name: str) -> dict[str, dict[str, Any]] | None:
    """The contract types that replace Ape's for a mutant of `name` whose (mutated) file is `source`: the contract
    itself, or, for one another contract creates (HOSTS), the host's and every contract it creates."""
    if name in HOSTS:
        host, names = HOSTS[name]
        return compile_types(host, names)
    return compile_types(source, (name,))


def production_contracts() -> dict[str, str]:
    """Every contract declared in the production folders: name -> source (what `make mutation` must cover)."""
    import re

    found = {}
    for folder in PRODUCTION_FOLDERS:
        for path in sorted((PROJECT_ROOT / folder).glob("*.sol")):  # interfaces/ (a subfolder) has no code
            for match in re.finditer(r"^(?:abstract\s+)?contract\s+(\w+)", path.read_text(), re.MULTILINE):
                found[match.group(1)] = str(path.relative_to(PROJECT_ROOT))
    return found


def run_tests(name: str, contract_types: dict[str, dict[str, Any]]) -> bool:
    """True when the contract's in-process machine tests pass against `contract_types` (name -> contract type,
    replacing Ape's)."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(contract_types, f)
        override = f.name
    env = {**os.environ, "HYPOTHESIS_PROFILE": "mutation", "DEAI_REVM_ARTIFACTS": override}
    cmd = [sys.executable, "-m", "pytest", "-p", "no:ape_test", "-p", "no:cacheprovider", "-x", "-q",
           *CONTRACTS[name][1]]
    try:
        done = subprocess.run(cmd, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=TEST_TIMEOUT)
        return done.returncode == 0
    except subprocess.TimeoutExpired:
        return False  # a mutant that makes the machines hang is caught
    finally:
        os.unlink(override)


def run_anvil_tests(name: str) -> bool:
    """True when the contract's unit tests pass on anvil against the source as it is on disk (Ape compiles it)."""
    cmd = [str(Path(sys.executable).parent / "ape"), "test", *ANVIL_TESTS[name], "-x", "-q", "-p", "no:cacheprovider"]
    try:
        done = subprocess.run(cmd, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=ANVIL_TIMEOUT)
        return done.returncode == 0
    except subprocess.TimeoutExpired:
        return False


def _judged() -> dict[tuple, str]:
    rows = [json.loads(line) for line in RESULTS.read_text().splitlines()] if RESULTS.exists() else []
    return {(r["contract"], r["mutator"], r["line"], r["old"], r["new"]): r["outcome"] for r in rows}


def baseline(name: str) -> int:
    """The unmutated contract, compiled the same way, must pass (else every mutant would look killed)."""
    source = CONTRACTS[name][0]
    contract_type = compile_contract(source, name)
    if contract_type is None:
        print(f"{name} does not compile without the optimizer", file=sys.stderr)
        return 1
    return 0 if run_tests(name, contract_type) else 1


def judge(name: str, anvil_stage: bool = True):
    """A replacement for slither-mutate's test_patch: apply, compile, run the in-process machines; a survivor of
    those is then judged by the contract's unit tests on anvil (Ape compiles the mutant as usual); restore."""
    judged = _judged()

    def test_patch(output_folder: Any, file: str, patch: dict, command: str, generator_name: str, timeout: int,
                   mappings: Any, verbose: bool) -> int:
        path = Path(file)
        original = path.read_bytes()
        key = (name, generator_name, patch["line_number"], patch["old_string"].strip(), patch["new_string"].strip())
        earlier = judged.get(key)  # resumed campaign: judged before (a survivor is judged again: anvil stage)
        if earlier is not None and not (earlier == "survived" and anvil_stage):
            return {"invalid": 2, "survived": 0}.get(earlier, 1)
        path.write_bytes(original[: patch["start"]] + patch["new_string"].encode("utf8") + original[patch["end"]:])
        started = time.time()
        try:
            contract_type = compile_contract(str(path.relative_to(PROJECT_ROOT)), name)
            if contract_type is None:
                outcome, code = "invalid", 2
            elif not run_tests(name, contract_type):
                outcome, code = "killed", 1
            elif anvil_stage and not run_anvil_tests(name):
                outcome, code = "killed on anvil", 1
            else:
                outcome, code = "survived", 0
        finally:
            path.write_bytes(original)
        record = dict(contract=name, mutator=generator_name, line=patch["line_number"],
                      old=patch["old_string"].strip(), new=patch["new_string"].strip(), outcome=outcome,
                      seconds=round(time.time() - started, 1))
        with RESULTS.open("a") as f:
            f.write(json.dumps(record) + "\n")
        print(f"  [{generator_name}] line {record['line']}: {record['old'][:60]!r} -> {record['new'][:60]!r}: "
              f"{outcome.upper()}", flush=True)
        return code

    return test_patch


def mutate(name: str, mutators: str | None, anvil_stage: bool = True) -> None:
    import slither.tools.mutator.mutators.abstract_mutator as abstract_mutator
    from slither.tools.mutator.__main__ import main as slither_mutate

    abstract_mutator.test_patch = judge(name, anvil_stage)  # the judging above instead of compile + shell round trip
    source = CONTRACTS[name][0]
    argv = ["slither-mutate", source, "--test-cmd", f"{sys.executable} -m deai.mutation --baseline {name}",
            "--timeout", str(TEST_TIMEOUT), "--output-dir", str(OUT / f"campaign-{name}"),
            "--contract-names", name, "--solc", str(SOLC_FRONT_END), "--solc-remaps", REMAPPING]
    if source in VIA_IR or name in HOSTS:  # slither's own compilation (for the AST) needs the IR pipeline too
        argv += ["--solc-args", "--via-ir"]
    if mutators:
        argv += ["--mutators-to-run", mutators]
    saved, sys.argv = sys.argv, argv
    try:
        slither_mutate()
    finally:
        sys.argv = saved


def _latest_rows() -> list[dict[str, Any]]:
    """One row per mutant: its last judgement."""
    rows = [json.loads(line) for line in RESULTS.read_text().splitlines()] if RESULTS.exists() else []
    latest = {(r["contract"], r["mutator"], r["line"], r["old"], r["new"]): r for r in rows}
    return list(latest.values())


def report(names: list[str]) -> dict[str, dict[str, int]]:
    rows = _latest_rows()
    triaged = json.loads(SURVIVORS_FILE.read_text()) if SURVIVORS_FILE.exists() else []
    equivalent = {(t["contract"], t["line"], t["old"], t["new"]) for t in triaged if t.get("triage", "").startswith(
        "equivalent")}
    table = {}
    print(f"\n{'contract':<20}{'mutants':>9}{'invalid':>9}{'killed':>8}{'survived':>10}{'equivalent':>12}"
          f"{'score':>8}")
    for name in names:
        mine = [r for r in rows if r["contract"] == name]
        killed = sum(r["outcome"].startswith("killed") for r in mine)
        survived = [r for r in mine if r["outcome"] == "survived"]
        eq = sum((name, r["line"], r["old"], r["new"]) in equivalent for r in survived)
        valid = killed + len(survived) - eq
        score = killed / valid if valid else 0.0
        table[name] = dict(mutants=len(mine), invalid=len(mine) - killed - len(survived), killed=killed,
                           survived=len(survived), equivalent=eq)
        print(f"{name:<20}{len(mine):>9}{table[name]['invalid']:>9}{killed:>8}{len(survived):>10}{eq:>12}"
              f"{score:>8.0%}" + ("" if mine else "   (not run)"))
    return table


def update_survivors() -> list[dict[str, Any]]:
    """Add every survivor in the results to mutation-survivors.json (keeping the triage of known ones)."""
    rows = _latest_rows()
    known = json.loads(SURVIVORS_FILE.read_text()) if SURVIVORS_FILE.exists() else []
    keys = {(t["contract"], t["line"], t["old"], t["new"]) for t in known}
    for r in rows:
        key = (r["contract"], r["line"], r["old"], r["new"])
        if r["outcome"] == "survived" and key not in keys:
            known.append(dict(contract=r["contract"], mutator=r["mutator"], line=r["line"], old=r["old"],
                              new=r["new"], triage="untriaged"))
            keys.add(key)
    SURVIVORS_FILE.write_text(json.dumps(known, indent=1) + "\n")
    return known


REPORT_FILE = PROJECT_ROOT / "docs" / "mutation-report.md"


def write_markdown(names: list[str], table: dict[str, dict[str, int]], note: str) -> None:
    """docs/mutation-report.md: the per-contract table and every judged mutant of the last campaign."""
    rows = _latest_rows()
    lines = ["# Mutation report (`make mutation`)", "", note, "",
             "| contract | mutants | invalid | killed (machines) | killed on anvil | survived | equivalent | score |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name in names:
        mine = [r for r in rows if r["contract"] == name]
        t = table[name]
        on_anvil = sum(r["outcome"] == "killed on anvil" for r in mine)
        valid = t["killed"] + t["survived"] - t["equivalent"]
        score = f"{t['killed'] / valid:.0%}" if valid else "-"
        lines.append(f"| {name} | {t['mutants']} | {t['invalid']} | {t['killed'] - on_anvil} | {on_anvil} | "
                     f"{t['survived']} | {t['equivalent']} | {score if mine else 'not run'} |")
    lines += ["", "## Every judged mutant", "", "| contract | mutator | line | original | mutant | outcome |",
              "| --- | --- | --- | --- | --- | --- |"]
    for r in sorted(rows, key=lambda r: (r["contract"], r["line"], r["mutator"])):
        old, new = (x.replace("|", "\\|").replace("\n", " ")[:70] for x in (r["old"], r["new"]))
        lines.append(f"| {r['contract']} | {r['mutator']} | {r['line']} | `{old}` | `{new}` | {r['outcome']} |")
    REPORT_FILE.write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contracts", default=",".join(CONTRACTS))
    parser.add_argument("--mutators", default=None, help="slither-mutate mutator names, comma-separated")
    parser.add_argument("--baseline", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--report", action="store_true", help="only print the table from the last results")
    parser.add_argument("--fresh", action="store_true", help="forget earlier results first (else: resume)")
    parser.add_argument("--no-anvil", action="store_true", help="judge by the in-process machines only")
    parser.add_argument("--markdown", default=None, metavar="NOTE",
                        help="with --survivors/--report: also write docs/mutation-report.md, NOTE as its preamble")
    parser.add_argument("--survivors", action="store_true",
                        help="add new survivors to mutation-survivors.json (triage: untriaged) and exit")
    args = parser.parse_args()
    if args.baseline:
        raise SystemExit(baseline(args.baseline))
    names = args.contracts.split(",")
    if args.survivors or args.report:
        if args.survivors:
            update_survivors()
        table = report(names)
        if args.markdown:
            write_markdown(names, table, args.markdown)
        return
    OUT.mkdir(parents=True, exist_ok=True)
    if args.fresh and RESULTS.exists():
        RESULTS.unlink()
    for name in names:
        print(f"mutating {name} ...", flush=True)
        mutate(name, args.mutators, not args.no_anvil)
    update_survivors()
    report(names)


if __name__ == "__main__":
    main()
