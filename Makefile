# The two set-up commands of the README: `make demo` and `make test`.
# Each creates the virtual environment and installs what it needs first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test unit mutate install clean

$(BIN)/cckpi: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# the wallboard's chart library, from the npm registry at the locked version (no CDN at run time)
VENDOR := pipeline/web/static/vendor
$(VENDOR)/echarts.min.js: web/package.json web/package-lock.json
	@command -v npm >/dev/null || { echo "make: npm is missing: apt-get install -y nodejs npm (the wallboard's chart library comes from the npm registry)"; exit 1; }
	cd web && npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp web/node_modules/echarts/dist/echarts.min.js $(VENDOR)/
	cp web/node_modules/echarts/LICENSE $(VENDOR)/echarts-LICENSE.txt

install: $(BIN)/cckpi $(VENDOR)/echarts.min.js

# DEMO_ARGS: more options of `cckpi demo` (make demo DEMO_ARGS="--port 8081 --contacts 2000")
demo: install
	$(BIN)/cckpi demo $(DEMO_ARGS)

# Every test: starts the local stack (Kafka, ClickHouse, Prometheus, Alertmanager),
# runs unit and integration tests, stops the stack.
# (run-tests.sh installs npm, chromium and the rest from Debian first, then runs `make install`)
test: $(BIN)/cckpi
	bash deploy/local/run-tests.sh

# Only the fast tests of the pure core and the embedded store (no services).
unit: install
	$(BIN)/pytest -m "not integration" -q

# Mutation testing (mutmut): the core, store/components_sql.py and payroll scoring, each module group against the
# few fast test files that cover it (the map is in tests/mutate.sh; chDB, no services); survivors and what kills
# or explains each: docs/mutation.md.  MUTATE_GROUPS narrows the run (e.g. MUTATE_GROUPS="intervals kpi");
# MUTATE_TIMEOUT bounds each group (seconds).  mutmut changes the files in place one mutant at a time (and
# restores them): run it in a clone of its own, not in a tree you are editing.
MUTATE_TIMEOUT ?= 14400
MUTATE_GROUPS ?=
mutate: install
	BIN=$(BIN) MUTATE_TIMEOUT=$(MUTATE_TIMEOUT) sh tests/mutate.sh $(MUTATE_GROUPS)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis web/node_modules $(VENDOR) .mutmut-cache
