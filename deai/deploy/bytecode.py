"""Does the code at an address match a compiled contract?

Solidity leaves every immutable as a zero-filled PUSH32 operand in the compiled runtime code and fills it in
at construction (commit ages, EIP-712 caches, token addresses...). Deployed code therefore matches when it has
the same length and the same bytes everywhere except inside those operands. The metadata hash at the end of
the code is compared too, so a contract compiled from other sources never matches.
"""

from __future__ import annotations

PUSH1, PUSH32 = 0x60, 0x7F


def immutable_slots(compiled: bytes) -> list[range]:
    """Byte ranges of PUSH32 operands that are all zero in the compiled runtime code (immutable placeholders)."""
    slots, i = [], 0
    while i < len(compiled):
        op = compiled[i]
        if PUSH1 <= op <= PUSH32:
            width = op - PUSH1 + 1
            if op == PUSH32 and compiled[i + 1 : i + 33] == bytes(32):
                slots.append(range(i + 1, i + 33))
            i += width
        i += 1
    return slots


def code_matches(compiled: bytes, deployed: bytes) -> bool:
    if len(compiled) != len(deployed) or not compiled:
        return False
    masked_compiled, masked_deployed = bytearray(compiled), bytearray(deployed)
    for slot in immutable_slots(compiled):
        for j in slot:
            masked_deployed[j] = 0
    return masked_compiled == masked_deployed
