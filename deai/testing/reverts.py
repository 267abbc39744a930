"""Assert that a call reverts with one exact custom error and exact arguments.

`ape.reverts(contract.SomeError)` has been seen passing on a different revert (an arithmetic panic), so
this helper never trusts Ape's classification. It recovers the raw revert data from whatever Ape raised
(the mined transaction's own revert output from the node's trace when there is one, else a decoded `CustomError`,
an undecoded `custom error 0x...` from an eth_call, the bare hex data of a reverted deployment, or a bytes literal
from Ape's in-process EVM, or the raw bytes of deai.testing.revm's TransactionReverted),
ABI-encodes the expected error independently with eth-abi, and compares the bytes.
"""

from __future__ import annotations

import ast
import functools
import re
import sys
from contextlib import contextmanager
from typing import Any, Iterator

from eth_abi import encode
from eth_utils import keccak

# An argument-less error is reported without the colon: "custom error 0xac8fb3c1".
_UNDECODED = re.compile(r"custom error 0x([0-9a-fA-F]{8})(?:: ?(.*))?", re.DOTALL)
_HEX = re.compile(r"[0-9a-fA-F\s]*")
_RAW_HEX = re.compile(r"^0x((?:[0-9a-fA-F]{2}){4,})$")  # how Ape reports a deployment's undecoded revert
PANIC_SELECTOR = keccak(text="Panic(uint256)")[:4]


class RevertMismatch(AssertionError):
    """The call did not revert with the expected error and arguments."""


def _canonical_type(abi_type: Any) -> str:
    if abi_type.type.startswith("tuple"):
        inner = ",".join(_canonical_type(c) for c in abi_type.components)
        return f"({inner}){abi_type.type[len('tuple'):]}"
    return abi_type.type


# (contract type, error name) -> (contract type, signature, types, selector): ethpm-types builds its `errors` list
# (pydantic models) on every access, which cost more than the in-process EVM's whole transaction. The contract type
# is kept in the value so its id() is never reused while the entry lives.
_ERRORS: dict[tuple[int, str], tuple[Any, str, list[str], bytes]] = {}
# (selector, types, args, their types) -> revert data: the state machines expect the same few errors again and again
_ENCODED: dict[tuple, bytes] = {}


def _error_entry(contract: Any, name: str) -> tuple[Any, str, list[str], bytes]:
    contract_type = contract.contract_type
    entry = _ERRORS.get((id(contract_type), name))
    if entry is None or entry[0] is not contract_type:
        matches = [e for e in contract_type.errors if e.name == name]
        if not matches:
            known = sorted(e.name for e in contract_type.errors)
            raise KeyError(f"{contract_type.name} has no custom error {name!r}; it has {known}")
        types = [_canonical_type(i) for i in matches[0].inputs]
        signature = f"{name}({','.join(types)})"
        entry = _ERRORS[(id(contract_type), name)] = (contract_type, signature, types, keccak(text=signature)[:4])
    return entry


def error_signature(contract: Any, name: str) -> tuple[str, list[str]]:
    """Signature and argument types of the custom error `name` in `contract`'s ABI."""
    _, signature, types, _ = _error_entry(contract, name)
    return signature, list(types)


def encode_error(contract: Any, name: str, *args: Any) -> bytes:
    """The revert data of `name(*args)`, encoded from the ABI independently of Ape's decoder."""
    _, signature, types, selector = _error_entry(contract, name)
    if len(args) != len(types):
        raise TypeError(f"{signature} takes {len(types)} arguments, {len(args)} given")
    try:  # the value's type is part of the key: eth-abi accepts or refuses by type (True is not a uint)
        key = (selector, signature, args, tuple(map(type, args)))
        cached = _ENCODED.get(key)
    except TypeError:  # an unhashable argument (a list): encode every time
        return selector + encode(types, list(args))
    if cached is None:
        cached = selector + encode(types, list(args))
        if len(_ENCODED) > 100_000:
            _ENCODED.clear()
        _ENCODED[key] = cached
    return cached


