"""deai.testing.hypothesis_alone: a machine's rules alone keep its shape (names, arguments, initialize rules,
invariants) and drop everything of its own (bodies, preconditions), so `make bench` can print hypothesis's own cost
per step as each machine's ceiling."""

from __future__ import annotations

import inspect

from hypothesis import strategies as st
from hypothesis.stateful import (INITIALIZE_RULE_MARKER, INVARIANT_MARKER, RULE_MARKER, RuleBasedStateMachine,
                                 initialize, invariant, precondition, rule)

from deai.testing.hypothesis_alone import rules_alone, steps_per_second

drawn: dict[str, int] = {}


def counted(name: str, strategy: st.SearchStrategy) -> st.SearchStrategy:
    """`strategy`, counting its draws under `name`."""

    def count(value: object) -> object:
        drawn[name] = drawn.get(name, 0) + 1
        return value

    return strategy.map(count)


class Hostile(RuleBasedStateMachine):
    """Every body fails and the rules' preconditions never hold: only its shape may survive."""

    @initialize(seed=counted("seed", st.integers(0, 9)))
    def begin(self, seed: int) -> None:
        raise AssertionError("an initialize body ran")

    @precondition(lambda self: False)
    @rule(amount=counted("amount", st.integers(0, 10**18)), flag=counted("flag", st.booleans()))
    def spend(self, amount: int, flag: bool) -> None:
        raise AssertionError("a rule body ran")

    @precondition(lambda self: False)
    @rule()
    def wait(self) -> None:
        raise AssertionError("a rule body ran")

    @invariant()
    def holds(self) -> None:
        raise AssertionError("an invariant body ran")


def shape(machine: type) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Each rule, initialize rule and invariant: its kind and its argument names."""
    found = {}
    for name, member in inspect.getmembers(machine):
        for marker in (RULE_MARKER, INITIALIZE_RULE_MARKER, INVARIANT_MARKER):
            if (definition := getattr(member, marker, None)) is not None:
                found[name] = (marker, tuple(getattr(definition, "arguments", {})))
    return found


def test_rules_alone_keeps_the_shape_and_drops_bodies_and_preconditions():
    alone = rules_alone(Hostile)
    assert shape(alone) == shape(Hostile) == {
        "begin": (INITIALIZE_RULE_MARKER, ("seed",)), "spend": (RULE_MARKER, ("amount", "flag")),
        "wait": (RULE_MARKER, ()), "holds": (INVARIANT_MARKER, ())}
    for name in ("spend", "wait"):
        assert getattr(getattr(alone, name), RULE_MARKER).preconditions == ()
        assert getattr(getattr(Hostile, name), RULE_MARKER).preconditions != ()  # the machine itself is untouched


def test_rules_alone_runs_every_step_drawing_the_machines_arguments():
    drawn.clear()
    rate = steps_per_second(Hostile, runs=5, steps_per_run=40)
    assert rate > 0
    # No body ran (each raises), every run began with its initialize rule, and `spend`'s arguments were drawn each
    # time it was chosen: both its strategies as often as each other.
    assert drawn["seed"] >= 5
    assert drawn["amount"] == drawn["flag"] > 0


def test_rules_alone_counts_steps_not_the_check_when_a_run_starts():
    from hypothesis import HealthCheck, settings
    from hypothesis.stateful import run_state_machine_as_test

    alone = rules_alone(Hostile)
    run_state_machine_as_test(alone, settings=settings(max_examples=3, stateful_step_count=7, database=None,
                                                       deadline=None, derandomize=True,
                                                       suppress_health_check=list(HealthCheck)))
    # Each run takes its 7 steps (the first is the initialize rule); the check before the first is not a step.
    # (Derandomized: hypothesis ends a run early with probability 2**-16 a step, which would make this flaky.)
    assert alone.steps == 3 * 7
