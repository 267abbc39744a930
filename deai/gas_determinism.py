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


def measure(selection: list[str], jitter: int | None, strict: bool = False) -> tuple[dict[str, int], bool]:
    """Every gas figure the gas tests (`-k gas`) of `selection` measure, in a child `ape test` with its own anvil
    (with `jitter`: random delays, seeded), and whether every test passed. `strict`: a failing test raises
    (AssertionError) instead of being reported."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "gas.json"
        cmd = [str(PROJECT_ROOT / ".venv/bin/ape"), "test", *selection, "-k", "gas", "-q", "-p", "no:cacheprovider",
               f"--gas-measured={out}"]
        if jitter is not None:
            cmd.append(f"--time-jitter={jitter}")
        done = subprocess.run(cmd, cwd=PROJECT_ROOT, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                              timeout=900)
        if not out.exists():
            sys.stderr.write(done.stdout[-4000:] + done.stderr[-2000:])
            raise SystemExit(f"the gas tests measured nothing (exit {done.returncode})")
        if done.returncode != 0:  # a failing gas test under jitter is itself a finding
            failed = [line for line in done.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
            report = (f"the gas tests exited {done.returncode}" + (" under jitter" if jitter is not None else "")
                      + ":\n" + "\n".join(failed or [done.stdout[-4000:]]))
            if strict:
                raise AssertionError(report)
            print("note: " + report)  # reported, and the figures still compared
        return json.loads(out.read_text()), done.returncode == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=20_261_130)
    parser.add_argument("selection", nargs="*", default=["tests"])
    args = parser.parse_args()
    plain, plain_passed = measure(args.selection, None)
    jittered, jittered_passed = measure(args.selection, args.seed)
    changed = {op: (plain.get(op), jittered.get(op)) for op in sorted(set(plain) | set(jittered))
               if plain.get(op) != jittered.get(op)}
    print(f"{len(plain)} gas figures measured; with random delays between transactions (seed {args.seed}): "
          f"{len(plain) - len(changed)} identical, {len(changed)} changed")
    for op, (a, b) in changed.items():
        print(f"  {op}: {a} -> {b}")
    if changed:
        raise SystemExit("gas depends on wall-clock time: set every block time these tests depend on")
    if not (plain_passed and jittered_passed):
        raise SystemExit("a gas test failed (see the note above); one that fails only under jitter reads the clock "
                         "before a transaction it leaves to it, then sets a time from that reading")


if __name__ == "__main__":
    main()
