"""The revert helper passes only on the exact custom error with the exact arguments, on both backends (Ape's provider
and the in-process revm chain)."""

from __future__ import annotations

import pytest

from deai.deploy.contracts import container, deploy
from deai.testing.backends import backend_roles, on_both_backends  # noqa: F401 (fixtures)
from deai.testing.reverts import RevertMismatch, encode_error, expect_panic, expect_revert

@pytest.fixture
def probe(roles):
    return deploy("RevertProbe", roles.deployer)


@on_both_backends
def test_matches_exact_error_and_arguments_on_a_transaction(probe, roles):
    with expect_revert(probe, "Denied", 7, roles.alice.address):
        probe.deny(7, roles.alice, sender=roles.bob)


@on_both_backends
def test_matches_on_an_eth_call(probe, roles):
    with expect_revert(probe, "Denied", 7, roles.alice.address):
        probe.denyView(7, roles.alice)


@on_both_backends
def test_fails_on_a_different_error_with_the_same_arguments(probe, roles):
    with pytest.raises(RevertMismatch, match="expected revert Denied"):
        with expect_revert(probe, "Denied", 7, roles.alice.address):
            probe.refuse(7, roles.alice, sender=roles.bob)


@on_both_backends
def test_fails_on_the_right_error_with_wrong_arguments(probe, roles):
    with pytest.raises(RevertMismatch):
        with expect_revert(probe, "Denied", 8, roles.alice.address):
            probe.deny(7, roles.alice, sender=roles.bob)
    with pytest.raises(RevertMismatch):
        with expect_revert(probe, "Denied", 7, roles.bob.address):
            probe.deny(7, roles.alice, sender=roles.bob)


@on_both_backends
def test_fails_on_an_arithmetic_panic(probe, roles):
    """The case `ape.reverts(contract.SomeError)` was seen to let through."""
    with pytest.raises(RevertMismatch, match="expected revert Denied"):
        with expect_revert(probe, "Denied", 7, roles.alice.address):
            probe.underflow(1, sender=roles.bob)
    with expect_panic(0x11):
        probe.underflow(1, sender=roles.bob)


@on_both_backends
def test_fails_on_a_reason_string_and_on_success(probe, roles):
    with pytest.raises(RevertMismatch):
        with expect_revert(probe, "Denied", 7, roles.alice.address):
            probe.reason(sender=roles.bob)
    with pytest.raises(RevertMismatch, match="succeeded"):
        with expect_revert(probe, "Denied", 7, roles.alice.address):
            probe.bump(sender=roles.bob)


@on_both_backends
def test_panic_helper_rejects_custom_errors(probe, roles):
    with pytest.raises(RevertMismatch):
        with expect_panic(0x11):
            probe.deny(7, roles.alice, sender=roles.bob)


@on_both_backends
def test_unknown_error_name_or_arity_is_a_test_bug(probe):
    with pytest.raises(KeyError, match="no custom error 'Nope'"):
        encode_error(probe, "Nope")
    with pytest.raises(TypeError, match="takes 2 arguments"):
        encode_error(probe, "Denied", 1)


def test_revert_data_understands_every_format_ape_uses():
    from deai.testing.reverts import revert_data

    class Raised(Exception):
        def __init__(self, revert_message):
            super().__init__(revert_message)
            self.revert_message = revert_message

    data = bytes.fromhex("d04a39f2") + (5).to_bytes(32, "big")
    assert revert_data(Raised("custom error 0xd04a39f2: " + data[4:].hex())) == data
    assert revert_data(Raised("custom error 0xd04a39f2: " + data[4:].decode("utf-8"))) == data
    assert revert_data(Raised("0x" + data.hex())) == data
    assert revert_data(Raised(repr(data))) == data
    assert revert_data(Raised(data)) == data
    assert revert_data(Raised("plain reason")) is None


APE_LOG = ("INFO:", "SUCCESS:", "WARNING:", "DEBUG:")


@pytest.mark.node_only("Ape's provider prints a reverted transaction's trace")
def test_a_revert_the_test_expects_prints_no_trace_and_a_wrong_or_unexpected_one_still_does(probe, roles, capfd):
    """On anvil, Ape fetches, enriches and prints the call trace of every reverted transaction or call
    (deai.testing.reverts.traces_unshown): expect_revert skips it for the revert it expects, whether from a
    transaction, an eth_call or a deployment; a revert it did not expect prints its trace, inside or outside."""
    from ape_ethereum.trace import Trace

    capfd.readouterr()
    with expect_revert(probe, "Denied", 7, roles.alice.address):
        probe.deny(7, roles.alice, sender=roles.bob)
    with expect_revert(probe, "Denied", 7, roles.alice.address):
        probe.denyView(7, roles.alice)
    pool, zero = container("RewardPool"), "0x" + "00" * 20
    with expect_revert(pool, "InvalidConfiguration"):  # a deployment: no splitter, no token
        roles.deployer.deploy(pool, zero, zero, 0, 0, zero, zero, 0, 0, 0, 0)
    printed = [line for line in capfd.readouterr().out.splitlines() if not line.startswith(APE_LOG)]
    assert printed == []  # nothing but Ape's log lines (a deployment logs its address)
    with pytest.raises(RevertMismatch, match="but the call succeeded"):
        with expect_revert(probe, "Denied", 7, roles.alice.address):
            probe.bump(sender=roles.bob)
    with pytest.raises(RevertMismatch):  # the wrong revert: its trace is shown
        with expect_revert(probe, "Denied", 7, roles.alice.address):
            probe.refuse(7, roles.alice, sender=roles.bob)
    assert "Call trace for" in capfd.readouterr().out
    with pytest.raises(Exception, match="code=7"):  # an unexpected revert prints as before
        probe.deny(7, roles.alice, sender=roles.bob)
    assert "Call trace for" in capfd.readouterr().out
    assert getattr(Trace.show, "__wrapped__", None) is not None  # the wrapper stays, and is quiet no longer
