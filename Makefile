# Two commands are all the set-up there is: `make run` and `make test`;
# `make serve` runs the site the way production does.
# Both are idempotent: requirements are reinstalled only when they change.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev
NODE_STAMP := node_modules/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve test test-pg test-fast lint check bench bench-load fake-verify superuser clean messages compilemessages

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP_RUN): requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(STAMP_DEV): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(STAMP_RUN)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

## Translations (README "Languages"). The .po files in locale/ are the source;
## the .mo files Django reads are built from them here (not committed), each
## when its .po changed, with msgfmt from Debian's gettext (installed when missing).
LOCALE_PO := $(wildcard locale/*/LC_MESSAGES/*.po)
LOCALE_MO := $(LOCALE_PO:.po=.mo)

%.mo: %.po
	@command -v msgfmt >/dev/null || { echo "msgfmt is missing: installing Debian's gettext"; \
		apt-get update -qq && apt-get install -y -qq gettext; }
	msgfmt --check -o $@ $<

compilemessages: $(LOCALE_MO)

## Bring every catalogue up to date with the strings in the code and templates
## (new ones come in untranslated, for you to translate; `make test` says which).
messages: $(STAMP_RUN)
	DEBUG=1 $(PY) manage.py makemessages -a --no-obsolete

## Serve the site at http://127.0.0.1:8000 on SQLite with console backends.
run: $(STAMP_RUN) $(LOCALE_MO)
	DEBUG=1 $(PY) manage.py migrate --no-input
	DEBUG=1 $(PY) manage.py createcachetable
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

## Serve the site as production does: DEBUG off, static files collected (hashed,
## gzip and brotli), migrations applied, gunicorn from gunicorn.conf.py.
## Needs SECRET_KEY, ALLOWED_HOSTS, EMAIL_HOST and the TWILIO_* settings (see README).
serve: export DEBUG =
serve: export TWOFACTOR_VERIFY_BACKEND ?= twofactor.factors.sms.backends.twilio.TwilioVerifyBackend
serve: $(STAMP_RUN) $(LOCALE_MO)
	$(PY) manage.py collectstatic --no-input --verbosity 0
	$(PY) manage.py migrate --no-input
	$(PY) manage.py createcachetable
	$(BIN)/gunicorn --config gunicorn.conf.py --bind $(HOST):$(PORT)

## The whole suite, with ruff, mypy, the system checks and the migration check.
test: $(STAMP_DEV) $(NODE_STAMP) $(LOCALE_MO)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	DEBUG=1 $(PY) manage.py check --fail-level WARNING
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

## The pytest suite again on PostgreSQL with Redis (what .ci/run does second).
PG_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
PG_REDIS_URL ?= redis://127.0.0.1:6379/0
test-pg: $(STAMP_DEV) $(NODE_STAMP) $(LOCALE_MO)
	DATABASE_URL=$(PG_DATABASE_URL) REDIS_URL=$(PG_REDIS_URL) $(BIN)/pytest $(PYTEST_ARGS)

## Only the fast tier (no browser, no Prism, no load).
test-fast: $(STAMP_DEV) $(LOCALE_MO)
	$(BIN)/pytest -m "not browser and not contract and not load" $(PYTEST_ARGS)

lint: $(STAMP_DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## What a user would feel, as ratios measured in one run (bench/run.py, with
## Debian's wrk, installed here when missing), after the gate's own budget
## (bench/gate.py). Prints the table and writes bench/results.md.
bench: $(STAMP_DEV)
	$(PY) -m bench.gate
	command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	$(PY) -m bench.run

## 50 people signing in at once, 60 s per Verify fault mode, on SQLite and on PostgreSQL
## with Redis (a `_load` database beside PG_DATABASE_URL's): the table in README.
## BENCH_LOAD_ARGS: e.g. --quick (fast hasher), --users 20 --seconds 10, --database sqlite.
bench-load: $(STAMP_DEV)
	PG_DATABASE_URL=$(PG_DATABASE_URL) PG_REDIS_URL=$(PG_REDIS_URL) $(PY) -m bench.load $(BENCH_LOAD_ARGS)

## A stateful Twilio Verify fake on 127.0.0.1:4011 (see README).
fake-verify: $(STAMP_DEV)
	$(PY) -m twofactor.factors.sms.testing.fake_verify --port 4011

superuser: $(STAMP_RUN)
	DEBUG=1 $(PY) manage.py createsuperuser

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache $(LOCALE_MO)
