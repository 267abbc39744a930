"""The unit suites in-process: `DEAI_UNIT_BACKEND=revm pytest -p no:ape_test tests/<system>` runs a folder's unit
tests on one in-process revm chain (deai.testing.revm) instead of Ape's provider, in seconds instead of minutes.

Why: mutation testing (`make mutation`) judges each mutant by running tests against the mutant's bytecode; through
Ape a unit-test session costs minutes per mutant, in-process a second or two, so the unit tests (not only the state
machines) can kill mutants.

What it provides, in place of Ape's pytest plugin (which `-p no:ape_test` turns off): the `chain` and `accounts`
fixtures (one RevmChain per session, its 12 funded accounts: the same addresses as Ape's test accounts), every test
isolated in a snapshot (as Ape isolates each test), `gas` as an inactive recorder (budgets and the snapshot are
anvil's), and the `backend` fixture's "ape" parameter deselected (its "revm" twin runs). Tests that need a node (a
node process, Ape's network or project APIs) are marked `node_only` and deselected here; on anvil (`make test`)
every test runs as always.
"""

from __future__ import annotations

import os
from typing import Any, Iterator

import pytest

ENV = "DEAI_UNIT_BACKEND"


def enabled() -> bool:
    return os.environ.get(ENV) == "revm"


class InProcessUnits:
    """Registered as a pytest plugin by deai.testing.pytest_plugin when `enabled()`."""

    @pytest.fixture(scope="session")
    def chain(self) -> Any:
        from deai.testing.revm import RevmChain

        return RevmChain()

    @pytest.fixture(scope="session")
    def accounts(self, chain: Any) -> Any:
        return chain.accounts

    @pytest.fixture(autouse=True)
    def _isolated(self, chain: Any) -> Iterator[None]:
        from deai.testing.chain_isolation import use_chain

        with chain.isolate(), use_chain(chain):
            yield

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        keep, drop = [], []
        for item in items:
            on_node = getattr(getattr(item, "callspec", None), "params", {}).get("backend") == "ape"
            (drop if on_node or item.get_closest_marker("node_only") else keep).append(item)
        if drop:
            config.hook.pytest_deselected(items=drop)
            items[:] = keep
