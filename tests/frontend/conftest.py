"""Fixtures for the front-end package tests: the built @deai/contracts package and a consumer project that imports
it by name (see deai/frontend/node.py)."""

from __future__ import annotations

import pytest

from deai.frontend import node


@pytest.fixture(scope="session")
def consumer_project(tmp_path_factory):
    return node.consumer(tmp_path_factory.mktemp("consumer"))


@pytest.fixture(scope="session")
def exports(consumer_project):
    """Everything the package exports, as a dApp's import sees it (dumped to JSON by node)."""
    return node.node_json(consumer_project, "dump.mjs")
