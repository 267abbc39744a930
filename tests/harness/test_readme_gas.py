"""The README's gas tables quote measurements, so every figure in their "this suite" column must be a value of the
committed gas snapshot (which `make test` checks against the contracts). Budgets in parentheses are not measurements."""

from __future__ import annotations

import json
import re

from deai.toolchain import PROJECT_ROOT

NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+|\d+")
BUDGET = re.compile(r"\(budget [^)]*\)")


def quoted_figures(readme: str) -> list[tuple[str, int]]:
    """(operation, figure) for each number in the second column of the tables in the README's `## Gas` section."""
    section = readme.split("\n## Gas\n", 1)[1].split("\n## ", 1)[0]
    figures = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.startswith("| `") or len(cells) < 2:
            continue
        figures += [(cells[0], int(n.replace(",", ""))) for n in NUMBER.findall(BUDGET.sub("", cells[1]))]
    return figures


def test_quoted_figures_are_read_from_the_tables():
    table = "\n## Gas\n| op | this suite | ref |\n| --- | --- | --- |\n| `a` | **1,234** (budget 9,000) / 5 | 7 |\n## Next"
    assert quoted_figures(table) == [("`a`", 1234), ("`a`", 5)]


def test_every_gas_figure_in_the_readme_is_in_the_snapshot():
    snapshot = set(json.loads((PROJECT_ROOT / "gas-snapshot.json").read_text()).values())
    figures = quoted_figures((PROJECT_ROOT / "README.md").read_text())
    assert len(figures) > 40  # the three systems' tables were found
    stale = [(operation, figure) for operation, figure in figures if figure not in snapshot]
    assert not stale, f"README gas figures not in gas-snapshot.json: {stale}"
