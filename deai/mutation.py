"""`make mutation`: mutation testing of every production contract with slither-mutate (ships with the pinned
slither-analyzer), judged in-process (docs/AUDITORS.md, "Mutation testing").

1. `generate`: slither-mutate runs once per contract and its patches are saved (.cache/mutation/patches/<name>.json):
   RR revert a function body, CR comment a statement out, ROR/AOR/LOR/BOR/UOR/ASOR operator swaps, MIA/MWA conditions,
   LIR/MVIE/MVIV literals, SBR/FHR Solidity-specific. It is told that no mutant compiles, so it mutates every line
   with every mutator (the comprehensive set).
2. `campaign`: `--lanes` processes (`lane`) judge the mutants not judged yet (deai.mutation_judge): compiled from
   memory (no file written; no optimizer, the IR pipeline where a source needs it, no metadata), "invalid" if that
   fails, "equivalent (same bytecode)" if the creation code is the original's, "duplicate" if it is another judged
   mutant's; then stage 1, the contract's in-process machines and kill tests ("killed"), then stage 1b, its unit
   tests in-process, and stage 1c, another folder's unit tests that deploy it ("killed by unit tests"); else
   "survived".
3. `anvil_stage` (unless `--no-anvil`): each survivor written into its source, compiled by Ape and judged by the
   contract's unit tests on anvil ("killed on anvil").

Results go to .cache/mutation/results.jsonl (one line per judgement; the last one of a mutant counts) and a
per-contract table on stdout; `mutation-survivors.json` (committed) triages every survivor: "equivalent" with the
reason, or the test that now kills it. A campaign resumes where it stopped (`--fresh` forgets).

    python -m deai.mutation [--contracts A,B] [--mutators ROR,AOR,...] [--sample F --seed S] [--limit N] [--lanes N]

A deterministic subset: `--sample F --seed S` judges a mutant iff sha256("S|contract|mutator|line|old|new") is in
the lowest fraction F of the hash space (the same mutants on every run and machine, whatever the order); a larger F
with the same seed judges a superset. Every generated mutant is recorded in .cache/mutation/generated.jsonl, so the
report states how many were generated and what fraction was judged: a sample is never presented as a full campaign.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from deai.mutation_judge import OZ_PREFIX, OZ_TARGET
from deai.toolchain import PROJECT_ROOT, SOLC_FRONT_END

# the lens's and the relay's own tests (the relay's: both submission paths), on both backends
LENS_TESTS = "tests/marketplace/test_lens.py"
RELAY_FILES = ["tests/rewards/test_results_provenance.py", "tests/rewards/test_relay_review_round5.py"]
RELAY_TESTS = [*RELAY_FILES, "-k", "revm"]
ANVIL_TESTS = {  # stage 2, survivors of the in-process machines only: the contract's unit tests on anvil
    "ProvenanceRegistry": ["tests/provenance", "-k", "not state_machine and not gas"],
    "EmissionToken": ["tests/emission/test_splitter.py", "-k", "token"],  # the token's own unit tests
    "EmissionSplitter": ["tests/emission", "-k", "not state_machine and not gas"],
    "RewardPool": ["tests/emission", "-k", "not state_machine and not gas"],
    "ComputeMarketplace": ["tests/marketplace", "-k", "not state_machine and not gas"],
    "ProviderRegistry": ["tests/marketplace", "-k", "not state_machine and not gas"],
    "MarketplaceDisputesAdmin": ["tests/marketplace", "-k", "not state_machine and not gas"],
    "MarketplaceBase": ["tests/marketplace", "-k", "not state_machine and not gas"],
    "MarketplaceLens": [LENS_TESTS],
    "ComputeRewards": ["tests/rewards", "-k", "not state_machine and not gas"],
    "ResultProvenanceRelay": RELAY_FILES,
}
ANVIL_TIMEOUT = 900
# the in-process kill tests added for survivors (issue 16 item 6) run first: seconds, and -x stops there
EMISSION_KILLS = "tests/emission/test_emission_mutation_kills.py"
POOL_KILLS = "tests/emission/test_pool_mutation_kills.py"
MARKET_KILLS = "tests/marketplace/test_marketplace_mutation_kills.py"
PROVENANCE_KILLS = "tests/provenance/test_provenance_mutation_kills.py"
MARKET_MACHINES = [MARKET_KILLS, "tests/marketplace/test_market_state_machine.py", "-k", "revm"]
CONTRACTS = {  # production contract: (source, the in-process machine tests that judge its mutants)
    "ProvenanceRegistry": ("contracts/provenance/ProvenanceRegistry.sol",
                           [PROVENANCE_KILLS, "tests/provenance/test_state_machine.py", "tests/provenance/test_takeover_parents.py",
                            "tests/provenance/test_domain_separator.py", "-k", "revm"]),
    "EmissionToken": ("contracts/emission/EmissionToken.sol",
                      [EMISSION_KILLS, "tests/emission/test_state_machines.py", "-k", "revm"]),
    "EmissionSplitter": ("contracts/emission/EmissionSplitter.sol",
                         [EMISSION_KILLS, "tests/emission/test_state_machines.py", "-k", "revm"]),
    "RewardPool": ("contracts/emission/RewardPool.sol",
                   [POOL_KILLS, EMISSION_KILLS, "tests/emission/test_state_machines.py", "-k", "revm and pool"]),
    "ComputeMarketplace": ("contracts/marketplace/ComputeMarketplace.sol", MARKET_MACHINES),
    # created by ComputeMarketplace's constructor (`new`): their creation code is inside the marketplace's, so a
    # mutant of theirs is compiled through the marketplace (HOSTS) and judged by the marketplace machine
    "ProviderRegistry": ("contracts/marketplace/ProviderRegistry.sol", MARKET_MACHINES),
    "MarketplaceDisputesAdmin": ("contracts/marketplace/MarketplaceDisputesAdmin.sol", MARKET_MACHINES),
    # abstract: its code runs inside ComputeMarketplace and MarketplaceDisputesAdmin
    "MarketplaceBase": ("contracts/marketplace/MarketplaceBase.sol", MARKET_MACHINES),
    # read-only views no machine uses: judged by its own tests, which run on both backends (in-process here)
    "MarketplaceLens": ("contracts/marketplace/MarketplaceLens.sol", [LENS_TESTS, "-k", "revm"]),
    "ComputeRewards": ("contracts/rewards/ComputeRewards.sol",
                       ["tests/rewards/test_rewards_state_machine.py", "-k", "revm"]),
    # no machine uses the relay: judged by its own tests (both paths, every rule), which run on both backends
    "ResultProvenanceRelay": ("contracts/marketplace/ResultProvenanceRelay.sol", RELAY_TESTS),
}
# Stage 1b: the contract's unit tests, in-process (DEAI_UNIT_BACKEND=revm; tests marked node_only are deselected, the
# state machines already ran in stage 1)
_NOT_MACHINES = ["-k", "not state_machine"]
UNIT_TESTS = {
    "ProvenanceRegistry": ["tests/provenance", *_NOT_MACHINES],
    "EmissionToken": ["tests/emission", *_NOT_MACHINES],
    "EmissionSplitter": ["tests/emission", *_NOT_MACHINES],
    "RewardPool": ["tests/emission", *_NOT_MACHINES],
    "ComputeMarketplace": ["tests/marketplace", *_NOT_MACHINES],
    "ProviderRegistry": ["tests/marketplace", *_NOT_MACHINES],
    "MarketplaceDisputesAdmin": ["tests/marketplace", *_NOT_MACHINES],
    "MarketplaceBase": ["tests/marketplace", *_NOT_MACHINES],
    "MarketplaceLens": ["tests/marketplace/test_lens.py"],
    "ComputeRewards": ["tests/rewards", *_NOT_MACHINES],
    "ResultProvenanceRelay": ["tests/rewards/test_results_provenance.py", "tests/rewards/test_relay_review_round5.py",
                              "tests/rewards/test_rewards_gas.py"],
}
# Stage 1c: another folder's unit tests that deploy the contract, in-process, in a session of their own (each
# folder's conftest.py defines the same fixture names, so two folders cannot share a pytest session). The rewards
# loop (tests/rewards) finalizes leases through the marketplace and its registry: the only tests of the report path.
_REWARDS_LOOP = ["tests/rewards", *_NOT_MACHINES]
OTHER_UNIT_TESTS = {
    "ComputeMarketplace": _REWARDS_LOOP,
    "ProviderRegistry": _REWARDS_LOOP,
    "MarketplaceDisputesAdmin": _REWARDS_LOOP,
    "MarketplaceBase": _REWARDS_LOOP,
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
# contracts no in-process test deploys (stage 1 would pass every mutant: judged on anvil only); none today
NO_MACHINE: set[str] = set()
VIA_IR = {MARKET_HOST[0], "contracts/emission/EmissionSplitter.sol", "contracts/marketplace/MarketplaceLens.sol"}
PRODUCTION_FOLDERS = ("contracts/marketplace", "contracts/emission", "contracts/provenance", "contracts/rewards")
OUT = PROJECT_ROOT / ".cache" / "mutation"
RESULTS = OUT / "results.jsonl"
PATCHES = OUT / "patches"  # every generated mutant of a contract, as slither-mutate's patch (`generate`)
GENERATED = OUT / "generated.jsonl"  # every mutant slither-mutate generated, judged or not (the report's denominator)
SURVIVORS_FILE = PROJECT_ROOT / "mutation-survivors.json"
REMAPPING = f"{OZ_PREFIX}={PROJECT_ROOT}/{OZ_TARGET}"  # absolute: slither compiles from its own directory
TEST_TIMEOUT = 900  # per mutant's test run: a loaded machine (load 20 on 2 cores) took 300 s for a full machine run


def compile_contract(source: str, name: str) -> dict[str, dict[str, Any]] | None:
    """The contract types that replace Ape's for a mutant of `name` as its file is on disk now: the contract itself,
    or, for one another contract creates (HOSTS), the host's and every contract it creates; None: does not compile."""
    from deai.mutation_judge import compile_mutant

    return compile_mutant(*_target(name))


