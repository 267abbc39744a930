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
    triage = load_triage()
    sources = production_sources()
    failures = {source.name: untriaged(analyse(source), triage) for source in sources}
    assert all(not bad for bad in failures.values()), failures
