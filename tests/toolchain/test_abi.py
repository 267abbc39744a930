"""The committed front-end ABIs (abi/*.json, abi/ts/*.ts) match the compiled contracts."""

from deai.abi import expected_files
from deai.toolchain import PROJECT_ROOT


def test_committed_abis_match_the_compiled_contracts():
    stale = [str(path.relative_to(PROJECT_ROOT)) for path, text in expected_files().items()
             if not path.exists() or path.read_text() != text]
    assert not stale, f"run `make abi` and commit: {stale}"
