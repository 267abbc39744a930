"""The testnet path: `ape run deploy` as a subprocess, over HTTP, against a standalone anvil standing in for a remote
node, signing with a keystore account (not a test account). A deploy is killed right after its first transaction is
mined; the re-run must deploy nothing twice, a further re-run must send nothing, and the manifest must match the chain.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from eth_account import Account
from web3 import Web3

from deai.deploy.bytecode import code_matches
from deai.deploy.contracts import container
from deai.deploy.contracts import create_address
from deai.toolchain import NODE_BIN, PROJECT_ROOT

ALIAS = "ci_deployer"
PASSPHRASE = "correct horse battery staple"
CONTRACTS = 10  # ProvenanceRegistry, EmissionLPToken, EmissionToken, four RewardPools, EmissionSplitter,
#               MarketStakeToken, ComputeMarketplace


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def node():
    port = free_port()
    proc = subprocess.Popen([str(NODE_BIN / "anvil"), "--port", str(port), "--chain-id", "31337"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    w3 = Web3(Web3.HTTPProvider(f"http://127.0.0.1:{port}"))
    for _ in range(100):
        if w3.is_connected():
            break
        time.sleep(0.1)
    yield port, w3
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def keystore_env(tmp_path, node):
    """A keystore account in a private Ape data folder, funded on the node; the passphrase comes from the env."""
    _, w3 = node
    account = Account.create("deploy-ci")
    data = tmp_path / "ape-data"
    (data / "accounts").mkdir(parents=True)
    (data / "accounts" / f"{ALIAS}.json").write_text(json.dumps(Account.encrypt(account.key, PASSPHRASE)))
    w3.provider.make_request("anvil_setBalance", [account.address, hex(10**20)])
    env = dict(os.environ, APE_DATA_FOLDER=str(data), **{f"APE_ACCOUNTS_{ALIAS}_PASSPHRASE": PASSPHRASE})
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return account.address, env


def deploy_command(port: int, manifest: Path) -> list[str]:
    ape = str(Path(sys.executable).parent / "ape")
    return [ape, "run", "deploy", "--network", f"http://127.0.0.1:{port}", "--account", ALIAS,
            "--config", "local", "--manifest", str(manifest), "--yes"]


def test_deploy_is_resumable_after_a_kill_and_idempotent(node, keystore_env, tmp_path):
    port, w3 = node
    deployer, env = keystore_env
    manifest = tmp_path / "local.json"
    command = deploy_command(port, manifest)

    first = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.time() + 240
    while w3.eth.get_transaction_count(deployer) < 1:
        assert first.poll() is None, first.stdout.read().decode()[-3000:]
        assert time.time() < deadline, "the first deployment was never mined"
        time.sleep(0.02)
    first.kill()  # right after the first transaction is mined
    first.wait()
    killed_at_nonce = w3.eth.get_transaction_count(deployer)
    assert killed_at_nonce < 13, "the kill came too late to test a resume"

    resumed = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stdout[-3000:] + resumed.stderr[-3000:]

    nonce = w3.eth.get_transaction_count(deployer)
    created = [create_address(deployer, n) for n in range(nonce) if w3.eth.get_code(create_address(deployer, n))]
    data = json.loads(manifest.read_text())
    recorded = {record["address"] for record in data["contracts"].values()}
    assert len(created) == CONTRACTS == len(recorded), "a contract was deployed twice or is missing"
    assert set(created) == recorded and data["pending"] == {}
    for record in data["contracts"].values():
        compiled = bytes.fromhex(container(record["contract"]).contract_type.runtime_bytecode.bytecode[2:])
        assert code_matches(compiled, bytes(w3.eth.get_code(record["address"])))
    assert data["deployer"] == deployer and data["chainId"] == 31337

    again = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stdout[-3000:]
    assert w3.eth.get_transaction_count(deployer) == nonce, "a re-run of a complete deployment sent a transaction"
    assert " deployed " not in again.stdout and " sent " not in again.stdout
    check_user_commands(port, env, manifest, tmp_path)


def check_user_commands(port: int, env: dict, manifest: Path, tmp_path: Path) -> None:
    """The user commands as a user runs them, against the deployment the deploy script just made."""
    ape = str(Path(sys.executable).parent / "ape")

    def run(*args: str, network: str = f"http://127.0.0.1:{port}") -> subprocess.CompletedProcess:
        command = [ape, "run", *args, "--network", network, "--deployments", str(manifest)]
        return subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300)

    ok = run("market", "offers")
    assert ok.returncode == 0 and "no offers yet" in ok.stdout, ok.stdout + ok.stderr
    ok = run("emission", "status")
    assert ok.returncode == 0 and "emitted" in ok.stdout and "Protection" in ok.stdout, ok.stdout + ok.stderr
    unknown = tmp_path / "never-registered.txt"
    unknown.write_text("nobody registered this")
    for args, message in [
        (("market", "show", "99"), "Error: lease 99 does not exist (there are 0)"),
        (("provenance", "verify", str(tmp_path / "missing.bin")), "Error: no such file"),
        (("provenance", "verify", str(unknown)), "is unknown to the registry"),
    ]:
        out = run(*args)
        text = out.stdout + out.stderr
        assert out.returncode != 0 and message in text and "Traceback" not in text, text
        assert len([line for line in text.splitlines() if line.strip() and not line.startswith("INFO:")]) == 1, text
    out = run("market", "offers", network="ethereum:nowhere:node")
    assert out.returncode != 0 and "Traceback" not in out.stdout + out.stderr


def test_bad_input_is_one_line(node, keystore_env, tmp_path):
    port, _ = node
    _, env = keystore_env
    command = deploy_command(port, tmp_path / "x.json")
    command[command.index("local")] = "sepolia"
    out = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode != 0
    assert "Error: the node's chain id is 31337, but the configuration expects 11155111" in out.stdout + out.stderr
    assert "Traceback" not in out.stdout + out.stderr
