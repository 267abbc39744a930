"""Cheaper JSON-RPC to the test session's own anvil (on 127.0.0.1, written only through this session's provider),
without changing what any request returns. A test transaction through Ape is about 13 requests and a view call two:
Ape asks for the contract's code before every call and after every transaction.

- `post_directly`: each request is one POST on a kept-alive `http.client` connection instead of web3's `requests`
  stack (session, adapter, urllib3 pool, header parsing): 0.12 ms of CPU per request instead of 0.48 ms, measured on
  anvil's eth_chainId. Same request body (web3's own encoder), same decoded response, web3's error for a status
  other than 200. Most of `make test` is anvil-bound tests, and a test transaction through Ape is about 13 requests.
- `skip_proxy_lookup`: `requests` reads every proxy variable of the environment again for each request (urllib's
  getproxies, about 0.17 ms, a sixth of a request's cost); a local node is never behind a proxy (for what still
  goes through web3's path, such as batches).
- `remember_code`: eth_getCode at the latest block is answered from memory for code seen before. Only code that no
  transaction can change is remembered: not empty (a contract may be created there), not an EIP-7702 delegation
  (0xef0100 + address, which a transaction can replace); a contract's code cannot change after its creation. What
  can change it is a node method (a snapshot revert, anvil_setCode, a reset...): every method not known to keep
  code (reads, transactions, snapshots, mining) forgets everything remembered.
"""

from __future__ import annotations

import http.client
import select
import socket
import time
from typing import Any, Callable
from urllib.parse import urlparse

import requests

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
SENDS = frozenset({"eth_sendRawTransaction", "eth_sendTransaction"})
RECEIPT_RETRIES, RECEIPT_PAUSE = 50, 0.0005  # a receipt of a transaction just sent: asked again for up to ~30 ms


def local_http_provider(web3: Any) -> Any | None:
    """The web3 HTTP provider of `web3` if it talks to a node on this machine, else None."""
    provider = getattr(web3, "provider", None)
    uri = str(getattr(provider, "endpoint_uri", "") or "")
    if getattr(provider, "_request_session_manager", None) is None or urlparse(uri).hostname not in LOCAL_HOSTS:
        return None
    return provider


def skip_proxy_lookup(provider: Any) -> None:
    provider._request_session_manager.cache_and_return_session(provider.endpoint_uri).trust_env = False


class DirectPost:
    """One kept-alive HTTP/1.1 connection to a local node: POST a JSON-RPC body, return the response body. A status
    other than 200 raises requests' HTTPError, as web3's own path does (nothing is sent twice)."""

    def __init__(self, uri: str, timeout: float) -> None:
        parsed = urlparse(uri)
        self.uri = uri
        self.host, self.port, self.path = parsed.hostname or "127.0.0.1", parsed.port or 80, parsed.path or "/"
        self.timeout = timeout
        self.connection: http.client.HTTPConnection | None = None
        self.opened = 0  # connections opened, for tests
        self.headers = {"Content-Type": "application/json", "Connection": "keep-alive"}

    def _open(self) -> http.client.HTTPConnection:
        """The kept-alive connection, or a new one if there is none or the node closed it (then it is readable)."""
        connection = self.connection
        if connection is not None and (connection.sock is None or select.select([connection.sock], [], [], 0)[0]):
            connection.close()
            connection = None
        if connection is None:
            connection = self.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            connection.connect()
            # As urllib3 does: a small request goes out at once, not held back by Nagle's algorithm.
            connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.opened += 1
        return connection

    def __call__(self, body: bytes) -> bytes:
        connection = self._open()
        try:
            connection.request("POST", self.path, body, self.headers)
            response = connection.getresponse()
            data = response.read()
        except BaseException:
            connection.close()  # never retried: the request may have reached the node (a transaction)
            self.connection = None
            raise
        if response.will_close:
            connection.close()
            self.connection = None
        if response.status != 200:
            raise requests.HTTPError(f"{response.status} {response.reason} for url: {self.uri}")
        return data


def post_directly(provider: Any, post: Callable[[bytes], bytes] | None = None) -> Callable[[bytes], bytes]:
    """Send `provider`'s requests (a web3 HTTPProvider of a local node) over one kept-alive connection, a DirectPost
    unless `post` is given (tests), once; returns the poster. The provider itself encodes requests and decodes
    responses, so both are exactly web3's.

    anvil answers a transaction with its hash and mines it a moment later, so a receipt asked for at once can still be
    null, and web3's poll then sleeps 0.1 s (web3's own slower path used to lose that race). A receipt of a
    transaction sent through this provider is asked again for up to ~30 ms before "not yet" is handed back."""
    if hasattr(provider, "_deai_direct_post"):
        return provider._deai_direct_post
    if post is None:
        post = DirectPost(str(provider.endpoint_uri), float(dict(provider.get_request_kwargs()).get("timeout", 30)))
    sent: set[str] = set()  # hashes of transactions sent through this provider whose receipt nobody has had yet

    def ask(method: str, params: Any) -> tuple[Any, Any]:
        response = provider.decode_rpc_response(post(provider.encode_rpc_request(method, params)))
        return response, response.get("result") if isinstance(response, dict) else None

    def make_request(method: str, params: Any) -> Any:
        response, result = ask(method, params)
        if method in SENDS and isinstance(result, str):
            if len(sent) > 10_000:  # receipts nobody asked for
                sent.clear()
            sent.add(result)
        elif method == "eth_getTransactionReceipt" and params and params[0] in sent:
            for _ in range(RECEIPT_RETRIES):
                if result is not None:
                    break
                time.sleep(RECEIPT_PAUSE)
                response, result = ask(method, params)
            if result is not None:
                sent.discard(params[0])
        return response

    provider.make_request = make_request
    provider._request_func_cache = (None, None)  # web3 wraps its middleware around make_request once: rebuilt now
    provider._deai_direct_post = post
    return post


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
