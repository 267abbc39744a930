"""`make mutation`'s deterministic subsets and report arithmetic (deai/mutation.py): a sample is the same on every
run, grows into a superset when its fraction grows, and the report's score is killed / (valid - equivalent) with
generated counting every mutant seen, judged or not."""

from __future__ import annotations

import json

import deai.mutation as mutation


def _keys(n):
    return [("ComputeMarketplace", "ROR", line, f"a{line} > b", f"a{line} >= b") for line in range(n)]


def test_sample_is_deterministic_and_grows_into_a_superset():
    keys = _keys(4_000)
    small = [k for k in keys if mutation.in_sample(k, 0.05, 5)]
    assert small == [k for k in keys if mutation.in_sample(k, 0.05, 5)]  # same mutants every time
    large = {k for k in keys if mutation.in_sample(k, 0.2, 5)}
    assert set(small) <= large  # raising the fraction with the same seed only adds mutants
    assert 0.03 < len(small) / len(keys) < 0.07 and 0.17 < len(large) / len(keys) < 0.23
    assert all(mutation.in_sample(k, 1.0, 5) for k in keys) and not any(mutation.in_sample(k, 0.0, 5) for k in keys)
    other_seed = {k for k in keys if mutation.in_sample(k, 0.05, 6)}
    assert other_seed != set(small)


def test_report_counts_generated_judged_and_scores_without_equivalents(tmp_path, monkeypatch):
    results, generated, triage = tmp_path / "results.jsonl", tmp_path / "generated.jsonl", tmp_path / "triage.json"
    monkeypatch.setattr(mutation, "RESULTS", results)
    monkeypatch.setattr(mutation, "GENERATED", generated)
    monkeypatch.setattr(mutation, "SURVIVORS_FILE", triage)
    keys = _keys(10)
    generated.write_text("".join(json.dumps(dict(zip(("contract", "mutator", "line", "old", "new"), k))) + "\n"
                                 for k in keys))
    outcomes = ["invalid", "killed", "killed", "killed on anvil", "survived", "survived"]
    rows = [dict(zip(("contract", "mutator", "line", "old", "new"), k), outcome=o, seconds=10)
            for k, o in zip(keys, outcomes)]
    rows.append({**rows[5], "outcome": "killed", "seconds": 4})  # a re-judgement after a kill test was added
    results.write_text("".join(json.dumps(r) + "\n" for r in rows))
    triage.write_text(json.dumps([{**{f: rows[4][f] for f in ("contract", "line", "old", "new")},
                                   "triage": "equivalent: test"}]))
    table = mutation.report(["ComputeMarketplace"])["ComputeMarketplace"]
    assert (table["generated"], table["judged"], table["invalid"], table["valid"]) == (10, 6, 1, 5)
    assert (table["killed"], table["survived"], table["equivalent"]) == (4, 1, 1)
    assert table["score"] == 4 / (5 - 1) and table["seconds"] == 64


def test_a_report_from_a_cache_without_a_contract_keeps_that_contracts_committed_rows(tmp_path, monkeypatch):
    """The results cache (.cache/, not committed) may hold one contract only (a new checkout, one campaign run): the
    report written from it keeps every other contract's rows from the report it replaces, word for word, and
    replaces the rows of the contract it has results for."""
    results, generated, triage = tmp_path / "results.jsonl", tmp_path / "generated.jsonl", tmp_path / "triage.json"
    report_file = tmp_path / "mutation-report.md"
    for attr, path in (("RESULTS", results), ("GENERATED", generated), ("SURVIVORS_FILE", triage),
                       ("REPORT_FILE", report_file)):
        monkeypatch.setattr(mutation, attr, path)
    names = ["ComputeMarketplace", "ProviderRegistry", "EmissionToken"]
    row = dict(zip(("contract", "mutator", "line", "old", "new"), _keys(1)[0]), seconds=3)
    results.write_text(json.dumps({**row, "outcome": "survived"}) + "\n")
    mutation.write_markdown(names, mutation.report(names), "first")
    before = report_file.read_text()
    provider_rows = ["| ProviderRegistry | 9 | 9 (100%) | 1 | 0 | 8 | 8 | 0 | 0 | 0 | 0 | 100.0% | 67.6% | 40 |",
                     "| ProviderRegistry | CR | 7 | `a = b` | `//a = b` | killed |"]
    assert "| ProviderRegistry | - | 0 |" in before  # not run: replaced below by rows of an earlier campaign
    report_file.write_text("\n".join(provider_rows[0] if line.startswith("| ProviderRegistry |") else line
                                     for line in before.splitlines()) + "\n" + provider_rows[1] + "\n")
    results.write_text(json.dumps({**row, "outcome": "killed"}) + "\n")  # a new cache: ComputeMarketplace only
    mutation.write_markdown(names, mutation.report(names), "second")
    after = report_file.read_text()
    assert provider_rows[0] in after and provider_rows[1] in after  # carried over
    assert "| ComputeMarketplace | ROR | 0 | `a0 > b` | `a0 >= b` | killed |" in after  # replaced
    assert "survived |" not in after.split(mutation.MUTANTS_HEADING)[1]
    assert "| EmissionToken | - | 0 | - |" in after  # neither run nor committed: "not run"
    assert after.index("| ComputeMarketplace | ROR") < after.index("| ProviderRegistry | CR")
