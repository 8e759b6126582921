# One-word tasks. `make demo` and `make test` are the README's quick start.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
PG_URL ?= postgres://postgres@127.0.0.1:5432/metalstat

.PHONY: setup system-deps demo test lint typecheck test-sqlite test-postgres bench mutation mutation-report clean

$(VENV)/.installed: pyproject.toml
	bash scripts/install-system-deps.sh
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[test]'
	touch $@

setup: $(VENV)/.installed

demo: setup
	$(VENV)/bin/metalstat demo

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m metalstat.project.manage check
	$(PY) -m metalstat.project.manage makemigrations --check --dry-run

typecheck: setup
	$(VENV)/bin/mypy

test-sqlite: setup
	env -u DATABASE_URL $(VENV)/bin/pytest -n 2 -q

test-postgres: setup
	bash scripts/ensure-postgres.sh
	DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest -n 2 -q

# The whole check: lint, types, then every test on SQLite and on PostgreSQL.
test: lint typecheck test-sqlite test-postgres

bench: setup
	$(PY) bench/engine.py
	$(PY) bench/report.py
	METALSTAT_DATA_DIR=$$(mktemp -d) $(PY) bench/imports.py

# Mutation testing of metalstat.engine (cosmic-ray, one mutant at a time, resumable; hours for
# every file). Not part of `make test`. FILES="validate impute" limits it to those engine files;
# SAMPLE=0.2 runs a fixed fifth of each file's mutants (a larger SAMPLE adds to the same ones).
# Report: .mutation/report.md; docs/testing.md records the last full result.
$(VENV)/.mutation-installed: pyproject.toml $(VENV)/.installed
	$(PIP) install -q -e '.[test,mutation]'
	touch $@

mutation: $(VENV)/.mutation-installed
	nice -n 10 $(PY) scripts/mutation.py run $(if $(FILES),--files $(FILES)) $(if $(SAMPLE),--sample $(SAMPLE))

mutation-report: $(VENV)/.mutation-installed
	$(PY) scripts/mutation.py report

clean:
	rm -rf .mutation $(VENV) data metalstat-demo .pytest_cache .mypy_cache .ruff_cache
