"""Emission commands: `ape run emission status`."""

from __future__ import annotations

import click

from deai.cli import ConnectedCommand, deployed_contract, deployments_option, one_line_errors
from deai.commands import emission_status
from deai.deploy.emission import BUCKET_NAMES


@click.group(short_help="Emission splitter status")
def cli():
    """Inspect the emission splitter."""


@cli.command(cls=ConnectedCommand, short_help="Emitted so far, per bucket claimed and claimable")
@deployments_option
def status(network, deployments):
    with one_line_errors():
        splitter = deployed_contract(network, deployments, "EmissionSplitter")
    s = emission_status(splitter)
    click.echo(f"emitted {s['emitted'] / 1e18:,.6f} of {s['total'] / 1e18:,.6f}{'  (claims paused: buckets ' + str([b for b, p in enumerate(s['paused']) if p]) + ')' if any(s['paused']) else ''}")
    click.echo(f"this interval {s['currentIntervalReward'] / 1e18:,.6f}, next {s['nextIntervalReward'] / 1e18:,.6f}")
    for name, share, recipient, bucket in zip(BUCKET_NAMES, s["shares"], s["recipients"], s["buckets"]):
        click.echo(f"{name:<10} {share / 100:>5.2f}%  claimed {bucket['claimed'] / 1e18:>16,.6f}  "
                   f"claimable {bucket['claimable'] / 1e18:>16,.6f}  -> {recipient}")
