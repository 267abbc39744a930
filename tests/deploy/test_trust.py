"""Issue 15: a contract is kept or recovered only if it is exactly what this run would deploy; a manifest belongs to one
deployer; a dry run writes nothing; the manifest is what a front end can read; the configuration is validated."""

from __future__ import annotations

import json
import stat
import subprocess
from dataclasses import replace

import pytest

from deai.deploy import run as run_module
from deai.deploy.config import ConfigError, load_config
from deai.deploy.contracts import container, create_address, deploy
from deai.deploy.manifest import Manifest
from deai.deploy.run import DeployRequest, deploy_suite
from deai.deploy.suite import DeploymentError, resolve_address
from deai.toolchain import PROJECT_ROOT


def run(tmp_path, sender, **kw):
    return deploy_suite(DeployRequest("local", tmp_path / "local.json", **kw), sender, log=lambda _: None)


def edit(path, change):
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def with_config(monkeypatch, change):
    config = change(load_config("local"))
    monkeypatch.setattr(run_module, "load_config", lambda name: config)
    return config


def tx_of(contract):
    return contract.creation_metadata.txn_hash


# ----------------------------------------------------------------------------------------- 1. exact verification
def test_config_change_after_deployment_stops_the_run(tmp_path, roles, monkeypatch):
    run(tmp_path, roles.deployer)
    nonce = roles.deployer.nonce
    with_config(monkeypatch, lambda c: replace(c, provenance=replace(c.provenance, min_commit_age=30)))
    with pytest.raises(DeploymentError, match=r"^ProvenanceRegistry at 0x\w+: it was deployed with minCommitAge_=60, "
                                              r"the configuration gives 30; .*--fresh-manifest$"):
        run(tmp_path, roles.deployer)
    local = load_config("local")
    with_config(monkeypatch, lambda c: replace(c, marketplace=replace(
        c.marketplace, params=replace(c.marketplace.params, fee_bps=300))))
    with pytest.raises(DeploymentError, match=r"ComputeMarketplace at 0x\w+: it was deployed with feeBps_=250, "
                                              r"the configuration gives 300"):
        run(tmp_path, roles.deployer)
    assert roles.deployer.nonce == nonce and local.provenance.min_commit_age == 60


@pytest.mark.parametrize("tamper, message", [
    ("foreign", "is not the address the deployer's nonce 0 creates"),
    ("foreign_transaction", "was sent by 0x"),
    ("nonce", "has nonce 0, local.json records nonce 3"),
    ("transaction", "has nonce 1, local.json records nonce 0"),
    ("immutables", "it was deployed with minCommitAge_=1, the configuration gives 60"),
])
def test_tampered_manifest_is_refused(tmp_path, roles, tamper, message):
    run(tmp_path, roles.deployer)
    path = tmp_path / "local.json"
    data = json.loads(path.read_text())
    record = data["contracts"]["ProvenanceRegistry"]
    if tamper.startswith("foreign"):  # an attacker's registry (another commit age), same code otherwise
        fake = deploy("ProvenanceRegistry", roles.mallory, 1, 86_400)
        if tamper == "foreign":
            record["address"] = fake.address
        else:
            record["transactionHash"] = tx_of(fake)
    elif tamper == "nonce":
        record["nonce"] = 3
    elif tamper == "transaction":
        record["transactionHash"] = data["contracts"]["MarketStakeToken"]["transactionHash"]  # nonce 1
    else:  # the deployer's own registry with other immutables
        other = deploy("ProvenanceRegistry", roles.deployer, 1, 86_400)
        nonce = roles.deployer.nonce - 1
        record.update(address=other.address, transactionHash=tx_of(other), nonce=nonce)
    path.write_text(json.dumps(data))
    nonce = roles.deployer.nonce
    with pytest.raises(DeploymentError, match=message) as err:
        run(tmp_path, roles.deployer)
    assert "\n" not in str(err.value) and roles.deployer.nonce == nonce


