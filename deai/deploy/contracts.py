"""Deploying one compiled contract of this project by name."""

from __future__ import annotations

from typing import Any

import rlp
from eth_utils import keccak, to_canonical_address, to_checksum_address


class MissingArtifact(RuntimeError):
    """A contract name with no compiled artifact in this project."""


def container(name: str) -> Any:
    """The compiled contract container for `name` (compiling the project if needed)."""
    from ape import project

    try:
        return getattr(project, name)
    except AttributeError as err:
        raise MissingArtifact(f"no compiled contract named {name!r}; run `ape compile` and check the name") from err


def address_of(value: Any) -> str:
    """The address of an account or contract instance; a string address as it is."""
    return getattr(value, "address", value)


def abi_json(name: str) -> list[dict[str, Any]]:
    """The compiled ABI of `name` as plain JSON (what deployments files and abi/ hold)."""
    return [item.model_dump(mode="json", by_alias=True, exclude_none=True) for item in container(name).contract_type.abi]


def deploy(name: str, sender: Any, *args: Any, **tx: Any) -> Any:
    """Deploy contract `name` from `sender` with constructor `args`; return the contract instance.

    A sender of the in-process test chain (deai.testing.revm) deploys there from the same compiled artifact."""
    if getattr(sender, "in_process_chain", None) is not None:
        return sender.deploy(name, *args, **tx)
    return sender.deploy(container(name), *args, **tx)


def contract_at(name: str, address: str, beside: Any) -> Any:
    """Contract `name` at `address` on the chain that `beside` (a contract or account) lives on: Ape's, or the
    in-process test chain (deai.testing.revm)."""
    chain = getattr(beside, "in_process_chain", None)
    if chain is not None:
        return chain.at(address, name)
    return container(name).at(address)


def create_address(sender: str, nonce: int) -> str:
    """The address a contract deployed by `sender` with transaction nonce `nonce` gets (CREATE)."""
    return to_checksum_address(keccak(rlp.encode([to_canonical_address(sender), nonce]))[12:])


def next_create_address(sender: Any, ahead: int = 0) -> str:
    """The address of the contract `sender` deploys `ahead` transactions from now (0: its next transaction)."""
    return create_address(sender.address, sender.nonce + ahead)
