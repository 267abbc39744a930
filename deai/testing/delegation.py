"""EIP-7702 delegated accounts for tests: give an EOA the delegation designator code `0xef0100 || target`.

On anvil (Prague) `anvil_setCode` installs the designator and calls to the account then run `target`'s code, as
after a real type-4 authorization. Ape's in-process EVM has no `set_code`, so the designator is written into
py-evm's pending state and sealed
into a block; what matters to the contracts under test is that the account now has code."""

from __future__ import annotations

from typing import Any

from eth_utils import to_canonical_address

DESIGNATOR_PREFIX = bytes.fromhex("ef0100")


def designator(target: str) -> bytes:
    return DESIGNATOR_PREFIX + to_canonical_address(target)


def delegate(chain: Any, account: str, target: str) -> bytes:
    """Make `account` an EIP-7702 delegated EOA pointing at `target`; returns the code installed."""
    code = designator(target)
    provider = chain.provider
    backend = getattr(provider, "evm_backend", None)
    if backend is None:
        provider.set_code(account, code)
    else:  # Ape's in-process EVM: write the code into the pending block's state
        pyevm = backend.chain
        state = pyevm.get_vm().state
        state.set_code(to_canonical_address(account), code)
        state.persist()
        pyevm.header = pyevm.header.copy(state_root=state.state_root)
        provider.mine()  # seal it into a block so calls at "latest" see it too
    assert bytes(provider.get_code(account)) == code, "the delegation designator was not installed"
    return code
