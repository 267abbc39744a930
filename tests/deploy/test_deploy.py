"""The deploy pipeline: idempotent re-runs, resume after a kill, refusal to replace foreign code, clear errors."""

from __future__ import annotations

import json

import pytest

from deai.deploy.bytecode import code_matches, immutable_slots
from deai.deploy.config import ConfigError, load_config
from deai.deploy.contracts import container, create_address, deploy
from deai.deploy.manifest import Manifest
from deai.deploy.marketplace import registry_of
from deai.deploy.run import DeployRequest, deploy_suite
from deai.deploy.suite import DeploymentError, Executor, build_plan


def run(tmp_path, sender, **kw):
    return deploy_suite(DeployRequest("local", tmp_path / "local.json", **kw), sender, log=lambda _: None)


def test_fresh_deploy_writes_the_manifest(tmp_path, roles, chain):
    _, outcomes = run(tmp_path, roles.deployer)
    assert {o.action for o in outcomes} == {"deployed", "sent"}
    data = json.loads((tmp_path / "local.json").read_text())
    record = data["contracts"]["ProvenanceRegistry"]
    assert data["chainId"] == chain.chain_id and data["deployer"] == roles.deployer.address
    assert record["constructorArgs"] == ["60", "86400"]
    assert chain.provider.get_code(record["address"])
    tx = chain.provider.web3.eth.get_transaction(record["transactionHash"])
    assert tx["blockNumber"] == record["blockNumber"] and tx["to"] is None
    assert any(item.get("name") == "register" for item in record["abi"])
    assert data["pending"] == {}


def test_rerun_sends_no_transaction(tmp_path, roles):
    run(tmp_path, roles.deployer)
    nonce = roles.deployer.nonce
    _, outcomes = run(tmp_path, roles.deployer)
    assert {o.action for o in outcomes} == {"kept", "in place"} and roles.deployer.nonce == nonce


def test_dry_run_estimates_and_sends_nothing(tmp_path, roles):
    nonce = roles.deployer.nonce
    _, outcomes = run(tmp_path, roles.deployer, dry_run=True)
    assert outcomes[0].action == "would deploy" and outcomes[0].gas > 1_000_000
    assert {o.action for o in outcomes} == {"would deploy", "would send"}
    assert outcomes[0].address == create_address(roles.deployer.address, nonce)
    assert roles.deployer.nonce == nonce and not (tmp_path / "local.json").exists()


def test_resume_after_kill_between_mining_and_recording(tmp_path, roles):
    """The intent is on disk, the deployment was mined, the record was never written: adopt, don't redeploy."""
    path = tmp_path / "local.json"
    config = load_config("local")
    manifest = Manifest.load(path, "local", roles.deployer.provider.chain_id)
    nonce = roles.deployer.nonce
    manifest.pending["ProvenanceRegistry"] = {
        "sender": roles.deployer.address, "nonce": nonce, "fromBlock": 0, "deployTime": 0,
        "predictedAddress": create_address(roles.deployer.address, nonce), "constructorArgs": ["60", "86400"],
    }
    manifest.save()
    mined = roles.deployer.deploy(container("ProvenanceRegistry"), *config.provenance.constructor_args(), nonce=nonce)
    _, outcomes = run(tmp_path, roles.deployer)
    assert outcomes[0].action == "recovered" and all(o.action != "recovered" for o in outcomes[1:])
    after_first = nonce + 1
    assert roles.deployer.nonce == after_first + sum(o.action in ("deployed", "sent") for o in outcomes)
    record = json.loads(path.read_text())["contracts"]["ProvenanceRegistry"]
    assert record["address"] == mined.address and record["transactionHash"]


def test_resume_after_kill_before_sending_reuses_the_nonce(tmp_path, roles):
    path = tmp_path / "local.json"
    manifest = Manifest.load(path, "local", roles.deployer.provider.chain_id)
    nonce = roles.deployer.nonce
    predicted = create_address(roles.deployer.address, nonce)
    manifest.pending["ProvenanceRegistry"] = {
        "sender": roles.deployer.address, "nonce": nonce, "fromBlock": 0, "deployTime": 0,
        "predictedAddress": predicted, "constructorArgs": ["60", "86400"],
    }
    manifest.save()
    _, outcomes = run(tmp_path, roles.deployer)
    assert outcomes[0].action == "deployed" and outcomes[0].address == predicted


