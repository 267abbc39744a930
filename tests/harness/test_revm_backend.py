"""The in-process backend (deai.testing.revm) behaves like Ape on anvil where the state machines look: accounts,
deployment through the deploy plan, receipts, decoded events and return values, block time and number, snapshots,
reverts, and views read in batches. The cross-backend replay (test_backend_fidelity.py) compares it with anvil call
by call."""

from __future__ import annotations

import json
import subprocess

import pytest
from eth_abi import encode
from hexbytes import HexBytes
from pyrevm import AccountInfo

from deai.deploy.contracts import create_address, deploy
from deai.deploy.provenance import ProvenanceParams, deploy_provenance_registry
from deai.testing import view_batch
from deai.testing.reverts import RevertMismatch, expect_panic, expect_revert
from deai.testing.revm import GENESIS_TIME, Method, RevmChain, Struct, TransactionReverted, artifact, code_facts
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


def test_accounts_are_apes_test_accounts(accounts, chain):
    """Same mnemonic and HD path: the same addresses on both backends, so recorded runs compare byte for byte."""
    assert [a.address for a in chain.accounts] == [accounts[i].address for i in range(len(chain.accounts))]
    assert all(a.balance == 10_000 * 10**18 for a in chain.accounts)


def test_deploy_plan_deploys_at_the_create_address_and_every_transaction_uses_a_nonce(chain, roles, registry):
    assert registry.address == create_address(roles.deployer.address, 0)
    assert roles.deployer.nonce == 1
    registry.commit(b"\x01" * 32, sender=roles.deployer)
    with pytest.raises(TransactionReverted):  # a reverted transaction is mined and uses its nonce, like anvil
        registry.register(b"\x00" * 32, 0, 0, b"\x00" * 32, [], sender=roles.deployer)  # ZeroContentHash
    assert roles.deployer.nonce == 3
    token = deploy("MockERC20", roles.deployer, "T", "T", 18)
    assert token.address == create_address(roles.deployer.address, 3)
    assert token.decimals() == 18 and token.symbol() == "T"


def test_each_transaction_mines_one_block_at_the_pending_timestamp(chain, roles, registry):
    head = chain.blocks.head
    assert chain.pending_timestamp == head.timestamp + 1 and head.timestamp >= GENESIS_TIME
    chain.pending_timestamp = head.timestamp + 500
    receipt = registry.register(H, 1, 2, ZERO, [], sender=roles.alice)
    assert (receipt.block_number, receipt.timestamp) == (head.number + 1, head.timestamp + 500)
    assert chain.blocks.head.number == receipt.block_number
    assert chain.blocks[receipt.block_number].timestamp == head.timestamp + 500
    assert registry.getRecord(H).registeredAt == head.timestamp + 500
    with pytest.raises(ValueError, match="before the head"):
        chain.pending_timestamp = head.timestamp
    chain.mine(2)
    assert chain.blocks.height == receipt.block_number + 2


def test_receipt_gas_events_and_return_values(chain, roles, registry):
    receipt = registry.register(H, 1, 2, b"\xaa" * 32, [], sender=roles.alice)
    assert 21_000 < receipt.gas_used < 200_000
    [log] = receipt.events
    assert log.event_name == "Registered" and log.contract_address == registry.address
    assert log.contentHash == H and log["creator"] == roles.alice.address and log.kind == 1
    assert isinstance(log.contentHash, HexBytes)
    assert receipt.decode_logs(registry.Registered) == [log]
    assert receipt.decode_logs(registry.Revoked) == []
    assert receipt.events.filter(registry.Registered, creator=roles.alice.address) == [log]
    record = registry.getRecord(H)
    assert isinstance(record, Struct) and record.creator == roles.alice.address and record["kind"] == 1
    assert record == (roles.alice.address, receipt.timestamp, 1, 2, False, b"\xaa" * 32)
    assert registry.isRegistered(H) is True and registry.parentsOf(H) == []


def test_views_run_at_the_head_block_and_change_nothing(chain, roles, registry):
    height = chain.blocks.height
    assert registry.nonces(roles.alice) == 0
    assert chain.blocks.height == height and roles.alice.nonce == 0


