"""The reference dApp (app/): build it, and serve the built files with a deployment manifest next to them."""

from __future__ import annotations

import functools
import json
import shutil
import threading
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

from deai.frontend import node
from deai.toolchain import PROJECT_ROOT

APP_DIR = PROJECT_ROOT / "app"
CHROMIUM = Path("/usr/bin/chromium")
BROWSER_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync")


def require_app_tools() -> None:
    if not (APP_DIR / "node_modules" / "vite").is_dir():
        raise node.NodeError("app/node_modules has no vite: run `make setup` (npm ci in app/)")


@functools.cache
def build() -> Path:
    """Build the package and then app/dist (type-checked against it) once per process."""
    node.build()
    require_app_tools()
    node.run(["npm", "run", "--silent", "build"], APP_DIR)
    return APP_DIR / "dist"


def site(directory: Path, manifest: dict[str, Any]) -> Path:
    """The built app in `directory`, with `manifest` as its deployment.json."""
    shutil.copytree(build(), directory, dirs_exist_ok=True)
    (directory / "deployment.json").write_text(json.dumps(manifest, indent=2))
    return directory


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:  # noqa: D401 - keep test and `make app` output readable
        pass


@contextmanager
def serve(directory: Path, port: int = 0) -> Iterator[str]:
    """Serve `directory` on 127.0.0.1 (a free port unless given) in a thread; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", port), functools.partial(_Quiet, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
