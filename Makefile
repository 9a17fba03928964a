# The two set-up commands of the README: `make demo` and `make test`.
# Each creates the virtual environment and installs what it needs first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test unit install clean

$(BIN)/cckpi: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/cckpi

demo: $(BIN)/cckpi
	$(BIN)/cckpi demo

# Every test: starts the local stack (Kafka, ClickHouse, Prometheus, Alertmanager),
# runs unit and integration tests, stops the stack.
test: $(BIN)/cckpi
	bash deploy/local/run-tests.sh

# Only the fast tests of the pure core and the embedded store (no services).
unit: $(BIN)/cckpi
	$(BIN)/pytest -m "not integration" -q

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
