"""pytest fixtures and options shared by every test folder (loaded from tests/conftest.py)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from deai.testing.chain_isolation import ChainStateMachine, measure_own_time
from deai.testing.backends import Backend, activate, ape_backend, revm_backend
from deai.testing.gas import MODES, GasRecorder, jittered_clock
from deai.testing import inprocess_units, local_node, parallel
from deai.testing.profiles import load_profile
from deai.testing.roles import Roles
from deai.testing.tokens import TOKEN_ZOO, deploy_token

GAS_PROVIDER = "foundry"  # the gas snapshot is defined on the project's anvil


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--gas-snapshot", choices=MODES, default="off",
        help="check: fail on >2%% regressions against gas-snapshot.json; update: rewrite it",
    )


    parser.addoption(
        "--time-jitter", type=int, default=None, metavar="SEED",
        help="before every transaction sent to the node, move its clock forward by a random 1-900 s (seeded): "
             "a result that changes under it depends on wall-clock time (see `make gas-determinism`)",
    )
    parser.addoption(
        "--gas-measured", default=None, metavar="FILE",
        help="write every gas figure measured in this session to FILE (JSON), whatever --gas-snapshot says",
    )
    parser.addoption(
        "--machine-stats", default=None, metavar="FILE",
        help="write each state-machine test's steps, runs and seconds to FILE (JSON) and print steps/s, with the CPU "
             "time hypothesis itself took (deai.testing.chain_isolation.measuring_own_time)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "node_only: needs a node or Ape's APIs; not run by the in-process unit mode "
                            "(deai.testing.inprocess_units)")
    if inprocess_units.enabled():
        if config.pluginmanager.has_plugin("ape_test"):
            raise pytest.UsageError(f"{inprocess_units.ENV}=revm replaces Ape's provider: add `-p no:ape_test`")
        config.pluginmanager.register(inprocess_units.InProcessUnits(), "deai-inprocess-units")
    profile = load_profile()
    config.stash[_profile_key] = profile
    if config.getoption("--machine-stats"):
        measure_own_time(True)  # machines defined from now on time their own work (a clock read around each part)
    parallel.refuse_session_files(config)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`-n N`: whole files per worker, heaviest first (deai.testing.parallel)."""
    if config.option.dist in ("load", "loadfile", "loadscope"):
        return parallel.make_scheduler(config, log)
    return None


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """The controller collects the state-machine step counts each worker measured (printed in the summary)."""
    output = getattr(node, "workeroutput", None) or {}
    node.config.stash.setdefault(_stats_key, []).extend(output.get("machine_stats", []))


def pytest_report_header(config: pytest.Config) -> str:
    return f"hypothesis profile: {config.stash[_profile_key]} (set HYPOTHESIS_PROFILE=audit for the deep run)"


_profile_key = pytest.StashKey[str]()
_gas_key = pytest.StashKey[GasRecorder]()
_stats_key = pytest.StashKey[list]()


@pytest.fixture(scope="session")
def gas(request: pytest.FixtureRequest) -> Iterator[GasRecorder]:
    """Records receipt gas per operation name; see deai.testing.gas. In-process (inprocess_units) it records
    nothing: budgets and the snapshot are anvil's."""
    if inprocess_units.enabled():
        yield GasRecorder(mode="off", active=False)
        return
    from ape import chain

    mode = request.config.getoption("--gas-snapshot")
    recorder = GasRecorder(mode=mode, active=chain.provider.name == GAS_PROVIDER)
    yield recorder
    if mode == "update" and recorder.active and recorder.measured:
        recorder.write()
    if (path := request.config.getoption("--gas-measured")) and recorder.measured:
        Path(path).write_text(json.dumps(dict(sorted(recorder.measured.items())), indent=2) + "\n")


@pytest.fixture(autouse=True, scope="session")
def _time_jitter(request: pytest.FixtureRequest) -> Iterator[None]:
    """With --time-jitter=SEED: random wall-clock delays before every transaction on the node (see the option)."""
    seed = request.config.getoption("--time-jitter")
    if seed is None:
        yield
        return
    from ape import chain

    provider = chain.provider
    with jittered_clock(provider, seed):
        yield


@pytest.fixture(autouse=True, scope="session")
def _cheaper_local_node_requests() -> None:
    """JSON-RPC to the session's anvil over one kept-alive connection (not web3's `requests` stack), and contract code
    Ape asks for again and again answered from memory (deai.testing.local_node: what no transaction can change)."""
    if inprocess_units.enabled():
        return
    from ape import networks

    connected = networks.active_provider  # None when no node is connected (e.g. the mutation judge's machine runs)
    provider = local_node.local_http_provider(getattr(connected, "web3", None))
    if provider is not None:
        local_node.skip_proxy_lookup(provider)
        local_node.post_directly(provider)
        local_node.remember_code(provider)


@pytest.fixture(autouse=True)
def _forget_contract_types_at_reverted_addresses() -> Iterator[None]:
    """Each test's chain state is reverted afterwards, so the same deployer nonce yields the same addresses again.
    Ape caches a contract type per address; a stale entry makes it decode a later deployment's revert with another
    contract's ABI. Clearing the in-memory cache after each test keeps decoding tied to what is really there."""
    yield
    if inprocess_units.enabled():
        return
    from ape import chain

    chain.contracts.clear_local_caches()