def test_recovery_of_a_foreign_or_drifted_intent_is_refused(tmp_path, roles):
    """A pending intent whose address holds a contract that is not the intended one is never adopted."""
    path = tmp_path / "local.json"
    manifest = Manifest.load(path, "local", roles.deployer.provider.chain_id)
    manifest.deployer = roles.deployer.address
    nonce = roles.deployer.nonce
    manifest.pending["ProvenanceRegistry"] = {
        "sender": roles.deployer.address, "nonce": nonce, "fromBlock": 0, "deployTime": 0,
        "predictedAddress": deploy("ProvenanceRegistry", roles.mallory, 60, 86_400).address,
        "constructorArgs": ["60", "86400"],
    }
    manifest.save()
    with pytest.raises(DeploymentError, match="is not the address the deployer's nonce"):
        run(tmp_path, roles.deployer)
    edit(path, lambda d: d["pending"]["ProvenanceRegistry"].update(
        predictedAddress=create_address(roles.deployer.address, nonce)))
    deploy("ProvenanceRegistry", roles.deployer, 60, 1_000)  # mined at the intent's nonce, but not as configured
    with pytest.raises(DeploymentError, match="it was deployed with maxCommitAge_=1000, the configuration gives 86400"):
        run(tmp_path, roles.deployer)
    assert "ProvenanceRegistry" not in json.loads(path.read_text())["contracts"]


def test_configured_state_drift_stops_the_run(tmp_path, roles):
    executor, _ = run(tmp_path, roles.deployer)
    market = executor.instances["ComputeMarketplace"]
    market.setFeeBps(300, sender=roles.deployer)
    with pytest.raises(DeploymentError, match=r"ComputeMarketplace at 0x\w+: feeBps is 300 on chain, the configuration "
                                              r"expects 250; change it on chain .* or make config/networks/local.yaml"):
        run(tmp_path, roles.deployer)
    market.setFeeBps(250, sender=roles.deployer)
    market.setTreasury(roles.mallory, sender=roles.deployer)
    with pytest.raises(DeploymentError, match=f"treasury is {roles.mallory.address} on chain"):
        run(tmp_path, roles.deployer)
    market.setTreasury(roles.deployer, sender=roles.deployer)
    stake, rate = market.stakeToken(), market.collateralRate(market.stakeToken())
    market.setPaymentToken(stake, False, rate, sender=roles.deployer)
    run(tmp_path, roles.deployer)  # the allowlist is wiring: re-sent, then checked
    assert market.isTokenAllowed(stake)
    market.setPaymentToken(stake, True, rate * 2, sender=roles.deployer)
    run(tmp_path, roles.deployer)  # so is the collateral rate: a drifted rate is set back, then checked
    assert market.collateralRate(stake) == rate
    market.transferOwnership(roles.mallory, sender=roles.deployer)
    with pytest.raises(DeploymentError, match=r"owner \(pending owner\) is"):
        run(tmp_path, roles.deployer)


def test_runtime_code_matches_a_simulation_of_its_creation(tmp_path, roles, chain):
    """On a node with state overrides, the simulated creation returns exactly the deployed code (immutables and
    address-dependent caches included); tampered expected input is told apart."""
    from deai.deploy.verify import creation_code, simulate_runtime, supports_overrides

    executor, _ = run(tmp_path, roles.deployer)
    data = json.loads((tmp_path / "local.json").read_text())
    web3 = chain.provider.web3
    assert supports_overrides(web3) == (chain.provider.name != "test")  # anvil does; the in-process EVM does not
    for key in ("ProvenanceRegistry", "EmissionSplitter", "ComputeMarketplace"):
        record = data["contracts"][key]
        tx = web3.eth.get_transaction(record["transactionHash"])
        simulated = simulate_runtime(web3, roles.deployer.address, record["nonce"], record["address"], bytes(tx["input"]))
        if simulated is None:  # Ape's in-process EVM has no state overrides: the input check stands alone
            assert chain.provider.name == "test"
            continue
        assert simulated == bytes(web3.eth.get_code(record["address"]))
    factory = container("ProvenanceRegistry")
    record = data["contracts"]["ProvenanceRegistry"]
    other = simulate_runtime(web3, roles.deployer.address, record["nonce"], record["address"],
                             creation_code(factory, (61, 86_400)))
    assert other is None or other != bytes(web3.eth.get_code(record["address"]))