def test_snapshot_restore_rolls_back_state_blocks_time_and_nonces(chain, roles, registry):
    outer = chain.snapshot()
    registry.register(H, 0, 0, ZERO, [], sender=roles.alice)
    inner = chain.snapshot()
    chain.pending_timestamp = chain.blocks.head.timestamp + 99
    registry.revoke(H, sender=roles.alice)
    assert registry.getRecord(H).revoked
    chain.restore(inner)
    assert not registry.getRecord(H).revoked and chain.pending_timestamp == chain.blocks.head.timestamp + 1
    chain.restore(outer)
    assert not registry.isRegistered(H) and roles.alice.nonce == 0 and chain.blocks.height == 1
    with chain.isolate():
        registry.register(H, 0, 0, ZERO, [], sender=roles.alice)
    assert not registry.isRegistered(H)


def test_expect_revert_decodes_custom_errors_panics_and_view_reverts(chain, roles):
    probe = deploy("RevertProbe", roles.deployer)
    with expect_revert(probe, "Denied", 7, roles.alice.address):
        probe.deny(7, roles.alice, sender=roles.bob)
    with expect_revert(probe, "Denied", 7, roles.alice.address):
        probe.denyView(7, roles.alice)
    with pytest.raises(RevertMismatch):
        with expect_revert(probe, "Denied", 7, roles.alice.address):
            probe.refuse(7, roles.alice, sender=roles.bob)
    with expect_panic(0x11):
        probe.underflow(1, sender=roles.bob)
    with pytest.raises(ValueError, match="sender"):
        probe.bump()


def test_the_decoder_agrees_with_eth_abi_on_nested_dynamic_types():
    """A struct with a string and a dynamic array, an array of structs, fixed arrays and signed integers."""
    inner = {"type": "tuple", "name": "s", "components": [
        {"type": "bool", "name": "flag"}, {"type": "string", "name": "text"},
        {"type": "bytes32[]", "name": "hashes"}, {"type": "int64", "name": "delta"}]}
    outputs = [inner, {"type": "tuple[]", "name": "many", "components": inner["components"]},
               {"type": "uint8[3]", "name": "fixed"}, {"type": "bytes", "name": "blob"},
               {"type": "address", "name": "who"}]
    method = Method({"type": "function", "name": "f", "inputs": [], "outputs": outputs, "stateMutability": "view"})
    value = (True, "héllo", [b"\x01" * 32, b"\x02" * 32], -5)
    other = (False, "", [], 2**63 - 1)
    data = encode(["(bool,string,bytes32[],int64)", "(bool,string,bytes32[],int64)[]", "uint8[3]", "bytes",
                   "address"], [value, [other, value], [1, 2, 3], b"\xde\xad", "0x" + "ab" * 20])
    decoded = method.decode(data)
    assert decoded.s == value and decoded.s.text == "héllo" and decoded.s.delta == -5
    assert decoded.many == [other, value] and decoded.many[1].hashes == [b"\x01" * 32, b"\x02" * 32]
    assert decoded.fixed == [1, 2, 3] and decoded.blob == b"\xde\xad"
    assert decoded.who.lower() == "0x" + "ab" * 20 and decoded.who != decoded.who.lower()  # checksummed


def test_struct_fields_read_by_name_attribute_and_index():
    """Struct fields are properties where the name is free; a name a tuple already has (`count`) keeps the tuple's
    method as an attribute and is read by `["count"]`; a repeated name reads its first field, as before."""
    outputs = [{"type": "uint256", "name": n} for n in ("count", "a", "a", "b")]
    method = Method({"type": "function", "name": "f", "inputs": [], "outputs": outputs, "stateMutability": "view"})
    decoded = method.decode(encode(["uint256"] * 4, [7, 1, 2, 3]))
    assert decoded == (7, 1, 2, 3) and isinstance(decoded, Struct)
    assert (decoded.a, decoded.b, decoded["a"], decoded["count"], decoded[3]) == (1, 3, 1, 7, 3)
    assert decoded.count(3) == 1 and decoded.items()[0] == ("count", 7)
    with pytest.raises(AttributeError):
        decoded.missing


def test_contract_type_and_unknown_names(registry):
    assert registry.contract_type.name == "ProvenanceRegistry"
    assert {e.name for e in registry.contract_type.errors} >= {"AlreadyRegistered", "ZeroContentHash"}
    with pytest.raises(AttributeError, match="no function or event"):
        registry.nope
    assert artifact("ProvenanceRegistry").bytecode