def test_foreign_code_at_a_recorded_address_is_refused(tmp_path, roles):
    run(tmp_path, roles.deployer)
    path = tmp_path / "local.json"
    data = json.loads(path.read_text())
    probe = deploy("RevertProbe", roles.deployer)
    record = data["contracts"]["ProvenanceRegistry"]
    record.update(address=probe.address, transactionHash=probe.creation_metadata.txn_hash,
                  nonce=roles.deployer.nonce - 1)
    path.write_text(json.dumps(data))
    with pytest.raises(DeploymentError, match="it was deployed from other code than the compiled ProvenanceRegistry"):
        run(tmp_path, roles.deployer)
    record["address"] = "0x" + "ab" * 20
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match=r"^local.json: ProvenanceRegistry.address '0xabab\w+' is not EIP-55 "
                                         "checksummed .*; restore the file from a trusted copy or redeploy$"):
        run(tmp_path, roles.deployer)


def test_manifest_of_another_chain_is_refused(tmp_path, roles):
    (tmp_path / "local.json").write_text(json.dumps({"chainId": 1, "contracts": {}}))
    with pytest.raises(ValueError, match="records chain id 1"):
        run(tmp_path, roles.deployer)


def test_config_errors_are_one_line(tmp_path, monkeypatch):
    from deai.deploy import config as config_module

    monkeypatch.setattr(config_module, "CONFIG_DIR", tmp_path)
    monkeypatch.setattr(config_module, "PROJECT_ROOT", tmp_path)
    (tmp_path / "broken.yaml").write_text("chain_id: 31337\nprovenance:\n  min_commit_age: 60\n")
    with pytest.raises(ConfigError, match=r"^broken.yaml: provenance.max_commit_age is missing$"):
        load_config("broken")
    (tmp_path / "typed.yaml").write_text("chain_id: '31337'\n")
    with pytest.raises(ConfigError, match="chain_id must be int"):
        load_config("typed")
    with pytest.raises(ConfigError, match="no deployment configuration nowhere.yaml"):
        load_config("nowhere")


@pytest.mark.parametrize("edit, message", [
    (lambda r: r[2].update(rewards={"epoch_length": 86_400}), r"recipients\[2\].rewards must be \{epoch_length"),
    (lambda r: r[2].update(rewards={"epoch_length": 60, "rebate_cap": 0}), r"recipients\[2\].rewards.epoch_length must be 3600"),
    (lambda r: r[2].update(rewards={"epoch_length": 3_600, "rebate_cap": 10 * 10**18 + 1}),
     r"recipients\[2\].rewards.rebate_cap must be 0 to 10e18"),
    (lambda r: r[2].update(pool="managed", manager="deployer"), r"recipients\[2\] needs exactly one of"),
    (lambda r: r.__setitem__(1, {"rewards": {"epoch_length": 3_600, "rebate_cap": 0}}),
     r"recipients\[1\].rewards: only the Compute bucket \(recipients\[2\]\) can be paid to ComputeRewards"),
    (None, r"recipients\[2\].rewards needs a marketplace section"),
])
def test_rewards_block_errors_are_one_line(tmp_path, monkeypatch, edit, message):
    """The Compute bucket's `rewards: {epoch_length, rebate_cap}` block: the constructor's bounds, checked up front."""
    import yaml

    from deai.deploy import config as config_module

    data = yaml.safe_load(config_module.config_path("local").read_text())
    if edit is None:
        del data["marketplace"]
    else:
        edit(data["emission"]["recipients"])
    monkeypatch.setattr(config_module, "CONFIG_DIR", tmp_path)
    (tmp_path / "edited.yaml").write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError, match=f"^edited.yaml: emission.{message}") as err:
        load_config("edited")
    assert "\n" not in str(err.value)


