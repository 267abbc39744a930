"""`make bench`: state-machine steps per second, per machine and backend (median of several runs), and the ratio.

Runs the machine tests with `--machine-stats` under the `bench` hypothesis profile (anvil: 3 examples x 20 steps;
in-process: 20 x 100; the marketplace machine runs at least 30 steps per example) and prints a table. Model checks and
invariants after every step are included: the machines run exactly as in `make test`. Also reports hypothesis's
own cost per step, the ceiling for any backend: per machine, the CPU time its in-process runs took less the machine's
own work (constructors, rule bodies, invariant checks, teardowns: deai.testing.chain_isolation.measuring_own_time),
measured in the same run; and a fixed machine of five rules that do nothing, a reference for the host's speed.

    python -m deai.bench [--runs N] [--backends ape,revm] [--profile bench|ci|...] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from deai.toolchain import PROJECT_ROOT

# One pytest session per group: the rewards folder's `from conftest import ...` would resolve to another folder's
# conftest if it shared a session with the emission tests.
MACHINE_TESTS = [
    ["tests/provenance/test_state_machine.py", "tests/emission/test_state_machines.py",
     "tests/marketplace/test_market_state_machine.py"],
    ["tests/rewards/test_rewards_state_machine.py"],
]


def run_once(backend: str, profile: str = "bench") -> list[dict]:
    rows: list[dict] = []
    for group in MACHINE_TESTS:
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
            out = f.name
        env = {**os.environ, "HYPOTHESIS_PROFILE": profile}
        cmd = [str(PROJECT_ROOT / ".venv/bin/ape"), "test", *group, "-q", "-p", "no:cacheprovider",
               "-k", backend, f"--machine-stats={out}"]
        done = subprocess.run(cmd, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            sys.stderr.write(done.stdout[-3000:] + done.stderr[-2000:])
            raise SystemExit(f"the {backend} machine run failed (exit {done.returncode})")
        rows += json.loads(Path(out).read_text())
        os.unlink(out)
    return rows


def machine_name(nodeid: str) -> str:
    """tests/x.py::test_reward_pool_state_machine[0-revm] -> reward_pool/staking"""
    function = nodeid.split("::")[-1]
    name = function.split("[")[0].replace("test_", "").replace("_state_machine", "")
    params = function.split("[")[1].rstrip("]").split("-") if "[" in function else []
    mode = {"0": "staking", "1": "managed"}.get(params[0], params[0]) if len(params) > 1 else None
    return f"{name}/{mode}" if mode else name


def hypothesis_ceiling(steps: int = 20_000, clock=time.perf_counter) -> float:
    """Steps per second (of `clock`: wall or CPU time) of a machine with five rules drawing typical arguments, an
    invariant, and no chain: hypothesis's own cost per step for a small fixed machine, a reference for the host's
    speed (each machine's own share is measured in its run: `hypothesis_cpu_seconds`)."""
    from hypothesis import HealthCheck, settings, strategies as st
    from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

    from deai.testing.backends import frozen_heap

    counter = {"steps": 0}

    class Null(RuleBasedStateMachine):
        @rule(a=st.integers(0, 99), b=st.booleans())
        def one(self, a, b):
            counter["steps"] += 1

        @rule(a=st.sampled_from(range(8)), b=st.integers(1, 10**21))
        def two(self, a, b):
            counter["steps"] += 1

        @rule(xs=st.lists(st.integers(0, 8), max_size=3))
        def three(self, xs):
            counter["steps"] += 1

        @rule(a=st.integers(0, 4), b=st.integers(0, 5), c=st.sampled_from([b"\x00" * 32, b"\x01" * 32]))
        def four(self, a, b, c):
            counter["steps"] += 1

        @rule(s=st.one_of(st.sampled_from([1, 60, 86_400]), st.integers(1, 200_000)))
        def five(self, s):
            counter["steps"] += 1

        @invariant()
        def holds(self):
            pass

    config = settings(max_examples=steps // 100, stateful_step_count=100, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))
    with frozen_heap():  # as the in-process machines run (deai.testing.backends.activate)
        start = clock()
        run_state_machine_as_test(Null, settings=config)
        return counter["steps"] / (clock() - start)


def summarize(paths: list[str], since: float | None) -> None:
    rows = [row for path in paths if Path(path).exists() for row in json.loads(Path(path).read_text())]
    total = sum(row["steps"] for row in rows)
    for row in rows:
        rate = row["steps"] / row["seconds"] if row["seconds"] else 0.0
        own = (f", hypothesis's own {row['hypothesis_cpu_seconds'] / row['cpu_seconds']:.0%} of the CPU time"
               if row.get("hypothesis_cpu_seconds") and row.get("cpu_seconds") else "")
        print(f"{machine_name(row['test']):<22}{row['steps']:>10,} steps in {row['runs']:>6,} runs, "
              f"{row['seconds']:>7.0f} s, {rate:>7,.0f} steps/s{own}")
    wall = f" in {time.time() - since:,.0f} s wall clock" if since else ""
    print(f"total: {total:,} state-machine steps{wall}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backends", default="ape,revm")
    parser.add_argument("--json", default=None, help="also write the figures to this file")
    parser.add_argument("--profile", default="bench",
                        help="the hypothesis profile the machines run with (default bench; ci: as `make test` runs "
                             "them, 60 x 100 steps in-process; deai/testing/profiles.py)")
    parser.add_argument("--summarize", nargs="+", default=None, metavar="STATS",
                        help="instead: total the --machine-stats files of a finished run (make audit)")
    parser.add_argument("--since", type=float, default=None, help="with --summarize: the run's start (epoch s)")
    args = parser.parse_args()
    if args.summarize:
        summarize(args.summarize, args.since)
        return
    backends = args.backends.split(",")
    rates: dict[str, dict[str, list[float]]] = {}
    cpu_rates: dict[str, dict[str, list[float]]] = {}  # steps per CPU second: what the load does not change
    own: dict[str, list[float]] = {}  # in-process: steps per CPU second of hypothesis's own time (its ceiling)
    loads = [os.getloadavg()[0]]
    for backend in backends:
        for i in range(args.runs):
            print(f"run {i + 1}/{args.runs} on {backend} ...", flush=True)
            for row in run_once(backend, args.profile):
                rate = row["steps"] / row["seconds"] if row["seconds"] else 0.0
                rates.setdefault(machine_name(row["test"]), {}).setdefault(backend, []).append(rate)
                if row.get("cpu_seconds"):
                    cpu_rates.setdefault(machine_name(row["test"]), {}).setdefault(backend, []).append(
                        row["steps"] / row["cpu_seconds"])
                if backend == "revm" and row.get("hypothesis_cpu_seconds"):
                    own.setdefault(machine_name(row["test"]), []).append(row["steps"] / row["hypothesis_cpu_seconds"])
            loads.append(os.getloadavg()[0])
    ceiling, ceiling_cpu = hypothesis_ceiling(), hypothesis_ceiling(clock=time.process_time)
    print(f"\nstate-machine steps per second ({args.profile} profile), median of {args.runs} runs (model checks and "
          "invariants included);"
          " in brackets per CPU second of the test process (what other processes' load does not change)")
    header = f"{'machine':<22}" + "".join(f"{b:>22}" for b in backends) + ("       ratio" if len(backends) == 2 else "")
    if own:
        header += "   hypothesis's own [per CPU s]"
    print(header)
    summary, summary_cpu, summary_own = {}, {}, {}
    for machine, per_backend in sorted(rates.items()):
        medians = {b: statistics.median(per_backend.get(b, [0.0])) for b in backends}
        cpu = {b: statistics.median(cpu_rates.get(machine, {}).get(b, [0.0])) for b in backends}
        summary[machine], summary_cpu[machine] = medians, cpu
        line = f"{machine:<22}" + "".join(f"{medians[b]:>12,.0f} [{cpu[b]:>6,.0f}]" for b in backends)
        if len(backends) == 2 and medians[backends[0]]:
            line += f"{medians[backends[1]] / medians[backends[0]]:>11,.0f}x"
        if machine in own:
            summary_own[machine] = statistics.median(own[machine])
            line += f"{summary_own[machine]:>31,.0f}"
        print(line)
    if own:
        print("hypothesis's own: steps per CPU second of the in-process runs' time less the machine's own work (rule"
              " bodies, invariants, set-up, teardown), measured in the same runs: the ceiling no backend takes it past")
    print(f"{'hypothesis alone':<22}{ceiling:>12,.0f} [{ceiling_cpu:>6,.0f}]  (five fixed rules that do nothing: the"
          " host's speed)")
    print(f"cores: {os.cpu_count()}, load average (1 min) during the runs: "
          + ", ".join(f"{load:.1f}" for load in loads))
    if args.json:
        Path(args.json).write_text(json.dumps(dict(
            median_steps_per_second=summary, median_steps_per_cpu_second=summary_cpu,
            median_hypothesis_own_per_cpu_second=summary_own, hypothesis_alone=ceiling,
            hypothesis_alone_cpu=ceiling_cpu, runs=args.runs, load=loads), indent=1) + "\n")


if __name__ == "__main__":
    main()
