# The two commands of the README: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Every link in a mail is built from SITE_URL; `make run HOST=… PORT=…` sets it to match.
SITE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test install lint format browser check clean bench audit security-report

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

## make run: install, migrate, build the demo from the seeds, serve http://127.0.0.1:8000
## (HOST=… PORT=… serve elsewhere; SITE_URL, the base of every link in a mail, follows)
run: install
	$(PY) manage.py migrate --noinput
	SITE_URL=$(SITE_URL) $(PY) manage.py build_demo --url $(SITE_URL)
	SITE_URL=$(SITE_URL) $(PY) manage.py runserver $(HOST):$(PORT)

## make test: the whole suite (PostgreSQL when DATABASE_URL points at one)
test: install
	$(PY) -m pytest $(PYTEST_ARGS)

## make bench: the large-edition benchmark (README, Performance): builds the workload once in
## BENCH_DATABASE_URL (default: DATABASE_URL, else a SQLite file in /tmp), prints the table
BENCH_DATABASE_URL ?= $(or $(DATABASE_URL),sqlite:////tmp/awards-bench.sqlite3)
bench: install
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/measure.py $(BENCH_ARGS)

## make audit: the pinned requirements against known vulnerabilities (pip-audit; needs internet,
## AUDIT_REQUIRED=1 makes an unreachable vulnerability service a failure)
audit: install
	$(PY) .ci/audit_dependencies.py

## make security-report: the pre-release security test report (SAST, deploy checks, pip-audit,
## security tests, fuzz run) written to docs/security/reports/, to archive with the release
security-report: install
	$(PY) .ci/security_report.py $(REPORT_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## make browser: install Debian's Chromium so the browser journeys run instead of skipping
browser:
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)

check: install
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

clean:
	rm -rf $(VENV) staticfiles .pytest_cache

## make messages: refresh the English catalogue from the source strings, then compile it
## (needs gettext's xgettext/msgmerge/msgfmt; the compiled django.mo is committed, so running
## the site does not)
.PHONY: messages
messages: install
	$(PY) manage.py makemessages -l en --no-obsolete --ignore=.venv --ignore=staticfiles \
		--ignore=media --ignore=bench --ignore=tests
	$(PY) manage.py compilemessages -l en
