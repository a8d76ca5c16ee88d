# zonetracker: `make demo` runs the whole thing on a laptop, `make test` runs the suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The first Python >= 3.12 found: $PYTHON, python3.13/3.12/3 on PATH, then pyenv's installs.
PYTHON ?= $(shell for p in python3.13 python3.12 python3 $(HOME)/.pyenv/versions/3.13*/bin/python3 $(HOME)/.pyenv/versions/3.12*/bin/python3 /usr/local/bin/python3.13 /usr/local/bin/python3.12; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then command -v $$p; break; fi; done)
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000

# The demo serves as a deployment does: DEBUG off (no technical error pages), a secret key made
# once per checkout, the host it serves allowed, and SITE_URL (the links in reminder emails and
# calendar feeds, for the web server, the worker and beat alike) from HOST and PORT unless set.
SECRET_KEY_FILE ?= var/secret-key
DEMO_TARGETS := demo demo-env
$(DEMO_TARGETS): export DEBUG = False
$(DEMO_TARGETS): export SECRET_KEY ?= $(shell mkdir -p $(dir $(SECRET_KEY_FILE)) && { test -s $(SECRET_KEY_FILE) || (umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $(SECRET_KEY_FILE)); } && cat $(SECRET_KEY_FILE))
$(DEMO_TARGETS): export ALLOWED_HOSTS ?= $(HOST),localhost,127.0.0.1,[::1]
$(DEMO_TARGETS): export SITE_URL ?= http://$(HOST):$(PORT)
migrate seed bench: export DEBUG ?= True
test test-fast: export DEBUG = False

.PHONY: vendor help venv check-python install migrate seed demo demo-env test test-fast lint format browser-deps bench bench-reminders clean

help:
	@echo "make demo    install, migrate, seed, add demo data and run web + worker + beat on http://$(HOST):$(PORT)/"
	@echo "make test    run the test suite (SQLite; PostgreSQL when DATABASE_URL is set)"
	@echo "make lint    ruff check and format check, import-linter contracts"

check-python:
	@if [ -z "$(PYTHON)" ]; then \
		echo "zonetracker needs Python 3.12 or newer, and none was found."; \
		echo "Install one (e.g. 'pyenv install 3.12' or 'apt-get install python3.12 python3.12-venv')"; \
		echo "or point to it: make PYTHON=/path/to/python3.12 demo"; \
		exit 1; fi

$(VENV)/.installed: pyproject.toml | check-python
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed

demo: seed
	$(PY) manage.py demo_data
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@trap 'kill 0' EXIT INT TERM; \
	$(BIN)/celery -A zonetracker worker --beat --loglevel=INFO --concurrency=2 \
		--schedule=var/celerybeat-schedule >var/celery.log 2>&1 & \
	echo "Celery worker and beat running on the embedded broker (log: var/celery.log); mail goes to var/mail/"; \
	echo "Open http://$(HOST):$(PORT)/ (admin: http://$(HOST):$(PORT)/admin/); links in mails: $$SITE_URL"; \
	$(PY) manage.py runserver --noreload $(HOST):$(PORT)

# The settings `make demo` serves with (the secret key left out).
demo-env:
	@echo "DEBUG=$$DEBUG"; echo "ALLOWED_HOSTS=$$ALLOWED_HOSTS"; echo "SITE_URL=$$SITE_URL"; \
	echo "SECRET_KEY_FILE=$(SECRET_KEY_FILE)"

# Chromium and a CJK font for the browser tests, gettext for the catalogue test, LibreOffice Calc
# for the export tests; installed with apt when missing and allowed.
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v msgfmt >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK" \
		|| ! command -v soffice >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-noto-cjk gettext libreoffice-calc-nogui poppler-utils libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; \
		else echo "The tests need Debian's chromium, fonts-noto-cjk, gettext, libreoffice-calc-nogui and poppler-utils: sudo apt-get install chromium chromium-driver fonts-noto-cjk gettext libreoffice-calc-nogui poppler-utils"; fi; fi

test: install browser-deps
	$(BIN)/pytest $(PYTEST_ARGS)

test-fast: install
	$(BIN)/pytest -m "not browser and not e2e and not spreadsheet" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Pages at 10,000 and 100,000 generated projects against the admin and a bare view (DEBUG off,
# as served), then the reminder dispatch tick at 10,000 and 100,000 open deadlines.
BENCH_PROJECTS ?= 10000,100000
bench: migrate
	DEBUG=False SECRET_KEY="$${SECRET_KEY:-local-benchmark-only}" $(PY) manage.py bench --projects $(BENCH_PROJECTS)
	$(PY) manage.py bench_reminders

# A backlog of 10,000 deadlines due at once, drained by one dispatch into a local SMTP server. It
# refuses a database with reminders due: give it one of its own (DATABASE_URL=...).
BENCH_BACKLOG ?= 10000
bench-reminders: migrate
	DEBUG=False SECRET_KEY="$${SECRET_KEY:-local-benchmark-only}" $(PY) manage.py bench_reminders --backlog $(BENCH_BACKLOG)

clean:
	rm -rf var/test var/broker var/mail

# Refresh the vendored front-end assets from the npm registry (versions pinned in package.json).
vendor:
	npm install --no-audit --no-fund
	mkdir -p static/vendor/bootstrap static/vendor/chartjs static/vendor/htmx
	cp node_modules/bootstrap/dist/css/bootstrap.min.css* node_modules/bootstrap/dist/js/bootstrap.bundle.min.js* node_modules/bootstrap/LICENSE static/vendor/bootstrap/
	cp node_modules/chart.js/dist/chart.umd.min.js* node_modules/chart.js/LICENSE.md static/vendor/chartjs/
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/htmx.org/LICENSE static/vendor/htmx/
