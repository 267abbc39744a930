"""Slither runs through the project's solc front end and finds no untriaged high/medium issue."""

from __future__ import annotations

from deai.lint import Finding, analyse, load_triage, production_sources, untriaged


def test_triage_matching():
    finding = Finding("reentrancy-eth", "High", "Reentrancy in Market.close(uint256)")
    assert untriaged([finding], []) == [finding]
    assert untriaged([finding], [{"check": "reentrancy-eth", "match": "Market.close", "reason": "r"}]) == []
    assert untriaged([finding], [{"check": "reentrancy-eth", "match": "Market.open", "reason": "r"}]) == [finding]
    assert untriaged([Finding("naming", "Informational", "x")], []) == []


def test_slither_finds_no_untriaged_high_or_medium_issue():
    findings = analyse(production_sources())  # one program: every source imported by one entry file
    failures = untriaged(findings, load_triage())
    assert not failures, failures
