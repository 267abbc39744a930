"""deai.mutation_judge: mutants compiled from memory (no file written), trivial compiler equivalence by creation code
without metadata, slither-mutate's byte-offset patches, and the report's new outcomes (equivalent by bytecode,
duplicates, killed by the unit tests in-process) and the Wilson lower bound of a sampled score."""

from __future__ import annotations

import json

import pytest

import deai.mutation as mutation
from deai.mutation_judge import apply_patch, compile_mutant, effective_patch, fingerprint
from deai.toolchain import PROJECT_ROOT

TOKEN = "contracts/emission/EmissionToken.sol"
NAMES = ("EmissionToken",)


def _compile(text: str | None = None):
    return compile_mutant(TOKEN, NAMES, False, {TOKEN: text} if text is not None else None)


def test_same_code_same_fingerprint_and_a_real_change_differs():
    source = (PROJECT_ROOT / TOKEN).read_text()
    original = _compile()
    assert original is not None and original["EmissionToken"]["abi"]
    # a comment changes the source (and would change a CBOR metadata hash) but not the code: equivalent
    assert fingerprint(_compile(source + "\n// a comment\n")) == fingerprint(original)
    # a removed check changes the code
    assert "minter_ == address(0)" in source
    changed = _compile(source.replace("minter_ == address(0)", "false", 1))
    assert changed is not None and fingerprint(changed) != fingerprint(original)
    assert (PROJECT_ROOT / TOKEN).read_text() == source  # nothing was written


def test_a_mutant_that_does_not_compile_is_none():
    source = (PROJECT_ROOT / TOKEN).read_text()
    assert _compile(source.replace("minter = minter_;", "minter = minter_ +;", 1)) is None


def test_patches_are_byte_offsets_into_utf8():
    text = "// é\nuint a = 1 < 2;\n"  # "é" is two bytes: character and byte offsets differ after it
    start = text.encode("utf8").index(b"<")
    assert apply_patch(text, {"start": start, "end": start + 1, "new_string": ">="}) == "// é\nuint a = 1 >= 2;\n"


def test_a_recorded_mutant_is_rebuilt_from_its_saved_patch_not_from_its_label(tmp_path, monkeypatch):
    """slither-mutate labels an MIA mutant of a ternary with the whole statement as `old`, but its patch replaces only
    the condition: rebuilding the mutant by replacing `old` with `new` gave `true;` (another mutant; it did not
    even compile where the statement declared a variable). The rebuilt mutant is the saved patch applied, and a
    source that moved under the patch is refused."""
    monkeypatch.setattr(mutation, "PATCHES", tmp_path)
    source = (PROJECT_ROOT / TOKEN).read_text()
    statement = "minted[to] = amount > cap ? cap : amount;"
    condition = "amount > cap"
    text = source.replace("}", "}\n// " + statement, 1)  # a line to patch (a comment: the token stays intact)
    monkeypatch.setattr(mutation, "PROJECT_ROOT", tmp_path)
    (tmp_path / "contracts" / "emission").mkdir(parents=True)
    (tmp_path / TOKEN).write_text(text)
    start = text.encode("utf8").index(condition.encode())
    line = text[:text.index(statement)].count("\n") + 1
    row = dict(contract="EmissionToken", mutator="MIA", line=line, old=statement.rstrip(";"), new="true")
    patch = dict(row, file=TOKEN, start=start, end=start + len(condition), new_string="true", region=condition)
    (tmp_path / "EmissionToken.json").write_text(json.dumps([patch]))
    path, mutant = mutation.recorded_mutant(row)
    assert path == TOKEN and "// minted[to] = true ? cap : amount;" in mutant
    (tmp_path / TOKEN).write_text("// one line shorter\n" + text[len(text.splitlines(keepends=True)[0]):])
    with pytest.raises(SystemExit, match="no longer patches"):  # same line count, the bytes moved
        mutation.recorded_mutant(row)


def _patched(statement: str, condition: str, old: str, new: str, new_string: str) -> str:
    text = f"contract C {{ function f(uint a, uint b) public {{ {statement}; }} }}"
    start = text.encode("utf8").index(condition.encode())
    patch = dict(file="C.sol", mutator="X", line=1, old=old, new=new, start=start, end=start + len(condition),
                 new_string=new_string, region=condition)
    return apply_patch(text, effective_patch(text, patch))


def test_a_patch_that_names_the_whole_statement_mutates_only_its_condition():
    """slither-mutate's ROR and MIA `!(...)` patches of a condition inside a declaration carry the whole mutated
    statement (or `!(statement)`) as their text: applied as is they repeat the statement's head and never compile
    (round 10: 142 such mutants judged "invalid"). `effective_patch` mutates the condition alone; an MIA `true`
    (the condition replaced) is left as it is."""
    statement, condition = "bool x = a != b", "a != b"
    assert _patched(statement, condition, statement, "bool x = a == b", "bool x = a == b").count("bool x") == 1
    assert "bool x = a == b;" in _patched(statement, condition, statement, "bool x = a == b", "bool x = a == b")
    assert "bool x = !(a != b);" in _patched(statement, condition, statement, f"!({statement})", f"!({statement})")
    assert "bool x = true;" in _patched(statement, condition, statement, "true", "true")
    ternary = "uint c = a > b ? a : b"
    assert "uint c = true ? a : b;" in _patched(ternary, "a > b", ternary, "true", "true")
    assert "uint c = a >= b ? a : b;" in _patched(ternary, "a > b", ternary, "uint c = a >= b ? a : b",
                                                  "uint c = a >= b ? a : b")


