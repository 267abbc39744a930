"""Cheaper JSON-RPC to the test session's own anvil (on 127.0.0.1, written only through this session's provider),
without changing what any request returns. A test transaction through Ape is about 13 requests and a view call two:
Ape asks for the contract's code before every call and after every transaction.

- `skip_proxy_lookup`: `requests` reads every proxy variable of the environment again for each request (urllib's
  getproxies, about 0.17 ms, a sixth of a request's cost); a local node is never behind a proxy.
- `remember_code`: eth_getCode at the latest block is answered from memory for code seen before. Only code that no
  transaction can change is remembered: not empty (a contract may be created there), not an EIP-7702 delegation
  (0xef0100 + address, which a transaction can replace); a contract's code cannot change after its creation. What
  can change it is a node method (a snapshot revert, anvil_setCode, a reset...): every method not known to keep
  code (reads, transactions, snapshots, mining) forgets everything remembered.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

LOCAL_HOSTS = ("127.0.0.1", "localhost")
KEEP_CODE = frozenset({  # requests after which remembered code still holds
    # reads
    "eth_call", "eth_chainId", "eth_getBalance", "eth_getCode", "eth_getTransactionCount", "eth_getStorageAt",
    "eth_getBlockByNumber", "eth_getBlockByHash", "eth_getTransactionReceipt", "eth_getTransactionByHash",
    "eth_blockNumber", "eth_estimateGas", "eth_gasPrice", "eth_maxPriorityFeePerGas", "eth_feeHistory", "eth_getLogs",
    "net_version", "web3_clientVersion", "eth_accounts", "debug_traceTransaction", "debug_traceCall",
    "trace_transaction", "eth_syncing", "anvil_nodeInfo", "anvil_getAutomine", "eth_createAccessList",
    # transactions (they cannot change a contract's code) and node methods that only mine or note the state
    "eth_sendRawTransaction", "eth_sendTransaction", "evm_snapshot", "evm_setNextBlockTimestamp", "evm_mine",
    "anvil_mine",
})
DELEGATION_PREFIX = "0xef0100"


def local_http_provider(web3: Any) -> Any | None:
    """The web3 HTTP provider of `web3` if it talks to a node on this machine, else None."""
    provider = getattr(web3, "provider", None)
    uri = str(getattr(provider, "endpoint_uri", "") or "")
    if getattr(provider, "_request_session_manager", None) is None or urlparse(uri).hostname not in LOCAL_HOSTS:
        return None
    return provider


def skip_proxy_lookup(provider: Any) -> None:
    provider._request_session_manager.cache_and_return_session(provider.endpoint_uri).trust_env = False


def remember_code(provider: Any) -> dict[str, Any]:
    """Wrap `provider.make_request` (once); returns the memory (address -> eth_getCode response), for tests."""
    if hasattr(provider, "_deai_code_memory"):
        return provider._deai_code_memory
    memory: dict[str, Any] = {}
    forward = provider.make_request

    def make_request(method: str, params: Any) -> Any:
        if method == "eth_getCode" and (len(params) < 2 or params[1] in ("latest", "pending")):
            key = str(params[0]).lower()
            if key in memory:
                return dict(memory[key])
            response = forward(method, params)
            code = response.get("result") if isinstance(response, dict) else None
            if isinstance(code, str) and code not in ("0x", "") and not code.startswith(DELEGATION_PREFIX):
                memory[key] = dict(response)  # a copy: the caller may change what it is handed
            return response
        if method not in KEEP_CODE:
            memory.clear()
        return forward(method, params)

    provider.make_request = make_request
    provider._request_func_cache = (None, None)  # web3 wraps its middleware around make_request once: rebuilt now
    provider._deai_code_memory = memory
    return memory
