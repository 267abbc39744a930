"""registerBySig: EIP-712 signatures built with eth-account from the spec; replay, tampering and malleability fail."""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_utils import keccak

from deai.deploy.contracts import deploy
from deai.deploy.provenance import deploy_provenance_registry
from deai.provenance import (ZERO_HASH, Kind, Origin, commitment, sha256_bytes, sign_register, sign_reveal,
                             to_high_s)
from deai.testing.delegation import code_of, delegate
from deai.testing.reverts import expect_revert

DAY = 86_400


@pytest.fixture
def request_fields(registry, signer, chain):
    parent = sha256_bytes(b"base-model")
    return dict(
        registry_address=registry.address, chain_id=chain.chain_id, creator=signer.address,
        content_hash=sha256_bytes(b"generated-image"), kind=int(Kind.CONTENT), origin=int(Origin.AI_GENERATED),
        manifest=keccak(text="manifest"), parents=[parent], nonce=0, deadline=chain.pending_timestamp + DAY,
    )


@pytest.fixture
def registered_parent(registry, roles, request_fields):
    registry.register(request_fields["parents"][0], int(Kind.MODEL), int(Origin.HUMAN), ZERO_HASH, [], sender=roles.bob)


def submit(registry, relayer, fields, signature):
    return registry.registerBySig(
        fields["creator"], fields["content_hash"], fields["kind"], fields["origin"], fields["manifest"],
        fields["parents"], fields["deadline"], signature, sender=relayer,
    )


def test_relayed_registration_credits_the_signer(registry, roles, signer, request_fields, registered_parent, chain):
    signature = sign_register(signer.key, **request_fields)
    receipt = submit(registry, roles.relayer, request_fields, signature)
    record = registry.getRecord(request_fields["content_hash"])
    assert record.creator == signer.address
    assert record.registeredAt == chain.blocks[receipt.block_number].timestamp
    assert bytes(record.manifestHash) == request_fields["manifest"]
    assert registry.nonces(signer.address) == 1
    [log] = receipt.decode_logs(registry.Registered)
    assert log.creator == signer.address


def test_signature_is_usable_once(registry, roles, signer, request_fields, registered_parent):
    signature = sign_register(signer.key, **request_fields)
    submit(registry, roles.relayer, request_fields, signature)
    other = dict(request_fields, content_hash=sha256_bytes(b"other"))
    with expect_revert(registry, "InvalidSignature", signer.address):  # nonce moved on
        submit(registry, roles.mallory, other, sign_register(signer.key, **dict(other, nonce=0)))
    with expect_revert(registry, "InvalidSignature", signer.address):  # the exact replay
        submit(registry, roles.mallory, request_fields, signature)
    assert registry.nonces(signer.address) == 1


def test_signature_for_another_registry_fails(registry, roles, signer, request_fields, registered_parent):
    twin = deploy_provenance_registry(roles.deployer)
    twin.register(request_fields["parents"][0], 1, 1, ZERO_HASH, [], sender=roles.bob)
    signature = sign_register(signer.key, **request_fields)  # signed for `registry`
    with expect_revert(twin, "InvalidSignature", signer.address):
        submit(twin, roles.relayer, request_fields, signature)


def test_signature_for_another_chain_fails(registry, roles, signer, request_fields, registered_parent, chain):
    signature = sign_register(signer.key, **dict(request_fields, chain_id=chain.chain_id + 1))
    with expect_revert(registry, "InvalidSignature", signer.address):
        submit(registry, roles.relayer, request_fields, signature)


@pytest.mark.parametrize("field, value", [
    ("nonce", 1), ("domain_name", "EAS"), ("version", "2"),
])
def test_wrong_nonce_or_domain_fails(registry, roles, signer, request_fields, registered_parent, field, value):
    signature = sign_register(signer.key, **dict(request_fields, **{field: value}))
    with expect_revert(registry, "InvalidSignature", signer.address):
        submit(registry, roles.relayer, request_fields, signature)


@pytest.mark.parametrize("field, value", [
    ("content_hash", sha256_bytes(b"swapped")), ("kind", int(Kind.MODEL)), ("origin", int(Origin.HUMAN)),
    ("manifest", ZERO_HASH), ("parents", []), ("deadline", "later"),
])
def test_tampered_field_fails(registry, roles, signer, request_fields, registered_parent, field, value):
    signature = sign_register(signer.key, **request_fields)
    if value == "later":
        value = request_fields["deadline"] + 1
    with expect_revert(registry, "InvalidSignature", signer.address):
        submit(registry, roles.relayer, dict(request_fields, **{field: value}), signature)


