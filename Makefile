# Healthy Tips. `make run` serves the site; `make test` runs every test. Both set themselves up.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha256sum | cut -c1-12)

.PHONY: run dev test lint format chromium clean audit audit-tools nginx wrk bench

# Set-up is quiet on success: pip's output goes to $(VENV)/install.log and is shown only if it fails.
$(STAMP): pyproject.toml
	@echo "Installing the project into $(VENV) (first run or pyproject.toml changed)..."
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@{ $(BIN)/python -m pip install --quiet --upgrade pip && $(BIN)/python -m pip install --quiet -e '.[test]'; } \
	  >$(VENV)/install.log 2>&1 || { cat $(VENV)/install.log; echo "Install failed: see $(VENV)/install.log" >&2; exit 1; }
	@rm -f $(VENV)/.installed-* && touch $@

# The app logs one JSON line per request (webapp/web/request_log.py), so gunicorn's access log stays off.
# --preload: workers fork from a master that loaded the content once, so a worker restarted while a
# bad article file sits in content/ still boots, with the last good library.
# gunicorn.conf.py: gthread workers (chosen by `make bench`, docs/performance.md), recycled after
# 20,000 requests with jitter, graceful restarts on HUP and TERM.
# Links in pages, feeds and exports use the address served on, unless FLASK_SITE_URL says otherwise.
run: export FLASK_SITE_URL ?= http://$(HOST):$(PORT)
run: $(STAMP)
	$(BIN)/flask --app app db upgrade
	$(BIN)/gunicorn --config gunicorn.conf.py --bind $(HOST):$(PORT) --workers $(WORKERS) --preload app:app

dev: export FLASK_SITE_URL ?= http://$(HOST):$(PORT)
dev: $(STAMP)
	$(BIN)/flask --app app run --debug --host $(HOST) --port $(PORT)

# Debian's Chromium drives the browser tests; Playwright's own browser download does not work here.
chromium:
	@if ! command -v chromium >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "Chromium is missing: install Debian's 'chromium' package (as root)." >&2; exit 1; fi; \
	fi

# Optional: Lighthouse, axe-core, the Nu HTML Checker and a link crawl (audit/run.py; reports/).
# npm packages come from package-lock.json; Java and Node from Debian when missing (as root).
audit-tools:
	@for tool in java:default-jre-headless npm:npm; do \
	  if ! command -v $${tool%%:*} >/dev/null; then \
	    if [ "$$(id -u)" = 0 ]; then \
	      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $${tool#*:}; \
	    else echo "$${tool%%:*} is missing: install Debian's '$${tool#*:}' package (as root)." >&2; exit 1; fi; \
	  fi; \
	done

node_modules/.installed: package-lock.json | audit-tools
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

audit: $(STAMP) chromium audit-tools node_modules/.installed
	$(BIN)/python -m audit.run

# Debian's nginx runs the config we ship (tests/test_deploy_config.py, make bench); wrk loads it.
nginx wrk:
	@if ! command -v $@ >/dev/null && [ ! -x /usr/sbin/$@ ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $@; \
	  else echo "$@ is missing: install Debian's '$@' package (as root)." >&2; exit 1; fi; \
	fi

# Loopback measurements of issue 9 (docs/performance.md): a few minutes, prints a report.
bench: $(STAMP) nginx wrk
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python bench/run.py

# PostgreSQL and Redis tests run against the servers on 127.0.0.1; with CI set, a missing one fails.
test: $(STAMP) chromium nginx
	@.ci/wait-for-services || [ -z "$${CI:-}" ]
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

clean:
	rm -rf $(VENV) instance/static-build .pytest_cache
