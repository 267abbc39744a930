"""An in-process EVM backend for tests: revm (the EVM inside anvil and Foundry) driven through `pyrevm`, behind a
facade that looks enough like Ape for the state machines' rule bodies to run unchanged.

Why: through Ape and anvil a state-machine step costs a few JSON-RPC round trips (about 4 steps/s); in-process the
same compiled bytecode runs at thousands of steps per second, so hypothesis can go hundreds of times deeper.

Supported surface (everything else raises AttributeError; keep rule bodies inside it):

- `RevmChain()` - a fresh chain (chain id 31337, Prague rules like the project's anvil, gas price 0), with
  `accounts` (the same 12 funded addresses as Ape's test accounts: same mnemonic, same HD path) and `roles`
  (`deai.testing.roles.Roles`).
- Accounts (`RevmAccount`): `.address` (checksummed), `.nonce` (transactions sent, like anvil), `.balance`,
  `.key` and `.private_key` (its private key, for tests that sign off-chain), `.deploy(name_or_container, *args)`;
  comparing with a string address works. The deploy plan's `deai.deploy.contracts.deploy(name, sender, *args)`
  routes here when the sender is a `RevmAccount`, so constructor parameters come from the same
  `deai/deploy/<system>.py` dataclasses.
- Contracts (`RevmContract`): `.address`, `.contract_type` (ethpm-types `ContractType`, so
  `deai.testing.reverts.expect_revert` encodes errors from it), `contract.fn(*args, sender=account, value=0)` for
  state-changing functions (one transaction, one block) returning a `Receipt`, `contract.fn(*args)` for view/pure
  functions returning decoded values (`contract.fn.call(...)` forces a call, `.transact(...)` a transaction),
  `contract.EventName` (for `receipt.decode_logs(contract.EventName)`), `contract.balance`,
  `contract.creation_metadata.receipt` (the deployment's receipt: the constructor's events). Arguments may be
  accounts or contracts (anything with `.address`), lists of them, `0x` hex strings for bytes. Overloads are picked
  by argument count.
- Return values like Ape's: `address` as a checksummed str, `bytesN`/`bytes` as `HexBytes`, integers, bools,
  strings; several outputs as a tuple; a struct (or several named outputs) as a `Struct` (a tuple with attribute
  and `["name"]` access).
- `Receipt`: `.events` (a list of `Log` with `.filter(contract.Event, **fields)`), `.decode_logs(event=None)`,
  `.gas_used`, `.block_number`, `.timestamp`, `.return_value`, `.status`, `.sender`, `.contract_address`
  (deployments), `.txn_hash` (a synthetic, unique hash).
- `Log` (like Ape's ContractLog): `.event_name`, `.contract_address`, `.block_number`, `.log_index`, fields by
  attribute and by `log["field"]`, `.event_arguments` (dict).
- Chain (`RevmChain`): `pending_timestamp` (get/set: the next block's time; unset it is the head's time + 1),
  `blocks.head.timestamp`, `blocks[n].timestamp`, `blocks.height`, `chain_id`, `mine(n=1, timestamp=None)`,
  `snapshot()` / `restore(snapshot_id)` (journal checkpoints: microseconds), `isolate()` (context manager),
  `storage_at(address, slot)`, `get_balance(address)`, `set_balance(address, wei)`.
- Block semantics match anvil's automine: every transaction, reverted or not, mines one block at the pending
  timestamp and bumps the sender's nonce; views run against the head block (its number and timestamp).
- View answers are remembered until a change can alter them, and before the invariants the machines read every
  forgotten view again in one EVM call (`RevmChain.read_ahead`, deai.testing.view_batch): each answers exactly as
  called alone (one in every few batches is checked), except that `tx.origin` differs (contracts reading it are
  never batched) and the zero address has code while the batch runs.
- gasUsed is NOT a node's: pyrevm keeps every transaction in one journal (that is what makes snapshots
  microseconds), so storage slots and accounts a transaction touched stay warm for the later ones and their EIP-2200
  "original" values stay those of the journal's start (pyrevm's `commit()` keeps them too). A transaction's gasUsed
  here is at most the node's (tests/harness/test_backend_fidelity.py checks it); return values, reverts, events and
  storage are identical. Budgets and the gas snapshot are measured on anvil only.
- A revert raises `TransactionReverted` (a `ContractLogicError` look-alike) whose `.revert_message` and
  `.revert_data` are the raw revert bytes, which `expect_revert` / `expect_panic` decode as on anvil; a halt
  (out of gas, invalid opcode) reverts with empty data.
"""

from __future__ import annotations

import itertools
import json
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import Any, Iterator, NamedTuple, Sequence

from eth_abi.encoding import TupleEncoder
from eth_abi.registry import registry as _abi_registry
from eth_utils import keccak
from eth_utils import to_checksum_address as _to_checksum_address
from hexbytes import HexBytes
from pyrevm import EVM, AccountInfo, BlockEnv, CfgEnv, Env

from deai.testing import view_batch
from deai.testing.view_batch import ZERO_ADDRESS  # the caller of a view or simulation given no sender
from deai.toolchain import PROJECT_ROOT

ARTIFACTS = PROJECT_ROOT / ".build" / "__local__.json"
CHAIN_ID = 31_337
SPEC = "PRAGUE"  # the project's solc evm_version and anvil's hardfork
GENESIS_TIME = 1_767_225_600  # 2026-01-01T00:00:00Z: a fixed clock, so in-process runs are reproducible
BLOCK_GAS_LIMIT = 30_000_000
TX_GAS_LIMIT = 30_000_000
TEST_MNEMONIC = "test test test test test test test test test test test junk"  # Ape's and anvil's default
HD_PATH = "m/44'/60'/0'/0/{}"
NUMBER_OF_ACCOUNTS = 12
INITIAL_BALANCE = 10_000 * 10**18
_EVERYTHING = object()  # `_mine`/`_forget_views`: the transaction may have changed any storage
_BATCH_MIN = 3  # `RevmChain.read_ahead`: fewer views are as cheap read one by one
_CHECK_EVERY = 4  # ... and one view of every fourth batch is read alone as well
_STALE_LIMIT = 20_000  # forgotten decoded view results kept for reuse (`RevmChain.view`): a bound, not a tuning
# Opcodes through which a view's answer could depend on more than the called account's own storage, code and input:
# block fields (BLOCKHASH..BASEFEE, BLOBHASH, BLOBBASEFEE), GAS, other accounts (BALANCE, EXTCODESIZE/COPY/HASH,
# SELFBALANCE) and every kind of call or creation (and SELFDESTRUCT). CHAINID is a constant here.
_NOT_STORAGE_ONLY = frozenset({0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x48, 0x49, 0x4A, 0x5A, 0x31, 0x3B, 0x3C, 0x3F,
                               0x47, 0xF0, 0xF1, 0xF2, 0xF4, 0xF5, 0xFA, 0xFF})
_ORIGIN = 0x32


