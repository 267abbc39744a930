"""Where the project's offline toolchain lives, and how to expose it to py-solc-x, Ape and slither.

Native solc cannot be downloaded on machines without access to binaries.soliditylang.org, so the project
ships `tools/solc/solc.js`, a solc-compatible front end over the npm `solc` package, and exposes it to
py-solc-x through `SOLCX_BINARY_PATH` (a folder holding `solc-v<version>`). anvil comes from the npm
package `@foundry-rs/anvil-linux-amd64` and is found on PATH through `node_modules/.bin`.

This module must stay free of heavy imports: it runs at every interpreter start-up of the project's
virtual environment (see `write_venv_hook`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SOLC_VERSION = "0.8.30"
SOLC_FRONT_END = PROJECT_ROOT / "tools" / "solc" / "solc.js"
SOLCX_FOLDER = PROJECT_ROOT / "tools" / "solcx"
NODE_BIN = PROJECT_ROOT / "node_modules" / ".bin"
VENV_HOOK_NAME = "deai-suite.pth"


def configure_environment(environ: "os._Environ[str] | dict[str, str]" = os.environ) -> None:
    """Point py-solc-x at the project's solc front end and put the npm binaries (anvil) on PATH."""
    environ["SOLCX_BINARY_PATH"] = str(SOLCX_FOLDER)
    path_entries = environ.get("PATH", "").split(os.pathsep)
    if str(NODE_BIN) not in path_entries:
        environ["PATH"] = os.pathsep.join([str(NODE_BIN), *filter(None, path_entries)])


def venv_hook_text() -> str:
    """Contents of the .pth file: put the project on sys.path and configure the toolchain at start-up."""
    return f"{PROJECT_ROOT}\nimport deai.toolchain; deai.toolchain.configure_environment()\n"


def write_venv_hook(site_packages: Path) -> bool:
    """Write the .pth hook into a virtual environment's site-packages; return True if it changed."""
    hook = site_packages / VENV_HOOK_NAME
    text = venv_hook_text()
    if hook.exists() and hook.read_text() == text:
        return False
    hook.write_text(text)
    return True


if __name__ == "__main__":  # `python -m deai.toolchain <site-packages>` from the Makefile
    changed = write_venv_hook(Path(sys.argv[1]))
    print(f"venv hook {'written' if changed else 'up to date'}: {Path(sys.argv[1]) / VENV_HOOK_NAME}")
