"""Where the project's offline toolchain lives, and how to expose it to py-solc-x, Ape and slither.

Native solc cannot be downloaded on machines without access to binaries.soliditylang.org, so the project
ships `tools/solc/solc.js`, a solc-compatible front end over the npm `solc` package, and exposes it to
py-solc-x through `SOLCX_BINARY_PATH` (a folder holding `solc-v<version>`). anvil comes from the npm
package `@foundry-rs/anvil-linux-amd64` and is found on PATH through `node_modules/.bin`.

This module must stay free of heavy imports: it runs at every interpreter start-up of the project's
virtual environment (see `write_venv_hook`). PROJECT_ROOT is the checkout this module was imported from, which
the hook chooses from the current directory.
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


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # exists (another user's) or not a pid we can judge: keep it
    return True


def live_node_records(nodes: dict) -> dict:
    """The entries of a pid -> node map whose process still exists."""
    return {pid: node for pid, node in nodes.items() if not str(pid).isdigit() or _pid_alive(int(pid))}


def prune_node_records(environ: "os._Environ[str] | dict[str, str]" = os.environ) -> int:
    """Drop the entries of dead processes from Ape's record of the node processes it started
    (<APE_DATA_FOLDER or ~/.ape>/processes/nodes.json); return how many were dropped.

    Ape adds an entry per anvil it starts and removes it at disconnect, but a killed session leaves its entry behind,
    and every later disconnect compares its provider with every entry at ~0.1 s each (each comparison rebuilds the
    provider's settings): with the 121 stale entries this machine had collected, each `ape test` or `ape run` spent
    ~30 s just exiting. Entries of processes that no longer exist can match nothing, so dropping them changes no
    behaviour."""
    import json

    folder = environ.get("APE_DATA_FOLDER") or os.path.join(os.path.expanduser("~"), ".ape")
    path = Path(folder) / "processes" / "nodes.json"
    try:
        data = json.loads(path.read_text())
        nodes = data["nodes"]
    except (OSError, ValueError, KeyError, TypeError):
        return 0
    if not isinstance(nodes, dict):
        return 0
    alive = live_node_records(nodes)
    dropped = len(nodes) - len(alive)
    if dropped:
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        try:
            tmp.write_text(json.dumps({**data, "nodes": alive}, separators=(",", ":")))
            os.replace(tmp, path)  # atomic: a concurrent reader sees the old or the new file, never half of one
        except OSError:
            tmp.unlink(missing_ok=True)
            return 0
    return dropped


HOOK_MODULE = "_deai_project_root"
HOOK_MODULE_TEXT = '''"""Written into the virtual environment by `make setup` (deai/toolchain.py). At interpreter start-up it puts on
sys.path the checkout the command runs in (the nearest folder, from the current directory up, holding ape-config.yaml
and deai/toolchain.py; DEAI_PROJECT_ROOT overrides), never a fixed path: a venv reused by another clone reads and
writes that clone. Outside a checkout it does nothing."""
import os
import sys


def project_root(start):
    folder = os.path.abspath(start)
    while True:
        if os.path.isfile(os.path.join(folder, "ape-config.yaml")) and \\
                os.path.isfile(os.path.join(folder, "deai", "toolchain.py")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


try:
    ROOT = project_root(os.environ.get("DEAI_PROJECT_ROOT") or os.getcwd())
except OSError:  # the current directory was removed
    ROOT = None
if ROOT is not None:
    if ROOT not in sys.path:
        sys.path.append(ROOT)
    try:
        import deai.toolchain
        deai.toolchain.configure_environment()
    except Exception as err:  # never break the interpreter's start-up
        sys.stderr.write(f"deai venv hook: {err}\\n")
'''


def venv_hook_text() -> str:
    """Contents of the .pth file: import the hook module (no path of any checkout)."""
    return f"import {HOOK_MODULE}\n"


def write_venv_hook(site_packages: Path) -> bool:
    """Write the .pth hook and its module into a virtual environment's site-packages; return True if either changed."""
    changed = False
    for path, text in ((site_packages / VENV_HOOK_NAME, venv_hook_text()),
                       (site_packages / f"{HOOK_MODULE}.py", HOOK_MODULE_TEXT)):
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            changed = True
    return changed


def main(site_packages: str) -> None:
    changed = write_venv_hook(Path(site_packages))
    print(f"venv hook {'written' if changed else 'up to date'}: {Path(site_packages) / VENV_HOOK_NAME}")


if __name__ == "__main__":  # `python -m deai.toolchain <site-packages>`
    main(sys.argv[1])
