"""Fixtures for the ProvenanceRegistry tests."""

from __future__ import annotations

import pytest
from eth_account import Account

from deai.deploy.provenance import ProvenanceParams, deploy_provenance_registry

PARAMS = ProvenanceParams()


@pytest.fixture
def registry(roles):
    return deploy_provenance_registry(roles.deployer, PARAMS)


@pytest.fixture(scope="module")
def signer():
    """A fresh EOA whose key the test holds, so signatures are made outside Ape."""
    return Account.create("provenance-signer")
