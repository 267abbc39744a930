"""Each token of the zoo really has the behaviour that payment paths are tested against."""

from __future__ import annotations

from eth_abi import decode

from deai.testing.reverts import expect_revert


def test_every_zoo_token_moves_balances(zoo_token, roles):
    zoo_token.mint(roles.alice, 10_000, sender=roles.alice)
    zoo_token.transfer(roles.bob, 1_000, sender=roles.alice)
    received = zoo_token.balanceOf(roles.bob)
    assert received == (990 if zoo_token.contract_type.name == "FeeOnTransferToken" else 1_000)
    assert zoo_token.balanceOf(roles.alice) == 9_000


def test_decimals(zoo_token, zoo_kind):
    expected = {"standard6": 6, "no_return": 6, "blocklist": 6}.get(zoo_kind, 18)
    assert zoo_token.decimals() == expected


def test_fee_on_transfer_burns_the_fee(roles, chain):
    from deai.testing.tokens import deploy_token

    token = deploy_token("fee_on_transfer", roles.deployer)
    token.mint(roles.alice, 12_345, sender=roles.alice)
    token.transfer(roles.bob, 12_345, sender=roles.alice)
    assert token.balanceOf(roles.bob) == 12_345 - 12_345 * 100 // 10_000
    assert token.totalSupply() == token.balanceOf(roles.bob)


def test_no_return_token_returns_no_data(roles, chain):
    from deai.testing.tokens import deploy_token

    token = deploy_token("no_return", roles.deployer)
    token.mint(roles.alice, 5, sender=roles.alice)
    data = token.transfer.encode_input(roles.bob.address, 5)
    raw = chain.provider.web3.eth.call({"from": roles.alice.address, "to": token.address, "data": data})
    assert raw == b""


def test_returns_false_token_returns_false_without_reverting(roles, chain):
    from deai.testing.tokens import deploy_token

    token = deploy_token("returns_false", roles.deployer)
    data = token.transfer.encode_input(roles.bob.address, 5)
    raw = chain.provider.web3.eth.call({"from": roles.alice.address, "to": token.address, "data": data})
    assert decode(["bool"], raw) == (False,)
    token.transfer(roles.bob, 5, sender=roles.alice)  # succeeds, moves nothing
    assert token.balanceOf(roles.bob) == 0


def test_blocklist_blocks_sender_and_receiver(roles):
    from deai.testing.tokens import deploy_token

    token = deploy_token("blocklist", roles.deployer)
    token.mint(roles.alice, 10, sender=roles.alice)
    token.setBlocked(roles.bob, True, sender=roles.alice)
    with expect_revert(token, "Blocked", roles.bob.address):
        token.transfer(roles.bob, 1, sender=roles.alice)
    token.setBlocked(roles.alice, True, sender=roles.alice)
    with expect_revert(token, "Blocked", roles.alice.address):
        token.transfer(roles.carol, 1, sender=roles.alice)


def test_reentrant_token_calls_back_once(roles):
    from deai.deploy.contracts import deploy
    from deai.testing.tokens import deploy_token

    token = deploy_token("reentrant", roles.deployer)
    probe = deploy("RevertProbe", roles.deployer)
    token.mint(roles.alice, 10, sender=roles.alice)
    token.arm(probe, probe.bump.encode_input(), sender=roles.alice)
    token.transfer(roles.bob, 1, sender=roles.alice)
    assert probe.counter() == 1 and token.lastCallAttempted() and token.lastCallSucceeded()
    token.transfer(roles.bob, 1, sender=roles.alice)  # one shot: not armed any more
    assert probe.counter() == 1
