# vaern: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export VAERN_DATABASE_URL ?= sqlite:///instance/vaern.sqlite3
# make run PORT=8080 serves elsewhere when 5000 is taken.
PORT ?= 5000

.PHONY: setup run demo test test-fast bench clean translations

$(BIN)/vaern: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error

setup: $(BIN)/vaern web/node_modules/.package-lock.json

demo: setup
	$(BIN)/vaern demo

run: demo
	$(BIN)/vaern status
	VAERN_DEMO=1 $(BIN)/vaern run --port $(PORT)

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The inner loop: everything but the tests marked slow and the browser tests (`make test` runs those too).
test-fast: setup
	$(BIN)/python -m pytest -m "not slow and not browser" $(PYTEST_ARGS)

translations: setup
	cd web && ../$(BIN)/pybabel extract -F babel.cfg -k _l --no-location --project vaern -o translations/messages.pot .
	cd web && ../$(BIN)/pybabel update -i translations/messages.pot -d translations
	cd web && ../$(BIN)/pybabel compile -d translations

# Benchmarks print a table and write bench/results.json; with PostgreSQL at 127.0.0.1:5432 they run on it too.
bench: setup
	$(BIN)/python bench/all.py

clean:
	rm -rf $(VENV) instance *.egg-info web/node_modules
