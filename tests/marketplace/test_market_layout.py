"""The delegatecall module shares the marketplace's storage: `MarketplaceDisputesAdmin` runs on
`ComputeMarketplace`'s slots, so both must declare exactly the same storage layout (all of it in `MarketplaceBase`).
Compared from solc's own `storageLayout` output, so a variable added to either contract, or reordered in the base,
fails here before it can corrupt a lease."""

from __future__ import annotations

import re

from deai.testing.storage import layouts


def test_module_and_marketplace_share_one_storage_layout():
    found = layouts()
    market, module = found["ComputeMarketplace"], found["MarketplaceDisputesAdmin"]
    assert market == module
    assert len(market) == 19  # a new variable belongs in MarketplaceBase, after the others: update this count


def test_the_arbiter_index_shares_the_pause_flag_slot():
    """`acceptLease` snapshots `_arbiterId` for free only while it sits in the slot `whenNotPaused` reads."""
    by_label = {label: (slot, offset) for slot, offset, label, *_ in layouts()["ComputeMarketplace"]}
    assert by_label["_arbiterId"][0] == by_label["_paused"][0]


def test_the_lease_fits_five_slots():
    """The lease's packing (the gas budgets depend on it): withdrawn, collateral and the arbiter index share the
    slot acceptance writes, so snapshotting the arbiter costs no extra storage write."""
    types = layouts()["ComputeMarketplace.types"]
    lease = next(v for k, v in types.items() if re.match(r"t_struct\(Lease\)\d+_storage$", k))
    assert lease["numberOfBytes"] == str(5 * 32)
    slots = {m["label"]: m["slot"] for m in lease["members"]}
    assert slots["withdrawn"] == slots["collateral"] == slots["arbiterId"]


def test_the_marketplace_initcode_fits_eip3860():
    """EIP-3860 caps initcode at 49,152 bytes; the marketplace's creation code carries the registry's and the
    module's (its constructor deploys both), so it meets this limit before EIP-170's (round 5: the bond's fallback
    pull first broke it, found by a deployment failing with "max initcode size exceeded")."""
    from deai.deploy.contracts import container

    code = container("ComputeMarketplace").contract_type.deployment_bytecode.bytecode
    size = len(bytes.fromhex(code.removeprefix("0x")))
    assert size <= 49_152 - 512, f"ComputeMarketplace initcode: {size} bytes (EIP-3860 limit 49,152, keep 512)"
