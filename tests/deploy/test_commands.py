"""The user commands' logic (deai.commands) against a suite deployed by the deploy code into a deployments file."""

from __future__ import annotations

import json

import pytest
from eth_utils import keccak

from deai.commands import (UserError, contract_from_deployments, emission_status, register_file, verify_file)
from deai.deploy.marketplace import registry_of
from deai.deploy.run import DeployRequest, deploy_suite


@pytest.fixture(scope="module")
def deployed(tmp_path_factory, roles):
    """The suite deployed once for the module (each test starts from this state: Ape reverts the chain after it);
    the tests read the deployments file and write changed copies of it elsewhere."""
    path = tmp_path_factory.mktemp("deployments") / "local.json"
    deploy_suite(DeployRequest("local", path), roles.deployer, log=lambda _: None)
    return path


def test_register_and_verify_files(deployed, tmp_path, roles):
    registry = contract_from_deployments(deployed, "ProvenanceRegistry")
    model, image = tmp_path / "model.bin", tmp_path / "image.png"
    model.write_bytes(b"weights")
    image.write_bytes(b"pixels")
    register_file(registry, model, [], "model", "human", roles.alice)
    result = register_file(registry, image, [model], "content", "ai", roles.bob)
    import hashlib
    assert result["sha256"] == hashlib.sha256(b"pixels").hexdigest()
    h = bytes.fromhex(result["sha256"])
    at = registry.getRecord(h).registeredAt
    registry.endorse(h, roles.bob.address, at, keccak(text="c2pa-valid"), sender=roles.carol)
    registry.endorse(h, roles.bob.address, at, keccak(text="withdrawn"), sender=roles.carol)
    registry.revokeEndorsement(h, at, keccak(text="withdrawn"), sender=roles.carol)
    record = verify_file(registry, image)
    assert record["creator"] == roles.bob.address and record["origin"] == "ai_generated"
    assert record["parents"] == [hashlib.sha256(b"weights").hexdigest()]
    assert [e["claim"] for e in record["endorsements"]] == [keccak(text="c2pa-valid").hex()]
    unknown = tmp_path / "unknown.txt"
    unknown.write_text("never registered")
    assert verify_file(registry, unknown) is None


def test_user_errors_are_one_line(deployed, tmp_path, roles):
    registry = contract_from_deployments(deployed, "ProvenanceRegistry")
    known = tmp_path / "a.txt"
    known.write_text("a")
    cases = [
        (lambda: register_file(registry, tmp_path / "missing", [], "content", "human", roles.alice), "no such file"),
        (lambda: register_file(registry, known, [tmp_path / "b.txt"], "content", "human", roles.alice), "no such file"),
        (lambda: register_file(registry, known, [], "video", "human", roles.alice), "unknown kind 'video'"),
        (lambda: register_file(registry, known, [], "content", "robot", roles.alice), "unknown origin 'robot'"),
        (lambda: contract_from_deployments(tmp_path / "none.json", "ProvenanceRegistry"), "no deployments file"),
    ]
    for action, message in cases:
        with pytest.raises(UserError, match=message):
            action()
    (tmp_path / "b.txt").write_text("b")
    with pytest.raises(UserError, match="parent .*b.txt .* is not registered"):
        register_file(registry, known, [tmp_path / "b.txt"], "content", "human", roles.alice)
    register_file(registry, known, [], "content", "human", roles.alice)
    with pytest.raises(UserError, match="already registered by"):
        register_file(registry, known, [], "content", "human", roles.bob)
    data = json.loads(deployed.read_text())
    data["chainId"] = 5
    other = tmp_path / "other.json"
    other.write_text(json.dumps(data))
    with pytest.raises(UserError, match="is for chain 5"):
        contract_from_deployments(other, "ProvenanceRegistry")


def test_emission_status(deployed, chain):
    splitter = contract_from_deployments(deployed, "EmissionSplitter")
    chain.pending_timestamp = splitter.start() + 86_400 + 5
    chain.mine()
    status = emission_status(splitter)
    assert status["emitted"] == sum(b["claimed"] + b["claimable"] for b in status["buckets"]) > 0
    assert status["currentIntervalReward"] == 14_400 * 10**18 - 2_468_994_701 * 10**9
    assert status["shares"] == [2400, 2400, 2400, 2400, 400]
    assert status["paused"] == [False] * 5  # per bucket


