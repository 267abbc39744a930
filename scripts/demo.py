"""The end-to-end demo (`make demo`): a private local chain, the whole suite deployed, one story told.

It never writes a deployments file, so it cannot disturb a persistent network's manifest.
"""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from deai.cli import ConnectedCommand
from deai.demo import Story


@click.command(cls=ConnectedCommand, short_help="Deploy the suite on a private chain and walk one story")
def cli(network):
    from ape import accounts
    from ape.logging import logger

    logger.set_level("WARNING")  # the story prints its own lines; per-transaction INFO lines would drown them
    if not network.is_local:
        raise click.ClickException("the demo runs only on a local network (it creates its own chain)")
    console = Console()
    with console.status("Deploying the suite and telling the story..."):
        steps = Story(accounts.test_accounts, log=console.print).run()
    table = Table(title="Demo summary")
    table.add_column("#", justify="right")
    table.add_column("actor")
    table.add_column("action")
    table.add_column("gas", justify="right")
    for i, step in enumerate(steps, 1):
        table.add_row(str(i), step.actor, step.action, f"{step.gas:,}")
    console.print(table)
    console.print(f"[bold green]{len(steps)} steps succeeded[/] on chain {network.name}.")
