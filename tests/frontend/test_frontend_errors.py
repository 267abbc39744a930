"""Every custom error a call into the suite can raise decodes, by name and arguments, with nothing but the package:
viem's decodeErrorResult over each contract's exported ABI (and over the merged `errorsAbi`); including an error a
token raises inside `openLease` and `stake`, captured from a real revert on chain."""

from __future__ import annotations

import json

import pytest
from abi_values import as_decoded, revert_data

from deai.deploy.marketplace import MarketplaceParams, collateral_rate, deploy_marketplace, registry_of
from deai.frontend import node
from deai.frontend.abi_items import signature
from deai.frontend.errors import oz_artifact
from deai.frontend.package import ABI_DIR, const_name, contract_types
from deai.testing.reverts import revert_data as raw_revert_data
from deai.testing.tokens import deploy_token


def _cases() -> list[tuple[str, dict]]:
    cases = []
    for path in sorted(ABI_DIR.glob("*.json")):
        if path.name.startswith(("package", "tsconfig")):
            continue
        export = "errorsAbi" if path.stem == "errors" else const_name(path.stem)
        cases += [(export, item) for item in json.loads(path.read_text()) if item["type"] == "error"]
    return cases


def test_every_error_of_every_contract_decodes_by_name_and_arguments(consumer_project):
    cases = _cases()
    encoded = [revert_data(error, seed) for seed, (_, error) in enumerate(cases)]
    decoded = node.node_json(consumer_project, "decode.mjs",
                             [{"abi": export, "data": data} for (export, _), (data, _) in zip(cases, encoded)])
    wrong = []
    for (export, error), (data, args), result in zip(cases, encoded, decoded):
        expected = {"errorName": error["name"],
                    "args": [as_decoded(p, v) for p, v in zip(error.get("inputs", []), args)]}
        if result != expected:
            wrong.append(f"{export} {signature(error)} {data}: {result} != {expected}")
    assert not wrong, "\n".join(wrong)
    assert len({e for e, _ in cases}) >= 6  # every production contract plus errorsAbi was checked


def test_each_abi_carries_the_token_errors_its_calls_can_bubble_up():
    """The OpenZeppelin ERC-20 errors (from its compiled artifact) are in every ABI whose contract moves tokens."""
    token_errors = {signature(e) for e in oz_artifact("ERC20")["abi"] if e["type"] == "error"}
    assert "ERC20InsufficientAllowance(address,uint256,uint256)" in token_errors
    for name in ("ComputeMarketplace", "RewardPool"):
        errors = {signature(e) for e in json.loads((ABI_DIR / f"{name}.json").read_text()) if e["type"] == "error"}
        assert token_errors <= errors, f"{name} lacks {token_errors - errors}"
        assert "SafeERC20FailedOperation(address)" in errors
    merged = {signature(e) for e in json.loads((ABI_DIR / "errors.json").read_text())}
    assert token_errors <= merged
    for contract_type in contract_types()[0].values():  # and every contract's own errors
        assert {signature(e.model_dump(mode="json", by_alias=True)) for e in contract_type.errors} <= merged


def _decode_on_chain_revert(consumer_project, export: str, call) -> dict:
    with pytest.raises(Exception) as raised:
        call()
    data = raw_revert_data(raised.value)
    assert data is not None, f"no revert data recovered from {raised.value!r}"
    return node.node_json(consumer_project, "decode.mjs", [{"abi": export, "data": "0x" + data.hex()}])[0]


def test_a_token_error_inside_open_lease_decodes_with_the_marketplace_abi(consumer_project, roles):
    market_token = deploy_token("standard6", roles.deployer)
    stake_token = deploy_token("standard18", roles.deployer)
    market = deploy_marketplace(roles.deployer, MarketplaceParams(), stake_token, roles.treasury, roles.arbiter,
                                roles.admin)
    market.setPaymentToken(market_token, True, collateral_rate(18, 6), sender=roles.admin)
    registry = registry_of(market)
    registry.registerProvider("ipfs://provider", sender=roles.alice)
    stake = 10**24
    stake_token.mint(roles.alice, stake, sender=roles.alice)
    stake_token.approve(registry, stake, sender=roles.alice)
    registry.depositStake(stake, sender=roles.alice)
    market.createOffer(market_token, 10**3, 60, 86_400, b"\x11" * 32, "ipfs://offer", sender=roles.alice)
    offer_id = market.offerCount()
    market_token.mint(roles.bob, 10**9, sender=roles.bob)  # funded, but nothing approved
    result = _decode_on_chain_revert(consumer_project, "computeMarketplaceAbi",
                                     lambda: market.openLease(offer_id, 3_600, 2**256 - 1, sender=roles.bob))
    assert result == {"errorName": "ERC20InsufficientAllowance",
                      "args": [market.address, "0", str(10**3 * 3_600)]}


def test_a_token_error_inside_stake_decodes_with_the_pool_abi(consumer_project, roles, chain):
    from deai.deploy.emission import MANAGED, STAKING, EmissionParams, PoolSpec, deploy_emission

    lp = deploy_token("standard18", roles.deployer)
    recipients = [PoolSpec(STAKING, deposit_token=lp), PoolSpec(MANAGED, manager=roles.admin), roles.carol,
                  roles.dave, roles.treasury]
    system = deploy_emission(roles.deployer, EmissionParams(), recipients, roles.governance, roles.guardian,
                             int(chain.pending_timestamp) + 1_000)
    pool = system.pools[0]
    lp.mint(roles.bob, 5 * 10**18, sender=roles.bob)
    lp.approve(pool, 10**18, sender=roles.bob)  # approves less than it stakes
    result = _decode_on_chain_revert(consumer_project, "rewardPoolAbi",
                                     lambda: pool.stake(2 * 10**18, sender=roles.bob))
    assert result == {"errorName": "ERC20InsufficientAllowance", "args": [pool.address, str(10**18), str(2 * 10**18)]}