def test_market_commands(deployed, roles, chain):
    from deai.market import accept_lease, close_lease, list_offers, open_lease, show_lease, withdraw_earnings

    market = contract_from_deployments(deployed, "ComputeMarketplace")
    usd = contract_from_deployments(deployed, "MarketStakeToken")
    provider, client = roles.bob, roles.alice
    registry = registry_of(market)
    assert list_offers(market) == []
    registry.registerProvider("ipfs://rig", sender=provider)
    usd.mint(provider, 10**12, sender=provider)
    usd.approve(registry, 10**12, sender=provider)
    registry.depositStake(10**12, sender=provider)
    market.createOffer(usd, 100, 60, 86_400, b"\x01" * 32, "ipfs://h100", sender=provider)
    assert [(o["id"], o["pricePerSecond"], o["active"]) for o in list_offers(market)] == [(1, 100, True)]
    usd.mint(client, 10**9, sender=client)
    lease_id, _ = open_lease(market, 1, 7_200, client)  # approves exactly the escrow
    assert lease_id == 1 and usd.allowance(client, market) == 0
    start = chain.blocks[accept_lease(market, 1, provider).block_number].timestamp
    holdback = market.holdback()  # the last hour of earnings cannot be withdrawn yet
    chain.pending_timestamp = start + holdback + 600
    withdraw_earnings(market, 1, provider)
    chain.pending_timestamp = start + holdback + 1_200
    close_lease(market, 1, client)
    shown = show_lease(market, 1)
    delivered = (holdback + 1_200) * 100
    # the original terms stay readable beside the stop: deposit and end as opened, the stop time and its refund
    assert (shown["status"], shown["deposit"], shown["end"], shown["stoppedAt"], shown["refunded"],
            shown["withdrawn"]) == ("active", 7_200 * 100, start + 7_200, start + holdback + 1_200,
                                    7_200 * 100 - delivered, 60_000)
    assert usd.balanceOf(client) == 10**9 - delivered


def test_market_command_errors_are_one_line(deployed, roles):
    from deai.market import accept_lease, close_lease, open_lease, show_lease, withdraw_earnings

    market = contract_from_deployments(deployed, "ComputeMarketplace")
    cases = [
        (lambda: show_lease(market, 99), "lease 99 does not exist"),
        (lambda: accept_lease(market, 99, roles.bob), "lease 99 does not exist"),
        (lambda: withdraw_earnings(market, 0, roles.bob), "lease 0 does not exist"),
        (lambda: close_lease(market, 5, roles.bob), "lease 5 does not exist"),
        (lambda: open_lease(market, 3, 60, roles.alice), "offer 3 does not exist"),
    ]
    for action, message in cases:
        with pytest.raises(UserError, match=message):
            action()
    usd = contract_from_deployments(deployed, "MarketStakeToken")
    registry_of(market).registerProvider("ipfs://rig", sender=roles.bob)
    market.createOffer(usd, 100, 60, 3_600, b"\x01" * 32, "", sender=roles.bob)
    with pytest.raises(UserError, match="duration 10s is outside offer 1's 60..3600s"):
        open_lease(market, 1, 10, roles.alice)
    with pytest.raises(UserError, match="needs 6000"):
        open_lease(market, 1, 60, roles.alice)
    usd.mint(roles.alice, 6_000, sender=roles.alice)
    lease_id, _ = open_lease(market, 1, 60, roles.alice)
    with pytest.raises(UserError, match=r"^the marketplace refused: .*NotProvider"):
        accept_lease(market, lease_id, roles.alice)


# ------------------------------------------------------------------ issue 15 item 4: commands check their inputs
def test_commands_refuse_code_that_is_not_the_deployed_one(deployed, tmp_path, roles):
    from deai.deploy.contracts import deploy

    data = json.loads(deployed.read_text())
    stub = deploy("ProvenanceRegistry", roles.mallory, 1, 86_400)  # same ABI, other code (immutables)
    cases = [
        (stub.address, r"^ProvenanceRegistry at 0x\w+ is not the deployed code \(local.json records code hash 0x\w+\); "
                       "check --network and --deployments$"),
        (data["contracts"]["ProvenanceRegistry"]["address"].lower(),
         r"^local.json: ProvenanceRegistry.address '0x[0-9a-f]+' is not EIP-55 checksummed .*; restore the file or "
         "redeploy$"),
        ("0x1234", r"^local.json: ProvenanceRegistry.address '0x1234' is not an address; restore the file or redeploy$"),
    ]
    for address, message in cases:
        tampered = json.loads(deployed.read_text())
        tampered["contracts"]["ProvenanceRegistry"]["address"] = address
        path = tmp_path / "tampered" / "local.json"
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(tampered))
        with pytest.raises(UserError, match=message):
            contract_from_deployments(path, "ProvenanceRegistry")
    (tmp_path / "broken.json").write_text("{not json")
    with pytest.raises(UserError, match="^broken.json is not valid JSON; restore it or redeploy$"):
        contract_from_deployments(tmp_path / "broken.json", "ProvenanceRegistry")


