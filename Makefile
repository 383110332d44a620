# Entry points: make demo | test | bench | sandbox-up | sandbox-down
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
TOOLCHAIN := requirements/toolchain.txt
STAMP := $(VENV)/.toolchain-installed
COLLECTION_LINK := .ansible/collections/ansible_collections/lakehouse/databricks_aws
SANITY_ROOT := build/sanity
SANITY_COPY := $(SANITY_ROOT)/ansible_collections/lakehouse/databricks_aws
export PATH := $(BIN):$(PATH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg

.PHONY: help venv demo test check lint ruff ansible-lint docs-lint sanity units emulator sandbox-tests e2e molecule bench sandbox-up sandbox-down clean

help:
	@echo "make demo          deploy the whole stack on the local sandbox and print a summary"
	@echo "make test          everything CI runs: lint, sanity, unit, emulator, sandbox, end-to-end, molecule"
	@echo "make check         the quick loop: ruff, unit, emulator and sandbox tests (a few minutes)"
	@echo "make bench         benchmarks"
	@echo "make sandbox-up    start moto + the Databricks emulator (.sandbox/endpoints.json)"
	@echo "make sandbox-down  stop them"

# The pinned toolchain; a second run finds the stamp newer than the pin file and does nothing.
$(STAMP): $(TOOLCHAIN)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r $(TOOLCHAIN)
	@touch $@

$(COLLECTION_LINK):
	@mkdir -p $(dir $@)
	@ln -sfn ../../../.. $@

venv: $(STAMP) $(COLLECTION_LINK)

sandbox-up: venv
	$(BIN)/python -m sandbox up

sandbox-down:
	@if [ -x $(BIN)/python ]; then $(BIN)/python -m sandbox down; else $(PYTHON) -m sandbox down; fi

# The whole stack on the local sandbox, then the summary site.yml's last play wrote (artifacts/sandbox/).
demo: venv sandbox-up
	$(BIN)/ansible-playbook site.yml -i inventories/local
	@echo
	@echo "==== make demo: deployed on the local sandbox (make sandbox-down stops it) ===="
	@cat artifacts/sandbox/summary.txt

bench: venv
	$(BIN)/python benchmarks/run.py

# ---- tests -------------------------------------------------------------------------------
test: venv lint sanity units sandbox-tests e2e molecule
	@echo "make test: all suites passed"

lint: ruff ansible-lint docs-lint

# The changelog fragments and the rendered plugin and role docs (as docs.ansible.com builds them).
# GIT_CEILING_DIRECTORIES: the linter copies amazon.aws from .venv with `git ls-files` when the path
# looks like a git work tree, and .venv is ignored here, so it would copy nothing.
docs-lint: venv
	$(BIN)/antsibull-changelog lint
	ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/.ansible/collections GIT_CEILING_DIRECTORIES=$(CURDIR)/$(VENV) \
	  $(BIN)/antsibull-docs lint-collection-docs --plugin-docs $(COLLECTION_LINK)

ruff: venv
	$(BIN)/ruff check .

# Collections resolve from this checkout only (not from a stale copy under ~/.ansible).
ansible-lint: venv
	ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/.ansible/collections $(BIN)/ansible-lint --profile production --offline

# ansible-test needs the collection at ansible_collections/<ns>/<name>, as a real copy.
# The copy holds what `ansible-galaxy collection build` would ship (galaxy.yml build_ignore).
sanity: venv
	$(BIN)/python tests/tools/install_get_pip_standin.py
	$(BIN)/python tests/tools/copy_collection.py $(SANITY_COPY)
	cd $(SANITY_COPY) && $(BIN)/ansible-test sanity --venv --python 3.11 --color no

units: venv
	$(BIN)/python -m pytest tests/unit -q

# The quick loop while developing (make test stays what CI runs).
check: venv ruff units emulator sandbox-tests
	@echo "make check: ruff, unit, emulator and sandbox tests passed"

emulator: venv
	$(BIN)/python -m pytest tests/emulator -q

# The sandbox's own tests (tests/sandbox): its launcher, delay profiles, moto's fault injection and AWS
# strictness; tests/unit holds the collection's.
sandbox-tests: venv
	$(BIN)/python -m pytest tests/sandbox -q

# Two workers (one per core), each with its own sandbox; a test file stays on one worker.
e2e: venv
	$(BIN)/python -m pytest tests/emulator tests/e2e -q -n 2 --dist loadfile --durations=30

molecule: venv
	$(BIN)/python tests/tools/run_molecule.py

clean:
	rm -rf build .pytest_cache .ruff_cache artifacts