@pytest.fixture(scope="session")
def roles(accounts: Any) -> Roles:
    """deployer, admin, governance, guardian, treasury, arbiter, alice, bob, carol, dave, mallory, relayer."""
    return Roles.from_accounts(accounts)


def warm_hypothesis() -> None:
    """Hypothesis (6.x) reads the constants of every local module it has not seen yet (parsing its source) at the
    first draw after `sys.modules` grew: a one-time cost per process (about 0.3 s with Ape loaded, a tenth of a
    2,000-step bench run of the first machine in a session, nothing in a deep run), not a cost per step. Done here
    for the modules loaded so far, so a machine's steps per second are not charged with it. A check of
    `len(sys.modules)` when nothing is new."""
    from hypothesis.internal.conjecture import providers

    scan = getattr(providers, "_get_local_constants", None)  # private: absent in another version, then not warmed
    if scan is not None:
        scan()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Count the state-machine steps each test runs (ChainStateMachine.steps) and the time they take. Hypothesis's
    one-time scan of the modules loaded so far is done before the clock starts (`warm_hypothesis`). With
    --machine-stats the machines also time their own work, and the row records what is left from their first run
    on: hypothesis's own CPU time (`hypothesis_cpu_seconds`, see deai.testing.chain_isolation.measuring_own_time)."""
    warm_hypothesis()
    steps, runs, start = ChainStateMachine.steps, ChainStateMachine.runs, time.perf_counter()
    ChainStateMachine.reset_clock()
    cpu = time.process_time()
    try:
        return (yield)
    finally:
        end = time.process_time()
        done = ChainStateMachine.steps - steps
        if done:
            row = dict(test=item.nodeid, steps=done, runs=ChainStateMachine.runs - runs,
                       seconds=round(time.perf_counter() - start, 3), cpu_seconds=round(end - cpu, 3))
            if ChainStateMachine.first_run_cpu is not None:
                row["hypothesis_cpu_seconds"] = round(end - ChainStateMachine.first_run_cpu
                                                      - ChainStateMachine.own_seconds, 3)
            item.config.stash.setdefault(_stats_key, []).append(row)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """An xdist worker hands its state-machine step counts to the controller. Then: forget Ape's records of node
    processes that no longer exist before Ape disconnects (in pytest_unconfigure): Ape loaded the records (~/.ape/processes/nodes.json) when it connected and compares its provider with each one
    when it disconnects, at ~0.1 s per record, then writes them back; see deai.toolchain.prune_node_records."""
    from deai.toolchain import live_node_records

    if parallel.is_worker(session.config):
        session.config.workeroutput["machine_stats"] = session.config.stash.get(_stats_key, [])
    try:
        from ape import networks

        running = networks.running_nodes
        running.nodes = live_node_records(running.nodes)
    except Exception:  # noqa: BLE001 - an optimisation only: never fail a session over it
        pass


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    stats = config.stash.get(_stats_key, [])
    if not stats:
        return
    terminalreporter.section("state-machine steps")
    for row in stats:
        rate = row["steps"] / row["seconds"] if row["seconds"] else 0.0
        cpu = row["steps"] / row["cpu_seconds"] if row.get("cpu_seconds") else 0.0
        own = (f"; hypothesis's own: {row['hypothesis_cpu_seconds'] / row['cpu_seconds']:.0%} of the CPU time, "
               f"{row['steps'] / row['hypothesis_cpu_seconds']:,.0f} steps per CPU second of it"
               if row.get("hypothesis_cpu_seconds") and row.get("cpu_seconds") else "")
        terminalreporter.write_line(f"{row['test']}: {row['steps']} steps in {row['runs']} runs, "
                                    f"{row['seconds']:.1f} s, {rate:,.0f} steps/s ({cpu:,.0f} per CPU second){own}")
    terminalreporter.write_line(f"total: {sum(r['steps'] for r in stats)} steps")
    if path := config.getoption("--machine-stats"):
        with open(path, "w") as f:
            json.dump(stats, f, indent=1)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    """The chain a test runs on: Ape's provider ("ape", the default) or the in-process revm chain ("revm", when the
    test is parametrized with deai.testing.backends.on_both_backends). Provides `.roles` and `.chain`; while the
    test runs, ChainStateMachine uses that chain and hypothesis that backend's depth."""
    name = getattr(request, "param", "ape")
    if name == "ape" and inprocess_units.enabled():  # an unparametrized test: the in-process session chain
        chain = request.getfixturevalue("chain")
        chosen = Backend("revm", chain.roles, chain, chain.accounts)
    else:
        chosen = ape_backend() if name == "ape" else revm_backend()
    with activate(chosen):
        yield chosen


@pytest.fixture(params=sorted(TOKEN_ZOO))
def zoo_kind(request: pytest.FixtureRequest) -> str:
    """Each kind of the token zoo in turn (a test using it runs once per kind)."""
    return request.param


@pytest.fixture
def zoo_token(zoo_kind: str, roles: Roles) -> Any:
    """A freshly deployed token of the current zoo kind."""
    return deploy_token(zoo_kind, roles.deployer)
