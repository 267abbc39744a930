"""The in-process backend reads the views a change made stale in one EVM call before the machines' invariants
(deai.testing.view_batch, `RevmChain.read_ahead`) and hands out a forgotten decoded value again when its bytes come back the same: every
answer must be the answer the view gives on its own."""

from __future__ import annotations

import json
import subprocess

import pytest
from pyrevm import AccountInfo

from deai.deploy.provenance import ProvenanceParams, deploy_provenance_registry
from deai.testing import view_batch
from deai.testing.reverts import expect_revert
from deai.testing.revm import RevmChain
from deai.testing.tokens import deploy_token
from deai.toolchain import PROJECT_ROOT

H, OTHER, ZERO = b"\x11" * 32, b"\x22" * 32, b"\x00" * 32


@pytest.fixture
def chain():
    return RevmChain()


@pytest.fixture
def roles(chain):
    return chain.roles


@pytest.fixture
def registry(roles):
    return deploy_provenance_registry(roles.deployer, ProvenanceParams())


def alone(chain, contract, method: str, *args) -> bytes:
    """The view's answer from an EVM call of its own, as the backend made it before batches."""
    data = getattr(contract, method).encode_input(*args)
    return bytes(chain.evm.message_call(view_batch.ZERO_ADDRESS, contract.address, data, is_static=True))


def test_the_reader_is_its_yul_source_compiled():
    source = (PROJECT_ROOT / "deai/testing/view_batch.yul").read_text()
    request = {"language": "Yul", "sources": {"view_batch.yul": {"content": source}},
               "settings": {"optimizer": {"enabled": True}, "evmVersion": "prague",
                            "outputSelection": {"*": {"*": ["evm.deployedBytecode.object"]}}}}
    done = subprocess.run(["node", str(PROJECT_ROOT / "tools/solc/solc.js"), "--standard-json"], check=True,
                          input=json.dumps(request), capture_output=True, text=True, cwd=PROJECT_ROOT)
    output = json.loads(done.stdout)
    assert not [e for e in output.get("errors", []) if e["severity"] == "error"], output["errors"]
    code = output["contracts"]["view_batch.yul"]["ViewBatch"]["evm"]["deployedBytecode"]["object"]
    assert bytes.fromhex(code) == view_batch.READER_CODE


def test_forgotten_views_are_read_again_in_one_batch_with_the_answers_they_give_alone(chain, roles, registry):
    token = deploy_token("standard18", roles.deployer)
    token.mint(roles.alice, 5, sender=roles.alice)
    registry.register(H, 1, 2, ZERO, [], sender=roles.alice)

    def read() -> tuple:
        return (registry.getRecord(H), registry.isRegistered(OTHER), token.balanceOf(roles.alice),
                registry.nonces(roles.alice), token.balanceOf(roles.bob))

    before = read()
    registry.register(OTHER, 0, 0, ZERO, [], sender=roles.bob)  # a contract that makes calls: everything is forgotten
    assert not chain._views
    batches = []
    real_read = view_batch.read
    view_batch.read = lambda evm, calls: batches.append(list(calls)) or real_read(evm, calls)
    try:
        record = registry.getRecord(H)  # a read of its own
        assert not batches and len(chain._views) == 1
        chain.read_ahead()  # the other four
        assert len(batches) == 1 and len(batches[0]) == 4 and len(chain._views) == 5
        after = read()
        chain.read_ahead()  # nothing was forgotten since
    finally:
        view_batch.read = real_read
    assert len(batches) == 1
    assert after == (before[0], True, 5, 0, 0) and record is before[0]  # the same bytes: the same decoded record
    assert chain._views[(registry.address, registry.getRecord.encode_input(H), view_batch.ZERO_ADDRESS)] == \
        alone(chain, registry, "getRecord", H)
    assert chain._views[(registry.address, registry.isRegistered.encode_input(OTHER), view_batch.ZERO_ADDRESS)] == \
        alone(chain, registry, "isRegistered", OTHER) == (1).to_bytes(32, "big")


def test_what_a_batch_read_and_nobody_asked_for_is_not_read_ahead_again(chain, roles, registry):
    registry.isRegistered(H), registry.isRegistered(OTHER), registry.nonces(roles.alice)
    registry.commit(H, sender=roles.alice)
    chain.read_ahead()
    assert len(chain._unread) == 3 and not chain._prefetch
    assert registry.isRegistered(H) is False and len(chain._unread) == 2
    registry.commit(OTHER, sender=roles.alice)
    assert list(chain._prefetch) == [(registry.address, registry.isRegistered.encode_input(H), view_batch.ZERO_ADDRESS)]
    chain.read_ahead()  # one view is read alone, not in a batch
    assert not chain._views and not chain._prefetch


