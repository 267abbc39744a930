"""Provenance commands: `ape run provenance register FILE ...` and `ape run provenance verify FILE`.

Files are identified by the SHA-256 of their bytes. Addresses come from deployments/<network>.json (or --deployments);
the registry's code must have the code hash recorded there. `register` registers directly (contestable by an earlier
commitment until registeredAt + maxCommitAge), or in two steps with --commit then --reveal: the salt is kept in
~/.deai/salts/ (or $DEAI_SALT_DIR; files 0600) until the reveal.
"""

from __future__ import annotations

from pathlib import Path

import click
from ape.cli import account_option

from deai.cli import ConnectedCommand, deployed_contract, deployments_option, one_line_errors, unattended
from deai.commands import (KINDS, ORIGINS, UserError, commit_file, register_file, reveal_file, utc, verify_file,
                           verify_lines)


@click.group(short_help="Register and verify content provenance")
def cli():
    """Register files (content, models, datasets, prompts) and look up their provenance."""


@cli.command(cls=ConnectedCommand, short_help="Register FILE (SHA-256) with its parents")
@account_option()
@deployments_option
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--parent", "parents", multiple=True, type=click.Path(path_type=Path), help="a file it derives from")
@click.option("--kind", type=click.Choice(list(KINDS)), default="content", show_default=True)
@click.option("--origin", type=click.Choice(list(ORIGINS)), default="unspecified", show_default=True)
@click.option("--commit", "step", flag_value="commit", help="commit now (salt kept locally), reveal later")
@click.option("--reveal", "step", flag_value="reveal", help="reveal the commitment saved by --commit")
def register(network, account, deployments, file, parents, kind, origin, step):
    unattended(account)
    with one_line_errors():
        registry = deployed_contract(network, deployments, "ProvenanceRegistry")
        if step == "commit":
            result = commit_file(registry, file, list(parents), kind, origin, account)
            click.echo(f"committed {file}  sha256 {result['sha256']}  tx {result['tx']}  salt {result['saltFile']}")
            click.echo(f"reveal with --reveal between {utc(result['revealFrom'])} and {utc(result['revealUntil'])}")
            return
        if step == "reveal":
            if parents or kind != "content" or origin != "unspecified":
                raise UserError("--reveal uses the kind, origin and parents saved by --commit; do not pass them")
            result = reveal_file(registry, file, account)
        else:
            result = register_file(registry, file, list(parents), kind, origin, account)
    click.echo(f"registered {file}  sha256 {result['sha256']}  tx {result['tx']}  gas {result['gas']:,}")
    click.echo(f"not final: an earlier commitment can take this record over until {utc(result['contestableUntil'])}")


@cli.command(cls=ConnectedCommand, short_help="Show the provenance record of FILE")
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