def test_wrong_chain_id_is_refused(tmp_path, roles, monkeypatch):
    from deai.deploy import run as run_module
    from deai.deploy.config import SuiteConfig

    real = load_config("local")
    monkeypatch.setattr(run_module, "load_config",
                        lambda name: SuiteConfig(name, (11155111,), real.provenance, real.source, real.emission))
    from ape import chain
    with pytest.raises(ConfigError, match=f"the node's chain id is {chain.chain_id}, but the configuration expects 11155111"):
        run(tmp_path, roles.deployer)


def test_bytecode_match_masks_only_immutables(roles):
    registry = deploy("ProvenanceRegistry", roles.deployer, 60, 86_400)
    compiled = bytes.fromhex(container("ProvenanceRegistry").contract_type.runtime_bytecode.bytecode[2:])
    deployed = bytes(registry.provider.get_code(registry.address))
    assert deployed != compiled and immutable_slots(compiled)
    assert code_matches(compiled, deployed)
    other = deploy("ProvenanceRegistry", roles.deployer, 1, 2)
    assert code_matches(compiled, bytes(other.provider.get_code(other.address)))  # only immutables differ
    tampered = bytearray(deployed)
    tampered[len(tampered) // 2] ^= 0xFF
    assert not code_matches(compiled, bytes(tampered))
    assert not code_matches(compiled, deployed[:-1])


def test_plan_lists_every_contract_of_the_suite(roles):
    assert [step.key for step in build_plan(load_config("local"), roles.deployer.address)] == [
        "ProvenanceRegistry", "MarketStakeToken", "ResultProvenanceRelay", "ComputeMarketplace", "EmissionLPToken",
        "EmissionToken",
        "RewardPoolCapital", "RewardPoolCode", "RewardPoolCommunity", "ComputeRewards", "EmissionSplitter",
        "ComputeMarketplace.setPaymentToken[0]", "ProviderRegistry.setRewards", "MarketplaceLens",
    ]


def test_marketplace_admin_is_handed_over(tmp_path, roles, monkeypatch):
    """With an admin other than the deployer, the plan ends by offering it ownership (two-step; it accepts)."""
    from dataclasses import replace

    from deai.deploy import run as run_module

    local = load_config("local")
    dai = deploy("MockERC20", roles.carol, "Mock DAI", "mDAI", 18)
    config = replace(local, marketplace=replace(local.marketplace, admin=roles.admin.address,
                                                payment_tokens=("stake", dai.address),
                                                collateral_rates=(10**18, 10**30)))
    steps = build_plan(config, roles.deployer.address)
    assert [s.key for s in steps][-5:] == [
        "ComputeMarketplace.setPaymentToken[0]", "ComputeMarketplace.setPaymentToken[1]",
        "ProviderRegistry.setRewards", "ComputeMarketplace.transferOwnership", "MarketplaceLens"]
    monkeypatch.setattr(run_module, "load_config", lambda name: config)
    executor, _ = run(tmp_path, roles.deployer)
    market = executor.instances["ComputeMarketplace"]
    assert market.isTokenAllowed(dai) and market.isTokenAllowed(market.stakeToken())
    assert (market.owner(), market.pendingOwner()) == (roles.deployer.address, roles.admin.address)
    market.acceptOwnership(sender=roles.admin)
    nonce = roles.deployer.nonce
    _, outcomes = run(tmp_path, roles.deployer)
    assert {o.action for o in outcomes} == {"kept", "in place"} and roles.deployer.nonce == nonce


def test_placeholder_addresses_are_refused(roles):
    with pytest.raises(ConfigError, match="marketplace.treasury: 'REPLACE_WITH_TREASURY_MULTISIG' is not an address"):
        build_plan(load_config("sepolia"), roles.deployer.address)


def test_deployed_suite_is_wired(tmp_path, roles):
    executor, _ = run(tmp_path, roles.deployer)
    c = executor.instances
    splitter = c["EmissionSplitter"]
    assert c["EmissionToken"].minter() == splitter.address
    assert list(splitter.recipients())[:4] == [c[k].address for k in (
        "RewardPoolCapital", "RewardPoolCode", "ComputeRewards", "RewardPoolCommunity")]
    rewards, registry = c["ComputeRewards"], registry_of(c["ComputeMarketplace"])
    assert (rewards.splitter(), rewards.rewardToken(), rewards.reporter()) == (
        splitter.address, c["EmissionToken"].address, registry.address)
    assert registry.rewards() == rewards.address  # the plan's setRewards step, sent while the deployer owned it
    assert (rewards.epochLength(), rewards.rebateCap(), rewards.feeUnit()) == (86_400, 5 * 10**17, 10**6)  # local.yaml, mUSD
    assert splitter.recipients()[4] == roles.deployer.address == splitter.owner()
    assert all(c[k].splitter() == splitter.address for k in ("RewardPoolCapital", "RewardPoolCommunity"))
    assert c["RewardPoolCapital"].depositToken() == c["EmissionLPToken"].address
    market = c["ComputeMarketplace"]
    assert market.stakeToken() == c["MarketStakeToken"].address and market.isTokenAllowed(market.stakeToken())
    assert (market.treasury(), market.arbiter(), market.owner()) == (roles.deployer.address,) * 3
    assert (market.feeBps(), market.collateralBps(), market.acceptWindow()) == (250, 3_000, 3_600)
    relay = c["ResultProvenanceRelay"]  # results registered with their provenance: built for this marketplace
    assert market.resultRelay() == relay.address
    assert (relay.market(), relay.registry()) == (market.address, c["ProvenanceRegistry"].address)


def test_marketplace_the_relay_was_not_built_for_is_refused(tmp_path, roles):
    """The ResultProvenanceRelay is built for the marketplace's predicted address (the marketplace trusts the relay's
    address). A transaction in between would put the marketplace elsewhere: refused before sending."""
    path = tmp_path / "local.json"
    plan = build_plan(load_config("local"), roles.deployer.address)
    market_index = [step.key for step in plan].index("ComputeMarketplace")
    executor = Executor(plan, Manifest.load(path, "local", roles.deployer.provider.chain_id), roles.deployer,
                        log=lambda _: None)
    for index in range(market_index):  # a run that stopped right before the marketplace
        executor._run_step(index, dry_run=False)
    built_for = executor.instances["ResultProvenanceRelay"].market()
    assert built_for == create_address(roles.deployer.address, roles.deployer.nonce)
    roles.deployer.transfer(roles.deployer, 0)
    nonce = roles.deployer.nonce
    with pytest.raises(DeploymentError, match=f"built for {built_for}.*remove ResultProvenanceRelay"):
        run(tmp_path, roles.deployer)
    assert roles.deployer.nonce == nonce  # nothing was sent


def test_splitter_the_token_and_pools_were_not_built_for_is_refused(tmp_path, roles):
    """The token and pools are built for the splitter's predicted address. If the deployer sends something else
    after them (a run stopped there, then another transaction), the splitter would land elsewhere: refused before
    sending, naming what to redeploy."""
    path = tmp_path / "local.json"
    plan = build_plan(load_config("local"), roles.deployer.address)
    splitter_index = [step.key for step in plan].index("EmissionSplitter")
    executor = Executor(plan, Manifest.load(path, "local", roles.deployer.provider.chain_id), roles.deployer,
                        log=lambda _: None)
    for index in range(splitter_index):  # a run that stopped right before the splitter
        executor._run_step(index, dry_run=False)
    built_for = executor.instances["EmissionToken"].minter()
    assert built_for == create_address(roles.deployer.address, roles.deployer.nonce)
    assert all(executor.instances[k].splitter() == built_for for k in (
        "RewardPoolCapital", "RewardPoolCommunity", "ComputeRewards"))
    roles.deployer.transfer(roles.deployer, 0)  # the account's next nonce is no longer the splitter's
    nonce = roles.deployer.nonce
    with pytest.raises(DeploymentError, match=f"built for {built_for}.*remove EmissionToken, the RewardPool entries and ComputeRewards"):
        run(tmp_path, roles.deployer)
    assert roles.deployer.nonce == nonce  # nothing was sent
