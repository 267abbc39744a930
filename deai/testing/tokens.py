"""The token zoo: every payment path is tested against each of these behaviours."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TokenSpec:
    contract: str
    args: tuple[Any, ...]
    description: str


TOKEN_ZOO: dict[str, TokenSpec] = {
    "standard18": TokenSpec("MockERC20", ("Standard 18", "STD18", 18), "plain 18-decimal ERC-20"),
    "standard6": TokenSpec("MockERC20", ("Standard 6", "STD6", 6), "plain 6-decimal ERC-20"),
    "fee_on_transfer": TokenSpec("FeeOnTransferToken", (100,), "burns 1% of every transfer"),
    "no_return": TokenSpec("NoReturnToken", (), "USDT-style: no return value"),
    "returns_false": TokenSpec("ReturnsFalseToken", (), "returns false instead of reverting"),
    "blocklist": TokenSpec("BlocklistToken", (), "USDC-style: blocked accounts cannot send or receive"),
    "reentrant": TokenSpec("ReentrantToken", (), "calls back into a target during transfers"),
    "rebasing": TokenSpec("RebasingToken", (False,), "stETH-style balances that move without transfers (hidden)"),
    "steth_like": TokenSpec("RebasingToken", (True,), "rebasing and says so: answers getTotalShares() like stETH"),
}


def deploy_token(kind: str, sender: Any) -> Any:
    from deai.deploy.contracts import deploy

    spec = TOKEN_ZOO[kind]
    return deploy(spec.contract, sender, *spec.args)
