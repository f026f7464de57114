# vaern: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export VAERN_DATABASE_URL ?= sqlite:///instance/vaern.sqlite3

.PHONY: setup run demo test bench clean

$(BIN)/vaern: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

setup: $(BIN)/vaern

demo: setup
	$(BIN)/vaern demo

run: demo
	$(BIN)/vaern status

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: setup
	$(BIN)/python bench/engine.py

clean:
	rm -rf $(VENV) instance *.egg-info
