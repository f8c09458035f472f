# Storefront: `make run` serves the demo shop, `make test` runs every check.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.13
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_PRODUCTS ?= 60
# Debian's Chromium when it is installed; unset, Playwright uses its own downloaded browsers.
E2E_CHROMIUM ?= $(wildcard /usr/bin/chromium)
export E2E_CHROMIUM

.PHONY: help install run serve demo-data test lint format unit unit-postgres servers services gettext messages e2e browser markup-tools bench clean

help:
	@echo "make run    install, migrate, load the demo catalog and serve on http://$(HOST):$(PORT), with the queue's worker"
	@echo "make test   install and run lint, unit (on SQLite, then PostgreSQL) and end-to-end tests"
	@echo "make serve  the production way: DJANGO_DEBUG=0, collectstatic, gunicorn (WEB_CONCURRENCY workers) and the worker"
	@echo "make bench  10 000 products, gunicorn, wrk and Lighthouse: throughput and latency per scenario"
	@echo "make lint | unit | unit-postgres | servers | e2e | format | services | messages | clean"

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.13 is required: install it (pyenv install 3.13) or pass PYTHON=/path/to/python3.13"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The translations (locale/<language>/LC_MESSAGES/django.po) are compiled here, never committed:
# a changed .po file makes the next make run or make test build its .mo again (docs/i18n.md).
PO_FILES := $(wildcard locale/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)
# Folders that makemessages and compilemessages leave alone (other projects' catalogues, tests, tools).
LOCALE_IGNORES := $(addprefix --ignore=,.venv e2e bench '*/node_modules/*' staticfiles media)
COMPILEMESSAGES := $(BIN)/python manage.py compilemessages -v0 $(LOCALE_IGNORES)

$(STAMP): $(BIN)/python requirements.txt requirements-dev.txt $(PO_FILES) | gettext
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(COMPILEMESSAGES)
	@touch $(STAMP)

# A .mo file missing or older than its .po (a checkout sharing another one's virtual environment).
$(MO_FILES): %.mo: %.po | $(STAMP)
	$(COMPILEMESSAGES)

install: $(STAMP) $(MO_FILES)

demo-data: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_catalog --products $(DEMO_PRODUCTS) --if-empty

# The web server and the queue's worker (Procfile.dev, Procfile), run and stopped together by honcho.
HONCHO := env PATH="$(abspath $(BIN)):$$PATH" HOST=$(HOST) $(BIN)/honcho start --port $(PORT) --no-colour

run: demo-data
	DJANGO_DEBUG=1 $(HONCHO) --procfile Procfile.dev

# The production way on one machine. Real deployments set DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS
# and put TLS in front (leaving DJANGO_HTTPS on); see docs/deploy.md.
SECRET_FILE := $(VENV)/secret-key
# One sync worker per core: the shop is CPU-bound, more workers only lengthen the tails (bench/README.md).
WEB_CONCURRENCY ?= $(shell nproc 2>/dev/null || echo 1)
export WEB_CONCURRENCY

$(SECRET_FILE): | $(BIN)/python
	$(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > $@

serve: install $(SECRET_FILE)
	export DJANGO_DEBUG=0 DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$(cat $(SECRET_FILE))}" \
	  DJANGO_ALLOWED_HOSTS="$${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}" \
	  DJANGO_HTTPS="$${DJANGO_HTTPS:-0}" DJANGO_SERVE_MEDIA="$${DJANGO_SERVE_MEDIA:-1}"; \
	$(BIN)/python manage.py collectstatic --noinput -v0 && \
	$(BIN)/python manage.py migrate --noinput && \
	$(BIN)/python manage.py seed_catalog --products $(DEMO_PRODUCTS) --if-empty && \
	exec $(HONCHO) --procfile Procfile

# Style, then the layering contract (storefront <- cart <- orders, config imports no app), then types.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Hypothesis: `make unit` and `make unit-postgres` run the light profile (a fifth of the examples),
# `make test` runs the full one in both legs (docs/testing.md, "Hypothesis profiles").
HYPOTHESIS_PROFILE ?= light
export HYPOTHESIS_PROFILE
test: HYPOTHESIS_PROFILE = full

# The Django tests in one process, fast enough to run after every change.
unit: install
	$(BIN)/python -m pytest -m "not servers" $(ARGS)

# The same suite on a throwaway PostgreSQL server (.ci/with-postgres), where the multi-process
# checkout races run too. Without PostgreSQL it is skipped with a message, except under CI=true.
unit-postgres: install
	.ci/with-postgres $(BIN)/python -m pytest -m "not servers" $(ARGS)

# The shop run the production way with real servers: gunicorn with Redis stopped, PostgreSQL
# restarted and stopped, SQLite locked, and make run / make serve with their worker (about a minute).
servers: install services
	$(BIN)/python -m pytest -m servers $(ARGS)

# Installs what the tests start for themselves (redis-server, PostgreSQL) when missing; no service
# is enabled or needed, each test run starts and stops its own servers.
services:
	@missing=""; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || command -v postgres >/dev/null || missing="$$missing postgresql"; \
	if [ -z "$$missing" ]; then :; \
	elif command -v apt-get >/dev/null; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else echo "Missing:$$missing. Install them: the tests start their own servers."; exit 1; fi

# Brings every catalogue in step with the strings the code and templates mark (then translate the new
# entries in locale/<language>/LC_MESSAGES/django.po); config/tests/test_translations.py runs the same.
messages: install
	$(BIN)/python manage.py makemessages --all --no-obsolete --add-location=file $(LOCALE_IGNORES)

# compilemessages needs GNU gettext's msgfmt; Debian's gettext is installed when it is missing.
gettext:
	@if command -v msgfmt >/dev/null; then :; \
	elif command -v apt-get >/dev/null; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; \
	else echo "Missing: msgfmt. Install GNU gettext to compile the translations."; exit 1; fi

# Installs Debian's Chromium when neither it nor Playwright's own browser is present.
browser:
	@if [ -n "$(E2E_CHROMIUM)" ] || ls ~/.cache/ms-playwright/chromium* >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "No browser: install Chromium or run '$(BIN)/playwright install chromium'"; exit 1; fi

# The Nu HTML Checker (vnu-jar, e2e/package.json) needs Java and npm; Debian's are installed when missing.
markup-tools:
	@missing=""; \
	command -v java >/dev/null || missing="$$missing default-jre-headless"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -z "$$missing" ]; then :; \
	elif command -v apt-get >/dev/null; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else echo "Missing:$$missing. Install them for the markup check."; exit 1; fi

E2E_NODE := e2e/node_modules/.package-lock.json
$(E2E_NODE): e2e/package.json e2e/package-lock.json | markup-tools
	npm ci --prefix e2e --no-audit --no-fund --loglevel=error

# The journeys, then the Nu HTML Checker over every page and fragment they were sent.
e2e: install browser $(E2E_NODE)
	E2E_CHROMIUM=$${E2E_CHROMIUM:-$$(ls /usr/bin/chromium 2>/dev/null)} $(BIN)/python -m pytest e2e $(ARGS)
	$(BIN)/python e2e/check_markup.py

# Performance: scenarios, results and how to read them in bench/README.md.
bench: install
	$(BIN)/python bench/run.py $(ARGS)

test: lint services unit unit-postgres servers e2e

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .import_linter_cache staticfiles e2e/artifacts e2e/node_modules
