"""Deploy the whole suite, resumably: `ape run deploy --network ethereum:sepolia:node --account <alias>`.

Options: --config NAME (default: from the network), --manifest PATH (default deployments/<config>.json),
--dry-run (print the plan with estimated gas and cost, send nothing), --yes (no confirmation prompt on
non-local networks). Unattended: set APE_ACCOUNTS_<alias>_PASSPHRASE; the script then enables autosign.
"""

from __future__ import annotations

import os
from pathlib import Path

import click
from ape.cli import ConnectedProviderCommand, account_option

from deai.deploy.manifest import manifest_path
from deai.deploy.run import USER_ERRORS, DeployRequest, deploy_suite, network_config_name


def _enable_autosign(account) -> None:
    alias = getattr(account, "alias", None)
    if alias and os.environ.get(f"APE_ACCOUNTS_{alias}_PASSPHRASE") and hasattr(account, "set_autosign"):
        account.set_autosign(True)


@click.command(cls=ConnectedProviderCommand, short_help="Deploy the suite (idempotent, resumable)")
@account_option()
@click.option("--config", "config_name", default=None, help="config/networks/<NAME>.yaml (default: the network's name)")
@click.option("--manifest", type=click.Path(path_type=Path), default=None, help="deployments file to read and write")
@click.option("--dry-run", is_flag=True, help="print the plan with estimated gas and cost; send nothing")
@click.option("--yes", "assume_yes", is_flag=True, help="do not ask for confirmation on non-local networks")
def cli(network, account, config_name, manifest, dry_run, assume_yes):
    from ape import chain

    config_name = config_name or network_config_name(network.name)
    manifest = manifest or manifest_path(config_name)
    _enable_autosign(account)
    if not dry_run and not network.is_local and not assume_yes:
        click.confirm(f"Deploy to {network.name} (chain {chain.chain_id}) from {account.address}?", abort=True)
    try:
        _, outcomes = deploy_suite(DeployRequest(config_name, manifest, dry_run), account, log=click.echo)
    except USER_ERRORS as err:
        raise click.ClickException(str(err)) from None
    gas_price = chain.provider.gas_price if dry_run else 0
    for outcome in outcomes:
        cost = f"  ~{outcome.gas * gas_price / 1e18:.6f} ETH" if dry_run and outcome.gas else ""
        gas = f"  {outcome.gas:,} gas" if outcome.gas else ""
        click.echo(f"{outcome.key:<28} {outcome.action:<13} {outcome.address}{gas}{cost}")
    if not dry_run:
        click.echo(f"manifest: {manifest}")
