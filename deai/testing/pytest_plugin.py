"""pytest fixtures and options shared by every test folder (loaded from tests/conftest.py)."""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from deai.testing.gas import MODES, GasRecorder
from deai.testing.profiles import load_profile
from deai.testing.roles import Roles
from deai.testing.tokens import TOKEN_ZOO, deploy_token

GAS_PROVIDER = "foundry"  # the gas snapshot is defined on the project's anvil


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--gas-snapshot", choices=MODES, default="off",
        help="check: fail on >2%% regressions against gas-snapshot.json; update: rewrite it",
    )


def pytest_configure(config: pytest.Config) -> None:
    profile = load_profile()
    config.stash[_profile_key] = profile


def pytest_report_header(config: pytest.Config) -> str:
    return f"hypothesis profile: {config.stash[_profile_key]} (set HYPOTHESIS_PROFILE=audit for the deep run)"


_profile_key = pytest.StashKey[str]()
_gas_key = pytest.StashKey[GasRecorder]()


@pytest.fixture(scope="session")
def gas(request: pytest.FixtureRequest) -> Iterator[GasRecorder]:
    """Records receipt gas per operation name; see deai.testing.gas."""
    from ape import chain

    mode = request.config.getoption("--gas-snapshot")
    recorder = GasRecorder(mode=mode, active=chain.provider.name == GAS_PROVIDER)
    yield recorder
    if mode == "update" and recorder.active and recorder.measured:
        recorder.write()


@pytest.fixture(autouse=True)
def _forget_contract_types_at_reverted_addresses() -> Iterator[None]:
    """Each test's chain state is reverted afterwards, so the same deployer nonce yields the same addresses again.
    Ape caches a contract type per address; a stale entry makes it decode a later deployment's revert with another
    contract's ABI. Clearing the in-memory cache after each test keeps decoding tied to what is really there."""
    yield
    from ape import chain

    chain.contracts.clear_local_caches()


@pytest.fixture(scope="session")
def roles(accounts: Any) -> Roles:
    """deployer, admin, governance, guardian, treasury, arbiter, alice, bob, carol, dave, mallory, relayer."""
    return Roles.from_accounts(accounts)


@pytest.fixture(params=sorted(TOKEN_ZOO))
def zoo_kind(request: pytest.FixtureRequest) -> str:
    """Each kind of the token zoo in turn (a test using it runs once per kind)."""
    return request.param


@pytest.fixture
def zoo_token(zoo_kind: str, roles: Roles) -> Any:
    """A freshly deployed token of the current zoo kind."""
    return deploy_token(zoo_kind, roles.deployer)
