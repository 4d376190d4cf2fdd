# ccinspect: the two commands a fresh machine needs are `make demo` and `make test`.
# Both install what they need (Debian packages, the virtualenv, pjsua2 built with raised call
# limits) and reuse it afterwards. Expensive builds are cached in ~/.cache/ccinspect.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.ccinspect-installed

.PHONY: install demo demo-up demo-down test lint typecheck clean help

help:
	@echo "make demo   start the demo call-center PBX and run the inspection rehearsal against it"
	@echo "make test   run the whole test suite (starts the demo PBX itself)"
	@echo "make lint   ruff (lint and format), mypy over src and tests, import-linter contracts"

install: $(STAMP)

$(STAMP): pyproject.toml scripts/install-system-deps.sh scripts/build-pjsua2.sh
	bash scripts/install-system-deps.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@if bash scripts/build-pjsua2.sh $(VENV); then :; else \
	  echo "WARNING: building pjsua2 failed; falling back to the PyPI wheel pjsua2-python," \
	       "which holds only 4 call legs per process (concurrency will be limited)" >&2; \
	  $(BIN)/python -m pip install --quiet pjsua2-python; \
	fi
	touch $(STAMP)

demo: install
	@start=$$(date +%s%N); \
	$(BIN)/ccinspect demo up && $(BIN)/ccinspect run; rc=$$?; \
	ms=$$(( ($$(date +%s%N) - start) / 1000000 )); \
	echo "make demo: $$((ms / 1000)).$$(( (ms % 1000) / 100 )) s wall time (demo up + run), exit $$rc"; \
	exit $$rc

demo-down: install
	$(BIN)/ccinspect demo down

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
