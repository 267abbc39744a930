"""The reference dApp in headless Chromium against a local chain with the suite deployed by the deploy command's
logic (deai.deploy.run) and its manifest as the app's input: the provenance page hashes a dropped file with
WebCrypto SHA-256, shows it unregistered, registers it with a local development key, and the chain records it.

Skips (one line) without Debian's chromium (`apt-get install -y chromium`; `.ci/run` installs it) or on a provider
without an HTTP RPC (Ape's in-process EVM). DEAI_SCREENSHOTS=1 writes the page's screenshot to docs/screenshots/."""

from __future__ import annotations

import base64
import hashlib
import json
import os

import pytest
from eth_account import Account

from deai.deploy.run import DeployRequest, deploy_suite
from deai.frontend import app, node
from deai.toolchain import PROJECT_ROOT

pytestmark = pytest.mark.skipif(not app.CHROMIUM.exists(),
                                reason="no browser: install Debian's chromium (apt-get install -y chromium)")


def _rpc_url(chain) -> str:
    """The node's HTTP RPC URL; skips on Ape's in-process EVM (it reports a URL, but nothing listens there)."""
    uri = getattr(chain.provider, "http_uri", None) or getattr(chain.provider, "uri", None)
    if chain.provider.name == "test" or not isinstance(uri, str) or not uri.startswith("http"):
        pytest.skip(f"the browser test needs a node with an HTTP RPC (anvil); provider {chain.provider.name!r} has none")
    return uri


def test_the_provenance_page_registers_a_dropped_file_on_chain(roles, chain, tmp_path):
    rpc = _rpc_url(chain)
    executor, _ = deploy_suite(DeployRequest("local", tmp_path / "local.json"), roles.deployer, log=lambda _: None)
    manifest = json.loads((tmp_path / "local.json").read_text())  # what the deploy command wrote, as the app reads it
    registry = executor.instances["ProvenanceRegistry"]
    dev = Account.from_key(hashlib.sha256(b"frontend-browser-dev-key").digest())
    roles.deployer.transfer(dev.address, 10**18)
    content = b"a model card written by a human\n"
    screenshot = (PROJECT_ROOT / "docs" / "screenshots" / "provenance.png" if os.environ.get("DEAI_SCREENSHOTS")
                  else tmp_path / "provenance.png")
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    with app.serve(app.site(tmp_path / "site", manifest)) as url:
        shown = json.loads(node.run(["node", "tests/provenance.mjs"], app.APP_DIR, stdin=json.dumps({
            "executablePath": str(app.CHROMIUM), "url": f"{url}?rpc={rpc}#key=0x{dev.key.hex().removeprefix('0x')}",
            "file": {"name": "model-card.txt", "base64": base64.b64encode(content).decode()},
            "screenshot": str(screenshot)}), timeout=180))
    expected_hash = "0x" + hashlib.sha256(content).hexdigest()
    assert shown["pageErrors"] == []
    assert shown["before"] == {"hash": expected_hash, "record": "not registered"}
    assert shown["after"]["error"] == ""
    assert shown["after"]["status"].startswith("Registered in block")
    assert shown["after"]["record"].startswith(f"registered by {dev.address}")
    assert shown["after"]["buttonDisabled"] is True
    record = registry.getRecord(bytes.fromhex(expected_hash[2:]))
    assert (record.creator, record.kind, record.origin) == (dev.address, 0, 1)  # the page's defaults: Content, Human
    assert screenshot.stat().st_size > 0
