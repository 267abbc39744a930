# One entry point for every job. Each target installs what is missing (idempotently) before running.
#   make test   - the full test suite (CI runs exactly this)
#   make demo   - compile, start a private local chain, deploy the suite, run an end-to-end story
#   make lint   - slither through the project's solc front end, against the committed triage file
#   make app    - a private local chain with the suite deployed and the reference dApp served (prints the URL)
#   make abi    - regenerate the @deai/contracts npm package in abi/ (ABIs with errors, enums, EIP-712, addresses)
#   make gas-snapshot - re-measure the gas of every public operation into gas-snapshot.json
#   make bench  - state-machine steps per second per machine, on anvil and in-process (median of 3 runs)
#   make audit  - the deep run: >= 1,000,000 state-machine steps in-process (two processes, one per core)
#   make mutation - mutation testing of every production contract against the in-process machines
#   make gas-determinism - every gas figure is the same with random delays between transactions
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

.PHONY: setup test test-inprocess audit audit-anvil bench mutation gas-determinism demo lint gas-snapshot compile node \
	clean abi app compile-contracts

# The installs are independent (network and disk bound), so `make setup` runs them at once (make -j): uv installs the
# Python lock while npm installs the three node trees; `make compile` starts Ape's compile as soon as what it needs
# (the Python packages, the npm solc and OpenZeppelin, the hook) is there, while abi/ and app/ are still installing.
# make stops at the first failing step and exits non-zero.
SETUP_STAMPS := $(STAMP_PY) $(STAMP_NPM) $(STAMP_ABI_NPM) $(STAMP_APP_NPM) $(HOOK_STAMP)
SETUP_JOBS ?= 5
# Only the inner make runs jobs at once: goals given together (`make -j setup compile`) run one after the other, so two
# inner makes never install the same thing at the same time.
ifeq ($(MAKELEVEL),0)
.NOTPARALLEL:
endif
setup:
	@$(MAKE) --no-print-directory -j$(SETUP_JOBS) $(SETUP_STAMPS)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# uv (pinned, from PyPI, the same index pip uses) installs the lock in 8-10 s where pip took 94 s: parallel downloads, and
# no bytecode compiled up front (Python compiles what is imported, once). --system-certs: the machine's trust store,
# as pip uses it.
UV_VERSION := 0.13.9
UV := $(BIN)/uv
$(UV): | $(BIN)/python
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)

$(STAMP_PY): requirements.lock | $(UV)
	$(UV) pip install --quiet --system-certs --python $(BIN)/python --requirement requirements.lock
	touch $@

$(STAMP_NPM): package-lock.json package.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(STAMP_ABI_NPM): abi/package-lock.json abi/package.json
	cd abi && npm ci --no-audit --no-fund --loglevel=error --ignore-scripts
	touch $@

# app/ links @deai/contracts to ../abi (a symlink: npm ci in app/ neither reads nor writes abi/node_modules).
$(STAMP_APP_NPM): app/package-lock.json app/package.json
	cd app && npm ci --no-audit --no-fund --loglevel=error --ignore-scripts
	touch $@

# The .pth hook puts the checkout the command runs in (found from the current directory) on sys.path and points
# py-solc-x at its tools/solcx (no solc download). It holds no path, so a venv reused by another clone serves that clone.
$(HOOK_STAMP): deai/toolchain.py $(STAMP_PY)
	$(BIN)/python -c 'import sys, sysconfig; sys.path.insert(0, "."); import deai.toolchain as t; t.main(sysconfig.get_paths()["purelib"])'
	touch $@

# `make compile` = the whole setup and Ape's compile, the compile starting once its own inputs are installed.
compile:
	@$(MAKE) --no-print-directory -j$(SETUP_JOBS) $(SETUP_STAMPS) compile-contracts

compile-contracts: $(STAMP_PY) $(STAMP_NPM) $(HOOK_STAMP)
	$(APE) compile

# Tests start their own anvil (ape-foundry, host: auto). HYPOTHESIS_PROFILE=audit for the deep run.
# On both cores: TEST_WORKERS pytest-xdist workers, each an Ape session with its own anvil, whole test files per
# worker, heaviest first (deai/testing/parallel.py); TEST_WORKERS=0 runs in one process. The contracts are compiled
# once before the workers start (two workers compiling a fresh clone at once would both write .build/).
TEST_WORKERS ?= 2
test: compile
	$(APE) test tests -n $(TEST_WORKERS) --gas-snapshot=check $(ARGS)

# The same suite on Ape's in-process EVM provider instead of anvil (no gas snapshot there).
test-inprocess: setup
	$(APE) test tests --network ethereum:local:test $(ARGS)

# The deep run: every state machine in-process at the `audit-revm` depth (1,000 runs x 200 steps each), split over
# two processes. A failure prints the shrunk steps and `@reproduce_failure(...)`; the example database (.hypothesis/)
# replays it first on the next run. Step counts and rates: .cache/audit/*.json.
AUDIT_PROFILE ?= audit
# The machine tests are split by their measured times at this depth (round 8, idle machine: provenance 157 s, staking
# and managed pools 130 s each; marketplace 132 s, splitter 98 s, rebasing pool 124 s, rewards 88 s) so both
# processes take about as long: provenance, staking and managed pools; marketplace, splitter, rebasing, then rewards.
AUDIT_A := tests/provenance/test_state_machine.py tests/emission/test_state_machines.py
AUDIT_B := tests/marketplace/test_market_state_machine.py tests/emission/test_state_machines.py
# The Compute rewards machine needs its own pytest session (its conftest's names clash with the marketplace's); it
# runs after the second process's machines, on that process's core.
AUDIT_C := tests/rewards/test_rewards_state_machine.py
audit: compile
	@mkdir -p .cache/audit
	@start=$$(date +%s); \
	HYPOTHESIS_PROFILE=$(AUDIT_PROFILE) $(APE) test $(AUDIT_A) -k "revm and (provenance or staking or managed)" \
		--machine-stats=.cache/audit/a.json -q $(ARGS) > .cache/audit/a.log 2>&1 & a=$$!; \
	HYPOTHESIS_PROFILE=$(AUDIT_PROFILE) $(APE) test $(AUDIT_B) \
		-k "revm and (marketplace or splitter or rebasing)" \
		--machine-stats=.cache/audit/b.json -q $(ARGS) > .cache/audit/b.log 2>&1 \
		&& HYPOTHESIS_PROFILE=$(AUDIT_PROFILE) $(APE) test $(AUDIT_C) -k revm \
		--machine-stats=.cache/audit/c.json -q $(ARGS) > .cache/audit/c.log 2>&1 & b=$$!; \
	wait $$a; ra=$$?; wait $$b; rb=$$?; \
	for log in .cache/audit/a.log .cache/audit/b.log .cache/audit/c.log; do \
		if grep -q "= FAILURES =" $$log; then sed -n '/= FAILURES =/,$$p' $$log; else tail -n 3 $$log; fi; \
	done; \
	$(BIN)/python -m deai.bench --summarize .cache/audit/a.json .cache/audit/b.json .cache/audit/c.json --since $$start; \
	exit $$((ra | rb))

# The same profile through Ape on anvil (hours: ~4 steps/s).
audit-anvil: setup
	HYPOTHESIS_PROFILE=audit $(APE) test tests -k "not revm" $(ARGS)

bench: compile
	$(BIN)/python -m deai.bench $(ARGS)

mutation: compile
	$(BIN)/python -m deai.mutation $(ARGS)

gas-determinism: setup
	$(BIN)/python -m deai.gas_determinism $(ARGS)

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
