"""The exported EIP-712 types and domains are the ones the contracts verify: their type hashes (computed by
eth-account's independent encoder) equal the Solidity type-hash constants, and a message signed by viem with only
the package's domain helper and types is accepted on chain (registerBySig, an EmissionToken permit)."""

from __future__ import annotations

from eth_account import Account
from eth_account._utils.encode_typed_data.encoding_and_hashing import hash_type
from eth_utils import keccak

from deai.deploy.provenance import ProvenanceParams, deploy_provenance_registry
from deai.frontend import node, solidity
from deai.frontend.package import const_name, contract_types
from deai.toolchain import PROJECT_ROOT

SIGNER = Account.from_key(keccak(text="frontend-eip712-signer"))


def _eip712_contracts():
    production, _ = contract_types()
    return {name: found for name, ct in production.items()
            if (found := solidity.eip712(PROJECT_ROOT / ct.source_id)) is not None}


def test_every_signed_message_is_exported_and_hashes_to_the_solidity_typehash(exports):
    found = _eip712_contracts()
    assert {"ProvenanceRegistry", "EmissionToken"} <= set(found)
    for name, domain in found.items():
        types = exports["contracts"][const_name(name, "Types")]
        typehashes = exports["contracts"][const_name(name, "Typehashes")]
        assert const_name(name, "Domain") in exports["functions"]
        for message in domain.messages:
            expected = keccak(text=message.encoded)  # the constant's value: keccak256("<the Solidity string>")
            assert hash_type(message.primary, types) == expected, f"{name}.{message.constant}"
            assert typehashes[message.primary] == "0x" + expected.hex()


def test_the_registry_typehash_constant_equals_the_exported_one(exports, roles):
    registry = deploy_provenance_registry(roles.deployer, ProvenanceParams())
    exported = exports["contracts"]["provenanceRegistryTypehashes"]["Register"]
    assert "0x" + bytes(registry.REGISTER_TYPEHASH()).hex() == exported


def _sign(consumer_project, contract: str, domain_args: list, primary: str, message: dict) -> bytes:
    signed = node.node_json(consumer_project, "sign.mjs", {
        "contract": contract, "domainArgs": domain_args, "primaryType": primary, "message": message,
        "privateKey": "0x" + SIGNER.key.hex().removeprefix("0x")})
    assert signed["address"] == SIGNER.address
    return bytes.fromhex(signed["signature"][2:])


def test_a_registration_signed_with_the_package_is_accepted_by_the_registry(consumer_project, roles, chain):
    registry = deploy_provenance_registry(roles.deployer, ProvenanceParams())
    content, manifest = keccak(text="frontend-content"), keccak(text="manifest")
    deadline = int(chain.pending_timestamp) + 3_600
    message = {"creator": SIGNER.address, "contentHash": "0x" + content.hex(), "kind": "1", "origin": "2",
               "manifestHash": "0x" + manifest.hex(), "parents": [], "nonce": "0", "deadline": str(deadline)}
    signature = _sign(consumer_project, "provenanceRegistry", [chain.chain_id, registry.address], "Register", message)
    registry.registerBySig(SIGNER.address, content, 1, 2, manifest, [], deadline, signature, sender=roles.relayer)
    record = registry.getRecord(content)
    assert (record.creator, record.kind, record.origin) == (SIGNER.address, 1, 2)
    assert registry.nonces(SIGNER.address) == 1


def test_a_permit_signed_with_the_package_is_accepted_by_the_emission_token(consumer_project, roles, chain):
    from deai.deploy.emission import EmissionParams, deploy_emission

    recipients = [roles.alice, roles.bob, roles.carol, roles.dave, roles.treasury]
    token = deploy_emission(roles.deployer, EmissionParams(), recipients, roles.governance, roles.guardian,
                            int(chain.pending_timestamp) + 1_000).token
    deadline, value = int(chain.pending_timestamp) + 3_600, 123 * 10**18
    message = {"owner": SIGNER.address, "spender": roles.bob.address, "value": str(value), "nonce": "0",
               "deadline": str(deadline)}
    signature = _sign(consumer_project, "emissionToken", [token.name(), chain.chain_id, token.address], "Permit",
                      message)
    r, s, v = signature[:32], signature[32:64], signature[64]
    token.permit(SIGNER.address, roles.bob, value, deadline, v, r, s, sender=roles.relayer)
    assert token.allowance(SIGNER.address, roles.bob) == value
