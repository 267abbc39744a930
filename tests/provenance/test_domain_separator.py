"""DOMAIN_SEPARATOR() is the EIP-712 domain of this registry, computed independently (name "ProvenanceRegistry",
version "1", the chain id, the registry's address). A mutant returning zero survived every other test
(mutation-survivors.json). Runs on both backends."""

from __future__ import annotations

from eth_abi import encode
from eth_utils import keccak

from deai.deploy.provenance import ProvenanceParams, deploy_provenance_registry
from deai.testing.backends import on_both_backends

DOMAIN_TYPE = b"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"


@on_both_backends
def test_domain_separator_is_this_registrys_eip712_domain(backend):
    registry = deploy_provenance_registry(backend.roles.deployer, ProvenanceParams())
    expected = keccak(encode(["bytes32", "bytes32", "bytes32", "uint256", "address"],
                             [keccak(DOMAIN_TYPE), keccak(b"ProvenanceRegistry"), keccak(b"1"),
                              backend.chain.chain_id, registry.address]))
    assert registry.DOMAIN_SEPARATOR() == expected