def test_signature_by_someone_else_fails(registry, roles, signer, request_fields, registered_parent):
    impostor = Account.create("impostor")
    with expect_revert(registry, "InvalidSignature", signer.address):
        submit(registry, roles.relayer, request_fields, sign_register(impostor.key, **request_fields))
    with expect_revert(registry, "InvalidSignature", signer.address):
        submit(registry, roles.relayer, request_fields, b"\x01" * 64)


def test_high_s_twin_of_a_valid_signature_fails(registry, roles, signer, request_fields, registered_parent):
    signature = sign_register(signer.key, **request_fields)
    with expect_revert(registry, "InvalidSignature", signer.address):
        submit(registry, roles.relayer, request_fields, to_high_s(signature))
    submit(registry, roles.relayer, request_fields, signature)  # the canonical one still works


def test_deadline_is_inclusive(registry, roles, signer, request_fields, registered_parent, chain):
    deadline = request_fields["deadline"]
    late = dict(request_fields, content_hash=sha256_bytes(b"late"), nonce=0)
    chain.pending_timestamp = deadline + 1
    with expect_revert(registry, "ExpiredSignature", deadline):
        submit(registry, roles.relayer, late, sign_register(signer.key, **late))


def test_deadline_equal_to_block_time_is_valid(registry, roles, signer, request_fields, registered_parent, chain):
    chain.pending_timestamp = request_fields["deadline"]
    submit(registry, roles.relayer, request_fields, sign_register(signer.key, **request_fields))
    assert registry.getRecord(request_fields["content_hash"]).registeredAt == request_fields["deadline"]


def test_erc1271_contract_wallet(registry, roles, signer, request_fields, registered_parent):
    wallet = deploy("MockERC1271Wallet", roles.deployer, signer.address)
    fields = dict(request_fields, creator=wallet.address)
    submit(registry, roles.relayer, fields, sign_register(signer.key, **fields))
    assert registry.getRecord(fields["content_hash"]).creator == wallet.address
    assert registry.nonces(wallet.address) == 1
    again = dict(fields, content_hash=sha256_bytes(b"second"), nonce=1)
    with expect_revert(registry, "InvalidSignature", wallet.address):
        submit(registry, roles.relayer, again, sign_register(Account.create().key, **again))


def test_eip712_domain_matches_erc5267(registry, chain):
    fields, name, version, chain_id, verifying, salt, extensions = registry.eip712Domain()
    assert bytes(fields) == b"\x0f"
    assert (name, version, chain_id, verifying) == ("ProvenanceRegistry", "1", chain.chain_id, registry.address)
    assert bytes(salt) == ZERO_HASH and list(extensions) == []
    assert bytes(registry.REGISTER_TYPEHASH()) == keccak(
        text="Register(address creator,bytes32 contentHash,uint8 kind,uint8 origin,bytes32 manifestHash,"
        "bytes32[] parents,uint256 nonce,uint256 deadline)")


@pytest.mark.parametrize("request_type", ["register", "reveal"])
def test_eip7702_delegated_eoa_signs_with_its_own_key(registry, roles, signer, request_fields, registered_parent,
                                                      chain, request_type):
    """Issue 14 item 5 (failed on the old contract, whose SignatureChecker sent every account with code to ERC-1271):
    an EOA that delegated its code (EIP-7702) to a wallet whose ERC-1271 check would say no still signs with its own
    key; an impostor's signature is still refused."""
    wallet = deploy("MockERC1271Wallet", roles.deployer, Account.create("someone-else").address)
    delegate(chain, signer.address, wallet.address)
    assert len(code_of(chain, signer)) == 23
    impostor = Account.create("impostor-7702")
    if request_type == "register":
        with expect_revert(registry, "InvalidSignature", signer.address):
            submit(registry, roles.relayer, request_fields, sign_register(impostor.key, **request_fields))
        submit(registry, roles.relayer, request_fields, sign_register(signer.key, **request_fields))
    else:
        h, salt = request_fields["content_hash"], b"\x77" * 32
        t0 = chain.blocks[registry.commit(commitment(h, signer.address, salt), sender=roles.relayer).block_number].timestamp
        chain.pending_timestamp = t0 + registry.minCommitAge()
        deadline = t0 + DAY
        args = (registry.address, chain.chain_id, signer.address, h, 0, 1, ZERO_HASH, [], salt, t0)
        with expect_revert(registry, "InvalidSignature", signer.address):
            registry.revealBySig(signer.address, h, 0, 1, ZERO_HASH, [], salt, t0,
                                 sign_reveal(impostor.key, *args), sender=roles.relayer)
        registry.revealBySig(signer.address, h, 0, 1, ZERO_HASH, [], salt, t0,
                             sign_reveal(signer.key, *args), sender=roles.relayer)
    assert registry.getRecord(request_fields["content_hash"]).creator == signer.address
    assert registry.nonces(signer.address) == (1 if request_type == "register" else 0)  # a reveal uses no nonce