def production_contracts() -> dict[str, str]:
    """Every contract declared in the production folders: name -> source (what `make mutation` must cover)."""
    import re

    found = {}
    for folder in PRODUCTION_FOLDERS:
        for path in sorted((PROJECT_ROOT / folder).glob("*.sol")):  # interfaces/ (a subfolder) has no code
            for match in re.finditer(r"^(?:abstract\s+)?contract\s+(\w+)", path.read_text(), re.MULTILINE):
                found[match.group(1)] = str(path.relative_to(PROJECT_ROOT))
    return found


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
    """The unmutated contract, compiled the same way, must pass both in-process stages (else every mutant would look
    killed)."""
    from deai.mutation_judge import WarmTests

    contract_type = compile_contract(CONTRACTS[name][0], name)
    if contract_type is None:
        print(f"{name} does not compile without the optimizer", file=sys.stderr)
        return 1
    outcome = judge_in_process(name, contract_type, WarmTests())
    if outcome != "survived":
        print(f"{name}: the unmutated contract is {outcome} by its own in-process tests", file=sys.stderr)
        return 1
    return 0


def in_sample(key: tuple, fraction: float, seed: int) -> bool:
    """Whether the mutant `key` (contract, mutator, line, old, new) is in the deterministic sample: its hash with the
    seed falls in the lowest `fraction` of the hash space (independent of order, machine and the mutators run)."""
    if fraction >= 1.0:
        return True
    digest = hashlib.sha256("|".join([str(seed), *map(str, key)]).encode("utf8")).digest()
    return int.from_bytes(digest[:8], "big") < fraction * 2**64


