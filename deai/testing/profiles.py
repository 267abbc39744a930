"""Hypothesis profiles, chosen by the HYPOTHESIS_PROFILE environment variable.

- `ci` (default): few examples and short state-machine runs, so `make test` stays fast.
- `dev`: a little deeper, for local iteration.
- `audit`: many examples and long runs, for auditors (`make audit` or HYPOTHESIS_PROFILE=audit).
Chain calls are slow compared with pure Python, so deadlines are off and the too-slow check is muted.

Each profile has an in-process twin, `<name>-revm`, loaded while a test runs on the in-process backend
(deai.testing.backends): the same machines, far more examples and steps (the in-process EVM runs thousands of steps
per second where anvil runs a few). `ci` on anvil: 4 x 15 = 60 steps per machine (a fidelity sample: each anvil step
costs 3-4 JSON-RPC round trips per contract call, and the anvil machines were most of `make test`'s time at 12 x 25);
`ci-revm`: 60 x 100 = 6,000 (100x). `audit-revm`: 1,000 x 200 = 200,000 steps per machine test, 1,200,000 over the six machine tests.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator

from hypothesis import HealthCheck, Phase, settings

_COMMON = dict(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
    print_blob=True,
)

PROFILES = {
    "ci": dict(max_examples=4, stateful_step_count=15),  # the anvil sample; depth comes from `ci-revm`
    "dev": dict(max_examples=40, stateful_step_count=40),
    "audit": dict(max_examples=400, stateful_step_count=120),
    "bench": dict(max_examples=3, stateful_step_count=20),  # `make bench`: a short anvil sample beside ...
    "mutation": dict(max_examples=3, stateful_step_count=20),  # `make mutation` runs the in-process machines only
}
IN_PROCESS = {  # the in-process backend's depth for each profile
    "bench": dict(max_examples=20, stateful_step_count=100),  # ... a longer in-process one
    # per mutant: fresh, a few seconds, and no shrinking (a killed mutant needs no minimal example)
    "mutation": dict(max_examples=25, stateful_step_count=60, database=None,
                     phases=[Phase.explicit, Phase.reuse, Phase.generate]),
    "ci": dict(max_examples=60, stateful_step_count=100),
    "dev": dict(max_examples=200, stateful_step_count=100),
    "audit": dict(max_examples=1_000, stateful_step_count=200),
}
_active = "ci"


def load_profile() -> str:
    global _active
    for name, values in PROFILES.items():
        settings.register_profile(name, **_COMMON, **values)
        settings.register_profile(f"{name}-revm", **_COMMON, **IN_PROCESS[name])
    name = os.environ.get("HYPOTHESIS_PROFILE", "ci")
    if name not in PROFILES:
        raise SystemExit(f"HYPOTHESIS_PROFILE={name!r} is not one of {sorted(PROFILES)}")
    settings.load_profile(name)
    _active = name
    return name


def profile_for(backend: str) -> str:
    """The hypothesis profile a test on `backend` runs with."""
    return _active if backend != "revm" else f"{_active}-revm"


@contextmanager
def use_backend_profile(backend: str) -> Iterator[str]:
    """Within the block, hypothesis uses the active profile's settings for `backend`."""
    name = profile_for(backend)
    if name == _active:
        yield name
        return
    settings.load_profile(name)
    try:
        yield name
    finally:
        settings.load_profile(_active)
