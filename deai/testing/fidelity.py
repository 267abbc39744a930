"""Fidelity of the in-process backend: a recorded sequence of calls replayed on anvil and in-process.

A `RevmChain` with `recorder = []` logs every deployment, transaction (with its block time), view call, snapshot and
restore a state-machine run makes. `replay_on_node` sends exactly those bytes to a node over JSON-RPC (anvil's
unlocked test accounts, `evm_setNextBlockTimestamp`, `evm_snapshot`/`evm_revert`), `replay_in_process` to a fresh
RevmChain; each returns one observation per entry (return data or revert data, gasUsed, logs, deployed address) and
the storage of every deployed contract at the end. `differences` lists where two replays disagree; gasUsed is
compared separately (`gas_pairs`), since the in-process journal keeps slots warm across transactions.
"""

from __future__ import annotations

import time
from typing import Any, Callable

from deai.testing.revm import RevmChain, TransactionReverted

STORAGE_SLOTS = range(32)  # raw slots read from every deployed contract after the replay
GAS = 30_000_000
Observation = tuple


def replay_in_process(recording: list[dict[str, Any]], genesis_time: int, nonces: dict[str, int]) -> list:
    chain = RevmChain(genesis_time=genesis_time)
    for address, nonce in nonces.items():
        chain.set_nonce(address, nonce)
    snapshots: dict[int, int] = {}
    seen: list[Observation] = []
    deployed: list[str] = []
    for entry in recording:
        kind = entry["kind"]
        if kind == "snapshot":
            snapshots[entry["id"]] = chain.snapshot()
        elif kind == "restore":  # the state a run ended in, before it is rolled back
            seen.append(("storage", [[chain.storage_at(a, slot) for slot in STORAGE_SLOTS] for a in deployed]))
            chain.restore(snapshots[entry["id"]])
        elif kind == "call":
            try:
                seen.append(("call", chain.call(entry["to"], None, entry["data"], entry["sender"]), None))
            except TransactionReverted as err:
                seen.append(("call", None, err.revert_data))
        elif kind == "deploy":
            chain.pending_timestamp = entry["timestamp"]
            try:
                address = chain.deploy_code(entry["data"], entry["sender"], entry.get("value", 0))
                deployed.append(address)
                seen.append(("deploy", address, chain.last_deploy_gas))
            except TransactionReverted as err:
                seen.append(("deploy", None, err.revert_data))
        else:
            chain.pending_timestamp = entry["timestamp"]
            try:
                receipt = chain.transact(entry["sender"], entry["to"], entry["data"], entry.get("value", 0))
                logs = [(a, [bytes(t) for t in topics], bytes(d)) for a, topics, d, _ in receipt.raw_logs]
                seen.append(("tx", None, receipt.gas_used, _normal_logs(logs)))
            except TransactionReverted as err:
                seen.append(("tx", err.revert_data, err.gas_used, []))
    seen.append(("storage", [[chain.storage_at(a, slot) for slot in STORAGE_SLOTS] for a in deployed]))
    return seen


def _normal_logs(logs: list) -> list:
    return [(address.lower(), [bytes(t).hex() for t in topics], bytes(data).hex()) for address, topics, data in logs]