def test_a_view_that_reverts_in_a_batch_reverts_on_its_own_with_its_error(chain, roles, registry):
    registry.register(H, 1, 2, ZERO, [], sender=roles.alice)
    registry.getRecord(H), registry.isRegistered(OTHER)
    registry.revoke(H, sender=roles.alice)
    with expect_revert(registry, "NotRegistered", OTHER):
        registry.getRecord(OTHER)  # read alone first: it reverts, and is not remembered
    registry.getRecord(H), registry.isRegistered(OTHER), registry.nonces(roles.bob)
    registry.register(OTHER, 0, 0, ZERO, [], sender=roles.bob)
    chain.read_ahead()
    assert registry.getRecord(H).revoked and registry.isRegistered(OTHER)
    registry.revoke(OTHER, sender=roles.bob)
    chain.read_ahead()  # getRecord(OTHER) was never answered: it is not read ahead
    assert (registry.address, registry.getRecord.encode_input(OTHER), view_batch.ZERO_ADDRESS) not in chain._views
    with expect_revert(registry, "NotRegistered", b"\x33" * 32):
        registry.getRecord(b"\x33" * 32)


def test_views_with_a_sender_or_of_contracts_reading_tx_origin_run_alone(chain, roles, registry):
    assert not view_batch.origin_free(bytes([0x60, 0x00, 0x32])) and view_batch.origin_free(bytes([0x61, 0x32, 0x32]))
    assert chain._batchable((registry.address, b"\x00" * 4, view_batch.ZERO_ADDRESS))
    assert not chain._batchable((registry.address, b"\x00" * 4, roles.alice.address))
    assert view_batch.origin_free(chain.get_code(registry.address))
    registry.nonces.call(roles.alice, sender=roles.alice), registry.nonces.call(roles.bob, sender=roles.bob)
    registry.nonces(roles.bob), registry.isRegistered(H)
    registry.commit(H, sender=roles.alice)
    chain.read_ahead()  # two batchable views: too few for a batch
    assert not chain._views and not chain._unread
    registry.nonces.call(roles.alice, sender=roles.alice), registry.nonces(roles.bob), registry.isRegistered(H)
    registry.nonces(roles.carol)
    registry.commit(OTHER, sender=roles.alice)
    chain.read_ahead()
    assert {k[2] for k in chain._views} == {view_batch.ZERO_ADDRESS} and len(chain._views) == 3


def test_the_zero_address_is_as_before_after_a_batch_and_the_reader_answers_nobody_else(chain, roles):
    token = deploy_token("standard18", roles.deployer)
    chain.set_balance(view_batch.ZERO_ADDRESS, 7)
    answers = view_batch.read(chain.evm, [(token.address, token.balanceOf.encode_input(roles.alice))] * 2)
    assert answers == [bytes(32)] * 2
    assert chain.get_code(view_batch.ZERO_ADDRESS) == b"" and chain.get_balance(view_batch.ZERO_ADDRESS) == 7
    assert chain.evm.basic(view_batch.ZERO_ADDRESS).nonce == 0
    chain.evm.insert_account_info(view_batch.ZERO_ADDRESS, AccountInfo(code=view_batch.READER_CODE))
    packed = view_batch.pack([(token.address, token.balanceOf.encode_input(roles.alice))])
    assert bytes(chain.evm.message_call(roles.bob.address, view_batch.ZERO_ADDRESS, packed, is_static=True)) == b""


def test_every_fourth_batch_reads_one_of_its_views_alone_and_a_different_answer_fails(chain, roles, registry):
    real_read = view_batch.read
    view_batch.read = lambda evm, calls: [(1).to_bytes(32, "big") for _ in calls]  # a batch that lies
    try:
        for salt in range(4):
            registry.isRegistered(H), registry.isRegistered(OTHER), registry.nonces(roles.alice)
            registry.commit(bytes([salt + 1]) * 32, sender=roles.alice)
            if salt < 3:
                chain.read_ahead()  # not checked
                assert registry.isRegistered(H) is True  # what the lying batch said
        with pytest.raises(AssertionError, match="answers .* in a batch"):
            chain.read_ahead()
    finally:
        view_batch.read = real_read


def test_unpack_reads_answers_and_reverts():
    out = ((1 << 128) | 3).to_bytes(32, "big") + b"abc" + (5).to_bytes(32, "big") + b"oops!" + (1 << 128).to_bytes(
        32, "big")
    assert view_batch.unpack(out) == [b"abc", None, b""]
    assert view_batch.pack([("0x" + "ab" * 20, b"\x01\x02")]) == bytes.fromhex("ab" * 20) + b"\x00\x02\x01\x02"
