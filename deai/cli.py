"""Click pieces shared by the user commands in scripts/: the --deployments option, the deployed contract it
names, and turning a UserError into one `Error: ...` line with a non-zero exit."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import click

from deai.commands import UserError, contract_from_deployments, deployments_path

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
