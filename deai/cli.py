"""Click pieces shared by the scripts in scripts/: the command class every one of them uses (Ape's connected
command, which first drops the Ape cache files a killed run left unreadable), the --deployments option, the deployed
contract it names, and turning a UserError into one `Error: ...` line with a non-zero exit."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import click
from ape.cli import ConnectedProviderCommand

from deai.ape_cache import drop_unreadable_for
from deai.commands import UserError, contract_from_deployments, deployments_path


class ConnectedCommand(ConnectedProviderCommand):
    """`ape run` command connected to --network; before the command runs (and reads Ape's cache of the network), the
    cache files a killed process left half-written are dropped (deai.ape_cache). Every script uses it
    (tests/deploy/test_ape_cache.py). `_invoke` is where Ape 0.8 runs the command with the connected provider; the
    end-to-end test (tests/deploy/test_standalone_node.py) fails if Ape stops calling it."""

    def _invoke(self, ctx: click.Context, provider: Any = None) -> Any:
        if provider is not None:
            drop_unreadable_for(provider.network)
        return super()._invoke(ctx, provider=provider)


deployments_option = click.option("--deployments", type=click.Path(path_type=Path), default=None,
                                  help="deployments file (default: deployments/<network>.json)")


def deployed_contract(network: Any, deployments: Path | None, key: str) -> Any:
    """Contract `key` from the deployments file of the connected network (or the one given)."""
    return contract_from_deployments(deployments_path(network.name, deployments), key)


def unattended(account: Any) -> None:
    """With APE_ACCOUNTS_<alias>_PASSPHRASE set, sign without prompting (Ape's autosign), as CI runs need."""
    alias = getattr(account, "alias", None)
    if alias and os.environ.get(f"APE_ACCOUNTS_{alias}_PASSPHRASE") and hasattr(account, "set_autosign"):
        account.set_autosign(True)


@contextmanager
def one_line_errors() -> Iterator[None]:
    try:
        yield
    except UserError as err:
        raise click.ClickException(str(err)) from None
