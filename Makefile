# The two commands a fresh machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
WEBMAIL := webmail-ui/dist/index.html

.PHONY: setup run test lint pytest webmail-test openapi bench clean

$(PY_STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Sealbox needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

$(NODE_STAMP): package.json package-lock.json webmail-ui/package.json
	npm ci --no-audit --no-fund
	touch $@

$(WEBMAIL): $(NODE_STAMP) $(shell find webmail-ui/src webmail-ui/index.html webmail-ui/scripts -type f 2>/dev/null)
	npm run build

setup: $(PY_STAMP) $(WEBMAIL)

run: setup
	$(BIN)/sealbox serve

lint: $(PY_STAMP)
	$(BIN)/ruff check api compat crypto tests
	$(BIN)/ruff format --check api compat crypto tests
	$(BIN)/mypy
	$(BIN)/lint-imports

pytest: setup
	$(BIN)/pytest

webmail-test: $(NODE_STAMP)
	npm test

# pytest last, so its summary is the closing line CI reads.
test: lint webmail-test pytest

openapi: $(PY_STAMP)
	$(BIN)/sealbox openapi --output openapi/openapi.json

bench: setup
	$(BIN)/python tests/bench/bench_login.py
	$(BIN)/python tests/bench/bench_blobs.py
	$(BIN)/python tests/bench/bench_mime_hostile.py
	$(BIN)/python tests/bench/bench_smtp_inbound.py
	$(BIN)/python tests/bench/bench_outbound_fanout.py
	$(BIN)/python tests/bench/bench_imap.py
	$(BIN)/python tests/bench/bench_search.py
	$(BIN)/python tests/bench/bench_webmail.py
	$(BIN)/python tests/bench/bench_webmail_scroll.py

clean:
	rm -rf $(VENV) node_modules webmail-ui/dist
