"""The reference dApp in headless Chromium against a local chain with the suite deployed by the deploy command's
logic (deai.deploy.run) and its manifest as the app's only input besides the package: the provenance page (register
a dropped file; commit, a too-early reveal refused with its decoded error, reveal), the marketplace page (a provider
registers, stakes and offers; a client leases; accept, top up, withdraw, close, dispute) and the emission page (the
curve with today marked, buckets, stake and claim in the staking pool). Each flow's result is checked on chain.

One chain, one deployment and one app build for the whole module (module-scoped fixture), one browser per flow.
Skips (one line) without Debian's chromium (`apt-get install -y chromium`; `.ci/run` installs it) or on a provider
without an HTTP RPC (Ape's in-process EVM). DEAI_SCREENSHOTS=1 writes each page's screenshot to docs/screenshots/."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account

from deai.deploy.marketplace import registry_of
from deai.deploy.run import DeployRequest, deploy_suite
from deai.frontend import app, node
from deai.toolchain import PROJECT_ROOT

pytestmark = pytest.mark.skipif(not app.CHROMIUM.exists(),
                                reason="no browser: install Debian's chromium (apt-get install -y chromium)")

HOUR, DAY = 3_600, 86_400
STATUS = {"Open": 1, "Active": 2, "Disputed": 3}


def _rpc_url(chain) -> str:
    """The node's HTTP RPC URL; skips on Ape's in-process EVM (it reports a URL, but nothing listens there)."""
    uri = getattr(chain.provider, "http_uri", None) or getattr(chain.provider, "uri", None)
    if chain.provider.name == "test" or not isinstance(uri, str) or not uri.startswith("http"):
        pytest.skip(f"the browser test needs a node with an HTTP RPC (anvil); provider {chain.provider.name!r} has none")
    return uri


@dataclass
class Dapp:
    url: str
    rpc: str
    contracts: dict[str, Any]
    funder: Any
    tmp: Path

    def dev(self, name: str) -> Account:
        """A development account (its key goes in the URL fragment), funded with ether for gas."""
        account = Account.from_key(hashlib.sha256(f"frontend-browser-{name}".encode()).digest())
        self.funder.transfer(account.address, 10**18)
        return account

    def page(self, file: str, account: Account) -> str:
        return f"{self.url}{file}?rpc={self.rpc}#key=0x{account.key.hex().removeprefix('0x')}"

    def screenshot(self, name: str) -> str:
        path = (PROJECT_ROOT / "docs" / "screenshots" / f"{name}.png" if os.environ.get("DEAI_SCREENSHOTS")
                else self.tmp / f"{name}.png")
        path.parent.mkdir(parents=True, exist_ok=True)
        return str(path)

    def drive(self, steps: list[dict]) -> list[Any]:
        shown = json.loads(node.run(["node", "tests/drive.mjs"], app.APP_DIR, timeout=300, stdin=json.dumps({
            "executablePath": str(app.CHROMIUM), "rpc": self.rpc, "steps": steps})))
        assert shown["pageErrors"] == []
        return shown["results"]


@pytest.fixture(scope="module")
def dapp(roles, chain, tmp_path_factory):
    rpc = _rpc_url(chain)
    tmp = tmp_path_factory.mktemp("dapp")
    executor, _ = deploy_suite(DeployRequest("local", tmp / "local.json"), roles.deployer, log=lambda _: None)
    manifest = json.loads((tmp / "local.json").read_text())  # what the deploy command wrote, as the app reads it
    with app.serve(app.site(tmp / "site", manifest)) as url:
        yield Dapp(url, rpc, executor.instances, roles.deployer, tmp)


def _clicked(result: dict) -> dict:
    assert result["error"] == "", result
    return result


def test_the_provenance_page_registers_commits_and_reveals_a_dropped_file(dapp):
    dev = dapp.dev("provenance")
    registry = dapp.contracts["ProvenanceRegistry"]
    direct, hidden = b"a model card written by a human\n", b"weights of a model, committed first\n"
    url = dapp.page("index.html", dev)
    results = dapp.drive([
        {"goto": url},
        {"file": "#file", "name": "model-card.txt", "base64": base64.b64encode(direct).decode()},
        {"text": "#hash"}, {"text": "#record"},
        {"click": "#register"}, {"text": "#record"},
        {"file": "#file", "name": "weights.bin", "base64": base64.b64encode(hidden).decode()},
        {"click": "#commit"}, {"text": "#commitment"},
        {"click": "#reveal"},  # too early: the registry refuses, the page says why
        {"time": 61},  # min_commit_age of config/networks/local.yaml is 60 s
        {"click": "#reveal"}, {"text": "#record"},
        {"screenshot": dapp.screenshot("provenance")},
    ])
    direct_hash, hidden_hash = "0x" + hashlib.sha256(direct).hexdigest(), "0x" + hashlib.sha256(hidden).hexdigest()
    assert results[2:4] == [direct_hash, "not registered"]
    assert _clicked(results[4])["status"].startswith("Registered in block")
    assert results[5].startswith(f"registered by {dev.address}")
    assert _clicked(results[7])["status"].startswith("Committed in block")
    assert "revealable from" in results[8]
    too_early = results[9]["error"]
    assert too_early.startswith("Refused: Commitment too new (commitment 0x") and too_early.endswith("[CommitmentTooNew]")
    assert _clicked(results[11])["status"].startswith("Revealed in block")
    assert results[12].startswith(f"registered by {dev.address}")
    record = registry.getRecord(bytes.fromhex(direct_hash[2:]))
    assert (record.creator, record.kind, record.origin) == (dev.address, 0, 1)  # the page's defaults: Content, Human
    revealed = registry.getRecord(bytes.fromhex(hidden_hash[2:]))
    committed_at = datetime.fromisoformat(results[8].split(", committed at ")[1].split(",")[0].replace("Z", "+00:00"))
    assert (revealed.creator, revealed.registeredAt) == (dev.address, int(committed_at.timestamp()))  # the commit time


def test_the_marketplace_page_runs_a_lease_from_offer_to_dispute(dapp, chain):
    provider, client = dapp.dev("provider"), dapp.dev("client")
    market, token = dapp.contracts["ComputeMarketplace"], dapp.contracts["MarketStakeToken"]
    decimals = token.decimals()
    token.mint(provider.address, 2_000 * 10**decimals, sender=dapp.funder)
    token.mint(client.address, 1_000 * 10**decimals, sender=dapp.funder)
    as_provider, as_client = dapp.page("market.html", provider), dapp.page("market.html", client)
    offers_before = market.offerCount()
    lease_id = market.leaseCount() + 1
    offer_id = offers_before + 1
    results = dapp.drive([
        {"goto": as_provider},
        {"click": "#register"},
        {"fill": "#stake-amount", "value": "1000"}, {"click": "#deposit"},
        {"fill": "#offer-price", "value": "3.6"}, {"click": "#create-offer"},
        {"goto": as_client},
        {"text": f"#offer-{offer_id}"},
        {"fill": "#lease-hours", "value": "2"}, {"click": f"#lease-{offer_id}"},
        {"click": f"#close-{lease_id}"},  # not accepted yet: refused, decoded
        {"goto": as_provider}, {"click": f"#accept-{lease_id}"},
        {"goto": as_client}, {"fill": "#topup-hours", "value": "1"}, {"click": f"#topup-{lease_id}"},
        {"time": 2 * HOUR},
        {"goto": as_provider}, {"click": f"#withdraw-{lease_id}"},
        {"goto": as_client}, {"click": f"#close-{lease_id}"}, {"click": f"#dispute-{lease_id}"},
        {"text": f"#client-lease-{lease_id}"},
        {"goto": as_provider}, {"text": "#stake"}, {"text": "#withdrawn"}, {"text": f"#provider-lease-{lease_id}"},
        {"screenshot": dapp.screenshot("market")},
    ])
    for index in (1, 3, 5, 9, 12, 15, 18, 20, 21):
        _clicked(results[index])
    assert "3.6 mUSD" in results[7]  # price per hour: 1,000 units per second of a 6-decimal token
    refused = results[10]["error"]
    assert refused == f"Refused: Wrong status (leaseId {lease_id}, status {STATUS['Open']}). [WrongStatus]"
    assert "Disputed" in results[22] and "Disputed" in results[26]
    price = 3_600_000 // HOUR  # what the page computed from "3.6" per hour
    offer = market.getOffer(offer_id)
    assert (offer.provider, offer.pricePerSecond, offer.paymentToken) == (provider.address, price, token.address)
    lease = market.getLease(lease_id)
    assert (lease.client, lease.provider, lease.status) == (client.address, provider.address, STATUS["Disputed"])
    height = chain.blocks.height + 1
    [opened] = [e for e in market.LeaseOpened.range(0, height) if e.leaseId == lease_id]
    [topped] = [e for e in market.LeaseToppedUp.range(0, height) if e.leaseId == lease_id]
    assert (opened.deposit, topped.amount) == (price * 2 * HOUR, price * HOUR)  # two hours opened, one topped up
    assert lease.deposit == price * 3 * HOUR == price * (lease.end - lease.start)  # the terms as agreed
    assert lease.deposit - lease.refunded == price * (lease.stoppedAt - lease.start) > 0  # closed early: delivered part
    assert f"stopped {_iso(lease.stoppedAt)} (paid to {_iso(lease.end)})" in results[22]
    assert lease.withdrawn > 0
    fee = lease.withdrawn * lease.feeBps // 10_000  # `withdrawn` counts earnings before the fee
    assert token.balanceOf(provider.address) == 1_000 * 10**decimals + lease.withdrawn - fee  # 2,000 minted, 1,000 staked
    registry = registry_of(market)
    info = registry.providerInfo(provider.address)
    assert info.registered and info.freeStake + info.lockedStake == 1_000 * 10**decimals
    assert results[24] == f"{_fmt(info.freeStake, decimals)} / {_fmt(info.lockedStake, decimals)} / 0 mUSD"
    assert results[25] == f"{_fmt(lease.withdrawn, decimals)} mUSD"


def _iso(timestamp: int) -> str:
    """A block time as the app prints it (ISO 8601, UTC, no milliseconds)."""
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _fmt(amount: int, decimals: int) -> str:
    """The page's number format (en-US grouping, at most 6 fraction digits)."""
    text = f"{amount / 10**decimals:,.6f}".rstrip("0").rstrip(".")
    return text


