# All set-up happens here: `make run` and `make test` work on a fresh machine.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test

.PHONY: run test lint typecheck bench soak clean notebooks test-azcli difftest conformance

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[server,kernel]'
	touch $@

$(STAMP_TEST): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[server,kernel,test]'
	touch $@ $(STAMP_RUN)

run: $(STAMP_RUN)
	$(BIN)/azshell

test: $(STAMP_TEST)
	$(BIN)/ruff check azshell kernel tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: $(STAMP_TEST)
	$(BIN)/ruff check azshell kernel tests benchmarks

typecheck: $(STAMP_TEST)
	$(BIN)/mypy

# The az CLI against `azshell serve`: tests/server/test_azcli.py alone, reusing one azure-cli venv under /tmp
# (AZCLI_VENV=...) across runs. CI runs the same test in `make test`, installing azure-cli afresh each run.
test-azcli: $(STAMP_TEST)
	PYTHON=$(abspath $(BIN)/python) scripts/azcli_e2e.sh

# Developer-only: where our parser and tree-sitter-powershell disagree on "valid or not" (deliberate
# differences are listed in the test).
difftest: $(STAMP_TEST)
	$(BIN)/python -m pip install -q -e '.[dev]'
	$(BIN)/python -m pytest -m dev -rs tests/lang/test_treesitter_diff.py

# PowerShell's own language tests (vendored from PowerShell/PowerShell) against azshell's language: the figures,
# and with V=1 every failing or out-of-scope block with its reason. The test suite keeps them at >= 95%.
conformance: $(STAMP_TEST)
	$(BIN)/python -m tests.lang.pester $(if $(V),-v,)

bench: $(STAMP_TEST)
	$(BIN)/python -m benchmarks

# A classroom's load on one state file (issue 14): serve, shells, a kernel and clients at once; SOAK_SECONDS=N.
SOAK_SECONDS ?= 60
soak: $(STAMP_TEST)
	$(BIN)/python -m benchmarks.bench_soak --seconds $(SOAK_SECONDS)

notebooks: $(STAMP_RUN)
	$(BIN)/python -m azshell.tutorials.notebooks notebooks/tutorials

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
