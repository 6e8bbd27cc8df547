# passculture — `make run` starts everything, `make test` checks everything.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
export PYTHONPATH := $(CURDIR)/src
export DJANGO_SETTINGS_MODULE := passculture.settings
PORT ?= 8000
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/passculture

.PHONY: install run test lint typecheck pytest pytest-pg e2e bench clean

$(VENV)/.installed: pyproject.toml
	@command -v python3 >/dev/null || { echo "python3 introuvable : installez Python 3.12 ou plus récent." >&2; exit 1; }
	@python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' || { \
	  echo "Python $$(python3 -V 2>&1) est trop ancien : passculture demande Python 3.12 ou plus récent (3.13 conseillé, voir .python-version)." >&2; exit 1; }
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

run: install
	$(PY) -m passculture serve --port $(PORT)

lint: install
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench

typecheck: install
	$(VENV)/bin/mypy src

pytest: install
	$(VENV)/bin/pytest -q -p no:cacheprovider

# Same suite on PostgreSQL; mandatory under CI, skipped with a notice otherwise.
pytest-pg: install
	@if $(PY) -c "import psycopg,sys; psycopg.connect('$(PG_TEST_URL)'.rsplit('/',1)[0]+'/postgres', connect_timeout=3).close()" 2>/dev/null; then \
	  DATABASE_URL=$(PG_TEST_URL) $(VENV)/bin/pytest -q -p no:cacheprovider; \
	elif [ -n "$$CI" ]; then echo "PostgreSQL injoignable sur 127.0.0.1:5432 : obligatoire sous CI." >&2; exit 1; \
	else echo "PostgreSQL injoignable : suite PostgreSQL sautée (obligatoire sous CI)."; fi

test: lint typecheck pytest pytest-pg

bench: install
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) var/*.sqlite3* var/static
