"""The session's JSON-RPC to its local anvil (deai.testing.local_node): no per-request proxy lookup, and contract
code answered from memory only while no request could have changed it."""

from __future__ import annotations

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