def _executable_opcodes(code: bytes) -> frozenset[int]:
    """Every opcode that can run in `code`: a linear sweep that skips PUSH data, the same sweep that finds the jump
    destinations, so every instruction that can run is seen. Solidity's CBOR metadata at the end is dropped first when
    its length word fits (it is never executed); any other byte that looks like an opcode counts, which only makes
    the facts below more cautious."""
    if len(code) > 2:
        meta = int.from_bytes(code[-2:], "big")
        if meta + 2 <= len(code) and code[-2 - meta:-2][:1] in (b"\xa1", b"\xa2", b"\xa3"):  # a CBOR map
            code = code[:-2 - meta]
    found: set[int] = set()
    i, n = 0, len(code)
    while i < n:
        op = code[i]
        found.add(op)
        i += op - 0x5E if 0x60 <= op <= 0x7F else 1
    return frozenset(found)


class CodeFacts(NamedTuple):
    """What `RevmChain` needs to know about an account's runtime code, from one sweep (`code_facts`)."""

    storage_only: bool  # no opcode of `_NOT_STORAGE_ONLY` (see `RevmChain._forget_views`)
    origin_free: bool  # no ORIGIN: its views answer the same whatever account sent the call, so they may be read in a
    #                    batch (see deai.testing.view_batch)


def code_facts(code: bytes) -> CodeFacts:
    opcodes = _executable_opcodes(code)
    return CodeFacts(opcodes.isdisjoint(_NOT_STORAGE_ONLY), _ORIGIN not in opcodes)


NO_CODE = code_facts(b"")


_REVM_GAS = re.compile(r"gas_used: (\d+)")
_REVM_ERROR = re.compile(r"output: 0x([0-9a-fA-F]*)")


class MissingArtifact(RuntimeError):
    """No compiled artifact for a contract name (run `ape compile`)."""


class TransactionReverted(Exception):
    """A call or transaction reverted; `revert_message`/`revert_data` hold the raw revert data (bytes)."""

    def __init__(self, data: bytes, gas_used: int = 0, detail: str = "") -> None:
        self.revert_data = data
        self.revert_message = data
        self.gas_used = gas_used
        super().__init__(f"reverted with 0x{data.hex()}" + (f" ({detail})" if detail else ""))


# --------------------------------------------------------------------------------------------- ABI plumbing


def _canonical(param: dict[str, Any]) -> str:
    kind = param["type"]
    if kind.startswith("tuple"):
        return "(" + ",".join(_canonical(c) for c in param["components"]) + ")" + kind[len("tuple"):]
    return kind


@lru_cache(maxsize=4096)
def to_checksum_address(address: str) -> str:
    return _to_checksum_address(address)


_ZERO12 = bytes(12)


def _fast_encode_one(kind: str) -> Any:
    """A hand-written encoder for a simple static type (what most calls pass), or None."""
    if kind == "address":
        def enc(v: Any) -> bytes:
            v = getattr(v, "address", v)
            if isinstance(v, str):
                raw = bytes.fromhex(v[2:])
                if len(raw) != 20:
                    raise ValueError(f"not an address: {v!r}")
                return _ZERO12 + raw
            raise TypeError(f"not an address: {v!r}")
        return enc
    if kind == "bool":
        def enc_bool(v: Any) -> bytes:
            if not isinstance(v, bool):
                raise TypeError(f"not a bool: {v!r}")
            return (32 * b"\0")[:31] + (b"\1" if v else b"\0")
        return enc_bool
    if kind.startswith("uint") and kind[4:].isdigit():
        bits = int(kind[4:])

        def enc_uint(v: Any) -> bytes:
            if not isinstance(v, int) or v < 0 or v >> bits:
                raise ValueError(f"{v!r} does not fit {kind}")
            return v.to_bytes(32, "big")
        return enc_uint
    if kind.startswith("int") and kind[3:].isdigit():
        bits = int(kind[3:])

        def enc_int(v: Any) -> bytes:
            if not isinstance(v, int) or not -(1 << (bits - 1)) <= v < (1 << (bits - 1)):
                raise ValueError(f"{v!r} does not fit {kind}")
            return v.to_bytes(32, "big", signed=True)
        return enc_int
    if kind == "bytes32":
        def enc_b32(v: Any) -> bytes:
            if isinstance(v, str):
                v = bytes.fromhex(v[2:] if v.startswith("0x") else v)
            if not isinstance(v, (bytes, bytearray)) or len(v) != 32:
                raise ValueError(f"not 32 bytes: {v!r}")
            return bytes(v)
        return enc_b32
    return None


@lru_cache(maxsize=None)
def _tuple_encoder(*types: str) -> Any:
    fast = [_fast_encode_one(t) for t in types]
    if all(fast):
        if not fast:
            return lambda values: b""
        if len(fast) == 1:
            only = fast[0]
            return lambda values: only(values[0])
        return lambda values: b"".join([f(v) for f, v in zip(fast, values)])
    slow = TupleEncoder(encoders=[_abi_registry.get_encoder(t) for t in types])
    return lambda values: slow([_prepare(v, t) for v, t in zip(values, types)])


def _build_decoder(param: dict[str, Any]) -> tuple[Any, bool, int]:
    """(decode(data, offset) -> Ape-style value, is_dynamic, head size) for one ABI parameter (a small, fast
    head/tail decoder: eth-abi's generic one costs more than the EVM execution itself)."""
    kind = param["type"]
    if kind.endswith("]"):
        inner_param = {**param, "type": kind[: kind.rindex("[")]}
        inner, inner_dynamic, inner_size = _build_decoder(inner_param)
        count = kind[kind.rindex("[") + 1:-1]
        if count:  # T[k]
            n = int(count)
            tuple_dec, dynamic, size = _tuple_decoder_of([inner_param] * n)
            return (lambda d, o: list(tuple_dec(d, o))), dynamic, size

        def dyn_array(d: bytes, o: int) -> list:
            length = int.from_bytes(d[o:o + 32], "big")
            base = o + 32
            if inner_dynamic:
                return [inner(d, base + int.from_bytes(d[base + 32 * i:base + 32 * i + 32], "big"))
                        for i in range(length)]
            return [inner(d, base + inner_size * i) for i in range(length)]
        return dyn_array, True, 32
    if kind == "tuple":
        tuple_dec, dynamic, size = _tuple_decoder_of(param["components"])
        cls = _struct_class(tuple(c["name"] for c in param["components"]))
        return (lambda d, o: cls(tuple_dec(d, o))), dynamic, size
    if kind in ("bytes", "string"):
        as_text = kind == "string"

        def dyn_bytes(d: bytes, o: int) -> Any:
            length = int.from_bytes(d[o:o + 32], "big")
            raw = d[o + 32:o + 32 + length]
            return raw.decode("utf-8") if as_text else HexBytes(raw)
        return dyn_bytes, True, 32
    if kind == "address":
        return (lambda d, o: to_checksum_address("0x" + d[o + 12:o + 32].hex())), False, 32
    if kind == "bool":
        return (lambda d, o: d[o + 31] != 0), False, 32
    if kind.startswith("uint"):
        return (lambda d, o: int.from_bytes(d[o:o + 32], "big")), False, 32
    if kind.startswith("int"):
        return (lambda d, o: int.from_bytes(d[o:o + 32], "big", signed=True)), False, 32
    if kind.startswith("bytes"):
        n = int(kind[5:])
        return (lambda d, o: HexBytes(d[o:o + n])), False, 32
    raise NotImplementedError(f"ABI type {kind} is not supported by the in-process backend")


