"""Provenance commands: `ape run provenance register FILE ...` and `ape run provenance verify FILE`.

Files are identified by the SHA-256 of their bytes. Addresses come from deployments/<network>.json (or --deployments).
"""

from __future__ import annotations

from pathlib import Path

import click
from ape.cli import ConnectedProviderCommand, account_option

from deai.cli import deployed_contract, deployments_option, one_line_errors
from deai.commands import KINDS, ORIGINS, register_file, verify_file, verify_lines


@click.group(short_help="Register and verify content provenance")
def cli():
    """Register files (content, models, datasets, prompts) and look up their provenance."""


@cli.command(cls=ConnectedProviderCommand, short_help="Register FILE (SHA-256) with its parents")
@account_option()
@deployments_option
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--parent", "parents", multiple=True, type=click.Path(path_type=Path), help="a file it derives from")
@click.option("--kind", type=click.Choice(list(KINDS)), default="content", show_default=True)
@click.option("--origin", type=click.Choice(list(ORIGINS)), default="unspecified", show_default=True)
def register(network, account, deployments, file, parents, kind, origin):
    with one_line_errors():
        registry = deployed_contract(network, deployments, "ProvenanceRegistry")
        result = register_file(registry, file, list(parents), kind, origin, account)
    click.echo(f"registered {file}  sha256 {result['sha256']}  tx {result['tx']}  gas {result['gas']:,}")


@cli.command(cls=ConnectedProviderCommand, short_help="Show the provenance record of FILE")
@deployments_option
@click.argument("file", type=click.Path(path_type=Path))
def verify(network, deployments, file):
    with one_line_errors():
        registry = deployed_contract(network, deployments, "ProvenanceRegistry")
        record = verify_file(registry, file)
    if record is None:
        raise click.ClickException(f"{file} is unknown to the registry")
    for line in verify_lines(record):
        click.echo(line)
