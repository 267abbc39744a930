# One entry point for every job. Each target installs what is missing (idempotently) before running.
#   make test   - the full test suite (CI runs exactly this)
#   make demo   - compile, start a private local chain, deploy the suite, run an end-to-end story
#   make lint   - slither through the project's solc front end, against the committed triage file
#   make app    - a private local chain with the suite deployed and the reference dApp served (prints the URL)
#   make abi    - regenerate the @deai/contracts npm package in abi/ (ABIs with errors, enums, EIP-712, addresses)
#   make gas-snapshot - re-measure the gas of every public operation into gas-snapshot.json
SHELL := /bin/bash
.DEFAULT_GOAL := test

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
APE := $(BIN)/ape
STAMP_PY := $(VENV)/.installed-requirements.lock
STAMP_NPM := node_modules/.installed-package-lock.json
# The front-end package's own dev tools (typescript, viem) for building and testing abi/ (the @deai/contracts package).
STAMP_ABI_NPM := abi/node_modules/.installed-package-lock.json
# The reference dApp's build and browser-test tools (vite, typescript, viem, playwright-core).
STAMP_APP_NPM := app/node_modules/.installed-package-lock.json
HOOK_STAMP := $(VENV)/.hook

.PHONY: setup test test-inprocess audit demo lint gas-snapshot compile node clean abi app

setup: $(STAMP_PY) $(STAMP_NPM) $(STAMP_ABI_NPM) $(STAMP_APP_NPM) $(HOOK_STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP_PY): requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --requirement requirements.lock
	touch $@

$(STAMP_NPM): package-lock.json package.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(STAMP_ABI_NPM): abi/package-lock.json abi/package.json
	cd abi && npm ci --no-audit --no-fund --loglevel=error --ignore-scripts
	touch $@

$(STAMP_APP_NPM): app/package-lock.json app/package.json $(STAMP_ABI_NPM)
	cd app && npm ci --no-audit --no-fund --loglevel=error --ignore-scripts
	touch $@

# The .pth hook puts this project on sys.path and points py-solc-x at tools/solcx (no solc download).
$(HOOK_STAMP): deai/toolchain.py $(STAMP_PY)
	$(BIN)/python -m deai.toolchain "$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
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

# The @deai/contracts npm package in abi/: regenerate its sources from the compiled contracts, the Solidity sources
# and deployments/*.json (deai/frontend/), then type-check (nodenext and bundler) and build abi/dist/.
abi: setup
	$(BIN)/python -m deai.abi
	cd abi && npm run --silent typecheck && npm run --silent build

# A private local chain with the suite deployed and the reference dApp (app/) served on localhost; prints its URL.
app: setup
	$(APE) run app

lint: setup
	$(BIN)/python -m deai.lint

node: setup
	node_modules/.bin/anvil --port 8545 --chain-id 31337

clean:
	rm -rf .build .cache $(VENV) node_modules abi/node_modules abi/dist app/node_modules app/dist
