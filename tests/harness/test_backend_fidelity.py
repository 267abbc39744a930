"""Fidelity: a state-machine run recorded on the in-process backend, replayed byte for byte on the project's anvil and
on a fresh in-process chain, gives identical return values, revert data, events and storage (raw slots, and every
view the machine read). gasUsed: identical for every transaction that touches no slot an earlier transaction in the
same snapshot window touched; otherwise the in-process figure is lower (pyrevm keeps one journal, so those slots stay
warm; see deai.testing.revm), never higher. Gas budgets and the snapshot are measured on anvil.

The run is the real machine (its hypothesis rules, model checks and invariants), derandomized and short; every
deployment, transaction (with its block time), view call, snapshot and restore it made is replayed."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from hypothesis import settings

from deai.testing.backends import Backend
from deai.testing.chain_isolation import use_chain
from deai.testing.fidelity import (
    differences, expected_from_recording, gas_pairs, replay_in_process, replay_on_node, without_gas,
)
from deai.testing.revm import RevmChain

TESTS = Path(__file__).resolve().parents[1]
MACHINES = {  # machine: (file, test function, keyword arguments); the registry keeps everything in mappings, so its
    # state is compared through the views the machine reads, the marketplace's also through its first raw slots
    "provenance": ("provenance/test_state_machine.py", "test_provenance_state_machine", {}),
    "marketplace": ("marketplace/test_market_state_machine.py", "test_marketplace_state_machine", {}),
}
RAW_SLOTS_IN_USE = {"marketplace"}
settings.register_profile("fidelity-recording", deadline=None, derandomize=True, database=None, max_examples=3,
                          stateful_step_count=20, print_blob=True)


def _machine_test(relative: str, name: str):
    path = TESTS / relative
    sys.path.insert(0, str(path.parent))  # the machine's sibling modules (market_model)
    try:
        spec = importlib.util.spec_from_file_location(f"fidelity_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(path.parent))
    return getattr(module, name)


def record_run(machine: str, genesis_time: int, deployer_nonce: int) -> tuple[list, dict]:
    relative, name, kwargs = MACHINES[machine]
    test = _machine_test(relative, name)
    chain = RevmChain(genesis_time=genesis_time)
    chain.set_nonce(chain.accounts[0], deployer_nonce)  # deploy at the addresses anvil's deployer will use
    nonces = {chain.accounts[0].address: deployer_nonce}
    chain.recorder = []
    backend = Backend("revm", chain.roles, chain, chain.accounts)
    previous = settings.default
    settings.load_profile("fidelity-recording")
    try:
        with use_chain(chain):
            test(backend, **kwargs)
    finally:
        settings.register_profile("_restore", previous)
        settings.load_profile("_restore")
    return chain.recorder, nonces


@pytest.mark.parametrize("machine", sorted(MACHINES))
def test_recorded_machine_run_replays_identically_on_anvil_and_in_process(machine, chain, accounts):
    if chain.provider.name != "foundry":
        pytest.skip("the reference node is the project's anvil (ape-foundry)")
    request = chain.provider.web3.provider.make_request
    genesis = max(int(chain.pending_timestamp), int(chain.blocks.head.timestamp)) + 10_000
    recording, nonces = record_run(machine, genesis, accounts[0].nonce)
    kinds = {k: sum(1 for e in recording if e["kind"] == k) for k in ("deploy", "tx", "call", "snapshot")}
    assert kinds["tx"] >= 30 and kinds["call"] >= 100 and kinds["snapshot"] >= 3, kinds
    assert any(e.get("reverted") for e in recording if e["kind"] == "tx"), "the run exercised no revert"

    in_process = replay_in_process(recording, genesis, nonces)
    on_anvil = replay_on_node(recording, request)
    recorded = expected_from_recording(recording)
    replayed = [o if o[0] != "storage" else ("storage", None) for o in in_process[:-1]]
    assert not differences(recording, recorded, replayed), "the in-process chain is not deterministic"
    mismatch = differences(recording, without_gas(in_process), without_gas(on_anvil))
    assert not mismatch, "\n".join(mismatch)
    pairs = gas_pairs(in_process, on_anvil)
    assert all(mine <= node for mine, node in pairs), [p for p in pairs if p[0] > p[1]][:5]
    deployments = gas_pairs([o for o in in_process if o[0] == "deploy"], [o for o in on_anvil if o[0] == "deploy"])
    assert deployments and all(mine == node for mine, node in deployments)  # nothing warm yet: exactly equal
    exact = sum(mine == node for mine, node in pairs)
    print(f"{machine}: {len(recording)} recorded entries; gasUsed equal for {exact} of {len(pairs)} transactions")
    states = [o for o in on_anvil if o[0] == "storage"]
    assert len(states) >= 3
    if machine in RAW_SLOTS_IN_USE:
        assert any(any(slots) for state in states for slots in state[1]), "no non-zero slot compared"
