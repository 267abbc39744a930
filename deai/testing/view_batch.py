"""Several view calls in one EVM call, for the in-process backend (deai.testing.revm).

A view that pyrevm runs on its own costs about 5.5 us of EVM time, about 2 us of it the fixed cost of any call; run
inside one call, each costs about 3. More to the point, the state machines read the same 20-50 views after every
step, and a batch lets `RevmChain` read all of them again in one round trip before the invariants, after a transaction
made them stale (see `RevmChain.read_ahead`), then skip decoding every answer whose bytes did not change.

How a batch keeps every view's context: the reader's runtime code (`READER_CODE`, compiled from `view_batch.yul`
beside this module; tests/harness/test_revm_backend.py compiles it again and compares), followed by the calls
(`reader_code`), is installed at the zero address, the caller of every view given no sender, for the length of one
static call, and the old account is put back afterwards. The reader then calls each view with STATICCALL, so each
sees `msg.sender` = the zero address, the same block, no value and a static context, exactly as when called alone.
The only differences are:

- `tx.origin` is `BATCH_ORIGIN` (EIP-3607 forbids a caller with code, so the zero address cannot send the batch
  itself): views of contracts whose code has an ORIGIN opcode are never batched (`revm.CodeFacts.origin_free`);
- during the batch the zero address has code: a view that calls the zero address gets the same empty answer as from
  an account without code (the reader answers nobody but the batch origin), but one that reads the zero address's
  code size or hash would see the reader's. No contract here does.
`RevmChain` also runs one view of every fourth batch again on its own and compares (`RevmChain.read_ahead`), so every
machine run in `make test` keeps checking that a batched answer is the answer.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Sequence

from pyrevm import AccountInfo

ZERO_ADDRESS = "0x" + "00" * 20
BATCH_ORIGIN = "0xba7c4ba7c4ba7c4ba7c4ba7c4ba7c4ba7c4ba7c4"  # sends the batch; no key is known for it
# runtime code of view_batch.yul (solc 0.8.30, optimizer on)
READER_CODE = bytes.fromhex(
    "73ba7c4ba7c4ba7c4ba7c4ba7c4ba7c4ba7c4ba7c433036066575f60805b388110602757505ff35b9080602083601693396020815161ffff"
    "8160501c16925f80858584018095828a8c01833960601c5afa5f3d9384809360801b1784523e0101920101601d565b00")
PAYLOAD_OFFSET = 0x80  # where the reader finds its calls in its own code (`let p := 0x80` in view_batch.yul)
_LOW_128 = (1 << 128) - 1


@lru_cache(maxsize=4096)
def _address_bytes(address: str) -> bytes:
    return bytes.fromhex(address[2:])


def pack(calls: Sequence[tuple[str, bytes]]) -> bytes:
    """The reader's input: per call its 20-byte target, the calldata's length in two bytes, the calldata."""
    return b"".join(_address_bytes(to) + len(data).to_bytes(2, "big") + data for to, data in calls)


def unpack(out: bytes) -> list[bytes | None]:
    """The reader's output: per call its answer, or None where the view reverted."""
    answers: list[bytes | None] = []
    position, end = 0, len(out)
    while position < end:
        header = int.from_bytes(out[position:position + 32], "big")
        size = header & _LOW_128
        position += 32
        answers.append(out[position:position + size] if header >> 128 else None)
        position += size
    return answers


_PADDED_READER = READER_CODE.ljust(PAYLOAD_OFFSET, b"\x00")


def reader_code(calls: Sequence[tuple[str, bytes]]) -> bytes:
    """The code installed at the zero address for one batch: the reader, padded to `PAYLOAD_OFFSET`, then the calls
    (`pack`). They travel as code, not calldata: pyrevm 0.3.7 converts calldata into revm one byte at a time through
    Python's sequence protocol (about 23 ns a byte: a batch's 2-3 KB cost more than its views), code in one copy."""
    return _PADDED_READER + pack(calls)


@lru_cache(maxsize=256)
def _reader_account(calls: tuple[tuple[str, bytes], ...], balance: int, nonce: int) -> AccountInfo:
    """The zero address's account during a batch of `calls`: its own balance and nonce, the reader's code. The
    machines read the same views again step after step, so most batches find theirs built already."""
    return AccountInfo(balance=balance, nonce=nonce, code=reader_code(calls))


def read(evm: Any, calls: Sequence[tuple[str, bytes]]) -> list[bytes | None]:
    """Run the views `calls` ((target, calldata) each, sender: the zero address) in one static call against the
    EVM's current block; their answers in order (None: reverted). The zero address's account is as before after."""
    before = evm.basic(ZERO_ADDRESS)
    evm.insert_account_info(ZERO_ADDRESS, _reader_account(tuple(calls), before.balance, before.nonce))
    try:
        out = bytes(evm.message_call(BATCH_ORIGIN, ZERO_ADDRESS, b"", is_static=True))
    finally:
        evm.insert_account_info(ZERO_ADDRESS, before)
    answers = unpack(out)
    if len(answers) != len(calls):
        raise AssertionError(f"the view batch answered {len(answers)} of {len(calls)} calls")
    return answers
