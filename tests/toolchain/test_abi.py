"""The committed front-end package sources (abi/*.json, abi/ts/**/*.ts) match what `make abi` generates from the
compiled contracts, the Solidity sources and deployments/*.json; a file no longer generated is stale too."""

from deai.abi import expected_files
from deai.frontend.package import stale_files
from deai.toolchain import PROJECT_ROOT


def test_committed_abis_match_the_compiled_contracts():
    stale = [str(path.relative_to(PROJECT_ROOT)) for path in stale_files(expected_files())]
    assert not stale, f"run `make abi` and commit: {stale}"