def test_register_says_until_when_a_record_can_be_contested(deployed, tmp_path, roles, chain):
    registry = contract_from_deployments(deployed, "ProvenanceRegistry")
    model = tmp_path / "model.bin"
    model.write_bytes(b"weights")
    result = register_file(registry, model, [], "model", "human", roles.alice)
    registered_at = chain.blocks[chain.provider.web3.eth.get_transaction(result["tx"])["blockNumber"]].timestamp
    assert result["contestableUntil"] == registered_at + 86_400 - 1


def test_register_by_commit_and_reveal_keeps_the_salt_safely(deployed, tmp_path, roles, chain, monkeypatch):
    import hashlib
    import stat

    from deai.commands import commit_file, reveal_file
    from deai.provenance import commitment

    monkeypatch.setenv("DEAI_SALT_DIR", str(tmp_path / "salts"))
    registry = contract_from_deployments(deployed, "ProvenanceRegistry")
    data = tmp_path / "data.csv"
    data.write_bytes(b"rows")
    committed = commit_file(registry, data, [], "dataset", "human", roles.alice)
    salt_file = tmp_path / "salts" / committed["saltFile"].rsplit("/", 1)[1]
    assert stat.S_IMODE(salt_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(salt_file.parent.stat().st_mode) == 0o700
    saved = json.loads(salt_file.read_text())
    content = hashlib.sha256(b"rows").digest()
    assert bytes.fromhex(committed["commitment"]) == commitment(content, roles.alice.address,
                                                                bytes.fromhex(saved["salt"]))
    committed_at = registry.commitTime(bytes.fromhex(committed["commitment"]))
    assert (committed["revealFrom"], committed["revealUntil"]) == (committed_at + 60, committed_at + 86_400)
    with pytest.raises(UserError, match="^a commitment for .* is already saved"):
        commit_file(registry, data, [], "dataset", "human", roles.alice)
    chain.pending_timestamp = committed_at + 30
    chain.mine()
    with pytest.raises(UserError, match="^the commitment can be revealed from "):
        reveal_file(registry, data, roles.alice)
    with pytest.raises(UserError, match="^no saved commitment for .* commit first"):
        reveal_file(registry, data, roles.bob)
    chain.pending_timestamp = committed_at + 60
    chain.mine()  # the reveal's block comes after this one
    result = reveal_file(registry, data, roles.alice)
    record = registry.getRecord(content)
    assert (record.creator, record.registeredAt, record.kind) == (roles.alice.address, committed_at, 2)
    assert result["contestableUntil"] == committed_at + 86_400 - 1 and not salt_file.exists()


def test_verify_pages_logs_from_the_registry_deployment_block(deployed, tmp_path, roles, monkeypatch):
    import deai.commands as commands

    class FakeEvent:
        def __init__(self):
            self.calls = []

        def range(self, start, stop, **filters):
            self.calls.append((start, stop))
            return iter(())

    fake = FakeEvent()
    assert list(commands.paged_logs(fake, 7, 25, page=5)) == []
    assert fake.calls == [(7, 12), (12, 17), (17, 22), (22, 26)]
    starts = []
    real = commands.paged_logs
    monkeypatch.setattr(commands, "paged_logs", lambda event, start, stop, **kw: starts.append(start) or real(
        event, start, stop, **kw))
    registry = contract_from_deployments(deployed, "ProvenanceRegistry")
    known = tmp_path / "known.txt"
    known.write_text("x")
    register_file(registry, known, [], "content", "human", roles.alice)
    verify_file(registry, known)
    deployed_at = json.loads(deployed.read_text())["contracts"]["ProvenanceRegistry"]["blockNumber"]
    assert starts == [deployed_at] and deployed_at > 0
