# The two commands: `make run` and `make test`. Everything else here serves them.
SHELL := /bin/bash
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
# dagster-dbt and the tests start `dbt` and `python`: the venv's, whatever the caller's PATH
export PATH := $(BIN):$(PATH)
HOST ?= 127.0.0.1
PORT ?= 8050
DEMO_ARGS ?= --municipalities 573,185 --citizens 5000 --seed 7 --bad-rate 0.001
LANDING ?= data/landing

.PHONY: run refresh accept report serve demo-data demo-user install test system-deps system-test-deps lint bench clean lock

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# installs the project and its pinned dependencies; redone when they change
$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

# the dbt manifest Dagster reads, prepared at install time and whenever the dbt project changes
DBT_MANIFEST := dbt_project/target/manifest.json
$(DBT_MANIFEST): $(VENV)/.installed dbt_project/dbt_project.yml $(shell find dbt_project/models dbt_project/macros dbt_project/seeds dbt_project/tests -type f 2>/dev/null)
	cd dbt_project && $(BIN)/dbt parse --quiet --profiles-dir .

install: $(VENV)/.installed $(DBT_MANIFEST)

## make run: install, demo data if the landing zone is empty, one refresh, the demo user, serve the dashboard
run: install demo-data refresh demo-user serve

demo-data: install
	@if [ -z "$$(find $(LANDING) -mindepth 2 -name '*.csv' -print -quit 2>/dev/null)" ]; then \
	  echo "Landing zone $(LANDING) is empty: generating demo data ($(DEMO_ARGS))"; \
	  $(BIN)/python -m transforms.generator $(DEMO_ARGS) --out $(LANDING); \
	fi

# on generated demo data: the user `demo` (admin), its random password printed the one time it is made
demo-user: install
	@if [ -d "$(LANDING)/.generator" ]; then \
	  $(BIN)/python -m dashboards.users demo --url http://$(HOST):$(PORT); \
	elif [ -z "$$($(BIN)/python -m dashboards.users list)" ]; then \
	  echo "No dashboard users yet. Create the first: $(BIN)/python -m dashboards.users add NAME --role admin --municipality '*'"; \
	fi

## make refresh: the job the nightly schedule runs, once; non-zero exit on failure (VERBOSE=1: Dagster's whole log)
refresh: install
	$(BIN)/python -m orchestration.refresh $(if $(VERBOSE),--verbose)

## make accept FILE=jobcenter/forloeb_20261101.csv BY=initialer: publish a blocked file as it is
accept: install
	@if [ -z "$(FILE)" ] || [ -z "$(BY)" ]; then echo "usage: make accept FILE=<source>/<file> BY=<name>"; exit 2; fi
	$(BIN)/python -m orchestration.accept "$(FILE)" --by "$(BY)"

## make report KOMMUNE=573 KVARTAL=2026K3 (or DATO=2017-11-30): the committee report, data/reports/<kommune>_<kvartal>.pdf
report: install system-deps
	@if [ -z "$(KOMMUNE)" ]; then echo "usage: make report KOMMUNE=573 [KVARTAL=2026K3 | DATO=yyyy-mm-dd]"; exit 2; fi
	$(BIN)/python -m dashboards.report --kommune "$(KOMMUNE)" $(if $(KVARTAL),--kvartal "$(KVARTAL)") $(if $(DATO),--dato "$(DATO)")

# Generated demo data is a fixed snapshot (extract 31-10-2026), not a nightly delivery: served from
# a demo landing zone, the freshness check accepts its age instead of calling every page stale.
# (Decided when serve starts: in `make run` the landing zone is filled after make has read this file.)
serve: install
	@echo "Dashboard: http://$(HOST):$(PORT)  (Ctrl-C stops it)"
	@if [ -d "$(LANDING)/.generator" ]; then \
	  echo "Demo data (a fixed snapshot): the dashboard does not call its age stale"; \
	  export KPI_MAX_EXTRACT_AGE_DAYS=$${KPI_MAX_EXTRACT_AGE_DAYS:-100000}; \
	fi; \
	exec $(BIN)/gunicorn --bind $(HOST):$(PORT) -c dashboards/gunicorn_conf.py --access-logfile - dashboards.app:server

## make test: the whole suite, browser tests included
test: install system-deps system-test-deps
	$(BIN)/python -m pytest

# Debian's Pango and fonts, which WeasyPrint lays the committee report out with (installed once)
system-deps:
	@if ! ldconfig -p | grep -q libpangoft2-1.0.so.0 || ! fc-list 2>/dev/null | grep -q DejaVuSans; then \
	  echo "Installing Debian's Pango and DejaVu fonts for the committee report"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fontconfig >/dev/null; \
	fi

# Debian's chromium and chromium-driver for the browser tests, and poppler-utils (pdftotext,
# pdftoppm) for the report tests (installed once)
system-test-deps:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null || ! command -v pdftotext >/dev/null || ! command -v pdftoppm >/dev/null; then \
	  echo "Installing Debian's chromium, chromium-driver and poppler-utils for the tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver poppler-utils >/dev/null; \
	fi

lint: install
	$(BIN)/ruff check .

bench: install
	$(BIN)/python -m bench.run

# regenerate constraints.txt from a fresh resolution of pyproject.toml
lock:
	rm -rf /tmp/kpi-lock-venv && $(PY) -m venv /tmp/kpi-lock-venv
	/tmp/kpi-lock-venv/bin/pip install --quiet --upgrade pip
	/tmp/kpi-lock-venv/bin/pip install --quiet -e '.[test]'
	/tmp/kpi-lock-venv/bin/pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

clean:
	rm -rf $(VENV) data/warehouse data/quarantine data/archive data/dagster_home dbt_project/target
