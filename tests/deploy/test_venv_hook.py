"""Issue 15 item 6: the venv's start-up hook serves the checkout a command runs in, not the one that built the venv."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from deai.toolchain import PROJECT_ROOT, write_venv_hook

PROBE = "import site, sys; site.addsitedir(sys.argv[1]); import deai.toolchain as t; print(t.PROJECT_ROOT)"


def fake_clone(folder):
    (folder / "deai").mkdir(parents=True)
    for name in ("__init__.py", "toolchain.py"):
        shutil.copy(PROJECT_ROOT / "deai" / name, folder / "deai" / name)
    shutil.copy(PROJECT_ROOT / "ape-config.yaml", folder / "ape-config.yaml")
    (folder / "deployments").mkdir()
    return folder


def probe(site, cwd):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DEAI_PROJECT_ROOT")}
    # -S: only the hook in `site` (not this venv's own) decides where deai comes from.
    return subprocess.run([sys.executable, "-S", "-c", PROBE, str(site)], cwd=cwd, env=env, capture_output=True,
                          text=True)


def test_hook_resolves_the_project_from_the_working_directory(tmp_path):
    site = tmp_path / "site-packages"
    site.mkdir()
    assert write_venv_hook(site) and not write_venv_hook(site)
    for written in site.iterdir():
        assert str(PROJECT_ROOT) not in written.read_text(), f"{written.name} pins this checkout"
    clone = fake_clone(tmp_path / "second-clone")
    (clone / "deployments" / "nested").mkdir()
    for cwd, expected in ((clone, clone), (clone / "deployments" / "nested", clone), (PROJECT_ROOT, PROJECT_ROOT)):
        out = probe(site, cwd)
        assert out.returncode == 0 and out.stdout.strip() == str(expected), out.stdout + out.stderr
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    out = probe(site, outside)
    assert out.returncode != 0 and "No module named 'deai'" in out.stderr
