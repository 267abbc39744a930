"""Fixtures for the emission tests: token + splitter deployed through deai.deploy.emission."""

from __future__ import annotations

import pytest

from deai.deploy.emission import MANAGED, STAKING, EmissionParams, PoolSpec, deploy_emission

START_OFFSET = 1_000
FUNDS = 100 * 10**18


def staking_system(roles, params, chain, deposit, **limits):
    """An emission system starting 100 s from now whose bucket 0 is a staking pool of `deposit` with `limits`
    (PoolSpec's min_stake, withdraw_lock, claim_lock_after_stake, claim_lock_after_claim) and bucket 1 a managed
    pool (manager: roles.admin). Returns (system, start)."""
    recipients = [PoolSpec(STAKING, deposit_token=deposit, **limits), PoolSpec(MANAGED, manager=roles.admin),
                  roles.carol, roles.dave, roles.treasury]
    start = int(chain.pending_timestamp) + 100
    return deploy_emission(roles.deployer, params, recipients, roles.governance, roles.guardian, start), start


def permit_args(owner, token, spender, value, deadline, chain_id, name):
    """(value, deadline, v, r, s) of `owner`'s EIP-2612 permit (nonce 0) for `spender` on `token` (domain `name`,
    version 1): the arguments of RewardPool.stakeWithPermit, and the last five of `token.permit`. `owner`: a test
    account or an eth_account local account."""
    from eth_account import Account

    key = getattr(owner, "private_key", None) or owner.key
    signed = Account.sign_typed_data(key, full_message={
        "types": {
            "EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                             {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}],
            "Permit": [{"name": "owner", "type": "address"}, {"name": "spender", "type": "address"},
                       {"name": "value", "type": "uint256"}, {"name": "nonce", "type": "uint256"},
                       {"name": "deadline", "type": "uint256"}],
        },
        "primaryType": "Permit",
        "domain": {"name": name, "version": "1", "chainId": chain_id, "verifyingContract": token.address},
        "message": {"owner": owner.address, "spender": spender.address, "value": value, "nonce": 0,
                    "deadline": deadline},
    })
    return value, deadline, signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big")


def fund(token, pool, *accounts, amount=FUNDS):
    """Mints `amount` of an open-mint test token to each account, approved to `pool` without limit."""
    for who in accounts:
        token.mint(who, amount, sender=who)
        token.approve(pool, 2**256 - 1, sender=who)


@pytest.fixture
def params():
    return EmissionParams()


@pytest.fixture
def recipients(backend):
    roles = backend.roles
    return [roles.alice, roles.bob, roles.carol, roles.dave, roles.treasury]


@pytest.fixture
def emission(backend, params, recipients):
    roles, chain = backend.roles, backend.chain
    start = int(chain.pending_timestamp) + START_OFFSET
    system = deploy_emission(roles.deployer, params, recipients, roles.governance, roles.guardian, start)
    return system.token, system.splitter, start


@pytest.fixture
def pools(backend, params):
    """Token, a staking pool (bucket 0, deposit token MockERC20) and a managed pool (bucket 1), built for the
    splitter deployed after them (on the test's backend: Ape's unless the test selects the in-process one)."""
    roles, chain = backend.roles, backend.chain
    from deai.testing.tokens import deploy_token as deploy_zoo_token

    lp = deploy_zoo_token("standard18", roles.deployer)
    start = int(chain.pending_timestamp) + START_OFFSET
    recipients = [PoolSpec(STAKING, deposit_token=lp), PoolSpec(MANAGED, manager=roles.admin), roles.carol,
                  roles.dave, roles.treasury]
    system = deploy_emission(roles.deployer, params, recipients, roles.governance, roles.guardian, start)
    staking = system.pools[0]
    for who in (roles.alice, roles.bob, roles.carol):
        lp.mint(who, 10**24, sender=who)
        lp.approve(staking, 2**256 - 1, sender=who)
    return dict(token=system.token, lp=lp, staking=staking, managed=system.pools[1], splitter=system.splitter,
                start=start)
