# Minsheng — the two commands a newcomer needs:
#   make demo   install, migrate, seed the demo city, draw its basemap, serve on http://127.0.0.1:8000/ with the worker
#   make test   install what the tests need and run the whole suite (SQLite, then PostgreSQL if available)

SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

# The first Python >= 3.12 on the PATH (a pyenv .python-version file selects 3.12.1 here).
PYTHON := $(shell for p in python3.14 python3.13 python3.12 python3 python; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
	&& { command -v $$p; break; }; done)

.PHONY: demo test test-sqlite test-postgres lint install check-python clean browser

check-python:
	@if [ -z "$(PYTHON)" ]; then \
		echo "Minsheng needs Python >= 3.12, and none was found on the PATH."; \
		echo "Install one (for example 'pyenv install 3.12' or your distribution's python3.12) and retry."; \
		exit 1; fi

$(BIN)/.installed: pyproject.toml | check-python
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[test]"
	@touch $@

install: $(BIN)/.installed

# Links in the demo's text messages point at the server that `make demo` starts.
demo: export MINSHENG_PUBLIC_URL ?= http://$(HOST):$(PORT)
# The demo's logins are shared and printed: two-factor sign-in, required of administrators, leaders
# and auditors in production, is off here unless asked for (MINSHENG_2FA_ROLES, docs/security.md).
demo: export MINSHENG_2FA_ROLES ?=
demo: export MINSHENG_2FA_SUPERUSERS ?= 0
demo: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py render_basemap
	$(BIN)/python manage.py rebuild_rollups --if-empty
	$(BIN)/python manage.py train_router --from-demands --out demo-router.joblib --activate --calib-folds 2
	@echo "Serving on http://$(HOST):$(PORT)/ with the notification worker (Ctrl-C stops both)"
	@echo "Two-factor sign-in is off in the demo; in production it is required of administrators, leaders and auditors."
	@$(BIN)/python manage.py run_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT) --noreload

lint: install
	$(BIN)/ruff check src tests $(wildcard bench)

# Both databases run side by side (scripts/run-suites.sh); test-sqlite and test-postgres run one each.
test: lint browser install
	@scripts/run-suites.sh

# Browser tests use Debian's Chromium (Playwright's own browser download is not used).
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "== installing Chromium for the browser tests (apt)"; \
		apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk >/dev/null; \
	else \
		echo "== browser tests will be skipped: install Chromium as root ('apt-get install chromium fonts-noto-cjk')"; \
	fi

test-sqlite: install
	@echo "== test suite on SQLite"
	env -u DATABASE_URL $(BIN)/python -m pytest

test-postgres: install
	@if scripts/with-postgres.sh --check; then \
		echo "== test suite on PostgreSQL"; \
		scripts/with-postgres.sh $(BIN)/python -m pytest; \
	else \
		echo "== PostgreSQL run skipped: no server binary (install Debian's 'postgresql' package to run it)"; \
	fi

clean:
	rm -rf $(VENV) build src/*.egg-info
