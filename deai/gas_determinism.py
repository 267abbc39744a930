"""`make gas-determinism`: every gas figure must be the same whether or not the wall clock moves between transactions.

Runs the gas tests (`-k gas`) twice on anvil: once as usual, once with `--time-jitter=SEED` (a random 1-900 s
`evm_increaseTime` before every transaction, see deai.testing.gas.jittered_clock), writes both sets of measured figures
(`--gas-measured`) and fails listing every operation whose gas differs: its test leaves a block time it depends on to
the wall clock instead of setting it (`chain.pending_timestamp`).

    python -m deai.gas_determinism [--seed N] [pytest selection ...]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from deai.toolchain import PROJECT_ROOT


def measure(selection: list[str], jitter: int | None) -> dict[str, int]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "gas.json"
        cmd = [str(PROJECT_ROOT / ".venv/bin/ape"), "test", *selection, "-k", "gas", "-q", "-p", "no:cacheprovider",
               f"--gas-measured={out}"]
        if jitter is not None:
            cmd.append(f"--time-jitter={jitter}")
        done = subprocess.run(cmd, cwd=PROJECT_ROOT, capture_output=True, text=True)
        if not out.exists():
            sys.stderr.write(done.stdout[-4000:] + done.stderr[-2000:])
            raise SystemExit(f"the gas tests measured nothing (exit {done.returncode})")
        if done.returncode != 0:  # a failing gas test under jitter is itself a finding: report it, keep comparing
            print(f"note: the gas tests exited {done.returncode}" + (" under jitter" if jitter is not None else ""))
            print("\n".join(line for line in done.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))))
        return json.loads(out.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=20_261_130)
    parser.add_argument("selection", nargs="*", default=["tests"])
    args = parser.parse_args()
    plain = measure(args.selection, None)
    jittered = measure(args.selection, args.seed)
    changed = {op: (plain.get(op), jittered.get(op)) for op in sorted(set(plain) | set(jittered))
               if plain.get(op) != jittered.get(op)}
    print(f"{len(plain)} gas figures measured; with random delays between transactions (seed {args.seed}): "
          f"{len(plain) - len(changed)} identical, {len(changed)} changed")
    for op, (a, b) in changed.items():
        print(f"  {op}: {a} -> {b}")
    if changed:
        raise SystemExit("gas depends on wall-clock time: set every block time these tests depend on")


if __name__ == "__main__":
    main()