def _tuple_decoder_of(params: Sequence[dict[str, Any]]) -> tuple[Any, bool, int]:
    parts = [_build_decoder(p) for p in params]
    dynamic = any(dyn for _, dyn, _ in parts)
    layout = []
    head = 0
    for dec, dyn, size in parts:
        layout.append((dec, dyn, head))
        head += 32 if dyn else size

    def decode_tuple(d: bytes, o: int) -> tuple:
        return tuple(dec(d, o + int.from_bytes(d[o + h:o + h + 32], "big")) if dyn else dec(d, o + h)
                     for dec, dyn, h in layout)

    # a dynamic decoder gets the position its data starts at (its caller followed the head's offset)
    return decode_tuple, dynamic, 32 if dynamic else head


def _outputs_decoder(params: Sequence[dict[str, Any]]) -> Any:
    """Decode a whole return (or event data) blob: the top-level values as a tuple."""
    parts = [_build_decoder(p) for p in params]
    layout = []
    head = 0
    for dec, dyn, size in parts:
        layout.append((dec, dyn, head))
        head += 32 if dyn else size

    def decode(d: bytes) -> tuple:
        if len(d) < head:
            raise ValueError(f"return data of {len(d)} bytes is shorter than the {head} the ABI needs")
        return tuple([dec(d, int.from_bytes(d[h:h + 32], "big")) if dyn else dec(d, h) for dec, dyn, h in layout])

    if len(layout) == 1 and not layout[0][1]:  # one static value (most views): no loop
        only = layout[0][0]

        def decode_one(d: bytes) -> tuple:
            if len(d) < head:
                raise ValueError(f"return data of {len(d)} bytes is shorter than the {head} the ABI needs")
            return (only(d, 0),)
        return decode_one
    return decode


class Struct(tuple):
    """A decoded tuple with attribute and `["name"]` access (Ape's struct look-alike); equal to a plain tuple."""

    _names: tuple[str, ...] = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return self[self._names.index(name)]
        except ValueError:
            raise AttributeError(name) from None

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        if isinstance(key, str):
            return tuple.__getitem__(self, self._names.index(key))
        return tuple.__getitem__(self, key)

    def items(self) -> list[tuple[str, Any]]:
        return list(zip(self._names, self))

    def __repr__(self) -> str:
        return "(" + ", ".join(f"{n}={v!r}" for n, v in zip(self._names, self)) + ")"


@lru_cache(maxsize=None)
def _struct_class(names: tuple[str, ...]) -> type[Struct]:
    """A Struct subclass whose field names are properties (a C-level item getter each, where the invariants read
    `info.field` after every step). A name a tuple or Struct already has (`count`, `index`, `items`) keeps that
    attribute and is read with `["name"]`; a repeated name reads its first field (as `__getattr__` does)."""
    fields: dict[str, Any] = {"_names": names, "__slots__": ()}
    for i, name in enumerate(names):
        if name.isidentifier() and name not in fields and not hasattr(Struct, name):
            fields[name] = property(itemgetter(i))
    return type("Struct", (Struct,), fields)


def _prepare(value: Any, kind: str) -> Any:
    """Turn an Ape-style argument (account, contract, hex string, list of them) into what eth-abi encodes."""
    if kind.endswith("]"):
        inner = kind[: kind.rindex("[")]
        return [_prepare(v, inner) for v in value]
    if kind.startswith("("):
        return value
    if kind == "address":
        value = getattr(value, "address", value)
        return value
    if kind.startswith("bytes") and isinstance(value, str):
        return bytes.fromhex(value[2:] if value.startswith("0x") else value)
    return value


class Method:
    """One ABI function: selector, cached encoder and decoder, output conversion."""

    def __init__(self, abi: dict[str, Any]) -> None:
        self.abi = abi
        self.name = abi["name"]
        self.input_types = [_canonical(p) for p in abi["inputs"]]
        self.output_types = [_canonical(p) for p in abi.get("outputs", [])]
        self.selector = keccak(text=f"{self.name}({','.join(self.input_types)})")[:4]
        self.is_view = abi.get("stateMutability") in ("view", "pure")
        self._encoder = _tuple_encoder(*self.input_types)
        outputs = abi.get("outputs", [])
        self._decoder = _outputs_decoder(outputs)
        names = tuple(p.get("name") or "" for p in outputs)
        self._multi_struct = _struct_class(names) if len(outputs) > 1 and all(names) else None
        self._single = len(outputs) == 1
        # a decoded result with no list in it (arrays decode to lists) can be handed out again: see RevmChain.view
        self.immutable_output = not any("[" in t for t in self.output_types)

    def encode(self, args: Sequence[Any]) -> bytes:
        if len(args) != len(self.input_types):
            raise TypeError(f"{self.name} takes {len(self.input_types)} arguments, {len(args)} given")
        return self.selector + self._encoder(args)

    def decode(self, data: bytes) -> Any:
        if not self.output_types:
            return None
        values = self._decoder(data)
        if self._single:
            return values[0]
        return self._multi_struct(values) if self._multi_struct else tuple(values)


class Event:
    """One ABI event (what `contract.EventName` returns): name, topic, decoder."""

    def __init__(self, abi: dict[str, Any]) -> None:
        self.abi = abi
        self.name = abi["name"]
        types = [_canonical(p) for p in abi["inputs"]]
        self.signature = f"{self.name}({','.join(types)})"
        self.topic = keccak(text=self.signature)
        self.inputs = abi["inputs"]
        data_params = [p for p in self.inputs if not p.get("indexed")]
        self._data_decoder = _outputs_decoder(data_params)
        self._topic_decoders = [None if _is_dynamic(p) else _build_decoder(p)[0]
                                for p in self.inputs if p.get("indexed")]

    def decode(self, topics: list[bytes], data: bytes) -> dict[str, Any]:
        values: dict[str, Any] = {}
        data_values = iter(self._data_decoder(data))
        topic_iter = iter(zip(topics[1:], self._topic_decoders))
        for p in self.inputs:
            if p.get("indexed"):
                topic, decoder = next(topic_iter)
                value = decoder(bytes(topic), 0) if decoder else HexBytes(topic)  # an indexed dynamic value: its hash
            else:
                value = next(data_values)
            values[p["name"]] = value
        return values


