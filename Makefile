# All set-up happens here: `make run` and `make test` work on a fresh machine.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test

.PHONY: run test lint typecheck bench clean

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

bench: $(STAMP_TEST)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
