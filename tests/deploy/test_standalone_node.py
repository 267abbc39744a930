"""The testnet path: `ape run deploy` as a subprocess, over HTTP, against a standalone anvil standing in for a remote
node, signing with a keystore account (not a test account). A deploy is killed right after its first transaction is
mined; the re-run must deploy nothing twice, a further re-run must send nothing, and the manifest must match the chain.
Then what a deployer can meet (issue 15): a tampered manifest (foreign contract, wrong nonce, wrong transaction,
drifted immutables), a second account resuming, a configuration changed after deployment, the confirmation prompt,
a dry run over a pending intent (writes nothing) and a restarted chain; each refusal is one line and sends nothing.
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
# The keystores' scrypt work factor: a standard v3 keystore that Ape unlocks like any other, at 2**12 instead of
# eth-account's default 2**18 (0.75 s of CPU per encryption and per unlock; every `ape run` that signs unlocks once).
SCRYPT_N = 2**12
CONTRACTS = 12  # ProvenanceRegistry, MarketStakeToken, ResultProvenanceRelay, ComputeMarketplace, EmissionLPToken,
#               EmissionToken, three RewardPools (Capital, Code, Community), ComputeRewards, EmissionSplitter,
#               MarketplaceLens


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_anvil(port: int) -> tuple[subprocess.Popen, Web3]:
    proc = subprocess.Popen([str(NODE_BIN / "anvil"), "--port", str(port), "--chain-id", "31337"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    w3 = Web3(Web3.HTTPProvider(f"http://127.0.0.1:{port}"))
    for _ in range(100):
        if w3.is_connected():
            break
        time.sleep(0.1)
    return proc, w3


def keystore(account) -> str:
    return json.dumps(Account.encrypt(account.key, PASSPHRASE, kdf="scrypt", iterations=SCRYPT_N))


@pytest.fixture
def node():
    port = free_port()
    proc, w3 = start_anvil(port)
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
    (data / "accounts" / f"{ALIAS}.json").write_text(keystore(account))
    w3.provider.make_request("anvil_setBalance", [account.address, hex(10**20)])
    env = dict(os.environ, APE_DATA_FOLDER=str(data), **{f"APE_ACCOUNTS_{ALIAS}_PASSPHRASE": PASSPHRASE})
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return account.address, env


def add_keystore_account(env: dict, w3: Web3, alias: str) -> Account:
    account = Account.create(alias)
    folder = Path(env["APE_DATA_FOLDER"]) / "accounts"
    (folder / f"{alias}.json").write_text(keystore(account))
    w3.provider.make_request("anvil_setBalance", [account.address, hex(10**20)])
    env[f"APE_ACCOUNTS_{alias}_PASSPHRASE"] = PASSPHRASE
    return account


def deploy_command(port: int, manifest: Path, alias: str = ALIAS, config: str = "local") -> list[str]:
    ape = str(Path(sys.executable).parent / "ape")
    return [ape, "run", "deploy", "--network", f"http://127.0.0.1:{port}", "--account", alias,
            "--config", config, "--manifest", str(manifest), "--yes"]


def half_written_cache(env: dict, address: str, name: str) -> Path:
    """What a deploy killed while Ape wrote its contract-type cache of `address` (network `custom`: a node given by URL)
    leaves: the file cut inside the runtime bytecode. The CI flake was this file, cut there: every later read logged
    `ERROR: Unterminated string starting at: line 1 column 34631`."""
    text = json.dumps(container(name).contract_type.model_dump(mode="json"))
    cut = text.index('"0x', text.index('"runtimeBytecode"')) + 2_000
    path = Path(env["APE_DATA_FOLDER"]) / "ethereum" / "custom" / "contract_types" / f"{address}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text[:cut])
    return path


def one_error_line(out: subprocess.CompletedProcess) -> str:
    """The run failed with exactly one `Error: ...` line (Ape's INFO/WARNING log lines aside) and no traceback."""
    text = out.stdout + out.stderr
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith(("INFO:", "WARNING:"))]
    assert out.returncode != 0 and "Traceback" not in text and len(lines) == 1, text[-3000:]
    assert lines[0].startswith("Error: "), lines
    return lines[0]


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
    # Whether or not the kill hit Ape's write of the first contract's cache file, it did here (README, "Deploying").
    cache = half_written_cache(env, create_address(deployer, 0), "ProvenanceRegistry")

    resumed = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stdout[-3000:] + resumed.stderr[-3000:]
    assert "ERROR" not in resumed.stdout + resumed.stderr, resumed.stdout[-3000:] + resumed.stderr[-3000:]
    assert json.loads(cache.read_text())["abi"], "the resume did not rewrite the cache file"

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
    half_written_cache(env, create_address(deployer, 0), "ProvenanceRegistry")  # `provenance verify` reads it first
    check_user_commands(port, env, manifest, tmp_path)


