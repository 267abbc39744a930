"""Test harness shared by every system's tests: revert assertions, chain isolation for hypothesis,
hypothesis profiles, the gas snapshot and the token zoo. `deai.testing.pytest_plugin` wires them
into pytest fixtures."""
