"""`make abi`: regenerate the `@deai/contracts` npm package sources in abi/ (see deai/frontend/).

Writes abi/<Contract>.json (each ABI with the errors its calls can bubble up), abi/errors.json and the TypeScript
sources in abi/ts/; tests/toolchain/test_abi.py fails when the committed files drift from the compiled contracts,
the Solidity sources or the deployment manifests.
"""

from __future__ import annotations

import sys

from deai.frontend.package import expected_files, write
from deai.toolchain import PROJECT_ROOT

__all__ = ["expected_files", "main"]


def main() -> int:
    changed = write(expected_files())
    for path in changed:
        print(f"{'wrote' if path.exists() else 'removed'} {path.relative_to(PROJECT_ROOT)}")
    if not changed:
        print("abi/ is up to date")
    return 0


if __name__ == "__main__":
    from ape import networks  # noqa: F401  (loads Ape's project so contract containers resolve)

    sys.exit(main())
