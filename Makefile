# The citizen procedure assistant. Two commands do everything on a fresh machine:
#   make run    set up, train if the data changed, start the assistant (REST on :5005, demo page on :8080)
#   make test   set up, train, and run every test
# Other targets: make help.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV    := .venv
BIN     := $(VENV)/bin
PY      := $(BIN)/python
RASA    := $(BIN)/rasa
STAMPS  := .make
MODEL   := models/assistant.tar.gz
NLU_GENERATED := data/nlu/generated.yml
CATALOG_FILES := $(wildcard catalog/*.yml catalog/thu-tuc/*.yml)
TRAINING_INPUTS := config.yml domain.yml nlu/components.py $(wildcard data/*.yml data/nlu/*.yml) $(NLU_GENERATED)

# Settings for `make run` (override on the command line or in the environment).
ENDPOINTS      ?= endpoints.yml
RASA_PORT      ?= 5005
ACTIONS_PORT   ?= 5055
WIDGET_PORT    ?= 8080
WIDGET_ORIGINS ?= http://localhost:$(WIDGET_PORT) http://127.0.0.1:$(WIDGET_PORT)
# RASA_INSTANCES=N (N > 1): N Rasa servers on RASA_PORT+1..+N behind nginx on RASA_PORT,
# conversations in PostgreSQL, locks in Redis (README "Several Rasa servers").
RASA_INSTANCES ?= 1
# The endpoints files name the action server as ${ACTION_ENDPOINT_URL} (Rasa fills it in), so
# ACTIONS_PORT reaches Rasa; every rasa command here (run, test core) needs it set.
ACTION_ENDPOINT_URL ?= http://127.0.0.1:$(ACTIONS_PORT)/webhook
export ENDPOINTS RASA_PORT ACTIONS_PORT WIDGET_PORT WIDGET_ORIGINS RASA_INSTANCES ACTION_ENDPOINT_URL
# ASSISTANT_TODAY=YYYY-MM-DD answers as the rules stand on that day (tests, demos, staff checking
# a rule that starts later); without it, today's date in Vietnam.
ifdef ASSISTANT_TODAY
export ASSISTANT_TODAY
endif
# These machines reach no telemetry or error-reporting servers; Rasa must not try.
export RASA_TELEMETRY_ENABLED := false

# The staff console (staff/) runs in its own environment: its web framework clashes with Rasa's pins.
STAFF_VENV := .venv-staff
STAFF_PY   := $(STAFF_VENV)/bin/python

.PHONY: help setup staff-setup staff-user check-catalog nlu train run test test-unit test-stories validate bench clean browser postgres scale-servers

help:
	@echo "make run            set up, train when needed, start the assistant"
	@echo "make test           set up, train when needed, run every test"
	@echo "make bench          benchmarks (NLU accuracy, latency, throughput vs the starter bot)"
	@echo "make check-catalog  validate catalog/ after an edit"
	@echo "make train          (re)train when data or catalog aliases changed"
	@echo "make staff-user     create or reset an account of the staff console (asks for the password)"

# --- set-up -------------------------------------------------------------------------------
$(PY):
	@echo "==> Creating the virtual environment in $(VENV) (Python 3.10)"
	@python="$$(scripts/find-python.sh)" && "$$python" -m venv $(VENV)

$(STAMPS)/installed: requirements.txt constraints.txt pyproject.toml | $(PY)
	@echo "==> Installing pinned dependencies (first time: about 3 minutes, 2.7 GB)"
	$(BIN)/pip install --disable-pip-version-check --progress-bar on -r requirements.txt -c constraints.txt
	@echo "==> Installing the project itself (editable: its packages import by name)"
	$(BIN)/pip install --disable-pip-version-check -q --no-deps --no-build-isolation -e .
	@mkdir -p $(STAMPS) && touch $@

setup: $(STAMPS)/installed

$(STAFF_PY):
	@echo "==> Creating the staff console's environment in $(STAFF_VENV) (Python 3.10)"
	@python="$$(scripts/find-python.sh)" && "$$python" -m venv $(STAFF_VENV)

$(STAMPS)/staff-installed: staff/requirements.txt staff/constraints.txt | $(STAFF_PY)
	@echo "==> Installing the staff console's pinned dependencies"
	$(STAFF_VENV)/bin/pip install --disable-pip-version-check -q -r staff/requirements.txt -c staff/constraints.txt
	@mkdir -p $(STAMPS) && touch $@

staff-setup: $(STAMPS)/staff-installed

# Asks for user name, role and password (STAFF_DB chooses the database, default var/staff/staff.db).
staff-user: staff-setup
	@PYTHONPATH=. $(STAFF_PY) -m staff user

# The widget's browser tests use Debian's Chromium (nothing downloads a browser).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "==> Installing Debian's chromium for the widget's browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium is missing: run 'sudo apt-get install chromium' and try again." >&2; exit 1; fi; \
	fi

# The PostgreSQL tracker-store test starts a throwaway server from Debian's postgresql.
postgres:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  echo "==> Installing Debian's postgresql for the PostgreSQL tracker-store test"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	  else echo "PostgreSQL is missing: run 'sudo apt-get install postgresql' and try again." >&2; exit 1; fi; \
	fi

# Several Rasa servers need nginx and Redis too (Debian's packages), run as our own processes.
scale-servers: postgres
	@missing=""; [ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	if [ -n "$$missing" ]; then \
	  echo "==> Installing Debian's$$missing for the scaled set-up (several Rasa servers)"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "Missing:$$missing. Run 'sudo apt-get install$$missing' and try again." >&2; exit 1; fi; \
	fi

# --- catalog and training -----------------------------------------------------------------
check-catalog: setup
	@$(PY) -m actions.catalog

$(NLU_GENERATED): $(CATALOG_FILES) nlu/templates.yml nlu/templates_en.yml nlu/other_services.yml nlu/generate.py $(wildcard tests/nlu/*.yml tests/content/*.yml) | $(STAMPS)/installed
	@echo "==> Regenerating NLU training data from the catalog"
	@$(PY) -m nlu.generate

nlu: $(NLU_GENERATED)

$(MODEL): $(TRAINING_INPUTS) | $(STAMPS)/installed
	@echo "==> Training the model (data or catalog aliases changed)"
	$(RASA) train --fixed-model-name assistant --out models
	@touch $@

train: check-catalog $(MODEL)

# --- run -------------------------------------------------------------------------------------
# scripts/run.py: the one launcher (scripts/stack.py's commands, as in tests and benchmarks).
run: train staff-setup $(if $(filter-out 1,$(RASA_INSTANCES)),scale-servers)
	@$(PY) -m scripts.run

# --- tests -----------------------------------------------------------------------------------
validate: setup
	@echo "==> ruff (pyflakes, import order, bugbear) on all Python code"
	@$(BIN)/ruff check --quiet .
	@echo "==> mypy on the action server package (settings: pyproject.toml [tool.mypy])"
	@$(BIN)/mypy
	@echo "==> Committed NLU data in step with the catalog"
	@$(PY) -m nlu.generate --check
	@echo "==> rasa data validate"
	$(RASA) data validate --fail-on-warnings

test-unit: train browser postgres scale-servers staff-setup
	@echo "==> pytest (catalog, actions, content, NLU held-out threshold, end-to-end REST, scaled set, Telegram, Zalo, widget, staff console)"
	$(PY) -m pytest

test-stories: train
	@echo "==> Test stories (fail on any prediction error)"
	$(RASA) test core --model $(MODEL) --stories tests/stories --fail-on-prediction-errors --out results/stories

test: validate test-unit test-stories
	@echo "==> All tests passed"

bench: train scale-servers
	@echo "==> Benchmark: NLU, REST latency and throughput vs stock Rasa's starter bot, training, memory"
	$(PY) -m bench
	@echo "==> Benchmark: latency the Telegram bridge adds, 50 chats x 10 messages"
	$(PY) bench/telegram_bench.py
	$(PY) -m bench.zalo_bench

clean:
	rm -rf models results .rasa $(STAMPS) test-artifacts bench-results
