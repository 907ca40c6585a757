# VictimCare: `make run` starts the app with demo data, `make test` runs the tests.
# Both build .venv on first use; they need only Python 3.11 and make.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app app
PYTEST_ARGS ?=

.PHONY: run test lint test-pg test-e2e test-all bench translations translations-update clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: $(BIN)/python requirements.txt
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# Compiled catalogues are build products, never committed.
translations: $(VENV)/.runtime
	$(BIN)/pybabel compile --use-fuzzy -d translations -f >/dev/null

run: translations
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	$(FLASK) audit checkpoint --first >/dev/null  # development: sign the log's head now, first or not
	@echo ""
	@echo "VictimCare is at http://127.0.0.1:$(PORT)/  (Ctrl+C to stop)"
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# Two workers (pytest-xdist), each on its own copies of the test database.
test: $(VENV)/.dev translations lint
	$(BIN)/pytest -n auto $(PYTEST_ARGS)

# Style and architecture: ruff's rules (pyproject.toml), its formatting, and the import contracts
# of DESIGN.md §2 (.importlinter). A new violation fails the build.
LINTED := victimcare workflows vocabulary tests bench migrations app.py
lint: $(VENV)/.dev
	$(BIN)/ruff check --quiet $(LINTED)
	$(BIN)/ruff format --quiet --check $(LINTED)
	$(BIN)/lint-imports --no-logo --no-cache

# The whole suite again on a throwaway PostgreSQL database (skips when none is reachable).
test-pg: $(VENV)/.dev translations
	VICTIMCARE_TEST_BACKEND=postgresql $(BIN)/pytest -n auto -m "not e2e" $(PYTEST_ARGS)

# Browser tests in Debian's Chromium (skip when /usr/bin/chromium is absent).
test-e2e: $(VENV)/.dev translations
	$(BIN)/pytest -m e2e $(PYTEST_ARGS)

test-all: test test-pg test-e2e

bench: $(VENV)/.dev translations
	for b in $(filter-out bench/__init__.py bench/_%.py bench/%_app.py,$(wildcard bench/*.py)); do $(BIN)/python $$b || exit 1; done

# After changing user-visible text: extract, merge, then translate the new entries in vi/.
translations-update: $(VENV)/.runtime
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ --no-location --ignore-dirs ".* __pycache__" -o translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching -i translations/messages.pot -d translations

clean:
	rm -rf $(VENV) .pytest_cache test-results
