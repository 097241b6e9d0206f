# Funnel: `make run` starts the whole app on the embedded default (SQLite + a server-less
# broker); `make test` installs and runs the test suite. Works on a fresh clone.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FUNNEL_HOST ?= 127.0.0.1
FUNNEL_PORT ?= 8000
PYTEST_ARGS ?=
# Both cores: pytest-xdist, tests sharing a throwaway stack kept together (xdist_group).
PYTEST_WORKERS ?= -n 2 --dist loadgroup
MANAGE := $(BIN)/python manage.py
# Stamps: reinstall only when pyproject.toml changes.
INSTALLED := $(VENV)/.installed
INSTALLED_DEV := $(VENV)/.installed-dev
# Browser packages (charts, drag and drop) from npm, pinned in package-lock.json.
NODE_INSTALLED := node_modules/.installed

export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: help run setup install dev migrate static seed beat-schedule web worker beat \
	test lint format rebuild-milestones

help:
	@echo "make run      install, migrate, load demo data, start web + worker + beat"
	@echo "make test     install dev dependencies and run the test suite"
	@echo "make lint     ruff check and format check"
	@echo "make format   apply ruff fixes and formatting"
	@echo "make migrate | seed | beat-schedule | web | worker | beat | rebuild-milestones"

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("Funnel needs Python 3.11+") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml $(NODE_INSTALLED) | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -q -e .
	touch $@

$(INSTALLED_DEV): pyproject.toml $(NODE_INSTALLED) | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -q -e '.[dev]'
	touch $@ $(INSTALLED)

$(NODE_INSTALLED): package.json package-lock.json
	@command -v npm >/dev/null || { echo "Funnel needs npm (Node.js 18+) to install its browser packages" >&2; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

install: $(INSTALLED)
dev: $(INSTALLED_DEV)

migrate: install
	$(MANAGE) migrate --noinput

static: install
	$(MANAGE) collectstatic --noinput -v 0

seed: migrate
	$(MANAGE) seed_demo

beat-schedule: migrate
	$(MANAGE) sync_beat_schedule

setup: migrate static seed beat-schedule

# On one machine webhooks may go to a receiver on localhost (the webhook pages say so);
# production settings leave this off and refuse private addresses (docs/webhooks.md).
run web worker: export WEBHOOKS_ALLOW_PRIVATE_URLS ?= true

run: setup
	@echo
	@echo "  Funnel is starting at http://$(FUNNEL_HOST):$(FUNNEL_PORT)/"
	@echo "  Demo logins (password funnel-demo): manager, marketer, rep1, rep2; admin for /admin/"
	@echo "  API docs: http://$(FUNNEL_HOST):$(FUNNEL_PORT)/api/v1/docs/   Stop with Ctrl-C."
	@echo
	FUNNEL_HOST=$(FUNNEL_HOST) $(BIN)/python -m config.run -p $(FUNNEL_PORT)

web: setup
	FUNNEL_HOST=$(FUNNEL_HOST) $(BIN)/python -m config.run -p $(FUNNEL_PORT) web

worker: install
	$(BIN)/python -m config.run worker

beat: beat-schedule
	$(BIN)/python -m config.run beat

rebuild-milestones: migrate
	$(MANAGE) funnel_rebuild_milestones

test: $(INSTALLED_DEV)
	$(BIN)/python -m pytest $(PYTEST_WORKERS) --durations=15 $(PYTEST_ARGS)

lint: $(INSTALLED_DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(INSTALLED_DEV)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
