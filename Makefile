# The README's two commands: `make drill` (set up, run the main job) and `make test`.
# Every target is idempotent: a second run reinstalls and rebuilds nothing unchanged.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: drill test bench mutation setup install clean browser wrk docs

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || \
	  { echo "make: cannot create a venv with $(PYTHON); install python3-venv (Debian) and retry" >&2; exit 2; }
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $@

install: $(STAMP)

setup: install
	$(BIN)/drill setup

drill: setup
	$(BIN)/drill run

test: setup browser wrk
	$(BIN)/pytest

# The report's browser test drives Debian's Chromium (installed as root with apt when missing).
browser:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
	  { echo "make: the report test needs Chromium: install Debian's chromium package and retry" >&2; exit 2; }

# The User API benchmark measures with wrk (Debian's package, installed as root when missing);
# `make test` starts every benchmark in its dry mode, so it needs it too.
wrk:
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; } || \
	  { echo "make: the benchmarks need wrk: install Debian's wrk package and retry" >&2; exit 2; }

bench: setup wrk
	$(BIN)/python -m bench

# The kill matrix: every mutant in mutants/ built and run against the scenarios that must catch it.
mutation: setup
	$(BIN)/drill mutate

# docs/reference/ is generated from the parser, the fault registry, the checks and the settings
# (a test keeps each page equal to its source): run after changing any of them.
docs: install
	$(BIN)/python -m runbook_drill.reference docs/reference

clean:
	@if [ -x $(BIN)/drill ]; then $(BIN)/drill clean; else echo "nothing to clean (no $(BIN)/drill)"; fi
