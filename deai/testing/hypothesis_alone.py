"""Hypothesis's own cost per step for one state machine: a ceiling on its steps per second on any backend.

`rules_alone(Machine)` is the machine with nothing of its own left: the same rules (their names and argument
strategies, so every step draws what the machine's step draws for that rule's arguments), initialize rules and
invariants, but every body a no-op, no preconditions and no chain. Running it measures what hypothesis spends per step
on this machine's shape (choosing the rule, drawing its arguments, checking the invariants, the engine's bookkeeping
per run). It is a lower bound on that cost, so its rate is a ceiling for the machine, which no backend, however fast,
takes the machine past:
- with no precondition every rule is always enabled: the same draws as a machine whose preconditions hold (the
  marketplace's, the only machine with any, hold from its first step: its runs start with an offer and a lease),
  without the cost of evaluating them or of the retries a disabled rule costs hypothesis;
- a rule that draws more inside its body (`st.data()`, as some provenance rules do) draws only its arguments here.
`make bench` prints it beside each machine (`--machine-ceiling`, deai.testing.pytest_plugin).
"""

from __future__ import annotations

import dataclasses
import inspect
import time
from typing import Any, Callable

from hypothesis import HealthCheck, settings
from hypothesis.stateful import (INITIALIZE_RULE_MARKER, INVARIANT_MARKER, RULE_MARKER, RuleBasedStateMachine,
                                 run_state_machine_as_test)

_MARKERS = (RULE_MARKER, INITIALIZE_RULE_MARKER, INVARIANT_MARKER)


def rules_alone(machine: type[RuleBasedStateMachine]) -> type[RuleBasedStateMachine]:
    """A machine with `machine`'s rules, initialize rules and invariants (same names, same argument strategies), each
    with an empty body and no precondition, on no chain. Its class attribute `steps` counts the steps its runs
    take (as ChainStateMachine.steps does: the invariant checks after a step)."""
    members: dict[str, Any] = {"steps": 0}
    for name, member in inspect.getmembers(machine):
        for marker in _MARKERS:
            definition = getattr(member, marker, None)
            if definition is None:
                continue

            def nothing(self: Any, **arguments: Any) -> None:
                return None

            nothing.__name__ = nothing.__qualname__ = name
            setattr(nothing, marker, dataclasses.replace(definition, function=nothing, preconditions=()))
            members[name] = nothing

    def check_invariants(self: Any, *args: Any, **kwargs: Any) -> None:
        type(self).steps += 1
        RuleBasedStateMachine.check_invariants(self, *args, **kwargs)

    def __init__(self: Any) -> None:
        RuleBasedStateMachine.__init__(self)
        type(self).steps -= 1  # the check when a run starts is not a step

    members.update(check_invariants=check_invariants, __init__=__init__)
    return type(f"{machine.__name__}RulesAlone", (RuleBasedStateMachine,), members)


def steps_per_second(machine: type[RuleBasedStateMachine], runs: int, steps_per_run: int,
                     clock: Callable[[], float] = time.process_time) -> float:
    """Run `machine`'s rules alone (`rules_alone`) for `runs` runs of `steps_per_run` steps, as a machine test runs
    in-process (its objects out of the collector's way), and return steps per second of `clock` (CPU time unless
    told)."""
    from deai.testing.backends import frozen_heap

    alone = rules_alone(machine)
    config = settings(max_examples=max(runs, 1), stateful_step_count=max(steps_per_run, 1), deadline=None,
                      database=None, suppress_health_check=list(HealthCheck))
    with frozen_heap():
        start = clock()
        run_state_machine_as_test(alone, settings=config)
        return alone.steps / (clock() - start)
