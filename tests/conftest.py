"""Root conftest: configure the offline toolchain and load the shared harness."""

from deai.toolchain import configure_environment

configure_environment()

pytest_plugins = ["deai.testing.pytest_plugin"]