def _is_dynamic(param: dict[str, Any]) -> bool:
    kind = param["type"]
    return kind in ("string", "bytes") or kind.endswith("[]") or kind.startswith("tuple")


class Artifact:
    """A compiled contract: bytecode, methods by name, events by topic, and the ethpm-types ContractType."""

    def __init__(self, name: str, raw: dict[str, Any]) -> None:
        self.name = name
        self.raw = raw
        self.abi = raw["abi"]
        self.bytecode = bytes.fromhex((raw.get("deploymentBytecode") or {}).get("bytecode", "0x")[2:])
        self.methods: dict[str, list[Method]] = {}
        for item in self.abi:
            if item["type"] == "function":
                self.methods.setdefault(item["name"], []).append(Method(item))
        self.events = {item["name"]: Event(item) for item in self.abi if item["type"] == "event"}
        self.events_by_topic = {e.topic: e for e in self.events.values()}
        ctor = next((i for i in self.abi if i["type"] == "constructor"), {"inputs": []})
        self.constructor_types = [_canonical(p) for p in ctor["inputs"]]
        self._contract_type = None

    @property
    def contract_type(self) -> Any:
        if self._contract_type is None:
            from ethpm_types import ContractType

            self._contract_type = ContractType.model_validate(self.raw)
        return self._contract_type

    def deployment_code(self, args: Sequence[Any]) -> bytes:
        if not self.bytecode:
            raise MissingArtifact(f"{self.name} has no deployment bytecode (an interface or abstract contract)")
        if len(args) != len(self.constructor_types):
            raise TypeError(f"{self.name}'s constructor takes {len(self.constructor_types)} arguments, {len(args)}")
        return self.bytecode + _tuple_encoder(*self.constructor_types)(args)


OVERRIDE_ENV = "DEAI_REVM_ARTIFACTS"  # a JSON file of {name: contract type} replacing Ape's (mutation testing)


@lru_cache(maxsize=None)
def _artifacts(path: str = str(ARTIFACTS)) -> dict[str, dict[str, Any]]:
    if not os.path.exists(path):  # a fresh clone: let Ape compile the project (what `ape compile` does)
        try:
            from ape import project

            project.load_contracts()
        except Exception as err:  # noqa: BLE001 - reported as the missing artifact below
            raise MissingArtifact(f"no compiled contracts at {path}; run `.venv/bin/ape compile`") from err
    try:
        with open(path) as f:
            types = json.load(f)["contractTypes"]
    except FileNotFoundError as err:
        raise MissingArtifact(f"no compiled contracts at {path}; run `.venv/bin/ape compile`") from err
    if override := os.environ.get(OVERRIDE_ENV):
        with open(override) as f:
            types.update(json.load(f))
    return types


@lru_cache(maxsize=None)
def artifact(name: str) -> Artifact:
    """The compiled contract `name` from Ape's `.build/` (parsed once per process)."""
    types = _artifacts()
    if name not in types:
        raise MissingArtifact(f"no compiled contract named {name!r}; run `ape compile` and check the name")
    return Artifact(name, types[name])


@lru_cache(maxsize=None)
def _all_events_by_topic() -> dict[bytes, Event]:
    found: dict[bytes, Event] = {}
    for name in _artifacts():
        found.update(artifact(name).events_by_topic)
    return found


# --------------------------------------------------------------------------------------------- results