def test_report_counts_equivalents_duplicates_and_unit_kills(tmp_path, monkeypatch):
    results, generated, triage = tmp_path / "results.jsonl", tmp_path / "generated.jsonl", tmp_path / "triage.json"
    for attr, path in (("RESULTS", results), ("GENERATED", generated), ("SURVIVORS_FILE", triage)):
        monkeypatch.setattr(mutation, attr, path)
    outcomes = ["invalid", "killed", "killed by unit tests", "equivalent (same bytecode)", "duplicate", "survived"]
    rows = [dict(contract="RewardPool", mutator="ROR", line=i, old="a < b", new="a <= b", outcome=o, seconds=1)
            for i, o in enumerate(outcomes)]
    results.write_text("".join(json.dumps(r) + "\n" for r in rows))
    table = mutation.report(["RewardPool"])["RewardPool"]
    assert (table["judged"], table["invalid"], table["duplicates"], table["valid"]) == (6, 1, 1, 4)
    assert (table["killed"], table["survived"], table["equivalent"]) == (2, 1, 1)
    assert table["score"] == 2 / 3


def test_wilson_lower_bound():
    assert mutation.wilson_lower(0, 0) == 0.0
    assert abs(mutation.wilson_lower(90, 100) - 0.8256) < 1e-3  # the textbook 95% interval of 90/100
    assert mutation.wilson_lower(100, 100) < 1.0 and mutation.wilson_lower(100, 100) > 0.96


def test_a_test_child_that_outgrows_its_memory_or_is_killed_is_crashed_and_a_failure_is_failed(tmp_path, monkeypatch):
    """A mutant can make the tests allocate without bound (round 9: `rewardDecrease` never assigned sent the curve
    oracle into an endless loop; the child reached 23 GB and the OOM killer ended it, and its lane). The judge kills
    a child past CHILD_MEMORY and calls it "crashed", as it does a child killed by any signal: the lane goes on."""
    import os

    import deai.mutation_judge as judge

    (tmp_path / "test_hog.py").write_text(  # 768 MiB more, then it waits: only the memory check ends it early
        "import time\n\ndef test_hog():\n    chunks = [b'x' * 2**25 for _ in range(24)]\n    time.sleep(600)\n")
    (tmp_path / "test_killed.py").write_text(
        "import os, signal\n\ndef test_killed():\n    os.kill(os.getpid(), signal.SIGKILL)\n")
    (tmp_path / "test_fails.py").write_text("def test_fails():\n    assert False\n")
    monkeypatch.setattr(judge, "CHILD_MEMORY", judge._resident(os.getpid()) + 2**28)  # the fork starts at ours
    tests = judge.WarmTests()
    assert tests.run([str(tmp_path / "test_hog.py")], {}, timeout=30) == "crashed"  # not "timeout"
    assert tests.run([str(tmp_path / "test_killed.py")], {}, timeout=120) == "crashed"
    assert tests.run([str(tmp_path / "test_fails.py")], {}, timeout=120) == "failed"
    assert mutation.UNIT_OUTCOME["crashed"] == "killed (crash)"


def test_a_failing_lane_stops_the_others_at_once():
    """A campaign whose lane fails stops its other lanes and reports, rather than going on with fewer lanes."""
    import subprocess
    import sys
    import time

    started = time.monotonic()
    procs = [subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]),
             subprocess.Popen([sys.executable, "-c", "import sys, time; time.sleep(0.5); sys.exit(3)"])]
    codes = mutation.wait_for_lanes(procs, poll=0.05)
    assert codes[1] == 3 and codes[0] != 0 and time.monotonic() - started < 30
    ok = [subprocess.Popen([sys.executable, "-c", "pass"]) for _ in range(2)]
    assert mutation.wait_for_lanes(ok, poll=0.05) == [0, 0]


class _ScriptedTests:
    """WarmTests' stand-in: answers each run from a script and records the arguments, in order."""

    def __init__(self, verdicts: dict[str, str]) -> None:
        self.verdicts, self.runs = verdicts, []

    def run(self, args, types, timeout, unit_mode=False):
        self.runs.append((args[0], unit_mode))
        return self.verdicts.get(args[0], "passed")


def test_the_stages_run_in_order_and_the_first_failure_decides():
    """Stage 1 (machines), 1b (the contract's folder) and, for the marketplace family, 1c (the rewards loop, in a
    session of its own): a mutant passing all three survives; a failure in any one kills it, and later stages do
    not run."""
    machines, units, other = (mutation.CONTRACTS["ProviderRegistry"][1][0], mutation.UNIT_TESTS["ProviderRegistry"][0],
                              mutation.OTHER_UNIT_TESTS["ProviderRegistry"][0])
    assert (machines, units, other) == (mutation.MARKET_KILLS, "tests/marketplace", "tests/rewards")
    expected = {None: ("survived", [(machines, False), (units, True), (other, True)]),
                machines: ("killed", [(machines, False)]),
                units: ("killed by unit tests", [(machines, False), (units, True)]),
                other: ("killed by unit tests", [(machines, False), (units, True), (other, True)])}
    for failing, (outcome, runs) in expected.items():
        tests = _ScriptedTests({failing: "failed"} if failing else {})
        assert mutation.judge_in_process("ProviderRegistry", {}, tests) == outcome, failing
        assert tests.runs == runs, failing
    tests = _ScriptedTests({other: "timeout"})
    assert mutation.judge_in_process("ProviderRegistry", {}, tests, machines=False) == "killed (timeout)"
    assert tests.runs == [(units, True), (other, True)]
    tests = _ScriptedTests({})  # a contract without a 1c stage: two runs
    assert mutation.judge_in_process("RewardPool", {}, tests) == "survived" and len(tests.runs) == 2
