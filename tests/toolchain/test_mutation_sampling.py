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
