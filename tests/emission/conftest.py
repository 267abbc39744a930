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


@pytest.fixture
def pools(roles, params, chain):
    """Token, a staking pool (bucket 0, deposit token MockERC20) and a managed pool (bucket 1), wired to a splitter."""
    from deai.deploy.emission import MANAGED, STAKING, deploy_pool, deploy_token
    from deai.testing.tokens import deploy_token as deploy_zoo_token

    token = deploy_token(roles.deployer, params)
    lp = deploy_zoo_token("standard18", roles.deployer)
    staking = deploy_pool(roles.deployer, token, 0, STAKING, deposit_token=lp)
    managed = deploy_pool(roles.deployer, token, 1, MANAGED, manager=roles.admin)
    start = int(chain.pending_timestamp) + START_OFFSET
    recipients = [staking, managed, roles.carol, roles.dave, roles.treasury]
    _, splitter = deploy_emission(roles.deployer, params, recipients, roles.governance, roles.guardian, start,
                                  token=token)
    staking.setSplitter(splitter, sender=roles.deployer)
    managed.setSplitter(splitter, sender=roles.deployer)
    for who in (roles.alice, roles.bob, roles.carol):
        lp.mint(who, 10**24, sender=who)
        lp.approve(staking, 2**256 - 1, sender=who)
    return dict(token=token, lp=lp, staking=staking, managed=managed, splitter=splitter, start=start)
