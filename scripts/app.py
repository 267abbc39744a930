"""`make app`: a private local chain with the suite deployed, and the reference dApp (app/) served on localhost.

Like the demo it never writes deployments/: the manifest lives in a temporary directory and is served beside the app
as deployment.json. The printed URL carries the node's RPC URL and a funded development key (local chain only).
"""

from __future__ import annotations

import json
import tempfile
import threading
from pathlib import Path

import click

from deai.cli import ConnectedCommand
from deai.deploy.run import USER_ERRORS, DeployRequest, deploy_suite
from deai.frontend import app
from deai.frontend.node import NodeError


@click.command(cls=ConnectedCommand, short_help="Deploy the suite on a private chain and serve the dApp")
@click.option("--port", default=5173, show_default=True, help="port for the app on 127.0.0.1 (0: any free port)")
def cli(network, port):
    from ape import accounts, chain

    if not network.is_local:
        raise click.ClickException("`make app` runs only on a local network (it creates its own chain)")
    deployer, user = accounts.test_accounts[0], accounts.test_accounts[1]
    with tempfile.TemporaryDirectory(prefix="deai-app-") as tmp:
        manifest = Path(tmp) / "local.json"
        try:
            executor, _ = deploy_suite(DeployRequest("local", manifest), deployer, log=lambda _: None)
            # The local mocks (open mint): the development account gets some to try every page.
            for key, whole in (("MarketStakeToken", 10_000), ("EmissionLPToken", 1_000)):
                if (mock := executor.instances.get(key)) is not None:
                    mock.mint(user.address, whole * 10 ** mock.decimals(), sender=deployer)
            site = app.site(Path(tmp) / "site", json.loads(manifest.read_text()))
        except (*USER_ERRORS, NodeError) as err:
            raise click.ClickException(str(err).splitlines()[0]) from None
        with app.serve(site, port) as url:
            key = user.private_key if isinstance(user.private_key, str) else "0x" + bytes(user.private_key).hex()
            click.echo(f"suite deployed on chain {chain.chain_id}; development account {user.address} "
                       "(holds mock mUSD and MLP)")
            click.echo(f"open {url}?rpc={chain.provider.http_uri}#key={key}")
            click.echo("Ctrl-C stops the app and the chain.")
            try:
                threading.Event().wait()
            except KeyboardInterrupt:
                click.echo("stopped")