def _record_generated(key: tuple) -> None:
    with GENERATED.open("a") as f:
        f.write(json.dumps(dict(zip(("contract", "mutator", "line", "old", "new"), key))) + "\n")


def generate(name: str, mutators: str | None) -> list[dict[str, Any]]:
    """Every mutant slither-mutate generates for `name` (all its mutators, or `mutators`), as patches
    (mutator, line, old, new, file, start, end, new_string), saved to .cache/mutation/patches/<name>.json; none is
    judged here (slither-mutate is told none compiled, so it mutates every line: the comprehensive set)."""
    import slither.tools.mutator.mutators.abstract_mutator as abstract_mutator
    from slither.tools.mutator.__main__ import main as slither_mutate

    patches: dict[tuple, dict[str, Any]] = {}
    sources: dict[Path, bytes] = {}  # each mutated file read once, not once per patch

    def record(output_folder: Any, file: str, patch: dict, command: str, generator_name: str, timeout: int,
               mappings: Any, verbose: bool) -> int:
        key = (name, generator_name, patch["line_number"], patch["old_string"].strip(), patch["new_string"].strip())
        if key not in patches:
            path = Path(file).resolve()
            raw = sources.setdefault(path, path.read_bytes())
            region = raw[patch["start"]:patch["end"]].decode("utf8", errors="replace")
            patches[key] = dict(zip(("contract", "mutator", "line", "old", "new"), key),
                                file=str(path.relative_to(PROJECT_ROOT)), start=patch["start"], end=patch["end"],
                                new_string=patch["new_string"], region=region)
        return 2

    abstract_mutator.test_patch = record
    source = CONTRACTS[name][0]
    argv = ["slither-mutate", source, "--test-cmd", "true", "--timeout", str(TEST_TIMEOUT),
            "--output-dir", str(OUT / f"campaign-{name}"), "--contract-names", name, "--solc", str(SOLC_FRONT_END),
            "--solc-remaps", REMAPPING]
    if source in VIA_IR or name in HOSTS:  # slither's own compilation (for the AST) needs the IR pipeline too
        argv += ["--solc-args=--via-ir"]  # one token: argparse would read "--via-ir" as an option
    if mutators:
        argv += ["--mutators-to-run", mutators]
    saved, sys.argv = sys.argv, argv
    try:
        slither_mutate()
    finally:
        sys.argv = saved
    found = list(patches.values())
    PATCHES.mkdir(parents=True, exist_ok=True)
    (PATCHES / f"{name}.json").write_text(json.dumps(found, indent=0))
    for row in found:
        _record_generated(tuple(row[k] for k in ("contract", "mutator", "line", "old", "new")))
    return found


