# The two commands a newcomer needs:  make run   and   make test
# Everything else they depend on (the venv, the model, the demo data) is built here.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
REQUIREMENTS := requirements.txt requirements-dev.txt requirements-nlu.txt constraints.txt
STAMP := $(VENV)/.installed-$(shell cat $(REQUIREMENTS) | sha256sum | cut -c1-12)

export RASA_TELEMETRY_ENABLED := false
export RASA_CACHE_DIRECTORY := $(CURDIR)/var/rasa-cache
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONDONTWRITEBYTECODE := 1

LOGS := var/logs
PIP_FLAGS := --disable-pip-version-check --no-input --progress-bar off

.PHONY: loadtest faulttest redis-binary
.PHONY: help run run-scaled test venv model chromium axe demo-data import-orders outbox staff-account chat lint eval bench fuzz masking-report mutate impact-report

help:
	@echo "make run                        start the product (servers, demo data) and print URLs"
	@echo "make run-scaled                 2 Rasa, 2 action servers, 2 desks on PostgreSQL + Redis"
	@echo "make test                       run every test (trains the model first if needed)"
	@echo "make import-orders FILE=x.json  import orders (honours DATABASE_URL)"
	@echo "make demo-data                  (re)load the demo orders, re-anchored to now"
	@echo "make outbox                     the emails waiting to be sent (ALL=1: sent ones too)"
	@echo "make staff-account STAFF=kim NAME=Kim [ROLE=admin]  create a staff login (asks for the password)"
	@echo "make chat                       chat with the running bot in this terminal"
	@echo "make eval                       NLU figures: cross-validation + the external dev set -> reports/"
	@echo "make bench                      project config vs Rasa's default: speed, memory, accuracy -> bench/results.md"
	@echo "make loadtest                   200 customers on the single-process and the scaled mode -> reports/load.md"
	@echo "make faulttest                  kill/cut Rasa, actions, a desk, PostgreSQL, Redis under load -> reports/faults.md"
	@echo "make fuzz                       the property tests (hypothesis) with 25x the examples of make test"
	@echo "make impact-report [SINCE=2026-11-01 UNTIL=2026-11-30]  impact figures (default: last 7 days) -> reports/impact.json"
	@echo "make masking-report             card masking: recall and false-positive rate -> reports/masking.md"
	@echo "make mutate                     mutation testing (mutmut) of the core, masking, routing, staff routes; MODULES=a.py to pick"
	@echo "make lint                       ruff"

# Rasa 3.6 runs on Python 3.10 only: .python-version makes pyenv's python3 a 3.10.
# Set-up steps print one line each; their output goes to var/logs/ (shown in full on failure).
$(STAMP): $(REQUIREMENTS) .python-version
	@py=python3; \
	if ! $$py -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then py=python3.10; fi; \
	if ! $$py -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then \
	  echo "Rasa 3.6 needs Python 3.10. Install it (e.g. 'pyenv install 3.10.13') and retry."; exit 1; fi; \
	$$py ops/progress.py --log $(LOGS)/install.log \
	  --label "installing Python packages (a few minutes the first time)" \
	  --hint '^(?:Collecting (\S+)|(Installing collected packages)|(Successfully installed))' -- \
	  bash -c 'set -e; test -x $(PY) || '"$$py"' -m venv $(VENV); \
	    $(PY) -m pip install $(PIP_FLAGS) pip==24.0; \
	    $(PY) -m pip install $(PIP_FLAGS) -r requirements.txt -r requirements-dev.txt -c constraints.txt; \
	    $(PY) -m pip install $(PIP_FLAGS) --no-deps -r requirements-nlu.txt'
	@rm -f $(VENV)/.installed-*
	@touch $@

venv: $(STAMP)

model: venv
	@$(PY) -m ops.model

run: venv
	@$(PY) -m ops.launch

# Scaled mode on this machine's PostgreSQL and Redis (databases created if missing).
SCALED_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/payhelp_scaled
SCALED_TRACKER_STORE_URL ?= postgresql://postgres@127.0.0.1:5432/payhelp_scaled_tracker
SCALED_REDIS_URL ?= redis://127.0.0.1:6379/0
run-scaled: venv
	@RASA_INSTANCES=2 ACTION_INSTANCES=2 DESK_INSTANCES=2 \
	  DATABASE_URL=$(SCALED_DATABASE_URL) TRACKER_STORE_URL=$(SCALED_TRACKER_STORE_URL) \
	  REDIS_URL=$(SCALED_REDIS_URL) $(PY) -m ops.launch

