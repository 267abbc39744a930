"""Code installed at an address for tests, on every backend: EIP-7702 delegated accounts (an EOA given the delegation
designator `0xef0100 || target`) and contracts "deployed" at a CREATE2-predicted address after it was named somewhere.

On anvil (Prague) `anvil_setCode` installs the code, and calls to a delegated account then run `target`'s code, as
after a real type-4 authorization. Ape's in-process EVM has no `set_code`, so the code is written into py-evm's
pending state and sealed into a block; the in-process backend (deai.testing.revm) writes it into revm's state. What
matters to the contracts under test is that the account now has that code."""

from __future__ import annotations

from typing import Any

from eth_utils import to_canonical_address

DESIGNATOR_PREFIX = bytes.fromhex("ef0100")


def designator(target: str) -> bytes:
    return DESIGNATOR_PREFIX + to_canonical_address(target)


def code_of(chain: Any, account: Any) -> bytes:
    """The runtime code at `account` (Ape's chain asks its provider; the in-process chain answers itself)."""
    address = getattr(account, "address", account)
    reader = chain.get_code if hasattr(chain, "get_code") else chain.provider.get_code
    return bytes(reader(address))


def install_code(chain: Any, account: Any, code: bytes) -> None:
    """Give `account` runtime `code`, keeping its balance and nonce."""
    address = getattr(account, "address", account)
    if hasattr(chain, "set_code"):  # the in-process backend
        chain.set_code(address, code)
    else:
        provider = chain.provider
        backend = getattr(provider, "evm_backend", None)
        if backend is None:
            provider.set_code(address, code)
        else:  # Ape's in-process EVM: write the code into the pending block's state
            pyevm = backend.chain
            state = pyevm.get_vm().state
            state.set_code(to_canonical_address(address), bytes(code))
            state.persist()
            pyevm.header = pyevm.header.copy(state_root=state.state_root)
            provider.mine()  # seal it into a block so calls at "latest" see it too
    assert code_of(chain, address) == bytes(code), f"the code was not installed at {address}"


def delegate(chain: Any, account: str, target: str) -> bytes:
    """Make `account` an EIP-7702 delegated EOA pointing at `target`; returns the code installed."""
    code = designator(target)
    install_code(chain, account, code)
    return code
