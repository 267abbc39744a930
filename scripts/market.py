"""Marketplace commands: `ape run market offers`, `ape run market lease open|accept|withdraw|close ...` and
`ape run market show LEASE_ID`.

Addresses come from deployments/<network>.json (or --deployments). Amounts are in the payment token's smallest unit.
"""

from __future__ import annotations

import click
from ape.cli import account_option

from deai.cli import ConnectedCommand, deployed_contract, deployments_option, one_line_errors
from deai.commands import UserError
from deai.market import (LEASE_ACTIONS, accept_lease, close_lease, list_offers, open_lease, show_lease,
                         withdraw_earnings)


def _market(network, deployments):
    return deployed_contract(network, deployments, "ComputeMarketplace")


@click.group(short_help="Browse GPU offers and manage leases")
def cli():
    """Browse the compute marketplace's offers and open, accept, withdraw from, close or show leases."""


@cli.command(cls=ConnectedCommand, short_help="List every offer")
@deployments_option
def offers(network, deployments):
    with one_line_errors():
        rows = list_offers(_market(network, deployments))
    if not rows:
        click.echo("no offers yet")
    for o in rows:
        state = "active" if o["active"] else "inactive"
        click.echo(f"#{o['id']:<4} {state:<8} {o['pricePerSecond']:>14,}/s  {o['minDuration']}..{o['maxDuration']}s  "
                   f"token {o['token']}  provider {o['provider']}  {o['uri']}")


@cli.command(cls=ConnectedCommand, short_help="Show a lease: parties, money, times, status")
@deployments_option
@click.argument("lease_id", type=int)
def show(network, deployments, lease_id):
    with one_line_errors():
        lease = show_lease(_market(network, deployments), lease_id)
    for key, value in lease.items():
        click.echo(f"{key:>14}: {value}")


@cli.command(cls=ConnectedCommand, short_help="open OFFER_ID DURATION | accept|withdraw|close LEASE_ID")
@account_option()
@deployments_option
@click.argument("action", type=click.Choice(LEASE_ACTIONS))
@click.argument("ident", type=int)
@click.argument("duration", type=int, required=False)
@click.option("--max-price", type=int, default=None, help="open: refuse if the offer's price per second is higher")
def lease(network, account, deployments, action, ident, duration, max_price):
    """ACTION is open (IDENT = offer id, then DURATION in seconds), or accept, withdraw or close (IDENT = lease id).
    `open` approves exactly the escrow when the allowance is short."""
    with one_line_errors():
        market = _market(network, deployments)
        if action == "open":
            if duration is None:
                raise UserError("open needs a DURATION in seconds: market lease open OFFER_ID DURATION")
            lease_id, receipt = open_lease(market, ident, duration, account, max_price)
            click.echo(f"opened lease {lease_id} on offer {ident}  gas {receipt.gas_used:,}")
        else:
            receipt = {"accept": accept_lease, "withdraw": withdraw_earnings, "close": close_lease}[action](
                market, ident, account)
            click.echo(f"{action} lease {ident}: tx {receipt.txn_hash}  gas {receipt.gas_used:,}")