def test_remembered_views_never_outlive_a_state_or_block_change(chain, roles, registry):
    """RevmChain.call remembers view outputs until the state or the head block changes: every way to change either
    (a transaction, a reverted one, a deployment, a restore, a mined block, a balance set) makes views run again."""
    outer = chain.snapshot()
    assert not registry.isRegistered(H) and not registry.isRegistered(H)  # the second read is remembered
    assert chain._views
    registered_at = registry.register(H, 0, 0, ZERO, [], sender=roles.alice).timestamp
    assert registry.isRegistered(H) and registry.getRecord(H).creator == roles.alice.address
    with expect_revert(registry, "AlreadyRegistered", H, roles.alice.address, registered_at):
        registry.register(H, 0, 0, ZERO, [], sender=roles.bob)
    assert not chain._views  # a reverted transaction mined a block
    assert registry.getRecord(H).creator == roles.alice.address
    for change in (lambda: chain.mine(), lambda: chain.set_balance(roles.bob, 1),
                   lambda: deploy_provenance_registry(roles.deployer, ProvenanceParams())):
        assert registry.isRegistered(H) and chain._views
        change()
        assert not chain._views
    chain.restore(outer)
    assert not registry.isRegistered(H)
    # the caller is part of what is remembered: the same calldata from another sender runs again
    assert registry.nonces.call(roles.alice, sender=roles.alice) == registry.nonces.call(roles.alice, sender=roles.bob)
    assert len(chain._views) == 3


def test_storage_only_contracts_keep_their_views_across_blocks_that_cannot_change_them(chain, roles, registry):
    """A contract whose code reads nothing but its own storage and the call's input (no block field, gas, other
    account or call: the test tokens) answers the same until a transaction is sent to it or to a contract that makes
    calls: a reverted transaction, an empty block and a transaction to another such contract keep its remembered
    views; anything else forgets them. Every kept answer equals a fresh EVM call."""
    token, other = deploy_token("standard18", roles.deployer), deploy_token("standard6", roles.deployer)
    alice, bob = roles.alice, roles.bob
    assert chain.storage_only(token.address) and chain.storage_only(alice.address)
    assert not chain.storage_only(registry.address) and not code_facts(bytes([0x60, 0x01, 0x42])).storage_only
    assert code_facts(bytes([0x61, 0x42, 0x42, 0x00])).storage_only  # PUSH2 data is not an opcode
    token.mint(alice, 5, sender=alice)
    other.mint(alice, 7, sender=alice)

    def remembered(contract) -> bool:
        return any(k[0] == contract.address for k in chain._views)

    def fresh(contract) -> int:
        return int.from_bytes(chain.evm.message_call(bob.address, contract.address,
                                                     contract.balanceOf.encode_input(alice), is_static=True), "big")

    def read_all() -> None:
        assert token.balanceOf(alice) == fresh(token) and other.balanceOf(alice) == fresh(other)
        assert not registry.isRegistered(H)

    read_all()
    with expect_revert(token, "ERC20InsufficientBalance", alice.address, 5, 10**30):
        token.transfer(bob, 10**30, sender=alice)  # reverted: no storage changed
    assert remembered(token) and remembered(other) and not remembered(registry)
    read_all()
    chain.mine()
    assert remembered(token) and remembered(other) and not remembered(registry)
    token.transfer(bob, 1, sender=alice)  # only the token's own answers can have changed
    assert not remembered(token) and remembered(other)
    assert token.balanceOf(alice) == fresh(token) == 4
    alice.transfer(bob, 1)  # a transfer to an account without code changes no storage
    assert remembered(token) and remembered(other)
    registry.register(H, 0, 0, ZERO, [], sender=alice)  # a contract that reads the clock and makes calls: all go
    assert not chain._views and not chain._values
    assert registry.isRegistered(H) and token.balanceOf(alice) == 4 and other.balanceOf(alice) == 7


def test_call_of_a_state_changing_function_returns_its_value_and_changes_nothing(chain, roles):
    """Ape's `.call()` (an eth_call): the function runs against the head block, its effects are discarded."""

    token = deploy_token("standard18", roles.deployer)
    token.mint(roles.alice, 100, sender=roles.alice)
    height, nonce = chain.blocks.height, roles.alice.nonce
    assert token.transfer.call(roles.bob, 40, sender=roles.alice) is True
    assert (token.balanceOf(roles.alice), token.balanceOf(roles.bob)) == (100, 0)
    assert (chain.blocks.height, roles.alice.nonce) == (height, nonce)  # no block, no nonce
    with pytest.raises(TransactionReverted):
        token.transfer.call(roles.bob, 101, sender=roles.alice)
    token.transfer(roles.bob, 40, sender=roles.alice)  # the real transaction still does what the call showed
    assert (token.balanceOf(roles.alice), token.balanceOf(roles.bob)) == (60, 40)