def mined_hash(err: BaseException) -> str | None:
    """The hash (0x hex) of the transaction behind an Ape exception, or None (an eth_call has none)."""
    try:
        tx_hash = getattr(getattr(err, "txn", None), "txn_hash", None)
    except Exception:  # noqa: BLE001 - an unsigned transaction (an eth_call) has no hash
        return None
    if not tx_hash:
        return None
    if not isinstance(tx_hash, str):  # a transaction carries bytes, a receipt (when Ape got no data) a hex string
        tx_hash = "0x" + bytes(tx_hash).hex()
    return tx_hash


def mined_revert_data(err: BaseException) -> bytes | None:
    """The revert data of the mined transaction behind `err`, from the node's trace; None when there is none.

    Ape reports a failed transaction's data by replaying it with eth_call at the latest state, which can revert
    differently: a deployment replayed after its own failed transaction runs at the next nonce, so at another
    address (the emission splitter's constructor checks its own address)."""
    tx_hash = mined_hash(err)
    if tx_hash is None:
        return None
    from ape import chain

    try:
        trace = chain.provider.make_request("debug_traceTransaction", [tx_hash, {"tracer": "callTracer"}])
    except Exception:  # noqa: BLE001 - never mined (refused at estimation) or a provider without traces
        return None
    output = trace.get("output") if isinstance(trace, dict) and trace.get("error") else None
    return bytes.fromhex(output[2:]) if output and len(output) > 2 else None


def revert_data(err: BaseException) -> bytes | None:
    """The raw revert data carried by an Ape exception (from the mined transaction when there is one), or None."""
    direct = getattr(err, "revert_data", None)
    if isinstance(direct, bytes):  # deai.testing.revm.TransactionReverted carries the raw data itself
        return direct or None
    if (mined := mined_revert_data(err)) is not None:
        return mined
    abi = getattr(err, "abi", None)
    inputs = getattr(err, "inputs", None)
    if abi is not None and isinstance(inputs, dict):  # ape.exceptions.CustomError, decoded by Ape
        types = [_canonical_type(i) for i in abi.inputs]
        values = [inputs[i.name] for i in abi.inputs]
        return keccak(text=f"{abi.name}({','.join(types)})")[:4] + encode(types, values)
    raw = getattr(err, "revert_message", None)
    if isinstance(raw, (bytes, bytearray)):  # Ape's in-process EVM provider hands the data over as bytes
        return bytes(raw) or None
    message = str(raw or err)
    if match := _UNDECODED.search(message):
        selector, rest = bytes.fromhex(match.group(1)), match.group(2) or ""
        # Ape prints the arguments as hex, or as text when the bytes happen to decode as UTF-8.
        if _HEX.fullmatch(rest):
            return selector + bytes.fromhex("".join(rest.split()))
        return selector + rest.encode("utf-8")
    if match := _RAW_HEX.match(message.strip()):
        return bytes.fromhex(match.group(1))
    if message[:2] in ("b'", 'b"'):  # the in-process EVM provider sometimes reports the data as a bytes literal
        try:
            data = ast.literal_eval(message)
        except (ValueError, SyntaxError):
            return None
        return data if isinstance(data, bytes) and len(data) >= 4 else None
    return None


_quiet = 0  # how many `traces_unshown` blocks are open: Ape's Trace.show prints nothing while above 0


