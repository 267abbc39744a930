"""The session's JSON-RPC to its local anvil (deai.testing.local_node): one kept-alive connection, a receipt of a
transaction just sent asked again briefly, no per-request proxy lookup, and contract code answered from memory only
while no request could have changed it."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from eth_utils import to_checksum_address

from deai.testing import local_node

CODE = "0x6080604052"
DELEGATION = "0xef0100" + "ab" * 20


class FakeProvider:
    """Records the requests that reach the node; eth_getCode answers from `code`."""

    def __init__(self) -> None:
        self.code: dict[str, str] = {}
        self.sent: list[str] = []

    def make_request(self, method, params):
        self.sent.append(method)
        result = self.code.get(params[0].lower(), "0x") if method == "eth_getCode" else None
        return {"jsonrpc": "2.0", "id": len(self.sent), "result": result}


def test_only_code_no_transaction_can_change_is_remembered_until_a_node_method():
    node = FakeProvider()
    node.code = {"0xc": CODE, "0xd": DELEGATION}
    local_node.remember_code(node)
    for _ in range(3):
        assert node.make_request("eth_getCode", ["0xC", "latest"])["result"] == CODE
        assert node.make_request("eth_getCode", ["0xd", "latest"])["result"] == DELEGATION
        assert node.make_request("eth_getCode", ["0xe", "latest"])["result"] == "0x"
        assert node.make_request("eth_getCode", ["0xc", "0x5"])["result"] == CODE  # at a given block: asked
    assert node.sent.count("eth_getCode") == 1 + 3 + 3 + 3  # the contract's code asked once
    node.make_request("eth_sendRawTransaction", ["0x00"])
    node.make_request("eth_call", [{}, "latest"])
    node.make_request("eth_getCode", ["0xc", "latest"])
    assert node.sent.count("eth_getCode") == 10  # a transaction cannot change a contract's code
    node.code["0xc"] = "0x60ff"
    node.make_request("evm_revert", ["0x1"])  # a node method may have: everything is forgotten
    assert node.make_request("eth_getCode", ["0xc", "latest"])["result"] == "0x60ff"
    assert node.sent.count("eth_getCode") == 11


def test_the_session_node_skips_proxy_variables_and_sees_code_set_by_the_node(roles):
    from ape import chain

    web3_provider = chain.provider.web3.provider
    assert local_node.local_http_provider(chain.provider.web3) is web3_provider
    session = web3_provider._request_session_manager.cache_and_return_session(web3_provider.endpoint_uri)
    assert session.trust_env is False
    target = to_checksum_address("0x" + "5a" * 20)
    chain.provider.set_code(target, "0x6001")
    assert chain.provider.get_code(target).hex() in ("6001", "0x6001")
    chain.provider.set_code(target, "0x6002")  # anvil_setCode: the remembered code is dropped
    assert chain.provider.get_code(target).hex() in ("6002", "0x6002")
    receipt = roles.alice.transfer(roles.bob, 1)
    assert not receipt.failed


class FakeNode:
    """A poster for `post_directly`: answers from `answers` (method -> list of results, the last one repeated)."""

    def __init__(self, answers: dict) -> None:
        self.answers = answers
        self.asked: list[str] = []

    def __call__(self, body: bytes) -> bytes:
        request = json.loads(body)
        self.asked.append(request["method"])
        results = self.answers[request["method"]]
        result = results.pop(0) if len(results) > 1 else results[0]
        return json.dumps({"jsonrpc": "2.0", "id": request["id"], "result": result}).encode()


def test_a_receipt_of_a_transaction_just_sent_is_asked_again_briefly_and_no_other_is():
    from web3 import HTTPProvider

    tx, other, receipt = "0x" + "11" * 32, "0x" + "22" * 32, {"status": "0x1"}
    node = FakeNode({"eth_sendRawTransaction": [tx], "eth_getTransactionReceipt": [None, None, receipt]})
    provider = HTTPProvider("http://127.0.0.1:1")
    assert local_node.post_directly(provider, node) is node
    assert local_node.post_directly(provider) is node  # once
    assert provider.make_request("eth_sendRawTransaction", ["0x00"])["result"] == tx
    assert provider.make_request("eth_getTransactionReceipt", [tx])["result"] == receipt
    assert node.asked.count("eth_getTransactionReceipt") == 3  # null twice (not mined yet), then the receipt
    node.answers["eth_getTransactionReceipt"] = [None]
    assert provider.make_request("eth_getTransactionReceipt", [other])["result"] is None  # not sent here: asked once
    assert provider.make_request("eth_getTransactionReceipt", [tx])["result"] is None  # already had: asked once
    assert node.asked.count("eth_getTransactionReceipt") == 5
    provider.make_request("eth_sendRawTransaction", ["0x00"])
    provider.make_request("eth_getTransactionReceipt", [tx])  # never mined: "not yet" after the brief retries
    assert node.asked.count("eth_getTransactionReceipt") == 6 + local_node.RECEIPT_RETRIES


class _Node(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive unless the answer says otherwise

    def do_POST(self):  # noqa: N802 (http.server's name)
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        status, close = {"fail": (500, False), "close": (200, True)}.get(request["method"], (200, False))
        self.close_connection = request["method"] in ("close", "drop")  # "drop": closed without saying so
        body = json.dumps({"jsonrpc": "2.0", "id": request["id"], "result": self.client_address[1]}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if close:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_the_connection_is_kept_alive_reopened_when_the_node_closes_it_and_a_bad_status_is_webs_error():
    import requests
    from web3 import HTTPProvider

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Node)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        provider = HTTPProvider(f"http://127.0.0.1:{server.server_port}")
        post = local_node.post_directly(provider)
        ports = {provider.make_request("eth_chainId", [])["result"] for _ in range(5)}
        assert len(ports) == 1 and post.opened == 1  # one connection (the client port the node saw) for all five
        assert provider.make_request("close", [])["result"] in ports  # answered, then the node closes it
        assert provider.make_request("eth_chainId", [])["result"] not in ports and post.opened == 2
        dropped = provider.make_request("drop", [])["result"]  # the node closes it after answering, unannounced
        time.sleep(0.05)
        assert provider.make_request("eth_chainId", [])["result"] != dropped and post.opened == 3
        with pytest.raises(requests.HTTPError, match="500"):
            provider.make_request("fail", [])
        assert provider.make_request("eth_chainId", [])["result"]
    finally:
        server.shutdown()
        server.server_close()


def test_the_session_node_is_asked_directly_not_through_requests(roles, monkeypatch):
    import requests
    from ape import chain

    web3_provider = chain.provider.web3.provider
    post = local_node.post_directly(web3_provider)  # installed by the session: the same poster
    assert isinstance(post, local_node.DirectPost)

    def refuse(*args, **kwargs):
        raise AssertionError("a request went through requests")

    monkeypatch.setattr(requests.Session, "post", refuse)
    opened = post.opened
    receipt = roles.alice.transfer(roles.bob, 1)
    assert not receipt.failed and chain.provider.get_balance(roles.bob.address) > 0
    assert post.opened == opened


@pytest.mark.node_only("reads Ape's network configuration")
def test_ape_reads_the_default_transaction_type_without_building_settings(monkeypatch):
    """ape-config.yaml's `ethereum.default_transaction_type`: Ape reads it before every call and transaction, and
    without it built a settings object from the environment each time (BaseEthereumConfig.__getattr__). The loop
    documents what users get: every network keeps its own EIP-1559 default (type 2)."""
    from ape import networks
    from ape_ethereum.ecosystem import BaseEthereumConfig
    from ape_ethereum.transactions import TransactionType

    ethereum = networks.ethereum
    for name in ("local", "sepolia", "mainnet"):
        configured = ethereum.get_network(name).config.default_transaction_type
        assert TransactionType(configured) is TransactionType.DYNAMIC, name

    def refuse(self, key):
        raise AssertionError(f"Ape built a settings object to read {key!r}")

    monkeypatch.setattr(BaseEthereumConfig, "__getattr__", refuse)
    assert ethereum.default_transaction_type is TransactionType.DYNAMIC