def test_restore_keeps_the_code_classification_of_contracts_that_were_there(chain, roles, registry):
    """A restore keeps `storage_only` answers for contracts known at the snapshot (their code is the same) and drops
    those of contracts deployed after it: the same CREATE address is used again, by whatever is deployed next."""

    token = deploy_token("standard18", roles.deployer)
    sid = chain.snapshot()
    later = deploy_token("standard6", roles.deployer)
    assert chain.storage_only(token.address) and chain.storage_only(later.address)
    assert not chain.storage_only(registry.address)
    chain.restore(sid)
    assert {a: f.storage_only for a, f in chain._facts.items()} == {token.address.lower(): True,
                                                                  registry.address.lower(): False}
    again = deploy_provenance_registry(roles.deployer, ProvenanceParams())
    assert again.address == later.address and not chain.storage_only(again.address)


def test_an_address_without_code_is_classified_anew_once_something_creates_a_contract_there(chain, roles):
    """Only the facts of code are remembered: an address without code is looked up each time, so a contract created
    there without `deploy` (a CREATE inside a call) is classified by its own code, not as the empty account was."""
    from pyrevm import AccountInfo

    from deai.testing.revm import NO_CODE

    empty = "0x" + "c7" * 20
    assert chain.facts(empty) == NO_CODE and chain.storage_only(empty) and empty not in chain._facts
    chain.evm.insert_account_info(empty, AccountInfo(code=bytes([0x42, 0x32, 0x00])))  # TIMESTAMP ORIGIN STOP
    assert chain.facts(empty) == (False, False) and not chain.storage_only(empty) and empty in chain._facts


def test_set_code_keeps_balance_and_nonce_and_forgets_what_the_old_code_told(chain, roles, registry):
    """`set_code` (anvil_setCode) installs runtime code at an address keeping its balance and nonce; the address's
    code facts are computed again from the new code, remembered views are dropped, and a restore to before it
    neither keeps the new code nor its facts (nor the code of a contract created after the snapshot)."""
    from deai.testing.delegation import code_of, install_code

    token = deploy_token("standard18", roles.deployer)
    token.mint(roles.alice, 5, sender=roles.alice)
    assert token.balanceOf(roles.alice) == 5 and chain.storage_only(token.address)
    target = "0x" + "c8" * 20
    chain.set_balance(target, 7)
    sid = chain.snapshot()
    install_code(chain, target, bytes([0x42, 0x32, 0x00]))  # TIMESTAMP ORIGIN STOP
    assert code_of(chain, target) == bytes([0x42, 0x32, 0x00]) and chain.get_balance(target) == 7
    assert chain.facts(target) == (False, False)
    chain.set_code(token.address, code_of(chain, registry))  # the token's address now runs the registry's code
    assert not chain.storage_only(token.address.lower())  # one cache entry, however the address is spelled
    with pytest.raises(TransactionReverted):  # the remembered balance is gone: the view runs the new code
        token.balanceOf(roles.alice)
    later = deploy_token("standard6", roles.deployer)  # created after the snapshot, then given other code
    chain.set_code(later.address, bytes([0x00]))
    chain.restore(sid)
    assert code_of(chain, target) == b"" and chain.get_balance(target) == 7
    assert chain.storage_only(token.address) and token.balanceOf(roles.alice) == 5
    assert code_of(chain, later) == b""  # it does not exist at the snapshot


def test_a_restore_undoes_set_balance_and_the_transfers_after_it(chain, roles):
    """revm does not journal `set_balance` (anvil_setBalance): the chain remembers what it replaced, so a restore
    to a snapshot taken before puts the balance back, also when ether moved after the write (a journaled delta), and
    nested snapshots each get their own balances back."""
    target = "0x" + "c9" * 20
    chain.set_balance(target, 7)
    outer = chain.snapshot()
    chain.set_balance(target, 10**18)
    roles.alice.transfer(target, 5)
    inner = chain.snapshot()
    chain.set_balance(target, 3)
    chain.set_balance(roles.alice, 0)
    chain.restore(inner)
    assert chain.get_balance(target) == 10**18 + 5 and chain.get_balance(roles.alice) > 0
    chain.restore(outer)
    assert chain.get_balance(target) == 7