@contextmanager
def traces_unshown() -> Iterator[None]:
    """Within the block, Ape does not fetch, enrich or print the call trace of a reverted transaction or call.

    On every revert with a trace, ape-foundry (`FoundryProvider._handle_execution_reverted`) fetches the trace from
    the node, enriches every frame (contract names, decoded arguments, the test-account check) and prints the tree to
    stdout, after it has built the error. Where a revert is expected, pytest captures that tree and nobody reads it:
    about a fifth of the anvil unit tests' CPU (py-spy, tests/marketplace). The error Ape raises and its revert data
    are the same either way. `expect_revert` runs its body in this block, and shows the trace itself when the revert
    is not the expected one; an unexpected revert outside the block prints as before.

    How: the first block replaces `Trace.show` (once per process) with a wrapper that does nothing while a block is
    open; blocks only count up and down, so they may nest or close in any order. Everything that shows a trace
    inside a block is quiet, a `receipt.show_trace()` as well. Nothing is imported: in a process without Ape's trace
    module (the in-process backend alone) there is nothing to quiet."""
    global _quiet
    trace_module = sys.modules.get("ape_ethereum.trace")
    if trace_module is not None:
        _install_quiet_show(trace_module.Trace)
    _quiet += 1
    try:
        yield
    finally:
        _quiet -= 1


def _install_quiet_show(trace_class: Any) -> None:
    show = trace_class.__dict__.get("show")
    if show is None or getattr(show, "_deai_quiet", False):  # another Ape layout, or installed already
        return

    @functools.wraps(show)
    def quiet_show(self: Any, *args: Any, **kwargs: Any) -> Any:
        if _quiet:
            return None
        return show(self, *args, **kwargs)

    quiet_show._deai_quiet = True  # type: ignore[attr-defined]
    trace_class.show = quiet_show


def show_trace(err: BaseException) -> None:
    """Print the call trace of the mined transaction behind `err` (Ape's tree), if there is one; else nothing."""
    tx_hash = mined_hash(err)
    if tx_hash is None:
        return
    from ape import chain

    try:
        chain.provider.get_transaction_trace(tx_hash).show()
    except Exception:  # noqa: BLE001 - a provider without traces: the mismatch message says what reverted
        return


def describe(err: BaseException | None) -> str:
    if err is None:
        return "no revert"
    return f"{type(err).__name__}: {str(err)[:300]}"


@contextmanager
def expect_revert(contract: Any, error_name: str, *args: Any) -> Iterator[None]:
    """Context manager: the body must revert with `error_name(*args)` as declared in `contract`'s ABI.

    Fails (RevertMismatch) when the body does not revert, reverts with another error, a panic,
    a reason string, or the right error with other arguments.
    """
    expected = encode_error(contract, error_name, *args)
    try:
        with traces_unshown():  # left before the handlers below run: a mismatch's trace shows
            yield
    except RevertMismatch:
        raise
    except Exception as err:  # Ape raises many exception classes for a revert; inspect them all
        actual = revert_data(err)
        if actual != expected:
            show_trace(err)  # not the expected revert: its call tree, as an unexpected revert prints it
            raise RevertMismatch(
                f"expected revert {error_name}{args!r} (0x{expected.hex()}), got {describe(err)}"
                f" (data 0x{(actual or b'').hex()})"
            ) from err
        return
    raise RevertMismatch(f"expected revert {error_name}{args!r}, but the call succeeded")


@contextmanager
def expect_panic(code: int) -> Iterator[None]:
    """Context manager: the body must revert with Solidity's `Panic(code)` (0x11 overflow, 0x12 div by zero...)."""
    expected = PANIC_SELECTOR + encode(["uint256"], [code])
    try:
        yield
    except RevertMismatch:
        raise
    except Exception as err:
        actual = revert_data(err)
        names = {0x01: "Assert", 0x11: "Arithmetic", 0x12: "Division", 0x32: "Index"}
        # Ape turns panics into typed exceptions with a message; accept them only for the same code.
        if actual != expected and names.get(code, "?").lower() not in type(err).__name__.lower() + str(err).lower():
            raise RevertMismatch(f"expected Panic(0x{code:02x}), got {describe(err)}") from err
        return
    raise RevertMismatch(f"expected Panic(0x{code:02x}), but the call succeeded")
