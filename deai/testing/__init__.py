"""Test harness shared by every system's tests: revert assertions, chain isolation for hypothesis,
hypothesis profiles, the gas snapshot and the token zoo, and the two backends the state machines run on
(Ape's provider, and the in-process revm chain of `deai.testing.revm`). `deai.testing.pytest_plugin` wires them
into pytest fixtures."""