def check_user_commands(port: int, env: dict, manifest: Path, tmp_path: Path) -> None:
    """The user commands as a user runs them, against the deployment the deploy script just made."""
    ape = str(Path(sys.executable).parent / "ape")

    def run(*args: str, network: str = f"http://127.0.0.1:{port}", deployments: Path = manifest
            ) -> subprocess.CompletedProcess:
        command = [ape, "run", *args, "--network", network, "--deployments", str(deployments)]
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
    # provenance register says until when the record can be contested; --commit keeps the salt in a 0600 file.
    env = dict(env, DEAI_SALT_DIR=str(tmp_path / "salts"))
    registered = tmp_path / "registered.txt"
    registered.write_text("registered directly")
    out = run("provenance", "register", str(registered), "--account", ALIAS)
    assert out.returncode == 0 and "not final: an earlier commitment can take this record over until" in out.stdout, \
        out.stdout + out.stderr
    assert run("provenance", "verify", str(registered)).returncode == 0
    later = tmp_path / "committed.txt"
    later.write_text("committed first")
    out = run("provenance", "register", str(later), "--commit", "--account", ALIAS)
    assert out.returncode == 0 and "reveal with --reveal between" in out.stdout, out.stdout + out.stderr
    [salt] = (tmp_path / "salts").iterdir()
    assert salt.stat().st_mode & 0o777 == 0o600
    out = run("provenance", "register", str(later), "--reveal", "--account", ALIAS)
    assert "Error: the commitment can be revealed from" in out.stdout + out.stderr
    # A lowercase address in the deployments file is one line, not a traceback.
    data = json.loads(manifest.read_text())
    data["contracts"]["ProvenanceRegistry"]["address"] = data["contracts"]["ProvenanceRegistry"]["address"].lower()
    lowercase = tmp_path / "lowercase.json"
    lowercase.write_text(json.dumps(data))
    out = run("provenance", "verify", str(registered), deployments=lowercase)
    text = out.stdout + out.stderr
    assert out.returncode != 0 and "is not EIP-55 checksummed" in text and "Traceback" not in text, text


def test_bad_input_is_one_line(node, keystore_env, tmp_path):
    port, _ = node
    _, env = keystore_env
    command = deploy_command(port, tmp_path / "x.json")
    command[command.index("local")] = "sepolia"
    out = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode != 0
    assert "Error: the node's chain id is 31337, but the configuration expects 11155111" in out.stdout + out.stderr
    assert "Traceback" not in out.stdout + out.stderr


def send_creation(w3: Web3, key: bytes, name: str, *args) -> dict:
    """Deploy `name` with a raw signed transaction (as another tool, or an attacker, would)."""
    from deai.deploy.verify import creation_code

    sender = Account.from_key(key).address
    tx = {"from": sender, "data": "0x" + creation_code(container(name), args).hex(), "chainId": 31337,
          "nonce": w3.eth.get_transaction_count(sender), "gas": 5_000_000, "gasPrice": w3.eth.gas_price * 2}
    tx_hash = w3.eth.send_raw_transaction(Account.sign_transaction(tx, key).raw_transaction)
    return w3.eth.wait_for_transaction_receipt(tx_hash)