def test_a_transaction_runs_with_the_gas_limit_it_is_given(chain, roles):
    """`gas=` is the transaction's gas limit, as on a node: too little reverts (out of gas, no revert data) and
    leaves the state as it was; the default limit is 30 million."""
    token = deploy_token("standard18", roles.deployer)
    with pytest.raises(TransactionReverted) as raised:
        token.mint(roles.alice, 5, sender=roles.alice, gas=30_000)  # a fresh balance slot alone costs 20,000 more
    assert raised.value.revert_data in (b"", None) and token.balanceOf(roles.alice) == 0
    receipt = token.mint(roles.alice, 5, sender=roles.alice, gas=100_000)
    assert token.balanceOf(roles.alice) == 5 and receipt.gas_used < 100_000


def test_in_process_tests_run_with_the_session_heap_frozen():
    """The in-process backend moves the objects that exist when the test starts out of the garbage collector's view
    (deai.testing.backends.frozen_heap) and hands them back afterwards."""
    import gc

    from deai.testing.backends import activate, revm_backend

    before = gc.get_freeze_count()
    with activate(revm_backend()):
        assert gc.get_freeze_count() > before
    assert gc.get_freeze_count() == before


def test_a_deployment_has_a_receipt_with_the_constructor_events(chain, roles):
    """`contract.creation_metadata.receipt` (as Ape's): the deployment's block, sender, address and the events its
    constructor emitted, decoded; a snapshot restore forgets deployments made after it."""
    chain.pending_timestamp = chain.blocks.head.timestamp + 7
    token = deploy("EmissionToken", roles.deployer, "T", "T", 1_000, roles.alice)
    receipt = token.creation_metadata.receipt
    head = chain.blocks.head
    assert (receipt.block_number, receipt.timestamp) == (head.number, head.timestamp)
    assert receipt.sender == roles.deployer.address and receipt.contract_address == token.address
    assert [(log.event_name, log.contract_address, log.minter) for log in receipt.decode_logs(token.MinterSet)] == [
        ("MinterSet", token.address, roles.alice.address)]
    sid = chain.snapshot()
    later = deploy("EmissionToken", roles.deployer, "U", "U", 1_000, roles.bob)
    assert later.creation_metadata.receipt.txn_hash != receipt.txn_hash
    chain.restore(sid)
    assert later.creation_metadata is None
    assert token.creation_metadata.receipt is receipt


# ------------------------------------------------------------------ view batches
# The backend reads the views a change made stale in one EVM call before the machines' invariants
# (deai.testing.view_batch, `RevmChain.read_ahead`) and hands out a forgotten decoded value again when its bytes come
# back the same: every answer must be the answer the view gives on its own.


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
    assert not code_facts(bytes([0x60, 0x00, 0x32])).origin_free and code_facts(bytes([0x61, 0x32, 0x32])).origin_free
    assert chain._batchable((registry.address, b"\x00" * 4, view_batch.ZERO_ADDRESS))
    assert not chain._batchable((registry.address, b"\x00" * 4, roles.alice.address))
    assert code_facts(chain.get_code(registry.address)).origin_free
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
    code = view_batch.reader_code([(token.address, token.balanceOf.encode_input(roles.alice))])
    chain.evm.insert_account_info(view_batch.ZERO_ADDRESS, AccountInfo(code=code))
    assert bytes(chain.evm.message_call(roles.bob.address, view_batch.ZERO_ADDRESS, b"", is_static=True)) == b""
    assert bytes(chain.evm.message_call(view_batch.BATCH_ORIGIN, view_batch.ZERO_ADDRESS, b"", is_static=True)) == (
        (1 << 128 | 32).to_bytes(32, "big") + bytes(32))  # the batch origin is answered: alice holds nothing


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
    assert len(view_batch.READER_CODE) <= view_batch.PAYLOAD_OFFSET
    assert view_batch.reader_code([("0x" + "ab" * 20, b"\x01\x02")]) == view_batch.READER_CODE.ljust(
        view_batch.PAYLOAD_OFFSET, b"\x00") + bytes.fromhex("ab" * 20) + b"\x00\x02\x01\x02"
