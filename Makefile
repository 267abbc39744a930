# One entry point for every job. Each target installs what is missing (idempotently) before running.
#   make test   - the full test suite (CI runs exactly this)
#   make demo   - compile, start a private local chain, deploy the suite, run an end-to-end story
#   make lint   - slither through the project's solc front end, against the committed triage file
#   make abi    - export ABI JSON and TypeScript `as const` modules into abi/
#   make gas-snapshot - re-measure the gas of every public operation into gas-snapshot.json
SHELL := /bin/bash
.DEFAULT_GOAL := test

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
APE := $(BIN)/ape
STAMP_PY := $(VENV)/.installed-requirements.lock
STAMP_NPM := node_modules/.installed-package-lock.json
HOOK_STAMP := $(VENV)/.hook

.PHONY: setup test test-inprocess audit demo lint gas-snapshot compile node clean abi

setup: $(STAMP_PY) $(STAMP_NPM) $(HOOK_STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP_PY): requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --requirement requirements.lock
	touch $@

$(STAMP_NPM): package-lock.json package.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The .pth hook puts the checkout the command runs in (found from the current directory) on sys.path and points
# py-solc-x at its tools/solcx (no solc download). It holds no path, so a venv reused by another clone serves that clone.
$(HOOK_STAMP): deai/toolchain.py $(STAMP_PY)
	$(BIN)/python -c 'import sys, sysconfig; sys.path.insert(0, "."); import deai.toolchain as t; t.main(sysconfig.get_paths()["purelib"])'
	touch $@

compile: setup
	$(APE) compile

# Tests start their own anvil (ape-foundry, host: auto). HYPOTHESIS_PROFILE=audit for the deep run.
test: setup
	$(APE) test tests --gas-snapshot=check $(ARGS)

# The same suite on Ape's in-process EVM provider instead of anvil (no gas snapshot there).
test-inprocess: setup
	$(APE) test tests --network ethereum:local:test $(ARGS)

audit: setup
	HYPOTHESIS_PROFILE=audit $(APE) test tests $(ARGS)

gas-snapshot: setup
	$(APE) test tests -k gas --gas-snapshot=update $(ARGS)

demo: setup
	$(APE) run demo

# Front-end artifacts: abi/<Contract>.json and abi/ts/<Contract>.ts (`as const`, for viem and wagmi).
abi: setup
	$(BIN)/python -m deai.abi

lint: setup
	$(BIN)/python -m deai.lint

node: setup
	node_modules/.bin/anvil --port 8545 --chain-id 31337

clean:
	rm -rf .build .cache $(VENV) node_modules
