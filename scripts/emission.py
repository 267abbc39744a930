"""Emission commands: `ape run emission status`."""

from __future__ import annotations

from pathlib import Path

import click
from ape.cli import ConnectedProviderCommand

from deai.commands import UserError, contract_from_deployments, deployments_path, emission_status
from deai.deploy.emission import BUCKET_NAMES


@click.group(short_help="Emission splitter status")
def cli():
    """Inspect the emission splitter."""


@cli.command(cls=ConnectedProviderCommand, short_help="Emitted so far, per bucket claimed and claimable")
@click.option("--deployments", type=click.Path(path_type=Path), default=None,
              help="deployments file (default: deployments/<network>.json)")
def status(network, deployments):
    try:
        splitter = contract_from_deployments(deployments_path(network.name, deployments), "EmissionSplitter")
    except UserError as err:
        raise click.ClickException(str(err)) from None
    s = emission_status(splitter)
    click.echo(f"emitted {s['emitted'] / 1e18:,.6f} of {s['total'] / 1e18:,.6f}{'  (claims paused)' if s['paused'] else ''}")
    click.echo(f"this interval {s['currentIntervalReward'] / 1e18:,.6f}, next {s['nextIntervalReward'] / 1e18:,.6f}")
    for name, share, recipient, bucket in zip(BUCKET_NAMES, s["shares"], s["recipients"], s["buckets"]):
        click.echo(f"{name:<10} {share / 100:>5.2f}%  claimed {bucket['claimed'] / 1e18:>16,.6f}  "
                   f"claimable {bucket['claimable'] / 1e18:>16,.6f}  -> {recipient}")