class Log:
    """A decoded event (Ape ContractLog look-alike)."""

    __slots__ = ("event_name", "contract_address", "block_number", "log_index", "event_arguments", "topics", "data")

    def __init__(self, event_name: str, contract_address: str, block_number: int, log_index: int,
                 event_arguments: dict[str, Any], topics: list[bytes], data: bytes) -> None:
        self.event_name = event_name
        self.contract_address = contract_address
        self.block_number = block_number
        self.log_index = log_index
        self.event_arguments = event_arguments
        self.topics = topics
        self.data = data

    def __getattr__(self, name: str) -> Any:
        try:
            return self.event_arguments[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> Any:
        return self.event_arguments[name]

    def __repr__(self) -> str:
        args = " ".join(f"{k}={v!r}" for k, v in self.event_arguments.items())
        return f"<{self.event_name} {args}>"


class Logs(list):
    """Receipt events; `.filter(contract.Event, **fields)` keeps the matching ones."""

    def filter(self, event: Any, **fields: Any) -> "Logs":
        name = getattr(event, "name", event)
        return Logs(log for log in self if log.event_name == name
                    and all(log.event_arguments.get(k) == v for k, v in fields.items()))


@dataclass
class Receipt:
    txn_hash: str
    sender: str
    receiver: str
    block_number: int
    timestamp: int
    gas_used: int
    return_value: Any
    raw_logs: list  # (address, topics, data) as the EVM emitted them; decoded on first use of `events`
    contract_address: str | None = None
    status: int = 1
    _events: Logs | None = None

    @property
    def events(self) -> Logs:
        if self._events is None:
            self._events = _decode_logs(self.raw_logs, self.block_number)
        return self._events

    def decode_logs(self, event: Any = None) -> Logs:
        return self.events if event is None else self.events.filter(event)

    @property
    def failed(self) -> bool:
        return self.status != 1


@dataclass(frozen=True)
class Block:
    number: int
    timestamp: int


class Blocks:
    def __init__(self, chain: "RevmChain") -> None:
        self._chain = chain

    @property
    def head(self) -> Block:
        chain = self._chain
        if chain._head is None:
            times = chain._times
            chain._head = Block(len(times) - 1, times[-1])
        return chain._head

    @property
    def height(self) -> int:
        return len(self._chain._times) - 1

    def __getitem__(self, number: int) -> Block:
        times = self._chain._times
        if number < 0:
            number += len(times)
        return Block(number, times[number])

    def __len__(self) -> int:
        return len(self._chain._times)


# --------------------------------------------------------------------------------------------- accounts, contracts


class RevmAccount:
    """A funded test account on a RevmChain."""

    def __init__(self, chain: "RevmChain", address: str, key: bytes | None = None) -> None:
        self.in_process_chain = chain
        self.address = address
        self.key = key

    @property
    def private_key(self) -> str:
        """The key as Ape's test accounts give it (0x hex), for tests that sign off-chain."""
        return "0x" + bytes(self.key).hex()

    @property
    def nonce(self) -> int:
        return self.in_process_chain._nonces.get(self.address, 0)

    @property
    def balance(self) -> int:
        return self.in_process_chain.get_balance(self.address)

    def deploy(self, contract: Any, *args: Any, value: int = 0, **_: Any) -> "RevmContract":
        name = contract if isinstance(contract, str) else contract.contract_type.name
        return self.in_process_chain.deploy(name, self, *args, value=value)

    def transfer(self, to: Any, value: int, **_: Any) -> Receipt:
        return self.in_process_chain.transact(self.address, getattr(to, "address", to), b"", value)

    def __eq__(self, other: Any) -> bool:
        return getattr(other, "address", other) == self.address

    def __hash__(self) -> int:
        return hash(self.address)

    def __str__(self) -> str:
        return self.address

    def __repr__(self) -> str:
        return f"<RevmAccount {self.address}>"


class BoundMethod:
    """`contract.fn`: a call for view/pure functions, a transaction otherwise (Ape's ContractCallHandler/...)."""

    def __init__(self, contract: "RevmContract", methods: list[Method]) -> None:
        self.contract = contract
        self.methods = methods
        self.name = methods[0].name
        self._only = methods[0] if len(methods) == 1 else None
        self._chain = contract.chain
        self._address = contract.address

    def _select(self, args: Sequence[Any]) -> Method:
        if self._only is not None:
            return self._only
        for method in self.methods:
            if len(method.input_types) == len(args):
                return method
        raise TypeError(f"no overload of {self.name} takes {len(args)} arguments")

    def __call__(self, *args: Any, sender: Any = None, value: int = 0, gas: int | None = None, **_: Any) -> Any:
        method = self._only or self._select(args)
        if method.is_view:
            return self._chain.view(self._address, method, args, sender)
        if sender is None:
            raise ValueError(f"{self.name} changes state: pass sender=account")
        return self.contract.chain.transact(getattr(sender, "address", sender), self.contract.address,
                                            method.encode(args), value, method, gas)

    def call(self, *args: Any, sender: Any = None, value: int = 0, **_: Any) -> Any:
        """What the function would return now (Ape's `.call()`, an eth_call): a view reads; a state-changing
        function runs against the head block and its effects are thrown away."""
        method = self._select(args)
        if method.is_view:
            return self._chain.view(self._address, method, args, sender)
        return self._chain.simulate(getattr(sender, "address", sender), self._address, method, method.encode(args),
                                    value)

    def transact(self, *args: Any, sender: Any, value: int = 0, gas: int | None = None, **_: Any) -> Receipt:
        method = self._select(args)
        return self.contract.chain.transact(getattr(sender, "address", sender), self.contract.address,
                                            method.encode(args), value, method, gas)

    def encode_input(self, *args: Any) -> bytes:
        return self._select(args).encode(args)


@dataclass(frozen=True)
class CreationMetadata:
    receipt: Receipt


class RevmContract:
    """A deployed contract on a RevmChain (Ape ContractInstance look-alike)."""

    def __init__(self, chain: "RevmChain", address: str, art: Artifact) -> None:
        self.chain = chain
        self.in_process_chain = chain  # as on RevmAccount: deai.deploy.contracts.contract_at routes by it
        self.address = address
        self._artifact = art
        self._bound: dict[str, BoundMethod] = {}

    @property
    def contract_type(self) -> Any:
        return self._artifact.contract_type

    @property
    def balance(self) -> int:
        return self.chain.get_balance(self.address)

    @property
    def creation_metadata(self) -> "CreationMetadata | None":
        """Ape's `contract.creation_metadata`: here only its `.receipt`, the deployment's (constructor events); None
        for a contract this chain did not deploy by a transaction (one a contract created), as Ape's may be."""
        receipt = self.chain.creation_receipt(self.address)
        return CreationMetadata(receipt) if receipt is not None else None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        art = self.__dict__["_artifact"]
        if name in art.methods:
            bound = self._bound.get(name)
            if bound is None:
                bound = self._bound[name] = BoundMethod(self, art.methods[name])
            self.__dict__[name] = bound  # the next `contract.name` is a plain attribute read
            return bound
        if name in art.events:
            self.__dict__[name] = art.events[name]
            return art.events[name]
        raise AttributeError(f"{art.name} has no function or event {name!r}")

    def __eq__(self, other: Any) -> bool:
        return getattr(other, "address", other) == self.address

    def __hash__(self) -> int:
        return hash(self.address)

    def __str__(self) -> str:
        return self.address

    def __repr__(self) -> str:
        return f"<{self._artifact.name} {self.address}>"


# --------------------------------------------------------------------------------------------- the chain


@lru_cache(maxsize=1)
def _test_keys() -> tuple[tuple[str, bytes], ...]:
    from eth_account import Account

    Account.enable_unaudited_hdwallet_features()
    keys = []
    for i in range(NUMBER_OF_ACCOUNTS):
        acct = Account.from_mnemonic(TEST_MNEMONIC, account_path=HD_PATH.format(i))
        keys.append((acct.address, bytes(acct.key)))
    return tuple(keys)


class RevmChain:
    """A private in-process chain; see the module docstring for the supported surface."""

    def __init__(self, genesis_time: int = GENESIS_TIME, chain_id: int = CHAIN_ID) -> None:
        self.chain_id = chain_id
        # mutation testing compiles mutants without the optimizer: lift EIP-170 only then
        size_limit = 2**32 if os.environ.get(OVERRIDE_ENV) else None
        self.evm = EVM(env=Env(cfg=CfgEnv(chain_id=chain_id, limit_contract_code_size=size_limit),
                               block=BlockEnv(number=0, timestamp=genesis_time, basefee=0,
                                              gas_limit=BLOCK_GAS_LIMIT)),
                       gas_limit=TX_GAS_LIMIT, spec_id=SPEC)
        self._times: list[int] = [genesis_time]
        self._pending: int | None = None
        self._nonces: dict[str, int] = {}
        self._contracts: dict[str, Artifact] = {}  # address -> artifact, for decoding events
        self._creations: dict[str, Receipt] = {}  # address -> its deployment's receipt (`creation_receipt`)
        self._snapshots: dict[int, tuple] = {}
        self._snapshot_ids = itertools.count(1)
        self._tx_counter = itertools.count(1)
        self._block_env_at: int | None = None  # the block number the EVM's block env is set to
        self._views: dict[tuple[str, bytes, str], bytes] = {}  # view outputs at the current state (see `call`)
        self._values: dict[tuple, tuple] = {}  # decoded view results at the current state, by arguments (see `view`)
        # read-ahead (see `read_ahead`): views to read again in one batch, batched answers not asked for yet,
        # decoded answers of forgotten views (kept while their bytes come back unchanged)
        self._prefetch: dict[tuple[str, bytes, str], None] = {}
        self._unread: set[tuple[str, bytes, str]] = set()
        self._stale: dict[tuple, tuple] = {}
        self._batches = 0  # batches read so far (see `read_ahead`)
        self._head: Block | None = None  # the head block, built once per block (see Blocks.head)
        self._facts: dict[str, CodeFacts] = {}  # lowercase address -> the facts of its code, for addresses with code
        self._code_undo: list[tuple[str, bytes]] = []  # (address, the code `set_code` replaced), oldest first
        self._balance_undo: list[tuple[str, int]] = []  # (address, the balance `set_balance` replaced), oldest first
        self.blocks = Blocks(self)
        self.accounts = [RevmAccount(self, address, key) for address, key in _test_keys()]
        for account in self.accounts:
            self.evm.set_balance(account.address, INITIAL_BALANCE)
        self.recorder: list[dict[str, Any]] | None = None  # set to a list to record every call (fidelity replay)

    @property
    def roles(self) -> Any:
        from deai.testing.roles import Roles

        return Roles.from_accounts(self.accounts)

    # ------------------------------------------------------------------ time and blocks

    @property
    def pending_timestamp(self) -> int:
        return self._pending if self._pending is not None else self._times[-1] + 1

    @pending_timestamp.setter
    def pending_timestamp(self, value: int) -> None:
        value = int(value)
        if value < self._times[-1]:
            raise ValueError(f"pending timestamp {value} is before the head block's {self._times[-1]}")
        self._pending = value

    def _use_block(self, number: int, timestamp: int) -> None:
        if self._block_env_at != (number, timestamp):
            self.evm.set_block_env(BlockEnv(number=number, timestamp=timestamp, basefee=0,
                                            gas_limit=BLOCK_GAS_LIMIT))
            self._block_env_at = (number, timestamp)

    def _next_block(self) -> tuple[int, int]:
        number, timestamp = len(self._times), self.pending_timestamp
        self._use_block(number, timestamp)
        return number, timestamp

    def _mine(self, timestamp: int, changed: Any = _EVERYTHING) -> None:
        """Append a block; `changed`: the only contract whose storage may have changed (None: no storage changed,
        a reverted transaction or an empty block; _EVERYTHING: unknown). See `_forget_views`."""
        self._times.append(timestamp)
        self._head = None
        self._pending = None
        self._forget_views(changed)  # every transaction and deployment (reverted or not) mines a block here

    def mine(self, num_blocks: int = 1, timestamp: int | None = None) -> None:
        for i in range(num_blocks):
            self._mine(timestamp if timestamp is not None and i == 0 else self.pending_timestamp, None)

    # ------------------------------------------------------------------ snapshots

    def snapshot(self) -> int:
        sid = next(self._snapshot_ids)
        self._snapshots[sid] = (self.evm.snapshot(), len(self._times), self._pending, dict(self._nonces),
                                dict(self._contracts), dict(self._creations), len(self._code_undo),
                                len(self._balance_undo))
        self._record(kind="snapshot", id=sid)
        return sid

    def restore(self, snapshot_id: int | None = None) -> None:
        if snapshot_id is None:
            snapshot_id = max(self._snapshots)
        checkpoint, height, pending, nonces, contracts, creations, code_writes, balance_writes = (
            self._snapshots[snapshot_id])
        self._record(kind="restore", id=snapshot_id)
        # newest first, so each address ends with its snapshot's code; before the journal's revert, which then removes
        # a contract created after the snapshot whatever code was put back here
        while len(self._code_undo) > code_writes:
            address, code = self._code_undo.pop()
            self._install_code(address, code, self.evm.basic(address))
        self.evm.revert(checkpoint)
        # newest first, after the journal's revert: a transaction's value transfer is journaled as a delta, which the
        # revert took back from the balance `set_balance` had written; what is left is that write, undone here
        while len(self._balance_undo) > balance_writes:
            address, balance = self._balance_undo.pop()
            self.evm.set_balance(address, balance)
        self._forget_views()
        # a contract known at the snapshot has the same code after it; one created after it has none again
        known = {a.lower() for a in contracts}
        self._facts = {a: facts for a, facts in self._facts.items() if a in known}
        del self._times[height:]
        self._head = None
        self._pending, self._nonces, self._contracts = pending, dict(nonces), dict(contracts)
        self._creations = dict(creations)
        for sid in [s for s in self._snapshots if s >= snapshot_id]:  # later snapshots are gone (like anvil's)
            del self._snapshots[sid]
        self._block_env_at = None

    @contextmanager
    def isolate(self) -> Iterator[None]:
        sid = self.snapshot()
        try:
            yield
        finally:
            self.restore(sid)

    # ------------------------------------------------------------------ state

    def storage_at(self, address: Any, slot: int) -> int:
        return self.evm.storage(getattr(address, "address", address), slot)

    def get_balance(self, address: Any) -> int:
        return self.evm.get_balance(getattr(address, "address", address))

    def set_balance(self, address: Any, value: int) -> None:
        """Set `address`'s ether balance (as anvil_setBalance). revm does not journal this write, so the balance it
        replaced is remembered and a restore to a snapshot taken before puts it back."""
        address = getattr(address, "address", address)
        self._balance_undo.append((address, self.evm.get_balance(address)))
        self.evm.set_balance(address, value)
        self._forget_views()

    def set_storage(self, address: Any, slot: int, value: int) -> None:
        """Write one raw storage slot (as anvil_setStorageAt): e.g. a counter at a bound no test could reach by
        transactions. Every remembered view answer is dropped, since any of them may have read the slot."""
        self.evm.insert_account_storage(getattr(address, "address", address), slot, value)
        self._forget_views()

    def get_code(self, address: Any) -> bytes:
        return bytes(self.evm.get_code(getattr(address, "address", address)) or b"")

    def set_code(self, address: Any, code: bytes) -> None:
        """Give `address` runtime `code`, keeping its balance and nonce (as anvil_setCode): e.g. a contract "deployed"
        at a CREATE2-predicted address after it was named somewhere, or an EIP-7702 delegation. Its code facts and
        every remembered view answer are dropped. revm does not journal this write, so the code it replaced is
        remembered and a restore to a snapshot taken before puts it back (as `set_balance`'s)."""
        address = to_checksum_address(getattr(address, "address", address))
        before = self.evm.basic(address)
        self._code_undo.append((address, bytes(self.evm.get_code(address) or b"")))
        self._install_code(address, bytes(code), before)

    def _install_code(self, address: str, code: bytes, account: Any) -> None:
        self.evm.insert_account_info(address, AccountInfo(balance=account.balance, nonce=account.nonce, code=code))
        self._facts.pop(address.lower(), None)
        self._forget_views()

    def at(self, address: str, name: str) -> RevmContract:
        """A contract proxy for `name` at `address` (e.g. a token an offer names)."""
        art = artifact(name)
        self._contracts[to_checksum_address(address)] = art
        return RevmContract(self, to_checksum_address(address), art)

    # ------------------------------------------------------------------ execution

    def set_nonce(self, address: Any, nonce: int) -> None:
        """Make `address`'s next transaction use `nonce` (not lower than now): e.g. to deploy at the addresses a
        node's deployer would use. The EVM's own nonce catches up at the next deployment."""
        address = getattr(address, "address", address)
        if nonce < self._nonces.get(address, 0):
            raise ValueError(f"nonce {nonce} is below {address}'s {self._nonces.get(address, 0)}")
        self._nonces[address] = nonce

    def _bump_nonce(self, sender: str) -> int:
        nonce = self._nonces.get(sender, 0)
        self._nonces[sender] = nonce + 1
        return nonce

    def _raw_logs(self) -> list:
        result = self.evm.result
        if result is None:
            return []
        known = self._contracts
        return [(log.address, *log.data, known) for log in result.logs]

    def _record(self, **entry: Any) -> None:
        if self.recorder is not None:
            self.recorder.append(entry)

    def call(self, to: str, method: Method | None, data: bytes, sender: Any = None) -> Any:
        """A view call against the head block (no block is mined, nothing changes): the decoded answer (raw bytes
        without `method`), or TransactionReverted."""
        out = self._output(to, data, getattr(sender, "address", sender) or ZERO_ADDRESS, method)
        return method.decode(out) if method else out

    def _output(self, to: str, data: bytes, caller: str, method: Method | None) -> bytes:
        """The raw answer of a view call (see `call`).

        It is remembered until the state or the head block changes (`_forget_views`): a view's result is a function
        of the state, the head block, its target, calldata and caller, all of which the key or the invalidation
        covers. The state machines' invariants read the same views again after every step (one invariant's reads
        repeat another's, and a rule that reverted changed nothing), so most of those reads cost a dictionary
        look-up instead of a pyrevm call, and the machines read the forgotten ones again in one batch before their
        invariants (`read_ahead`). Reverting calls are not remembered. While recording (the fidelity replay) every call
        runs on its own."""
        key = (to, data, caller)
        out = self._views.get(key)
        if out is not None and self.recorder is None:
            if self._unread:
                self._unread.discard(key)
            return out
        self._use_block(len(self._times) - 1, self._times[-1])
        try:
            out = bytes(self.evm.message_call(caller, to, data, is_static=True))
        except RuntimeError as err:
            revert = _revert_data(err)
            self._record(kind="call", to=to, data=data, sender=caller, reverted=revert)
            raise TransactionReverted(revert, detail=f"call to {method.name if method else to}") from None
        self._views[key] = out
        if self.recorder is not None:
            self._record(kind="call", to=to, data=data, sender=caller, output=out)
        return out

    def read_ahead(self) -> None:
        """Read every forgotten view that was read since it was last read ahead (`_prefetch`) in one EVM call
        (deai.testing.view_batch) at the head block, and remember the answers. ChainStateMachine calls this before
        the invariants, which read nearly the same views after every step; reads elsewhere run on their own.

        Views with a sender, and views of contracts that read `tx.origin`, are left to run on their own (see
        view_batch); so is everything while recording, and a batch of fewer than `_BATCH_MIN` views. Every
        `_CHECK_EVERY`th batch one of its views, a different one each time, is read on its own as well and must
        answer the same bytes: the machines keep checking the batches as they run."""
        if not self._prefetch or self.recorder is not None:
            return
        keys = [k for k in self._prefetch if k not in self._views and self._batchable(k)]
        self._prefetch = {}
        if len(keys) < _BATCH_MIN:
            return
        self._use_block(len(self._times) - 1, self._times[-1])
        answers = view_batch.read(self.evm, [(to, data) for to, data, _ in keys])
        for key, out in zip(keys, answers):
            if out is not None:
                self._views[key] = out
                self._unread.add(key)
        self._batches += 1
        if self._batches % _CHECK_EVERY == 0:
            check = self._batches // _CHECK_EVERY % len(keys)
            to, data, caller = keys[check]
            try:
                alone: bytes | None = bytes(self.evm.message_call(caller, to, data, is_static=True))
            except RuntimeError:
                alone = None  # reverted on its own too, or it must not have
            if answers[check] != alone:
                raise AssertionError(f"the view 0x{data.hex()} of {to} answers {answers[check]!r} in a batch, "
                                     f"{alone!r} on its own")

    def _batchable(self, key: tuple[str, bytes, str]) -> bool:
        to = key[0]
        if key[2] != ZERO_ADDRESS or len(key[1]) > 0xFFFF:
            return False
        return self.facts(to).origin_free

    def _forget_views(self, changed: Any = _EVERYTHING) -> None:
        """The state or the head block changed: remembered view outputs no longer hold, except those of contracts
        whose answers cannot have changed.

        A "storage-only" contract (`storage_only`: no opcode in its runtime code reads the block, the gas, another
        account or calls out) answers a view from its own storage, code, calldata and caller alone, and only a
        transaction sent to it can change its storage (nothing else can call into it... except a contract that makes
        calls, which is why a transaction to any other contract forgets everything). So after a new block with
        no storage change (`changed` None: a reverted transaction, `mine`) or a transaction sent to a storage-only
        contract or an account without code (`changed` is that address), the remembered answers of every other
        storage-only contract (the test tokens, mostly) still hold and are kept.

        What is forgotten is read again in the next batch (`read_ahead`) if it was read since it was last read
        ahead; its decoded value is kept apart (`_stale`) and handed out again when the bytes come back
        the same (`view`)."""
        if changed is not _EVERYTHING and (changed is None or self.storage_only(changed)):
            changed = (changed or "").lower()
            # decide once per contract (a few), not per remembered answer (dozens): which contracts' answers stay
            targets = {k[0] for k in self._views}
            targets.update(k[0] for k in self._values)
            keep = {a for a in targets if self.storage_only(a) and a.lower() != changed}
            if len(keep) < len(targets):
                views, values = self._views, self._values
                self._views = {k: v for k, v in views.items() if k[0] in keep}
                self._values = {k: v for k, v in values.items() if k[0] in keep}
                self._set_aside({k for k in views if k[0] not in keep}, values.items(), keep)
            return
        if self._views or self._values:
            self._set_aside(self._views.keys(), self._values.items(), ())
            self._views, self._values = {}, {}

    def _set_aside(self, forgotten: Any, values: Any, keep: Any) -> None:
        """`forgotten` view keys are read again ahead of the next read (unless a batch read them and nobody asked);
        the decoded values of forgotten contracts move to `_stale`."""
        if self.recorder is not None:
            return
        unread, prefetch = self._unread, self._prefetch
        for key in forgotten:
            if key not in unread:
                prefetch[key] = None
        if unread:
            self._unread = {k for k in unread if k[0] in keep}
        stale = self._stale
        if len(stale) > _STALE_LIMIT:
            stale.clear()
        for key, entry in values:
            if key[0] not in keep:
                stale[key] = entry

    def facts(self, address: str) -> CodeFacts:
        """The facts of `address`'s runtime code (`code_facts`). Remembered for an address with code, whose code no
        transaction can change (a restore forgets those created after its snapshot); an address without code is
        looked up each time, since a transaction may create a contract there (CREATE inside a call included)."""
        key = address.lower()  # one entry however the caller spells the address
        known = self._facts.get(key)
        if known is None:
            code = self.get_code(address)
            if not code:
                return NO_CODE
            known = self._facts[key] = code_facts(code)
        return known

    def storage_only(self, address: str) -> bool:
        """True when `address`'s runtime code has none of the opcodes through which a view could depend on anything
        but the account's own storage, code and the call's input (see `_forget_views`)."""
        return self.facts(address).storage_only

    def view(self, to: str, method: Method, args: tuple, sender: Any = None) -> Any:
        """`contract.fn(*args)` for a view: `call`, with the decoded result remembered by its arguments too (same
        lifetime as `call`'s outputs), so a repeated read skips encoding, the look-up by calldata and decoding.
        The key holds each argument's type as well as its value (1 and True encode differently, or not at all);
        an unhashable argument (a list) and a result holding lists (which a caller could change) are not
        remembered; while recording, every call runs.

        After the state changed, a forgotten result (`_stale`) is handed out again without decoding when the view
        answers the very same bytes: decoding is a function of the bytes alone."""
        key = None
        if method.immutable_output and self.recorder is None:
            try:
                key = (to, method, args, tuple(map(type, args)), sender)
                entry = self._values.get(key)
            except TypeError:
                key = None
            else:
                if entry is not None:
                    return entry[0]
                entry = self._stale.pop(key, None) if self._stale else None
                if entry is not None:
                    value, data, before = entry
                    out = self._output(to, data, getattr(sender, "address", sender) or ZERO_ADDRESS, method)
                    if out != before:
                        entry = (method.decode(out), data, out)
                    self._values[key] = entry
                    return entry[0]
        data = method.encode(args)
        out = self._output(to, data, getattr(sender, "address", sender) or ZERO_ADDRESS, method)
        value = method.decode(out)
        if key is not None:
            self._values[key] = (value, data, out)
        return value

    def simulate(self, sender: str | None, to: str, method: Method, data: bytes, value: int = 0) -> Any:
        """A state-changing call against the head block whose effects are discarded (an eth_call): its decoded
        return value, or TransactionReverted."""
        caller = sender or ZERO_ADDRESS
        self._use_block(len(self._times) - 1, self._times[-1])
        checkpoint = self.evm.snapshot()
        try:
            out = bytes(self.evm.message_call(caller, to, data, value=value or None, gas=TX_GAS_LIMIT))
        except RuntimeError as err:
            raise TransactionReverted(_revert_data(err), detail=f"call to {method.name}") from None
        finally:
            self.evm.revert(checkpoint)
            self.evm.reset_transient_storage()
        return method.decode(out)

    def transact(self, sender: str, to: str, data: bytes, value: int = 0, method: Method | None = None,
                 gas: int | None = None) -> Receipt:
        """One transaction in its own block at the pending timestamp, with the gas limit `gas` (default: 30
        million); raises TransactionReverted on a revert (the block is mined and the nonce used, like anvil's
        automine)."""
        number, timestamp = self._next_block()
        self._bump_nonce(sender)
        gas_limit = gas or TX_GAS_LIMIT
        tx_hash = f"0x{next(self._tx_counter):064x}"  # synthetic: unique within this chain
        try:
            out = self.evm.message_call(sender, to, data, value=value or None, gas=gas_limit)
        except RuntimeError as err:
            self._mine(timestamp, None)  # a reverted transaction changed no storage
            self.evm.reset_transient_storage()
            revert, used = _revert_data(err), _gas_of(err)
            if self.recorder is not None:
                self._record(kind="tx", to=to, data=data, sender=sender, value=value, timestamp=timestamp,
                             gas=gas_limit, reverted=revert, gas_used=used)
            raise TransactionReverted(revert, used, f"{method.name if method else 'transaction'}") from None
        gas_used = self.evm.result.gas_used
        logs = self._raw_logs()
        self._mine(timestamp, to)
        self.evm.reset_transient_storage()
        if self.recorder is not None:
            self._record(kind="tx", to=to, data=data, sender=sender, value=value, timestamp=timestamp,
                         gas=gas_limit, output=bytes(out), gas_used=gas_used,
                         logs=[(to_checksum_address(a), [bytes(t) for t in topics], bytes(d))
                               for a, topics, d, _ in logs])
        return_value = method.decode(bytes(out)) if method and method.output_types else None
        return Receipt(tx_hash, sender, to, number, timestamp, gas_used, return_value, logs)

    def deploy(self, name: str, sender: Any, *args: Any, value: int = 0) -> RevmContract:
        art = artifact(name)
        address = self.deploy_code(art.deployment_code(args), sender, value, name)
        self._contracts[address] = art
        return RevmContract(self, address, art)

    def creation_receipt(self, address: str) -> Receipt | None:
        """The receipt of the deployment transaction that created `address` (its constructor's events), as Ape's
        `contract.creation_metadata.receipt`; None for an address no deployment transaction created."""
        return self._creations.get(to_checksum_address(address))

    def deploy_code(self, code: bytes, sender: Any, value: int = 0, name: str = "") -> str:
        """Deploy raw creation code (bytecode + encoded constructor arguments) in its own block; its address."""
        sender_address = getattr(sender, "address", sender)
        number, timestamp = self._next_block()
        nonce = self._bump_nonce(sender_address)
        # the EVM bumps an account's nonce only on deployments; align it first so CREATE addresses match anvil's
        while self.evm.basic(sender_address).nonce < nonce:
            self.evm.deploy(sender_address, b"", gas=TX_GAS_LIMIT)
        try:
            address = self.evm.deploy(sender_address, code, value=value or None, gas=TX_GAS_LIMIT)
        except RuntimeError as err:
            self._mine(timestamp)
            self.evm.reset_transient_storage()
            self._record(kind="deploy", name=name, sender=sender_address, data=code, value=value,
                         timestamp=timestamp, reverted=_revert_data(err), gas_used=_gas_of(err))
            raise TransactionReverted(_revert_data(err), _gas_of(err), f"deploying {name}") from None
        gas_used = self.evm.result.gas_used
        logs = self._raw_logs()  # the constructor's events (decoded lazily, once `deploy` knows the artifact)
        self._mine(timestamp)
        self.evm.reset_transient_storage()
        address = to_checksum_address(address)
        self._creations[address] = Receipt(f"0x{0xc0de:016x}{number:048x}", sender_address, "", number,
                                           timestamp, gas_used, None, logs, contract_address=address)
        self.last_deploy_gas = gas_used
        self._record(kind="deploy", name=name, sender=sender_address, data=code, value=value, address=address,
                     timestamp=timestamp, gas_used=gas_used)
        return address


def _decode_logs(raw_logs: list, block_number: int) -> Logs:
    events = Logs()
    for index, (address, topics, data, known) in enumerate(raw_logs):
        address = to_checksum_address(address)
        art = known.get(address)
        event = (art.events_by_topic.get(topics[0]) if art and topics else None) or (
            _all_events_by_topic().get(topics[0]) if topics else None)
        if event is None:
            events.append(Log("", address, block_number, index, {}, topics, data))
            continue
        events.append(Log(event.name, address, block_number, index, event.decode(topics, data), topics, data))
    return events


def _revert_data(err: RuntimeError) -> bytes:
    match = _REVM_ERROR.search(str(err))
    return bytes.fromhex(match.group(1)) if match else b""


def _gas_of(err: RuntimeError) -> int:
    match = _REVM_GAS.search(str(err))
    return int(match.group(1)) if match else 0
