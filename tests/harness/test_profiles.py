"""The in-process backend runs every profile much deeper than anvil: `ci` at least 20x the steps per machine, and the
`audit` profile's in-process runs add up to at least 1,000,000 steps over the six machine tests."""

from __future__ import annotations

from hypothesis import settings

from deai.testing.profiles import IN_PROCESS, PROFILES, use_backend_profile

MACHINE_TESTS = 6  # provenance, splitter, staking / managed / rebasing pool, marketplace


def steps(values: dict) -> int:
    return values["max_examples"] * values["stateful_step_count"]


def test_in_process_profiles_are_deeper():
    assert steps(IN_PROCESS["ci"]) >= 20 * steps(PROFILES["ci"])
    assert MACHINE_TESTS * steps(IN_PROCESS["audit"]) >= 1_000_000
    assert all(steps(IN_PROCESS[name]) > steps(PROFILES[name]) for name in PROFILES)


def test_the_backend_profile_is_loaded_only_while_an_in_process_test_runs():
    before = settings.default.max_examples
    with use_backend_profile("revm"):
        assert settings.default.max_examples > before
    assert settings.default.max_examples == before
    with use_backend_profile("ape"):
        assert settings.default.max_examples == before


def test_hypothesis_has_scanned_the_loaded_modules_before_a_machine_is_timed(monkeypatch):
    """`warm_hypothesis` (run before each test's clock starts) leaves hypothesis nothing to scan: its one-time read
    of the local modules' constants is not charged to the first machine's steps per second."""
    import sys
    import types

    from hypothesis.internal.conjecture import providers

    from deai.testing.pytest_plugin import warm_hypothesis

    monkeypatch.setitem(sys.modules, "_deai_probe", types.ModuleType("_deai_probe"))  # a module loaded since
    assert providers._sys_modules_len != len(sys.modules)
    warm_hypothesis()
    assert providers._sys_modules_len == len(sys.modules)