def _target(name: str) -> tuple[str, tuple[str, ...], bool]:
    """What a mutant of `name` is compiled as: the source compiled, the contract types that replace Ape's, IR."""
    source, names = HOSTS.get(name, (CONTRACTS[name][0], (name,)))
    return source, names, source in VIA_IR


def lane(name: str, index: int, lanes: int, fraction: float, seed: int, limit: int | None) -> None:
    """Judge this lane's share (every `lanes`-th) of `name`'s generated mutants not judged yet (see
    deai.mutation_judge): invalid, equivalent (same bytecode), duplicate (of a mutant judged in this lane), killed,
    killed (timeout) or survived; each appended to results.jsonl as it is decided."""
    from deai.mutation_judge import WarmTests, apply_patch, compile_mutant, effective_patch, fingerprint

    target, names, via_ir = _target(name)
    original_types = compile_mutant(target, names, via_ir)
    if original_types is None:
        raise SystemExit(f"{name}: the unmutated sources do not compile with the project's remappings")
    original = fingerprint(original_types)
    seen: dict[str, str] = {original: "equivalent (same bytecode)"}
    judged = _judged()
    todo = [p for p in json.loads((PATCHES / f"{name}.json").read_text())
            if in_sample(_key(p), fraction, seed) and _key(p) not in judged]
    mine = todo[index::lanes][:limit]
    tests = WarmTests()
    texts: dict[str, str] = {}
    for patch in mine:
        started = time.time()
        text = texts.setdefault(patch["file"], (PROJECT_ROOT / patch["file"]).read_text())
        mutated = apply_patch(text, effective_patch(text, patch))
        types = compile_mutant(target, names, via_ir, {patch["file"]: mutated})
        row: dict[str, Any] = dict(zip(("contract", "mutator", "line", "old", "new"), _key(patch)))
        if types is None:
            outcome = "invalid"
        elif (earlier := seen.get(code := fingerprint(types))) is not None:
            outcome = earlier if earlier.startswith("equivalent") else "duplicate"
            if outcome == "duplicate":
                row["same_as_outcome"] = earlier
        else:
            outcome = seen[code] = judge_in_process(name, types, tests)
        _append_result(row, outcome, started)
        print(f"  [{patch['mutator']}] line {patch['line']}: {patch['old'][:50]!r} -> {patch['new'][:40]!r}: "
              f"{outcome.upper()}", flush=True)


UNIT_OUTCOME = {"passed": "survived", "failed": "killed by unit tests", "timeout": "killed (timeout)",
                "crashed": "killed (crash)"}


def _append_result(row: dict[str, Any], outcome: str, started: float) -> None:
    """One judgement appended to results.jsonl: one short line per write (O_APPEND), so lanes never interleave."""
    with RESULTS.open("a") as f:
        f.write(json.dumps({**row, "outcome": outcome, "seconds": round(time.time() - started, 1)}) + "\n")