# The browser test drives Debian's Chromium (Playwright cannot download browsers here).
chromium: venv
	@command -v chromium >/dev/null || test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    $(PY) ops/progress.py --log $(LOGS)/chromium.log --label "installing Debian's chromium for the browser test" -- \
	      bash -c 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium'; \
	  else echo "The browser test needs Debian's chromium: sudo apt-get install chromium"; exit 1; fi; }
	@# Chinese text in the screenshots needs a CJK font (tests/browser/test_chinese_widget.py).
	@dpkg -s fonts-noto-cjk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    $(PY) ops/progress.py --log $(LOGS)/chromium.log --label "installing Debian's fonts-noto-cjk for the browser test" -- \
	      bash -c 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y fonts-noto-cjk'; \
	  else echo "The Chinese browser test needs a CJK font: sudo apt-get install fonts-noto-cjk"; exit 1; fi; }

# The scaled-mode and fault tests start a redis-server of their own (tests/scaled/conftest.py).
redis-binary: venv
	@command -v redis-server >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    $(PY) ops/progress.py --log $(LOGS)/redis.log --label "installing Debian's redis-server for the scaled-mode test" -- \
	      bash -c 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y redis-server'; \
	  else echo "The scaled-mode test needs Debian's redis-server: sudo apt-get install redis-server"; exit 1; fi; }

# axe-core audits the pages in the browser test; it is injected by the test, never served.
AXE := tests/browser/node_modules/axe-core/axe.min.js
$(AXE): tests/browser/package.json tests/browser/package-lock.json | venv
	@command -v npm >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    $(PY) ops/progress.py --log $(LOGS)/npm.log --label "installing Debian's npm for the browser test" -- \
	      bash -c 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y npm'; \
	  else echo "The browser test needs npm (for axe-core): sudo apt-get install npm"; exit 1; fi; }
	@$(PY) ops/progress.py --log $(LOGS)/npm.log --label "installing axe-core for the browser test" -- \
	  npm ci --prefix tests/browser --no-audit --no-fund
	@touch $@

axe: $(AXE)

test: model chromium axe redis-binary
	@$(PY) -m pytest

demo-data: venv
	$(PY) -m ops.cli load-demo

import-orders: venv
	@test -n "$(FILE)" || { echo "usage: make import-orders FILE=path/to/orders.json"; exit 2; }
	$(PY) -m ops.cli import-orders "$(FILE)"

outbox: venv
	@$(PY) -m ops.cli outbox $(if $(ALL),--all)

staff-account: venv
	@test -n "$(STAFF)" -a -n "$(NAME)" || { echo "usage: make staff-account STAFF=kim NAME=Kim [ROLE=admin]"; exit 2; }
	$(PY) -m ops.staff_cli create-staff "$(STAFF)" "$(NAME)" --role "$(or $(ROLE),agent)"

chat: venv
	$(PY) -m ops.chat

eval: model
	$(PY) -m ops.nlu_eval

bench: venv
	$(PY) -m ops.bench

# The same property tests as `make test`, with many more examples (tests/card_formats.py).
fuzz: venv
	HYPOTHESIS_PROFILE=fuzz $(PY) -m pytest -m property

# Both start their own servers on free ports and a redis-server of their own.
loadtest: model
	$(PY) -m ops.loadtest

faulttest: model
	$(PY) -m ops.loadtest --faults --customers 60 --messages 2500

masking-report: venv
	$(PY) -m ops.masking_report

# Not part of `make test`: plants one bug at a time and runs the fast tests against it
# (hours on 2 cores; results accumulate in .mutmut-cache, see ops/mutate.py).
mutate: venv
	nice -n 10 $(PY) -m ops.mutate $(MODULES)

impact-report: venv
	@$(PY) -m ops.impact_report --since "$(SINCE)" --until "$(UNTIL)"

lint: venv
	$(VENV)/bin/ruff check .
