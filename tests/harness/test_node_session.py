"""The session's JSON-RPC connection to its local anvil skips the per-request proxy lookup
(deai.testing.pytest_plugin._local_node_without_proxy_lookup) and still carries transactions."""

from __future__ import annotations


def test_the_local_node_session_does_not_read_proxy_variables(roles):
    from ape import chain

    web3_provider = chain.provider.web3.provider
    assert web3_provider.endpoint_uri.startswith("http://127.0.0.1:")
    session = web3_provider._request_session_manager.cache_and_return_session(web3_provider.endpoint_uri)
    assert session.trust_env is False
    receipt = roles.alice.transfer(roles.bob, 1)
    assert not receipt.failed and chain.provider.get_balance(roles.bob.address) > 0