def replay_on_node(recording: list[dict[str, Any]], request: Callable[[str, list], dict]) -> list:
    """Replay on a node; `request(method, params)` returns the raw JSON-RPC response (with `result` or `error`)."""

    def result(method: str, params: list) -> Any:
        response = request(method, params)
        if "error" in response:
            raise RuntimeError(f"{method}: {response['error']}")
        return response["result"]

    snapshots: dict[int, str] = {}
    seen: list[Observation] = []
    deployed: list[str] = []
    for entry in recording:
        kind = entry["kind"]
        if kind == "snapshot":
            snapshots[entry["id"]] = result("evm_snapshot", [])
        elif kind == "restore":
            seen.append(("storage", [[int(result("eth_getStorageAt", [a, hex(slot), "latest"]), 16)
                                      for slot in STORAGE_SLOTS] for a in deployed]))
            result("evm_revert", [snapshots[entry["id"]]])
        elif kind == "call":
            response = request("eth_call", [{"from": entry["sender"], "to": entry["to"],
                                              "data": "0x" + entry["data"].hex()}, "latest"])
            if "error" in response:
                data = (response["error"].get("data") or "0x")
                seen.append(("call", None, bytes.fromhex(data[2:]) if isinstance(data, str) else b""))
            else:
                seen.append(("call", bytes.fromhex(response["result"][2:]), None))
        else:
            result("evm_setNextBlockTimestamp", [entry["timestamp"]])
            tx = {"from": entry["sender"], "data": "0x" + entry["data"].hex(), "gas": hex(entry.get("gas") or GAS),
                  "gasPrice": hex(10**9), "value": hex(entry.get("value", 0))}
            if kind == "tx":
                tx["to"] = entry["to"]
            tx_hash = result("eth_sendTransaction", [tx])
            receipt = result("eth_getTransactionReceipt", [tx_hash])
            for _ in range(200):  # automine: the receipt is there at once, or after a moment
                if receipt is not None:
                    break
                time.sleep(0.005)
                receipt = result("eth_getTransactionReceipt", [tx_hash])
            gas_used = int(receipt["gasUsed"], 16)
            ok = int(receipt["status"], 16) == 1
            revert = None if ok else _node_revert_data(result, tx_hash)
            if kind == "deploy":
                address = receipt.get("contractAddress") if ok else None
                if address:
                    from eth_utils import to_checksum_address

                    deployed.append(to_checksum_address(address))
                    seen.append(("deploy", to_checksum_address(address), gas_used))
                else:
                    seen.append(("deploy", None, revert))
            else:
                logs = [(log["address"], [bytes.fromhex(t[2:]) for t in log["topics"]], bytes.fromhex(log["data"][2:]))
                        for log in receipt["logs"]]
                seen.append(("tx", revert, gas_used, _normal_logs(logs)))
    seen.append(("storage", [[int(result("eth_getStorageAt", [a, hex(slot), "latest"]), 16) for slot in STORAGE_SLOTS]
                             for a in deployed]))
    return seen


def _node_revert_data(result: Callable[[str, list], Any], tx_hash: str) -> bytes:
    trace = result("debug_traceTransaction", [tx_hash, {"tracer": "callTracer"}])
    output = trace.get("output") or "0x"
    return bytes.fromhex(output[2:])


def differences(recording: list[dict[str, Any]], a: list, b: list, limit: int = 10) -> list[str]:
    """Where two replays of `recording` disagree (at most `limit` lines)."""
    found = []
    if len(a) != len(b):
        found.append(f"{len(a)} observations vs {len(b)}")
    entries = [e if e["kind"] != "restore" else {"kind": "storage"} for e in recording if e["kind"] != "snapshot"]
    entries.append({"kind": "storage"})
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            entry = entries[i] if i < len(entries) else {}
            what = {k: (v.hex()[:80] if isinstance(v, bytes) else v) for k, v in entry.items()
                    if k in ("kind", "name", "to", "data", "timestamp")}
            found.append(f"#{i} {what}: {x!r:.300} != {y!r:.300}")
            if len(found) >= limit:
                break
    return found


def expected_from_recording(recording: list[dict[str, Any]]) -> list:
    """What the recording chain itself observed, in replay form (for comparison with the replays)."""
    seen: list[Observation] = []
    for entry in recording:
        kind = entry["kind"]
        if kind == "call":
            seen.append(("call", entry.get("output"), entry.get("reverted")))
        elif kind == "deploy":
            seen.append(("deploy", entry.get("address"), entry["gas_used"] if "address" in entry else
                         entry.get("reverted")))
        elif kind == "tx":
            seen.append(("tx", entry.get("reverted"), entry["gas_used"], _normal_logs(entry.get("logs", []))))
        elif kind == "restore":
            seen.append(("storage", None))
    return seen


def without_gas(observations: list) -> list:
    """The observations with gasUsed blanked (the fast in-process mode's gas differs, see RevmChain)."""
    blanked = []
    for o in observations:
        if o[0] == "tx":
            o = ("tx", o[1], None, o[3])
        elif o[0] == "deploy" and o[1] is not None:
            o = ("deploy", o[1], None)
        blanked.append(o)
    return blanked


def gas_pairs(a: list, b: list) -> list[tuple[int, int]]:
    """(gasUsed in a, gasUsed in b) for every transaction and deployment both replays ran."""
    pairs = []
    for x, y in zip(a, b):
        if x[0] == "tx" and y[0] == "tx":
            pairs.append((x[2], y[2]))
        elif x[0] == "deploy" and y[0] == "deploy" and x[1] is not None and y[1] is not None:
            pairs.append((x[2], y[2]))
    return pairs
