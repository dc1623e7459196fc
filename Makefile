# The two commands a new user needs: `make demo` and `make test` (see README).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEMO_DIR := demo-data
DEMO_PERSONS ?= 20000
DEMO_MONTHS ?= 3

.PHONY: demo test lint format bench install browser clean messages

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

browser: $(STAMP)
	@sh scripts/ensure-chromium.sh

demo: $(STAMP)
	$(PY) manage.py migrate --no-input
	$(PY) manage.py demo --persons $(DEMO_PERSONS) --months $(DEMO_MONTHS) --out $(DEMO_DIR)
	$(PY) manage.py runserver 127.0.0.1:8000

test: $(STAMP) browser
	$(PY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: $(STAMP)
	$(PY) -m benchmarks.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) medins.sqlite3 .test.sqlite3 var staticfiles

# Refresh and compile the zh_Hans catalogue; `make messages PAIRS=file.tsv` fills translations.
messages: $(STAMP)
	$(PY) scripts/translate.py $(PAIRS)
