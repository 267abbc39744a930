"""deai.testing.inprocess_units: a folder's unit tests on the in-process chain (`DEAI_UNIT_BACKEND=revm` with
`-p no:ape_test`), as mutation testing runs them: node-only tests and the anvil twin of two-backend tests are
deselected, the rest pass, and the mode refuses to run beside Ape's provider."""

from __future__ import annotations

import os
import subprocess
import sys

from deai.toolchain import PROJECT_ROOT


def _pytest(*args: str, ape: bool = False) -> subprocess.CompletedProcess:
    plugin = [] if ape else ["-p", "no:ape_test"]
    env = {**os.environ, "DEAI_UNIT_BACKEND": "revm"}
    return subprocess.run([sys.executable, "-m", "pytest", *plugin, "-p", "no:cacheprovider", "-q", *args],
                          cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600)


def test_node_only_tests_and_anvil_twins_are_deselected():
    done = _pytest("--collect-only", "tests/emission/test_curve.py", "tests/provenance/test_domain_separator.py")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    collected = [line for line in done.stdout.splitlines() if "::" in line]
    assert any("test_curve.py" in line for line in collected)
    assert not any("period_reward_gas_is_constant" in line for line in collected)  # marked node_only
    assert not any("[ape]" in line for line in collected)  # the anvil twin of a two-backend test
    assert any("[revm]" in line for line in collected)
    assert "deselected" in done.stdout


def test_a_unit_file_passes_on_the_in_process_chain():
    done = _pytest("tests/provenance/test_registry.py")
    assert done.returncode == 0 and " passed" in done.stdout, done.stdout[-3000:]


def test_refused_beside_apes_provider():
    done = _pytest("--collect-only", "tests/provenance/test_domain_separator.py", ape=True)
    assert done.returncode != 0 and "add `-p no:ape_test`" in done.stdout + done.stderr
