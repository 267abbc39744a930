"""Root conftest: configure the offline toolchain and load the shared harness."""

from deai.toolchain import configure_environment, prune_node_records

configure_environment()
prune_node_records()  # before Ape connects: stale records of killed nodes make every disconnect slow

pytest_plugins = ["deai.testing.pytest_plugin"]
