# The two commands a newcomer needs: `make demo` and `make test`. Each installs what it needs.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export GONGXIN_HOME ?= $(CURDIR)/var

.PHONY: demo test test-sqlite test-postgres debian-packages lint bench clean

$(STAMP): pyproject.toml scripts/venv.sh
	scripts/venv.sh

## Run Gongxin on SQLite with demo data at http://127.0.0.1:8000/ (web server and task worker)
demo: $(STAMP)
	scripts/debian-packages.sh run
	$(BIN)/gongxin init
	$(BIN)/gongxin demo load
	$(BIN)/gongxin serve --with-worker 127.0.0.1:8000

## Lint, then the whole suite on SQLite and on a local PostgreSQL server
test: lint test-sqlite test-postgres

# The SQLite pass runs on the wall clock; the PostgreSQL pass with the clock pinned to the
# evening of 31 December in Shanghai (tests/conftest.py), when the UTC date is a day behind.
PINNED_NOW := 2026-12-31T23:30:00+08:00

test-sqlite: $(STAMP) debian-packages
	env -u DATABASE_URL -u GONGXIN_TEST_NOW $(BIN)/pytest

test-postgres: $(STAMP) debian-packages
	DATABASE_URL=$$(scripts/postgres.sh start) GONGXIN_TEST_NOW=$(PINNED_NOW) $(BIN)/pytest

# Fonts, Pango, Chromium and poppler from Debian, when missing (scripts/debian-packages.sh).
debian-packages:
	scripts/debian-packages.sh test

lint: $(STAMP)
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench
	cd src && ../$(BIN)/lint-imports --no-cache ../pyproject.toml
	env -u DATABASE_URL DJANGO_SETTINGS_MODULE=tests.settings PYTHONPATH=. $(BIN)/gongxin makemigrations --check --dry-run

## Benchmarks (large data; not part of `make test`). ARGS="--entries 10000000" for 10M;
## COPY_ARGS="--entries 10000000" for the PostgreSQL COPY import at 10M (BENCH_DATABASE_URL);
## SUPERVISION_ARGS="--requests 10000 --candidates 100000" for a quick supervision run.
## The load bench (locust, two nodes then one, on PostgreSQL) runs quick; LOAD_ARGS="--full --keep"
## for 100,000 requests and 1,000,000 list entries (the database kept for the next run).
bench: $(STAMP)
	$(BIN)/python bench/registry.py $(ARGS)
	$(BIN)/python bench/copy_import.py $(COPY_ARGS)
	$(BIN)/python bench/letters.py
	$(BIN)/python bench/signoff.py
	$(BIN)/python bench/tasks.py
	$(BIN)/python bench/audit.py
	$(BIN)/python bench/bench_supervision.py $(SUPERVISION_ARGS)
	DATABASE_URL=$${DATABASE_URL:-$$(scripts/postgres.sh start)} $(BIN)/python bench/load/driver.py $(LOAD_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
