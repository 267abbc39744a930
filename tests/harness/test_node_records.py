"""deai.toolchain.prune_node_records: Ape's record of the node processes it started keeps only live processes (stale
records of killed sessions made every `ape test` / `ape run` spend ~0.1 s per record when disconnecting)."""

import json
import os
import subprocess
import sys

from deai.toolchain import live_node_records, prune_node_records


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(done.stdout)


def test_prune_drops_only_dead_processes(tmp_path):
    dead, alive = _dead_pid(), os.getpid()
    node = {"network_choice": "ethereum:local:foundry", "http_uri": "http://127.0.0.1:1"}
    path = tmp_path / "processes" / "nodes.json"
    path.parent.mkdir()
    path.write_text(json.dumps({"nodes": {str(dead): node, str(alive): node}}))

    assert prune_node_records({"APE_DATA_FOLDER": str(tmp_path)}) == 1
    assert json.loads(path.read_text()) == {"nodes": {str(alive): node}}
    assert prune_node_records({"APE_DATA_FOLDER": str(tmp_path)}) == 0  # nothing left to drop: file unchanged


def test_prune_without_a_record_file_does_nothing(tmp_path):
    assert prune_node_records({"APE_DATA_FOLDER": str(tmp_path)}) == 0
    assert not (tmp_path / "processes").exists()


def test_live_records_keep_int_keys_as_ape_loads_them():
    dead, alive = _dead_pid(), os.getpid()
    assert live_node_records({dead: "a", alive: "b"}) == {alive: "b"}
