"""Deployment and test harness for the decentralized-AI contract suite.

`deai.toolchain` locates the offline compiler and anvil; `deai.deploy` holds the deployment code that
both `scripts/` and the test fixtures call; `deai.testing` is the pytest/hypothesis harness.
Importing this package is cheap: nothing here imports Ape until a submodule that needs it is used.
"""
