# Firstline: `make demo` starts a demo on SQLite, `make test` runs the test suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HTMX_VERSION := 2.0.11
HTMX := firstline/web/static/vendor/htmx.min.js

.PHONY: demo test bench serve lint clean

# The virtual environment is rebuilt only when pyproject.toml changes.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

# htmx comes from the npm registry at build time and is served locally; never from a CDN.
$(HTMX):
	@mkdir -p $(dir $(HTMX)) .cache/npm
	cd .cache/npm && npm pack --silent htmx.org@$(HTMX_VERSION) >/dev/null && tar -xzf htmx.org-$(HTMX_VERSION).tgz
	cp .cache/npm/package/dist/htmx.min.js $(HTMX)

demo: $(STAMP) $(HTMX)
	$(BIN)/firstline demo

serve: $(STAMP) $(HTMX)
	$(BIN)/firstline serve

# Browser tests run in their own pytest process: Playwright's sync API keeps an event loop running in
# the worker, which would break the asyncio-based chat and email tests sharing that worker.
test: $(STAMP) $(HTMX)
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q -m "not browser"
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q -m browser

bench: $(STAMP) $(HTMX)
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script --quick || exit 1; done

lint: $(STAMP)
	$(BIN)/ruff check firstline tests bench
	$(BIN)/ruff format --check firstline tests bench

clean:
	rm -rf $(VENV) .cache var
