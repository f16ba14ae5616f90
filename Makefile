# CIPnet — two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# First Python >= 3.12 found: python3.13, python3.12, then python3.
PYTHON ?= $(shell for p in python3.13 python3.12 python3; do \
	if $$p -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then echo $$p; break; fi; done)
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
WEB_WORKERS ?= 1

.PHONY: help run serve test fuzz prod-smoke bootstrap bootstrap-dev lint typecheck bench lock messages demo clean python-check

help:
	@echo "make run    - install, migrate, load demo data, start web server + task worker"
	@echo "make test   - install, then run the whole suite (unit, integration, browser)"
	@echo "make lint   - ruff + mypy + import contracts + migrations check"
	@echo "make fuzz   - schemathesis over the whole API (no server error allowed)"
	@echo "make bench  - benchmarks, results in bench/results/"

python-check:
	@if [ -z "$(PYTHON)" ]; then \
		echo "CIPnet needs Python 3.12 or newer (looked for python3.13, python3.12, python3)."; \
		echo "Install it (or add a .python-version file for pyenv) and run make again."; exit 1; fi

$(VENV)/.runtime: requirements.lock | python-check
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	@touch $@

$(VENV)/.dev: requirements-dev.lock $(VENV)/.runtime
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock
	@touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node.js) is needed to install the front-end assets."; exit 1; }
	npm ci --no-audit --no-fund --silent
	@touch $@

bootstrap: $(VENV)/.runtime node_modules/.installed
bootstrap-dev: $(VENV)/.dev node_modules/.installed

demo: bootstrap
	$(MANAGE) migrate --noinput
	$(MANAGE) import_katottg --if-empty
	$(MANAGE) load_demo
	$(MANAGE) load_catalogue
	$(MANAGE) load_demo_consultations
	$(MANAGE) load_demo_queue
	$(MANAGE) load_demo_reception
	$(MANAGE) load_demo_results
	$(MANAGE) analyze_database
	$(MANAGE) send_appeal_reminders --schedule

# granian (config/asgi.py: pages through Django's WSGI handler, the queue's Server-Sent Events
# streams through its ASGI handler; ADR 9) rather than runserver. One worker process by default:
# with more (WEB_WORKERS=2), set REDIS_URL so that a board hears changes made in any process.
# Static files come from the finders (WHITENOISE_USE_FINDERS in local settings), so no
# collectstatic. Open streams are cut 3 s after Ctrl-C instead of holding the server up.
run: demo
	@$(MANAGE) demo_logins
	@echo "CIPnet: http://$(HOST):$(PORT)/   (Ctrl-C stops the server and the task worker)"
	@$(MAKE) --no-print-directory serve

# The web server and the task worker, on an installed and migrated database (what `run` ends with).
# Ctrl-C: both run as jobs in their own process groups (set -m), so the terminal's SIGINT reaches
# only this shell, which sends each of them one SIGTERM and waits for them. (With `kill 0` both got
# SIGINT from the terminal and then SIGTERM while already shutting down, and the worker died with
# "Segmentation fault".) tests/make_run/test_stop.py presses Ctrl-C in a pseudo-terminal.
serve:
	@set -m; \
		stop() { trap - INT TERM EXIT; kill -TERM $$worker $$web 2>/dev/null; wait $$worker $$web 2>/dev/null; exit 0; }; \
		trap stop INT TERM EXIT; \
		$(MANAGE) db_worker & worker=$$!; \
		DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-config.settings.local} $(VENV)/bin/granian --interface asgi \
			--host $(HOST) --port $(PORT) --workers $(WEB_WORKERS) --no-ws --workers-kill-timeout 3 \
			config.asgi:application & web=$$!; \
		wait

test: bootstrap-dev
	$(PY) -m pytest $(PYTEST_ARGS)

# Schemathesis over the whole API (every operation, anonymous and a token of each role): any 5xx fails.
# FUZZ_EXAMPLES bounds the examples per operation and role; DATABASE_URL picks PostgreSQL.
fuzz: bootstrap-dev
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES-5} $(PY) -m pytest tests/api_fuzz/fuzz_api.py -q

lint: bootstrap-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) makemigrations --check --dry-run

# Every benchmark (`make bench BENCH=programme` runs one). The programme dashboards' default size is quick;
# the committed figures are BENCH_PROGRAMME_CONSULTATIONS=10000000 (bench/programme.py).
bench: bootstrap-dev
	BENCH_POSTGRES_URL=$${BENCH_POSTGRES_URL-postgres://postgres@127.0.0.1:5432/cipnet_bench} $(PY) -m bench $(BENCH)

# The production stack on loopback (granian, PostgreSQL with its pool, Redis, two task workers):
# smoke, fan-out across processes, 1 → 2 web workers, 1,000 e-mails sent once. bench/stack.py.
prod-smoke: bootstrap-dev
	$(PY) -m bench.stack $(PROD_SMOKE_ARGS)

messages: bootstrap-dev
	cd cipnet && ../$(PY) ../manage.py makemessages -l uk -l en -l pl --no-obsolete --no-location
	cd cipnet && ../$(PY) ../manage.py makemessages -d djangojs -l uk -l en -l pl --no-obsolete --no-location --ignore=static/vendor
	$(MANAGE) compile_translations

# Re-lock after editing requirements*.in (needs pip-tools in the venv).
lock: $(VENV)/.dev
	$(PY) -m pip install --quiet pip-tools
	$(VENV)/bin/pip-compile -q --generate-hashes --no-emit-index-url --no-emit-find-links --strip-extras --allow-unsafe -o requirements.lock requirements.in
	$(VENV)/bin/pip-compile -q --generate-hashes --no-emit-index-url --no-emit-find-links --strip-extras --allow-unsafe -o requirements-dev.lock requirements-dev.in

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .mypy_cache .ruff_cache
