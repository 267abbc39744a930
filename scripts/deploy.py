"""Deploy the whole suite, resumably: `ape run deploy --network ethereum:sepolia:node --account <alias>`.

Options: --config NAME (default: from the network), --manifest PATH (default deployments/<config>.json),
--dry-run (print the plan with estimated gas and cost; writes nothing, on disk or on chain), --fresh-manifest (start
a new manifest; the old file is kept beside it as <name>.replaced-<unix time>.json), --yes (no confirmation prompt
on non-local networks). Unattended: set APE_ACCOUNTS_<alias>_PASSPHRASE; the script then enables autosign.
"""

from __future__ import annotations

from pathlib import Path

import click
from ape.cli import account_option
from ape.exceptions import ApeException

from deai.cli import ConnectedCommand, unattended
from deai.deploy.config import config_stem
from deai.deploy.manifest import manifest_path
from deai.deploy.run import USER_ERRORS, DeployRequest, deploy_suite, network_config_name, resolved_summary


def _print_outcomes(outcomes, gas_price: int, estimate: bool) -> None:
    for outcome in outcomes:
        cost = f"  ~{outcome.gas * gas_price / 1e18:.6f} ETH" if estimate and outcome.gas else ""
        gas = f"  {outcome.gas:,} gas" if outcome.gas else ""
        click.echo(f"{outcome.key:<38} {outcome.action:<13} {outcome.address}{gas}{cost}")


@click.command(cls=ConnectedCommand, short_help="Deploy the suite (idempotent, resumable)")
@account_option()
@click.option("--config", "config_name", default=None,
              help="config/networks/<NAME>.yaml, or a path to a .yaml file (default: the network's name)")
@click.option("--manifest", type=click.Path(path_type=Path), default=None, help="deployments file to read and write")
@click.option("--dry-run", is_flag=True, help="print the plan with estimated gas and cost; write nothing")
@click.option("--fresh-manifest", "fresh", is_flag=True,
              help="start a new manifest (e.g. another deployer, a reset chain); the old one is kept beside it")
@click.option("--yes", "assume_yes", is_flag=True, help="do not ask for confirmation on non-local networks")
def cli(network, account, config_name, manifest, dry_run, fresh, assume_yes):
    from ape import chain

    config_name = config_name or network_config_name(network.name)
    manifest = manifest or manifest_path(config_stem(config_name))
    unattended(account)
    try:
        if not dry_run and not network.is_local and not assume_yes:
            _, plan = deploy_suite(DeployRequest(config_name, manifest, dry_run=True, fresh=fresh), account,
                                   log=lambda _: None)
            gas_price = chain.provider.gas_price
            click.echo(f"chain {chain.chain_id} ({network.name}), account {account.address}, manifest {manifest}")
            for line in resolved_summary(config_name, account.address):
                click.echo(f"  {line}")
            _print_outcomes(plan, gas_price, estimate=True)
            total = sum(o.gas for o in plan)
            click.echo(f"estimated cost: {total:,} gas ~{total * gas_price / 1e18:.6f} ETH at the current gas price "
                       "(contracts whose constructor reads a planned one are not estimated)")
            click.confirm("Deploy?", abort=True)
        _, outcomes = deploy_suite(DeployRequest(config_name, manifest, dry_run, fresh), account, log=click.echo)
    except USER_ERRORS as err:
        raise click.ClickException(str(err)) from None
    except ApeException as err:  # the node or the account refused a transaction (funds, nonce, gas, ...)
        first = str(err).strip().splitlines()[0] if str(err).strip() else ""
        raise click.ClickException(f"{type(err).__name__}: {first}; fix the node or account, then run again (the "
                                   "deployment resumes where it stopped)") from None
    _print_outcomes(outcomes, chain.provider.gas_price if dry_run else 0, estimate=dry_run)
    if dry_run:
        click.echo("dry run: nothing was sent and nothing was written")
    else:
        click.echo(f"manifest: {manifest}")
