"""`make test` on both cores: pytest-xdist workers, each its own Ape session with its own anvil (ape-foundry's
`host: auto` picks a free port per worker), scheduled by this module's `FileScheduling`.

- A work unit is a whole test file, so a module-scoped fixture (the browser tests' deployed suite and built app) is
  built once; the folders in SHARED_OUTPUT are one unit each, because their tests build the same files in the
  checkout (tests/frontend: `npm run build` in abi/ and app/).
- The heaviest remaining unit goes to whichever worker is free first (longest-processing-time first), so the two
  workers finish close together. HEAVY gives the measured seconds of the slow files (a hint for ordering only: a
  stale or missing entry costs balance, never a test); any other file counts PER_TEST seconds per test.
- The gas snapshot check is per test (deai.testing.gas), so it works unchanged in each worker; writing files for a
  whole session (`--gas-snapshot=update`, `--gas-measured`, `--machine-stats`) needs one process: those options
  refuse `-n`. The state-machine step counts each worker measured are sent to the controller, which prints them.
"""

from __future__ import annotations

from typing import Any

import pytest

SHARED_OUTPUT = ("tests/frontend/",)
HEAVY = {  # seconds per file (setup, call and teardown of its tests) in a two-worker fresh-clone `make test` of round 9
    # on the idle 2-core machine (--durations=0; 233 s of test session, 445 s of test durations): for ordering only, on
    # the same scale as PER_TEST below. The heaviest are subprocess-bound (`ape run deploy`, npm/tsc/vite, chromium).
    "tests/deploy/test_standalone_node.py": 84,
    "tests/frontend/": 84,
    "tests/emission/test_state_machines.py": 33,
    "tests/marketplace/test_market_state_machine.py": 19,
    "tests/rewards/test_results_provenance.py": 18,
    "tests/marketplace/test_market_tokens.py": 17,
    "tests/toolchain/test_solc_front_end.py": 17,
    "tests/rewards/test_compute_rewards.py": 11,
    "tests/toolchain/test_lint.py": 11,
    "tests/provenance/test_state_machine.py": 10,
    "tests/rewards/test_relay_review_round5.py": 10,
    "tests/deploy/test_trust.py": 9,
    "tests/emission/test_schedule.py": 8,
    "tests/marketplace/test_market_admin.py": 6,
    "tests/marketplace/test_market_leases.py": 6,
    "tests/emission/test_splitter.py": 6,
    "tests/harness/test_time_jitter.py": 12,  # round 15: the gas tests under random delays, in a child session
}
PER_TEST = 0.18  # mean seconds per test of the other files in that run


def scope_of(nodeid: str) -> str:
    """The work unit of a test: its file, or the SHARED_OUTPUT folder it is in."""
    path = nodeid.split("::", 1)[0]
    return next((folder for folder in SHARED_OUTPUT if path.startswith(folder)), path)


def weight(scope: str, tests: int) -> float:
    return HEAVY.get(scope, PER_TEST * tests)


def make_scheduler(config: pytest.Config, log: Any) -> Any:
    from xdist.scheduler import LoadScopeScheduling

    class FileScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return scope_of(nodeid)

        def _assign_work_unit(self, node: Any) -> None:
            heaviest = max(self.workqueue, key=lambda scope: weight(scope, len(self.workqueue[scope])))
            self.workqueue.move_to_end(heaviest, last=False)  # the parent assigns the first unit
            super()._assign_work_unit(node)

    return FileScheduling(config, log)


def is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def runs_distributed(config: pytest.Config) -> bool:
    """This is the controller of an xdist run (`-n N`, N > 0)."""
    return not is_worker(config) and bool(getattr(config.option, "numprocesses", None)) \
        and getattr(config.option, "dist", "no") != "no"


SESSION_FILE_OPTIONS = ("--gas-measured", "--machine-stats")


def refuse_session_files(config: pytest.Config) -> None:
    """Options that write one file for the whole session cannot be split over workers."""
    if not runs_distributed(config):
        return
    chosen = [name for name in SESSION_FILE_OPTIONS if config.getoption(name)]
    if config.getoption("--gas-snapshot") == "update":
        chosen.append("--gas-snapshot=update")
    if chosen:
        raise pytest.UsageError(f"{', '.join(chosen)} write one file for the whole session, so not with -n: run without it")
