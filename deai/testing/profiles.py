"""Hypothesis profiles, chosen by the HYPOTHESIS_PROFILE environment variable.

- `ci` (default): few examples and short state-machine runs, so `make test` stays fast.
- `dev`: a little deeper, for local iteration.
- `audit`: many examples and long runs, for auditors (`make audit` or HYPOTHESIS_PROFILE=audit).
Chain calls are slow compared with pure Python, so deadlines are off and the too-slow check is muted.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = dict(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
    print_blob=True,
)

PROFILES = {
    "ci": dict(max_examples=12, stateful_step_count=25),
    "dev": dict(max_examples=40, stateful_step_count=40),
    "audit": dict(max_examples=400, stateful_step_count=120),
}


def load_profile() -> str:
    for name, values in PROFILES.items():
        settings.register_profile(name, **_COMMON, **values)
    name = os.environ.get("HYPOTHESIS_PROFILE", "ci")
    if name not in PROFILES:
        raise SystemExit(f"HYPOTHESIS_PROFILE={name!r} is not one of {sorted(PROFILES)}")
    settings.load_profile(name)
    return name
