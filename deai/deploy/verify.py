"""Is a contract on chain exactly what this run would deploy?

A recorded (or recovered) contract is kept only if every one of these holds, checked in this order so the error names
the first difference:
1. its address is the CREATE address of the manifest's deployer at the recorded nonce;
2. the recorded transaction is on this chain, was sent by that deployer with that nonce, succeeded and created
   that address;
3. the transaction's input is byte for byte the compiled creation code followed by the constructor arguments this
   run computes from the configuration (so a changed configuration, another compiler output or another
   constructor argument is a difference, named by the argument);
4. the runtime code at the address equals, byte for byte (immutables included), the code a simulation of that
   creation returns: an `eth_call` from the deployer with the deployer's nonce and the address's account overridden
   to their state before the creation (nodes without state overrides fall back to 3. plus the compiled code with
   only the immutables masked);
5. its configured state (owner, fee, treasury, ...) is what the plan step declares (`StateCheck`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from eth_abi import decode
from eth_utils import keccak, to_checksum_address

from deai.deploy.bytecode import code_matches
from deai.deploy.contracts import create_address

FRESH = "--fresh-manifest"


class DeploymentError(RuntimeError):
    """The chain and the manifest disagree in a way a re-run must not paper over."""


@dataclass(frozen=True)
class StateCheck:
    """One piece of configured state of a deployed contract: `read(instance)` must satisfy `accept`."""

    what: str  # what the error names, e.g. "feeBps"
    read: Callable[[Any], Any]
    expected: Any  # shown in the error; also the accepted value unless `accept` is given
    accept: Callable[[Any], bool] | None = None
    after_wiring: bool = False  # only true once the plan's call steps ran (e.g. an allowlist)

    def holds(self, actual: Any) -> bool:
        return self.accept(actual) if self.accept is not None else _same(actual, self.expected)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str) and a.startswith("0x") and b.startswith("0x"):
        return a.lower() == b.lower()
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def creation_code(factory: Any, args: tuple[Any, ...]) -> bytes:
    """The compiled creation code followed by the ABI-encoded constructor arguments (a deployment's tx input)."""
    bytecode = bytes.fromhex(factory.contract_type.deployment_bytecode.bytecode.removeprefix("0x"))
    return bytecode + (bytes(factory.constructor.encode_input(*args)) if args else b"")


def runtime_code(factory: Any) -> bytes:
    return bytes.fromhex(factory.contract_type.runtime_bytecode.bytecode.removeprefix("0x"))


def code_hash(code: bytes) -> str:
    return "0x" + keccak(code).hex()


def describe_input_difference(factory: Any, contract: str, actual: bytes, expected: bytes) -> str:
    """What differs between a deployment's input and the expected one: the creation code or a named argument."""
    bytecode = bytes.fromhex(factory.contract_type.deployment_bytecode.bytecode.removeprefix("0x"))
    if actual[: len(bytecode)] != bytecode:
        return f"it was deployed from other code than the compiled {contract}"
    inputs = factory.constructor.abi.inputs
    types = [i.canonical_type for i in inputs]
    try:
        got = decode(types, actual[len(bytecode):])
    except Exception:  # noqa: BLE001 - any decoding failure means "not our arguments"
        return "its constructor arguments are not what this configuration encodes"
    want = decode(types, expected[len(bytecode):])
    for item, a, b in zip(inputs, got, want):
        if a != b:
            return f"it was deployed with {item.name or 'an argument'}={_show(a)}, the configuration gives {_show(b)}"
    return "its constructor arguments are not what this configuration encodes"


def _show(value: Any) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_show(v) for v in value) + "]"
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        return to_checksum_address(value)
    return str(value)


PROBE = "0x" + "11" * 20
PROBE_CODE = "0x60016000526001601ff3"  # returns the single byte 0x01


def supports_overrides(web3: Any) -> bool:
    """Does the node apply eth_call state overrides? (anvil and geth do; Ape's in-process EVM does not.)"""
    try:
        return bytes(web3.eth.call({"to": PROBE, "data": "0x"}, "latest", {PROBE: {"code": PROBE_CODE}})) == b"\x01"
    except Exception:  # noqa: BLE001 - the node rejects the third parameter
        return False