def test_what_a_deployer_can_meet_is_refused_in_one_line(node, keystore_env, tmp_path):
    port, w3 = node
    deployer, env = keystore_env
    manifest = tmp_path / "local.json"
    # The confirmation shows chain, account, resolved addresses and the estimated cost; declining sends nothing.
    prompt = deploy_command(port, manifest)
    prompt.remove("--yes")
    out = subprocess.run(prompt, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300, input="n\n")
    assert out.returncode != 0 and "Aborted" in out.stdout + out.stderr, out.stdout + out.stderr
    for expected in (f"chain 31337", f"account {deployer}", f"marketplace.treasury: {deployer}",
                     f"emission.governance: {deployer}", "estimated cost: ", "ProvenanceRegistry"):
        assert expected in out.stdout, out.stdout
    assert w3.eth.get_transaction_count(deployer) == 0 and not manifest.exists()

    done = subprocess.run(deploy_command(port, manifest), cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    data = json.loads(manifest.read_text())
    mallory = add_keystore_account(env, w3, "ci_mallory")
    foreign = send_creation(w3, mallory.key, "ProvenanceRegistry", 60, 86_400)  # an attacker's copy
    own_key = Account.decrypt(json.loads((Path(env["APE_DATA_FOLDER"]) / "accounts" / f"{ALIAS}.json").read_text()),
                              PASSPHRASE)
    drifted = send_creation(w3, own_key, "ProvenanceRegistry", 1, 86_400)  # the deployer's, other immutables
    record = data["contracts"]["ProvenanceRegistry"]
    tampered = {
        "foreign contract": (dict(record, address=foreign["contractAddress"]), "is not the address the deployer's nonce"),
        "foreign transaction": (dict(record, transactionHash=foreign["transactionHash"].to_0x_hex()),
                                f"was sent by {mallory.address}, not the deployer {deployer}"),
        "wrong nonce": (dict(record, nonce=record["nonce"] + 1), f"records nonce {record['nonce'] + 1}"),
        "wrong transaction": (dict(record, transactionHash=data["contracts"]["EmissionToken"]["transactionHash"]),
                              f"local.json records nonce {record['nonce']}"),
        "drifted immutables": (dict(record, address=drifted["contractAddress"], nonce=w3.eth.get_transaction_count(
            deployer) - 1, transactionHash=drifted["transactionHash"].to_0x_hex()),
            "it was deployed with minCommitAge_=1, the configuration gives 60"),
    }
    nonce = w3.eth.get_transaction_count(deployer)
    for case, (changed, message) in tampered.items():
        copy = tmp_path / "tampered" / "local.json"
        copy.parent.mkdir(exist_ok=True)
        copy.write_text(json.dumps(dict(data, contracts=dict(data["contracts"], ProvenanceRegistry=changed))))
        before = copy.read_bytes()
        out = subprocess.run(deploy_command(port, copy), cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                             timeout=300)
        line = one_error_line(out)
        assert message in line and "--fresh-manifest" in line, (case, line)
        assert copy.read_bytes() == before and w3.eth.get_transaction_count(deployer) == nonce, case

    # A second account resuming the deployment is refused, and sends nothing.
    other = add_keystore_account(env, w3, "ci_other")
    out = subprocess.run(deploy_command(port, manifest, alias="ci_other"), cwd=PROJECT_ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    line = one_error_line(out)
    assert f"belongs to deployer {deployer}, not {other.address}" in line and "--fresh-manifest" in line, line
    assert w3.eth.get_transaction_count(other.address) == 0

    # A configuration changed after deployment is a difference, not "kept".
    changed = tmp_path / "local-changed.yaml"
    changed.write_text((PROJECT_ROOT / "config" / "networks" / "local.yaml").read_text().replace(
        "min_commit_age: 60", "min_commit_age: 30"))
    out = subprocess.run(deploy_command(port, manifest, config=str(changed)), cwd=PROJECT_ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    line = one_error_line(out)
    assert "ProvenanceRegistry at " in line and "minCommitAge_=60, the configuration gives 30" in line, line
    assert w3.eth.get_transaction_count(deployer) == nonce


def test_dry_run_over_a_pending_intent_and_a_restarted_chain(keystore_env, tmp_path):
    """A run that broadcast and died leaves an intent: a dry run shows the recovery and writes nothing; the real run
    recovers it. Then the chain restarts (anvil killed and started again): the next run starts a fresh manifest."""
    deployer, env = keystore_env
    port = free_port()
    proc, w3 = start_anvil(port)
    try:
        w3.provider.make_request("anvil_setBalance", [deployer, hex(10**20)])
        key = Account.decrypt(json.loads((Path(env["APE_DATA_FOLDER"]) / "accounts" / f"{ALIAS}.json").read_text()),
                              PASSPHRASE)
        manifest = tmp_path / "local.json"
        manifest.write_text(json.dumps({
            "format": 2, "network": "local", "chainId": 31337, "deployer": deployer, "contracts": {}, "tokens": {},
            "pending": {"ProvenanceRegistry": {
                "sender": deployer, "nonce": 0, "predictedAddress": create_address(deployer, 0), "fromBlock": 0,
                "deployTime": 0, "constructorArgs": ["60", "86400"]}}}))
        send_creation(w3, key, "ProvenanceRegistry", 60, 86_400)  # mined; the run died before recording it
        before = manifest.read_bytes()
        dry = subprocess.run(deploy_command(port, manifest) + ["--dry-run"], cwd=PROJECT_ROOT, env=env,
                             capture_output=True, text=True, timeout=300)
        assert dry.returncode == 0 and "would recover" in dry.stdout, dry.stdout + dry.stderr
        assert manifest.read_bytes() == before and w3.eth.get_transaction_count(deployer) == 1
        assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".json") == ["local.json"]
        real = subprocess.run(deploy_command(port, manifest), cwd=PROJECT_ROOT, env=env, capture_output=True,
                              text=True, timeout=600)
        assert real.returncode == 0 and "recovered" in real.stdout, real.stdout + real.stderr
        assert json.loads(manifest.read_text())["contracts"]["ProvenanceRegistry"]["address"] == create_address(
            deployer, 0)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    proc, w3 = start_anvil(port)  # a restarted local chain: same addresses, none deployed
    try:
        w3.provider.make_request("anvil_setBalance", [deployer, hex(10**20)])
        again = subprocess.run(deploy_command(port, manifest), cwd=PROJECT_ROOT, env=env, capture_output=True,
                               text=True, timeout=600)
        assert again.returncode == 0 and "the local chain was restarted" in again.stdout, again.stdout + again.stderr
        data = json.loads(manifest.read_text())
        assert len(data["contracts"]) == CONTRACTS and all(
            w3.eth.get_code(r["address"]) for r in data["contracts"].values())
        assert len(list(tmp_path.glob("local.replaced-*.json"))) == 1
    finally:
        proc.terminate()
        proc.wait(timeout=10)
