"""Fixtures for the emission tests: token + splitter deployed through deai.deploy.emission."""

from __future__ import annotations

import pytest

from deai.deploy.emission import EmissionParams, deploy_emission

START_OFFSET = 1_000


@pytest.fixture
def params():
    return EmissionParams()


@pytest.fixture
def recipients(roles):
    return [roles.alice, roles.bob, roles.carol, roles.dave, roles.treasury]


@pytest.fixture
def emission(roles, params, recipients, chain):
    start = int(chain.pending_timestamp) + START_OFFSET
    token, splitter = deploy_emission(roles.deployer, params, recipients, roles.governance, roles.guardian, start)
    return token, splitter, start