def simulate_runtime(web3: Any, deployer: str, nonce: int, address: str, init: bytes) -> bytes | None:
    """The runtime code `init` returns when run as the deployer's creation with `nonce` (so at `address`, with the
    same `address(this)` and chain id): an eth_call with the deployer's nonce and the target account overridden to
    an empty account. None when the node does not support state overrides; DeploymentError when the creation
    reverts today."""
    if not supports_overrides(web3):
        return None
    empty = {"code": "0x", "nonce": 0, "balance": 0, "state": {}}
    # A constructor may create contracts of its own (the marketplace deploys its ProviderRegistry and its disputes
    # module): those sit at CREATE(address, 1..n) today and would collide with the simulated creation, so they are
    # emptied too. A contract's nonce starts at 1, so n is its current nonce minus one.
    children = [create_address(address, k) for k in range(1, web3.eth.get_transaction_count(address))]
    overrides = {deployer: {"nonce": nonce}, **{a: dict(empty) for a in (address, *children)}}
    try:
        return bytes(web3.eth.call({"from": deployer, "data": "0x" + init.hex()}, "latest", overrides))
    except Exception as err:  # noqa: BLE001 - a revert of the simulated constructor
        raise DeploymentError(f"the creation of {address} cannot be simulated on this chain now "
                              f"({type(err).__name__}); check the contracts its constructor reads") from None


@dataclass(frozen=True)
class Creation:
    """Where a recorded contract came from, as the manifest claims."""

    key: str
    contract: str
    address: str
    tx_hash: str | None
    nonce: int | None


def check_creation(web3: Any, claim: Creation, deployer: str, factory: Any, expected_init: bytes,
                   where: str) -> dict[str, Any]:
    """Raise DeploymentError unless `claim` is exactly the deployment of `expected_init` by `deployer` (steps 1-4 of
    the module docstring); return the transaction."""
    key, address = claim.key, claim.address
    fix = f"restore {where} from a trusted copy, or start a fresh one with {FRESH}"
    if not claim.tx_hash:
        raise DeploymentError(f"{key}: {where} records no transaction for {address}; {fix}")
    try:
        tx = web3.eth.get_transaction(claim.tx_hash)
        receipt = web3.eth.get_transaction_receipt(claim.tx_hash)
    except Exception:  # noqa: BLE001 - TransactionNotFound and the like
        tx = receipt = None
    if tx is None or receipt is None:
        raise DeploymentError(f"{key}: transaction {claim.tx_hash} is not on this chain (a reset or another chain); "
                              f"{fix}")
    nonce = tx["nonce"] if claim.nonce is None else claim.nonce
    if tx["from"].lower() != deployer.lower():
        raise DeploymentError(f"{key}: transaction {claim.tx_hash} was sent by {to_checksum_address(tx['from'])}, not "
                              f"the deployer {deployer}; {fix}")
    if tx["nonce"] != nonce:
        raise DeploymentError(f"{key}: transaction {claim.tx_hash} has nonce {tx['nonce']}, {where} records nonce "
                              f"{nonce}; {fix}")
    if create_address(deployer, nonce) != address:
        raise DeploymentError(f"{key}: {address} is not the address the deployer's nonce {nonce} creates "
                              f"({create_address(deployer, nonce)}); {fix}")
    created = receipt.get("contractAddress")
    if receipt.get("status") != 1 or not created or to_checksum_address(created) != address:
        raise DeploymentError(f"{key}: transaction {claim.tx_hash} did not create {address}; {fix}")
    code = bytes(web3.eth.get_code(address))
    if not code:
        raise DeploymentError(f"{key}: {address} has no code on this chain; {fix}")
    actual_input = bytes(tx["input"])
    if actual_input != expected_init:
        what = describe_input_difference(factory, claim.contract, actual_input, expected_init)
        raise DeploymentError(f"{key} at {address}: {what}; a deployed contract cannot change: make the "
                              f"configuration match it, or deploy afresh with {FRESH}")
    simulated = simulate_runtime(web3, deployer, nonce, address, expected_init)
    if simulated is not None and simulated != code:
        raise DeploymentError(f"{key} at {address}: its runtime code (immutables included) differs from what its "
                              f"creation produces now; {fix}")
    if simulated is None and not code_matches(runtime_code(factory), code):
        raise DeploymentError(f"{key} at {address}: its code does not match the compiled {claim.contract}; {fix}")
    return tx


def check_state(key: str, instance: Any, checks: tuple[StateCheck, ...], config_source: str,
                wired: bool) -> None:
    """Raise DeploymentError at the first configured state that does not hold (skipping wiring not yet sent)."""
    for check in checks:
        if check.after_wiring and not wired:
            continue
        actual = check.read(instance)
        if not check.holds(actual):
            raise DeploymentError(
                f"{key} at {instance.address}: {check.what} is {_show(actual)} on chain, the configuration expects "
                f"{_show(check.expected)}; change it on chain through its admin, or make {config_source} match")