# ----------------------------------------------------------------------------------------- 2. one deployer
def test_another_account_is_refused_unless_it_starts_a_fresh_manifest(tmp_path, roles):
    run(tmp_path, roles.deployer)
    path = tmp_path / "local.json"
    alice_nonce = roles.alice.nonce
    with pytest.raises(DeploymentError, match=f"local.json belongs to deployer {roles.deployer.address}, not "
                                              f"{roles.alice.address}: .* pass --fresh-manifest"):
        run(tmp_path, roles.alice)
    assert roles.alice.nonce == alice_nonce
    _, outcomes = run(tmp_path, roles.alice, fresh=True)
    assert {o.action for o in outcomes} == {"deployed", "sent"}
    assert json.loads(path.read_text())["deployer"] == roles.alice.address
    assert [p.name.startswith("local.replaced-") for p in tmp_path.glob("local.replaced-*.json")] == [True]


def test_intent_is_dropped_only_once_its_nonce_is_used_by_something_else(tmp_path, roles):
    path = tmp_path / "local.json"
    manifest = Manifest.load(path, "local", roles.deployer.provider.chain_id)
    manifest.deployer = roles.deployer.address
    nonce = roles.deployer.nonce
    intent = {"sender": roles.deployer.address, "nonce": nonce, "fromBlock": 0, "deployTime": 0,
              "predictedAddress": create_address(roles.deployer.address, nonce), "constructorArgs": ["60", "86400"]}
    manifest.pending["ProvenanceRegistry"] = dict(intent, nonce=nonce + 1,
                                                  predictedAddress=create_address(roles.deployer.address, nonce + 1))
    manifest.save()
    with pytest.raises(DeploymentError, match=f"mined nonce {nonce} is behind the intent's nonce {nonce + 1}"):
        run(tmp_path, roles.deployer)
    # Another account cannot resume it (account B's run saw no code and dropped A's intent).
    edit(path, lambda d: d["pending"].update(ProvenanceRegistry=intent))
    with pytest.raises(DeploymentError, match="belongs to deployer"):
        run(tmp_path, roles.bob)
    assert json.loads(path.read_text())["pending"]["ProvenanceRegistry"] == intent
    roles.deployer.transfer(roles.bob, 1)  # the intent's nonce is now used by something else
    _, outcomes = run(tmp_path, roles.deployer)
    assert outcomes[0].address == create_address(roles.deployer.address, nonce + 1)
    assert not roles.deployer.provider.get_code(intent["predictedAddress"])


# ----------------------------------------------------------------------------------------- 7. dry runs never write
def test_dry_run_over_a_pending_intent_writes_nothing(tmp_path, roles):
    path = tmp_path / "local.json"
    manifest = Manifest.load(path, "local", roles.deployer.provider.chain_id)
    manifest.deployer = roles.deployer.address
    nonce = roles.deployer.nonce
    manifest.pending["ProvenanceRegistry"] = {
        "sender": roles.deployer.address, "nonce": nonce, "fromBlock": 0, "deployTime": 0,
        "predictedAddress": create_address(roles.deployer.address, nonce), "constructorArgs": ["60", "86400"]}
    manifest.save()
    deploy("ProvenanceRegistry", roles.deployer, 60, 86_400)  # mined, never recorded
    before, mtime = path.read_bytes(), path.stat().st_mtime_ns
    _, outcomes = run(tmp_path, roles.deployer, dry_run=True)
    assert outcomes[0].action == "would recover" and outcomes[1].action == "would deploy"
    assert outcomes[1].address == create_address(roles.deployer.address, nonce + 1)
    _, _ = run(tmp_path, roles.deployer, dry_run=True, fresh=True)
    assert path.read_bytes() == before and path.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in tmp_path.iterdir()) == ["local.json"] and roles.deployer.nonce == nonce + 1


