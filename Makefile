# ansinh — the two set-up commands are `make demo` and `make test`; both start from nothing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
PERSONS ?= 50000
export ANSINH_VAR_DIR ?= $(CURDIR)/var

.PHONY: demo test test-postgres bench bench-scale bench-flat lint system-packages messages clean prod-smoke

# Debian packages the tests and PDFs need, installed only when missing.
DEBS := chromium fonts-noto-core poppler-utils gettext
system-packages:
	@missing=""; for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

$(STAMP): pyproject.toml package.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	npm install --no-audit --no-fund --silent
	touch $(STAMP)

messages: $(STAMP) system-packages
	cd src/ansinh && ../../$(BIN)/django-admin compilemessages -v0 --ignore=.venv

demo: $(STAMP) system-packages messages
	$(BIN)/ansinh demo --persons $(PERSONS) --port $(PORT)

test: $(STAMP) system-packages messages
	$(BIN)/python -m pytest -q -n 2 --dist loadfile $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "no tests collected"; exit 1; fi; exit $$rc

# BENCH_ARGS="--only pages": only the page weights on slow 3G (chromium, a fresh demo);
# "--only dedup": only the duplicate detection (time, ratio to rapidfuzz, precision, recall);
# add --pages-var var to serve the demo `make demo` seeded instead.
bench: $(STAMP) system-packages
	$(BIN)/python -m ansinh.bench --postgres $(BENCH_ARGS)

# The production stack on this machine (docs/deploy.md): a fresh PostgreSQL database on the
# server at 127.0.0.1:5432 (PROD_SMOKE_PG), a private redis-server, gunicorn with
# deploy/gunicorn.conf.py and the worker on Redis; signs in, runs a background export, checks
# the static files, then stops everything and drops the database. PROD_SMOKE_ARGS="--light".
prod-smoke: $(STAMP) system-packages messages
	$(BIN)/python scripts/prod_smoke.py $(PROD_SMOKE_ARGS)

# The national scale on PostgreSQL (127.0.0.1:5432, user postgres): PERSONS persons and LEDGER
# receipts + paid months (default 10M and 50M: `make bench-scale PERSONS=1000000 LEDGER=5000000`
# for a tenth) generated through COPY into a fresh database (dropped at the end;
# SCALE_ARGS=--keep keeps it), then the nightly rebuild, the dashboard and worklist p50/p95 and
# the import / COPY ratio. Table on stdout, JSON under var/. (PERSONS's 50,000 is the demo's.)
SCALE_PERSONS = $(if $(filter command line environment,$(origin PERSONS)),$(PERSONS),10000000)
LEDGER ?= 50000000
bench-scale: $(STAMP) messages
	nice -n 10 $(BIN)/python -m ansinh.scale_bench --persons $(SCALE_PERSONS) \
	  --ledger $(LEDGER) $(SCALE_ARGS)

# The director's dashboard and an agent's worklist at demo sizes FLAT (issue 14: at most 2x
# apart), each on a fresh PostgreSQL database seeded by `seed-demo`, dropped after.
FLAT ?= 20000 200000
bench-flat: $(STAMP) messages
	nice -n 10 $(BIN)/python -m ansinh.scale_bench --flat $(FLAT)

lint: $(STAMP)
	$(BIN)/ruff check src
	$(BIN)/mypy src/ansinh

clean:
	rm -rf $(VENV) node_modules var
