"""The two backends the state machines run on, selected per test by the `backend` fixture (deai.testing.pytest_plugin).

- `ape`: Ape's connected provider (the project's anvil in `make test`; Ape's in-process EVM in `make test-inprocess`),
  with the session's Ape test accounts. The reference: gas, receipts and reverts as a node reports them.
- `revm`: `deai.testing.revm.RevmChain`, the same EVM (revm) called in-process through pyrevm, hundreds of times
  faster; hypothesis runs it deeper (the `<profile>-revm` settings in deai.testing.profiles).

A machine test written as `def test_x(backend): roles, chain = backend.roles, backend.chain` and parametrized with
`@on_both_backends` runs unchanged on both: deployment goes through deai.deploy (whose `deploy` routes an in-process
sender to the in-process chain) and `ChainStateMachine` picks up `backend.chain`.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator

import pytest

from deai.testing.chain_isolation import use_chain
from deai.testing.profiles import use_backend_profile
from deai.testing.roles import Roles

BACKENDS = ("ape", "revm")
on_both_backends = pytest.mark.parametrize("backend", BACKENDS, indirect=True)


@dataclass(frozen=True)
class Backend:
    name: str
    roles: Roles
    chain: Any
    accounts: Any

    @property
    def in_process(self) -> bool:
        return self.name == "revm"


@pytest.fixture(name="roles")
def backend_roles(backend: Backend) -> Roles:
    """`roles` for a module whose tests run on both backends: the chosen backend's accounts. Import it (with
    `backend_chain`) into the module, where it replaces the session's Ape-only fixture of that name."""
    return backend.roles


@pytest.fixture(name="chain")
def backend_chain(backend: Backend) -> Any:
    """`chain` for a module whose tests run on both backends: the chosen backend's chain (see `backend_roles`)."""
    return backend.chain


def ape_backend() -> Backend:
    from ape import accounts, chain

    return Backend("ape", Roles.from_accounts(accounts.test_accounts), chain, accounts.test_accounts)


def revm_backend() -> Backend:
    from deai.testing.revm import RevmChain

    chain = RevmChain()
    return Backend("revm", chain.roles, chain, chain.accounts)


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Within the block, the objects that exist when it starts (the imported libraries: Ape, pydantic, eth-abi, some
    250,000 objects) are out of the cyclic garbage collector's view (`gc.freeze`): a full collection then walks only
    what the block made instead of spending about 150 ms on objects that live for the whole session, about a tenth
    of the CPU time of a 2,000-step machine run. They are handed back to the collector afterwards (`gc.unfreeze`)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextmanager
def activate(backend: Backend) -> Iterator[Backend]:
    """Run the block on `backend`: state machines use its chain, hypothesis its profile's depth; in-process, with
    the session's objects out of the garbage collector's way (`frozen_heap`)."""
    with use_chain(backend.chain if backend.in_process else None), use_backend_profile(backend.name):
        if not backend.in_process:
            yield backend
            return
        with frozen_heap():
            yield backend