def test_the_emission_page_draws_the_curve_and_stakes_and_claims_in_the_pool(dapp, chain):
    dev = dapp.dev("staker")
    pool, lp = dapp.contracts["RewardPoolCapital"], dapp.contracts["EmissionLPToken"]
    splitter, reward = dapp.contracts["EmissionSplitter"], dapp.contracts["EmissionToken"]
    lp.mint(dev.address, 100 * 10**18, sender=dapp.funder)
    url = dapp.page("emission.html", dev)
    results = dapp.drive([
        {"goto": url},
        {"attr": "#today", "name": "data-day"}, {"text": "#bucket-0"},
        {"fill": "#stake-amount", "value": "10"}, {"click": "#stake"},
        {"time": DAY},
        {"goto": url}, {"attr": "#today", "name": "data-day"}, {"text": "#earned"},
        {"click": "#claim"}, {"text": "#reward-balance"}, {"text": "#curve-summary"},
        {"screenshot": dapp.screenshot("emission")},
    ])
    start, interval = splitter.start(), splitter.interval()
    head = chain.blocks.head.timestamp
    day_after = (head - start) // interval
    assert int(results[1]) == day_after - 1 and int(results[7]) == day_after  # the marker follows chain time
    assert results[2].startswith("Capital\t24%")
    _clicked(results[4])
    _clicked(results[9])
    assert pool.weightOf(dev.address) == 10 * 10**18 and lp.balanceOf(dev.address) == 90 * 10**18
    claimed = reward.balanceOf(dev.address)
    assert claimed > 0 and pool.earned(dev.address) == 0
    assert results[8] != "0 DEAI" and "DEAI" in results[10]
    assert f"today is day {day_after}" in results[11]