# ----------------------------------------------------------------------------------------- 5. front ends
def test_manifest_is_plain_json_for_front_ends(tmp_path, roles):
    run(tmp_path, roles.deployer)
    path = tmp_path / "local.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    data = json.loads(path.read_text())
    splitter = data["contracts"]["EmissionSplitter"]["constructorArgs"]
    assert isinstance(splitter[5], list) and len(splitter[5]) == 5 and splitter[6] == ["2400"] * 4 + ["400"]
    assert data["contracts"]["EmissionToken"]["constructorArgs"][2] == str(42_000_000 * 10**18)
    stake = data["contracts"]["MarketStakeToken"]["address"]
    assert data["tokens"] == {
        "stake": {"address": stake, "name": "Mock USD", "symbol": "mUSD", "decimals": 6, "contract": "MarketStakeToken"},
        "payment": [{"address": stake, "name": "Mock USD", "symbol": "mUSD", "decimals": 6,
                     "contract": "MarketStakeToken"}],
    }

    def numbers(value):
        if isinstance(value, dict):
            return [n for v in value.values() for n in numbers(v)]
        if isinstance(value, list):
            return [n for v in value for n in numbers(v)]
        return [value] if isinstance(value, (int, float)) and not isinstance(value, bool) else []
    assert all(abs(n) < 2**53 for n in numbers(data))
    # A front end reads it with JSON.parse: every value round-trips exactly.
    script = "const fs=require('fs');process.stdout.write(JSON.stringify(JSON.parse(fs.readFileSync(process.argv[1]))))"
    out = subprocess.run(["node", "-e", script, str(path)], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == data


def test_restarted_local_chain_starts_a_fresh_manifest(tmp_path, roles, monkeypatch):
    run(tmp_path, roles.deployer)
    path = tmp_path / "local.json"
    edit(path, lambda d: d["contracts"]["ProvenanceRegistry"].update(blockHash="0x" + "ab" * 32))  # as after a restart
    messages = []
    deploy_suite(DeployRequest("local", path), roles.deployer, log=messages.append)
    assert any("the local chain was restarted" in m for m in messages)
    assert len(list(tmp_path.glob("local.replaced-*.json"))) == 1
    edit(path, lambda d: d["contracts"]["ProvenanceRegistry"].update(blockHash="0x" + "ab" * 32))
    monkeypatch.setattr(run_module, "is_local", lambda config: False)  # as on a testnet
    with pytest.raises(DeploymentError, match=r"block \d+ is not on this chain .* pass --fresh-manifest"):
        run(tmp_path, roles.deployer)


def test_local_manifest_is_git_ignored():
    out = subprocess.run(["git", "check-ignore", "deployments/local.json"], cwd=PROJECT_ROOT, capture_output=True)
    assert out.returncode == 0


# ----------------------------------------------------------------------------------------- 3. configuration
def test_addresses_must_be_checksummed_and_non_zero(roles):
    good = roles.treasury.address
    assert resolve_address(good, roles.deployer.address, "marketplace.treasury") == good
    first_letter = next(i for i, c in enumerate(good) if i > 1 and c.isalpha())
    mistyped = good[:first_letter] + good[first_letter].swapcase() + good[first_letter + 1:]
    for bad, why in [(good.lower(), "is not EIP-55 checksummed"), (mistyped, "is not EIP-55 checksummed"),
                     ("0x" + "00" * 20, "is the zero address"), ("REPLACE_WITH_TREASURY", "is not an address")]:
        with pytest.raises(ConfigError, match=f"^marketplace.treasury: '{bad}' {why}"):
            resolve_address(bad, roles.deployer.address, "marketplace.treasury")


def test_tokens_must_have_code_and_decimals(tmp_path, roles, monkeypatch):
    probe = deploy("RevertProbe", roles.deployer)
    for token, message in [(roles.carol.address, "has no code on chain"),
                           (probe.address, "does not answer decimals"),
                           ]:
        with_config(monkeypatch, lambda c, t=token: replace(c, marketplace=replace(c.marketplace, payment_tokens=(
            "stake", t))))
        with pytest.raises(ConfigError, match=f"^marketplace.payment_tokens\\[1\\]: {token} {message}"):
            run(tmp_path, roles.deployer, dry_run=True)
    assert not (tmp_path / "local.json").exists()


def test_unreadable_or_old_manifests_are_one_line(tmp_path, roles):
    from deai.deploy.manifest import ManifestError

    path = tmp_path / "local.json"
    chain_id = roles.deployer.provider.chain_id
    for text, message in [
        ("{broken", r"^local.json: not readable JSON \(JSONDecodeError\); restore it or move it away$"),
        (json.dumps({"format": 1, "chainId": chain_id}), r"^local.json has format 1, this version writes 2; pass "
                                                         r"--fresh-manifest .*"),
        (json.dumps({"format": 2, "chainId": chain_id, "deployer": roles.deployer.address.lower()}),
         r"^local.json: deployer '0x[0-9a-f]+' is not EIP-55 checksummed"),
    ]:
        path.write_text(text)
        with pytest.raises(ManifestError, match=message):
            run(tmp_path, roles.deployer)
