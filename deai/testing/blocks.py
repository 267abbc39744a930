"""Block and receipt facts tests read back, on either backend (Ape's chain or the in-process one: both have
`chain.blocks`, and their receipts decode `events`)."""

from __future__ import annotations

from typing import Any


def block_time(chain: Any, receipt: Any) -> int:
    """The timestamp of the block that mined `receipt`'s transaction."""
    return chain.blocks[receipt.block_number].timestamp


def event_names(receipt: Any) -> list[str]:
    """The names of the events `receipt`'s transaction emitted, in order."""
    return [log.event_name for log in receipt.events]
