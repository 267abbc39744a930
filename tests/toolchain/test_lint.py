"""Slither runs through the project's solc front end and finds no untriaged high/medium issue."""

from __future__ import annotations

from deai.lint import Finding, analyse, load_triage, production_sources, untriaged, unused


def test_triage_matching():
    finding = Finding("reentrancy-eth", "High", "Reentrancy in Market.close(uint256)")
    assert untriaged([finding], []) == [finding]
    assert untriaged([finding], [{"check": "reentrancy-eth", "match": "Market.close", "reason": "r"}]) == []
    assert untriaged([finding], [{"check": "reentrancy-eth", "match": "Market.open", "reason": "r"}]) == [finding]
    assert untriaged([Finding("naming", "Informational", "x")], []) == []
    stale = {"check": "reentrancy-eth", "match": "Market.open", "reason": "r"}
    assert unused([finding], [stale, {"check": "reentrancy-eth", "match": "Market.close", "reason": "r"}]) == [stale]


def test_slither_finds_no_untriaged_high_or_medium_issue_and_every_triage_entry_still_matches():
    findings = analyse(production_sources())  # one program: every source imported by one entry file
    triage = load_triage()
    failures = untriaged(findings, triage)
    assert not failures, failures
    assert not unused(findings, triage), "slither-triage.json excuses findings slither no longer reports: delete them"
