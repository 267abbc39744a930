"""Driving Node and TypeScript against the built `@deai/contracts` package, for the tests in tests/frontend/.

The package's dev tools (typescript, viem) live in abi/node_modules (`make setup` runs `npm ci` there). A consumer
project is a directory whose node_modules links `@deai/contracts` to abi/ and the tools to abi/node_modules, so a
script imports the package by name exactly as a dApp does.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

from deai.toolchain import PROJECT_ROOT

PACKAGE_DIR = PROJECT_ROOT / "abi"
TOOLS = PACKAGE_DIR / "node_modules"
SCRIPTS = PROJECT_ROOT / "tests" / "frontend" / "js"


class NodeError(RuntimeError):
    """A node, npm or tsc command failed (the message holds its output)."""


def run(command: list[str], cwd: Path, stdin: str | None = None, timeout: int = 300) -> str:
    result = subprocess.run(command, cwd=cwd, input=stdin, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise NodeError(f"{' '.join(command)} (in {cwd}) exited {result.returncode}:\n{result.stdout}{result.stderr}")
    return result.stdout


def require_tools() -> None:
    if not (TOOLS / "typescript").is_dir() or not (TOOLS / "viem").is_dir():
        raise NodeError("abi/node_modules has no typescript/viem: run `make setup` (npm ci in abi/)")


@cache
def build() -> Path:
    """Build abi/dist once per test session (tsc, nodenext); return the package directory."""
    require_tools()
    run(["npm", "run", "--silent", "build"], PACKAGE_DIR)
    return PACKAGE_DIR


def tsc(project: Path, *args: str) -> str:
    return run(["node", str(TOOLS / "typescript" / "bin" / "tsc"), "-p", str(project), *args], project)


def link_tools(project: Path, *names: str) -> None:
    """Link the named dev tools (e.g. viem, typescript) from abi/node_modules into `project`/node_modules."""
    modules = project / "node_modules"
    modules.mkdir(parents=True, exist_ok=True)
    for name in names:
        target = modules / name
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(TOOLS / name, target_is_directory=True)


def consumer(project: Path, package: Path | None = None) -> Path:
    """A project in `project` that imports a built package (abi/, or `package`) and viem by name."""
    package = package or build()
    link_tools(project, "viem")
    scope = project / "node_modules" / "@deai"
    scope.mkdir(parents=True, exist_ok=True)
    if not (scope / "contracts").exists():
        (scope / "contracts").symlink_to(package, target_is_directory=True)
    (project / "package.json").write_text(json.dumps({"name": "consumer", "private": True, "type": "module"}))
    for script in SCRIPTS.glob("*.mjs"):
        shutil.copy(script, project / script.name)
    return project


def package_copy(directory: Path, replace: dict[Path, str]) -> Path:
    """A built copy of the package in `directory` with some generated sources replaced (keyed by their path in
    abi/ts/), for checking what other inputs (e.g. other manifests) would generate."""
    require_tools()
    shutil.copytree(PACKAGE_DIR / "ts", directory / "ts")
    for name in ("package.json", "tsconfig.json", "tsconfig.bundler.json"):
        shutil.copy(PACKAGE_DIR / name, directory / name)
    for path, text in replace.items():
        (directory / "ts" / path.relative_to(PACKAGE_DIR / "ts")).write_text(text)
    link_tools(directory, "typescript", "viem")
    tsc(directory)
    return directory


def node_json(project: Path, script: str, payload: Any = None) -> Any:
    """Run `script` (copied into `project`) with `payload` as JSON on stdin; return its JSON output."""
    stdin = json.dumps(payload) if payload is not None else ""
    return json.loads(run(["node", script], project, stdin=stdin))