def judge_in_process(name: str, types: dict[str, dict[str, Any]], tests: Any, machines: bool = True) -> str:
    """Stage 1, the machines (and the in-process kill tests; skipped with `machines=False`), then stage 1b, the
    contract's unit tests run in-process (deai.testing.inprocess_units) for what the machines missed, then stage 1c,
    another folder's unit tests that deploy it (OTHER_UNIT_TESTS): "killed", "killed (timeout)", "killed (crash)",
    "killed by unit tests" or "survived"."""
    if machines and name not in NO_MACHINE:
        verdict = tests.run(CONTRACTS[name][1], types, TEST_TIMEOUT)
        if verdict != "passed":
            return {"failed": "killed", "timeout": "killed (timeout)", "crashed": "killed (crash)"}[verdict]
    for args in (UNIT_TESTS[name], OTHER_UNIT_TESTS.get(name)):
        if args is not None and (verdict := tests.run(args, types, TEST_TIMEOUT, unit_mode=True)) != "passed":
            return UNIT_OUTCOME[verdict]
    return "survived"


def _key(patch: dict[str, Any]) -> tuple:
    return tuple(patch[k] for k in ("contract", "mutator", "line", "old", "new"))


def campaign(name: str, lanes: int, fraction: float, seed: int, limit: int | None) -> None:
    """Judge `name`'s generated mutants in `lanes` processes (one per core), after checking the baseline."""
    if baseline(name) != 0:
        raise SystemExit(f"{name}: the unmutated contract fails its own mutation tests: fix that first")
    per_lane = None if limit is None else -(-limit // lanes)
    procs = [subprocess.Popen([sys.executable, "-m", "deai.mutation", "--contracts", name,
                               "--lane", f"{i}/{lanes}", "--sample", str(fraction), "--seed", str(seed),
                               *(["--limit", str(per_lane)] if per_lane is not None else [])], cwd=PROJECT_ROOT)
             for i in range(lanes)]
    codes = wait_for_lanes(procs)
    if any(codes):
        raise SystemExit(f"{name}: a judging lane failed (exit codes {codes}; a lane stopped by the failure shows "
                         f"{-signal.SIGTERM}): see its traceback above; the same command resumes")


def wait_for_lanes(procs: list[subprocess.Popen], poll: float = 0.5) -> list[int]:
    """Wait for every lane; when one fails, stop the others at once and say so, instead of letting the campaign go
    on with fewer lanes (round 9: a lane died and the campaign ran on one core for 35 minutes, unnoticed). Returns
    the exit codes in lane order."""
    while True:
        codes = [p.poll() for p in procs]  # every lane polled (a generator with any() would stop at a running one)
        if None not in codes:
            break
        if any(code not in (None, 0) for code in codes):
            for p in procs:
                if p.poll() is None:
                    p.terminate()
            break
        time.sleep(poll)
    return [p.wait() for p in procs]


def anvil_stage(names: list[str]) -> None:
    """The survivors of the in-process stage, judged by the contract's unit tests on anvil (Ape compiles the
    mutated source in place; restored after)."""
    for row in [r for r in _latest_rows() if r["contract"] in names and r["outcome"] == "survived"]:
        path, original = apply_recorded(row)
        started = time.time()
        try:
            passed = run_anvil_tests(row["contract"])
        finally:
            path.write_bytes(original)
        outcome = "survived" if passed else "killed on anvil"
        _append_result(row, outcome, started)
        print(f"  [{row['mutator']}] line {row['line']}: {outcome.upper()} (anvil)", flush=True)


def _latest_rows() -> list[dict[str, Any]]:
    """One row per mutant: its last judgement."""
    rows = [json.loads(line) for line in RESULTS.read_text().splitlines()] if RESULTS.exists() else []
    latest = {(r["contract"], r["mutator"], r["line"], r["old"], r["new"]): r for r in rows}
    return list(latest.values())


def _generated() -> dict[str, set[tuple]]:
    """contract -> every distinct mutant slither-mutate generated for it (judged or not)."""
    rows = [json.loads(line) for line in GENERATED.read_text().splitlines()] if GENERATED.exists() else []
    out: dict[str, set[tuple]] = {}
    for r in rows:
        out.setdefault(r["contract"], set()).add((r["mutator"], r["line"], r["old"], r["new"]))
    return out


def report(names: list[str]) -> dict[str, dict[str, Any]]:
    """Per contract: mutants generated, judged (and the fraction), invalid, duplicates (bytecode identical to another
    judged mutant's), valid (compiling, distinct), killed, survived, equivalent (same bytecode as the original, or
    triaged as equivalent), score = killed / (valid - equivalent), and the seconds spent judging."""
    rows = _latest_rows()
    every = [json.loads(line) for line in RESULTS.read_text().splitlines()] if RESULTS.exists() else []
    generated = _generated()
    triaged = json.loads(SURVIVORS_FILE.read_text()) if SURVIVORS_FILE.exists() else []
    equivalent = {(t["contract"], t["line"], t["old"], t["new"]) for t in triaged if t.get("triage", "").startswith(
        "equivalent")}
    table = {}
    print(f"\n{'contract':<26}{'generated':>10}{'judged':>8}{'invalid':>8}{'dup':>5}{'valid':>7}{'killed':>7}"
          f"{'survived':>9}{'equiv':>6}{'score':>7}{'seconds':>9}")
    for name in names:
        mine = [r for r in rows if r["contract"] == name]
        killed = sum(r["outcome"].startswith("killed") for r in mine)
        survived = [r for r in mine if r["outcome"] == "survived"]
        same_code = sum(r["outcome"].startswith("equivalent") for r in mine)
        duplicates = sum(r["outcome"] == "duplicate" for r in mine)
        eq = same_code + sum((name, r["line"], r["old"], r["new"]) in equivalent for r in survived)
        valid = killed + len(survived) + same_code
        invalid = len(mine) - valid - duplicates
        gen = len(generated.get(name, set()) | {(r["mutator"], r["line"], r["old"], r["new"]) for r in mine})
        score = killed / (valid - eq) if valid > eq else None
        table[name] = dict(generated=gen, judged=len(mine), invalid=invalid, duplicates=duplicates, valid=valid,
                           killed=killed, survived=len(survived), equivalent=eq, same_code=same_code, score=score,
                           low=wilson_lower(killed, valid - eq) if valid > eq else None,
                           seconds=round(sum(r.get("seconds", 0) for r in every if r["contract"] == name)),
                           on_anvil=sum(r["outcome"] == "killed on anvil" for r in mine))
        shown = "-" if score is None else f"{score:.0%}"
        print(f"{name:<26}{gen:>10}{len(mine):>8}{invalid:>8}{duplicates:>5}{valid:>7}{killed:>7}{len(survived):>9}"
              f"{eq:>6}{shown:>7}{table[name]['seconds']:>9}" + ("" if mine else "   (not run)"))
    return table


def wilson_lower(killed: int, total: int, z: float = 1.96) -> float:
    """The lower end of the 95% Wilson score interval of a kill rate: what a sample's score guarantees for the whole
    population of mutants it was drawn from (uniformly, by hash)."""
    if total == 0:
        return 0.0
    p = killed / total
    centre = p + z * z / (2 * total)
    spread = z * ((p * (1 - p) + z * z / (4 * total)) / total) ** 0.5
    return (centre - spread) / (1 + z * z / total)


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


MUTANTS_HEADING = "## Every judged mutant that compiles"


def committed_rows(text: str) -> dict[str, tuple[str, list[str]]]:
    """contract -> (its row of the per-contract table, its rows of the per-mutant table) in a report written by
    `write_markdown` (`text`): what a report written from a cache without that contract's results carries over."""
    out: dict[str, tuple[str, list[str]]] = {}
    summary, _, mutants = text.partition(MUTANTS_HEADING)
    for line in summary.splitlines():
        cells = line.split(" | ")
        if line.startswith("| ") and len(cells) > 2 and cells[1].isdigit():
            out[cells[0][2:]] = (line, [])
    for line in mutants.splitlines():
        name = line[2:].split(" | ")[0] if line.startswith("| ") else ""
        if name in out:
            out[name][1].append(line)
    return out


def write_markdown(names: list[str], table: dict[str, dict[str, Any]], note: str) -> None:
    """docs/mutation-report.md: the per-contract table, then every judged mutant that did not fail to compile (the
    last judgement of each; invalid ones are only counted). A contract with no results in this cache (not run since
    `.cache/`, which is not committed, was made) keeps its rows from the report being replaced, word for word."""
    rows = _latest_rows()
    kept = committed_rows(REPORT_FILE.read_text()) if REPORT_FILE.exists() else {}
    kept = {name: kept[name] for name in names if not table[name]["judged"] and name in kept}
    lines = ["# Mutation report (`make mutation`)", "", note, "",
             "Columns (docs/AUDITORS.md, \"Mutation testing\"): generated = every mutant slither-mutate produced; "
             "judged (fraction of generated: below 100% the row is a deterministic uniform sample, not a full "
             "campaign); invalid = does not compile; dup = creation code identical to another judged mutant's; valid = "
             "compiles, distinct; killed by the machines / by the unit tests in-process / on anvil; survived; "
             "equivalent = creation code identical to the original's, or triaged equivalent in mutation-survivors.json; "
             "score = killed / (valid - equivalent); low = the 95% Wilson lower bound of the score (for a sample: what "
             "it guarantees for the contract's whole population of mutants); seconds = time spent judging.", "",
             "| contract | generated | judged (fraction) | invalid | dup | valid | killed: machines | killed: unit "
             "tests | killed: anvil | survived | equivalent | score | low | seconds |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name in names:
        t = table[name]
        if name in kept:
            lines.append(kept[name][0])
            continue
        if not t["judged"]:
            lines.append(f"| {name} | {t['generated'] or '-'} | 0 | - | - | - | - | - | - | - | - | not run | - | - |")
            continue
        mine = [r for r in rows if r["contract"] == name]
        by_unit = sum(r["outcome"] == "killed by unit tests" for r in mine)
        frac = f"{t['judged'] / t['generated']:.0%}" if t["generated"] else "-"
        score = "-" if t["score"] is None else f"{t['score']:.1%}"
        low = "-" if t["low"] is None else f"{t['low']:.1%}"
        lines.append(f"| {name} | {t['generated']} | {t['judged']} ({frac}) | {t['invalid']} | {t['duplicates']} | "
                     f"{t['valid']} | {t['killed'] - t['on_anvil'] - by_unit} | {by_unit} | {t['on_anvil']} | "
                     f"{t['survived']} | {t['equivalent']} | {score} | {low} | {t['seconds']} |")
    lines += ["", MUTANTS_HEADING, "", "| contract | mutator | line | original | mutant | outcome |",
              "| --- | --- | --- | --- | --- | --- |"]
    mutant_lines = {name: list(rows_of_name) for name, (_, rows_of_name) in kept.items()}
    for r in sorted((r for r in rows if r["contract"] in names and r["outcome"] != "invalid"),
                    key=lambda r: (r["contract"], r["line"], r["mutator"])):
        old, new = (x.replace("|", "\\|").replace("\n", " ")[:70] for x in (r["old"], r["new"]))
        mutant_lines.setdefault(r["contract"], []).append(
            f"| {r['contract']} | {r['mutator']} | {r['line']} | `{old}` | `{new}` | {r['outcome']} |")
    for name in sorted(mutant_lines):
        lines += mutant_lines[name]
    REPORT_FILE.write_text("\n".join(lines) + "\n")


def recorded_patch(row: dict[str, Any]) -> dict[str, Any]:
    """slither-mutate's saved patch of the recorded mutant `row` (contract, mutator, line, old, new)."""
    key = tuple(row[k] for k in ("mutator", "line", "old", "new"))
    path = PATCHES / f"{row['contract']}.json"
    patches = json.loads(path.read_text()) if path.exists() else []
    for patch in patches:
        if tuple(patch[k] for k in ("mutator", "line", "old", "new")) == key:
            return patch
    raise SystemExit(f"no saved patch for {row['contract']} {row['mutator']} line {row['line']}: run "
                     f"`python -m deai.mutation --generate --contracts {row['contract']}`")


def recorded_mutant(row: dict[str, Any]) -> tuple[str, str]:
    """The recorded mutant `row` as (source path, mutated text): its saved patch applied as the campaign judged it
    (`deai.mutation_judge.effective_patch`), never its label's text replaced (for a ternary slither-mutate labels the
    whole statement while its patch replaces only the condition)."""
    from deai.mutation_judge import PatchMoved, apply_patch, effective_patch

    patch = recorded_patch(row)
    text = (PROJECT_ROOT / patch["file"]).read_text()
    try:
        return patch["file"], apply_patch(text, effective_patch(text, patch))
    except PatchMoved as err:
        raise SystemExit(str(err)) from None


def apply_recorded(row: dict[str, Any]) -> tuple[Path, bytes]:
    """Write the recorded mutant `row` into its source file (for Ape, which compiles from disk: the anvil stage);
    returns the path and the original bytes to restore."""
    source, text = recorded_mutant(row)
    path = PROJECT_ROOT / source
    original = path.read_bytes()
    path.write_text(text)
    return path, original


def rejudge(names: list[str], extra: list[str] | None = None, record: bool = False, machines: bool = True) -> None:
    """Judge every survivor of `names` again in-process (stage 1 and 1b, which now include the added tests), or
    with the pytest arguments `extra` instead (reported only; recorded with `record`, for tests that are part of
    the contract's stages); append the new judgement. No file is written: lanes may run beside it."""
    from deai.mutation_judge import WarmTests, compile_mutant

    tests = WarmTests()
    for row in [r for r in _latest_rows() if r["contract"] in names and r["outcome"] == "survived"]:
        name = row["contract"]
        started = time.time()
        source, text = recorded_mutant(row)
        types = compile_mutant(*_target(name), {source: text})
        if types is None:
            outcome = "invalid"
        elif extra:
            verdict = tests.run(extra, types, TEST_TIMEOUT, unit_mode=True)
            outcome = UNIT_OUTCOME[verdict]
            if not (record and outcome != "survived"):  # a check: reported, not recorded
                print(f"  [{row['mutator']}] line {row['line']} {row['old'][:50]!r} -> {row['new'][:40]!r}: "
                      f"{'SURVIVES' if outcome == 'survived' else 'KILLED'} by {' '.join(extra)}", flush=True)
                continue
        else:
            outcome = judge_in_process(name, types, tests, machines)
        _append_result(row, outcome, started)
        print(f"  [{row['mutator']}] line {row['line']}: {outcome.upper()}", flush=True)


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
    parser.add_argument("--sample", type=float, default=1.0, metavar="F",
                        help="judge only the deterministic fraction F (0-1] of the mutants (hash of seed and mutant)")
    parser.add_argument("--seed", type=int, default=0, help="the sample's seed (default 0)")
    parser.add_argument("--limit", type=int, default=None, metavar="N",
                        help="judge at most N new mutants per contract in this run (the rest: not reached)")
    parser.add_argument("--rejudge", action="store_true",
                        help="judge the recorded survivors again in-process (after kill tests were added)")
    parser.add_argument("--check", default=None, metavar="PYTEST_ARGS",
                        help="with --rejudge: run these pytest arguments against each survivor, report only")
    parser.add_argument("--units-only", action="store_true",
                        help="with --rejudge: stages 1b and 1c only (the unit tests: for survivors of the machines)")
    parser.add_argument("--record", action="store_true",
                        help="with --check: record a kill (the checked tests must be in one of the contract's stages)")
    parser.add_argument("--lanes", type=int, default=2, help="judging processes (default 2: one per core)")
    parser.add_argument("--lane", default=None, help=argparse.SUPPRESS)  # "i/N": one judging process (campaign)
    parser.add_argument("--generate", action="store_true",
                        help="generate the mutants again (slither-mutate) even if .cache/mutation/patches has them")
    parser.add_argument("--survivors", action="store_true",
                        help="add new survivors to mutation-survivors.json (triage: untriaged) and exit")
    args = parser.parse_args()
    if args.baseline:
        raise SystemExit(baseline(args.baseline))
    names = args.contracts.split(",")
    if args.lane:
        index, lanes = map(int, args.lane.split("/"))
        lane(names[0], index, lanes, args.sample, args.seed, args.limit)
        return
    if args.rejudge:
        rejudge(names, args.check.split() if args.check else None, args.record, not args.units_only)
        update_survivors()
        report(names)
        return
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
        if name in NO_MACHINE and args.no_anvil:
            print(f"  {name}: judged only on anvil (no machine deploys it): skipped with --no-anvil", flush=True)
            continue
        if args.generate or not (PATCHES / f"{name}.json").exists():
            print(f"  generated {len(generate(name, args.mutators))} mutants", flush=True)
        campaign(name, args.lanes, args.sample, args.seed, args.limit)
        if not args.no_anvil:
            anvil_stage([name])
    update_survivors()
    report(names)


if __name__ == "__main__":
    main()
