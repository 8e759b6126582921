# One-word tasks. `make demo` and `make test` are the README's quick start.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
PG_URL ?= postgres://postgres@127.0.0.1:5432/metalstat

.PHONY: setup system-deps demo check test lint typecheck test-fast test-sqlite test-postgres bench mutation mutation-report clean

$(VENV)/.installed: pyproject.toml
	bash scripts/install-system-deps.sh
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[test]'
	touch $@

# The portal's front end: ECharts from npm (package-lock.json pins it) copied into the
# portal's static files, and the Chinese message catalog compiled from its .po (gettext).
PORTAL  := src/metalstat/portal
ECHARTS := $(PORTAL)/static/portal/vendor/echarts.common.min.js
MO      := $(PORTAL)/locale/zh_Hans/LC_MESSAGES/django.mo

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

$(ECHARTS): node_modules/.package-lock.json
	mkdir -p $(dir $@)
	cp node_modules/echarts/dist/echarts.common.min.js $@

$(MO): $(PORTAL)/locale/zh_Hans/LC_MESSAGES/django.po $(VENV)/.installed
	msgfmt --check -o $@ $<

setup: $(VENV)/.installed $(ECHARTS) $(MO)

demo: setup
	$(VENV)/bin/metalstat demo

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m metalstat.project.manage check
	$(PY) -m metalstat.project.manage makemigrations --check --dry-run

typecheck: setup
	$(VENV)/bin/mypy

# The tests without the slow end-to-end ones and the portal's browser tests, on SQLite only:
# the quick loop.
test-fast: setup
	env -u DATABASE_URL $(VENV)/bin/pytest -n 2 -q -m "not slow and not browser"

test-sqlite: setup
	bash scripts/ensure-redis.sh
	env -u DATABASE_URL $(VENV)/bin/pytest -n 2 -q

test-postgres: setup
	bash scripts/ensure-postgres.sh
	bash scripts/ensure-redis.sh
	DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest -n 2 -q

# The quick loop before a commit: lint, types, then the fast tests on SQLite.
check: lint typecheck test-fast

# The whole check: lint, types, then every test (slow ones too) on SQLite and on PostgreSQL.
test: lint typecheck test-sqlite test-postgres

bench: setup
	$(PY) bench/engine.py
	$(PY) bench/report.py
	METALSTAT_DATA_DIR=$$(mktemp -d) $(PY) bench/imports.py
	env -u DATABASE_URL METALSTAT_DATA_DIR=$$(mktemp -d) $(PY) bench/read_path.py
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(PIP) install -q -e '.[test,bench]'
	env -u DATABASE_URL $(PY) bench/api.py
	env -u DATABASE_URL $(PY) bench/release_time.py
	env -u DATABASE_URL $(PY) bench/delivery.py

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
