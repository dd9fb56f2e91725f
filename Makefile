# palmap: the two commands of README.md.
#   make run   install what is missing, create the embedded database with the demo data, serve
#   make test  install the test dependencies, check the layering rules (make check) and run the
#              whole suite (with a throwaway PostGIS)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PALMAP_PORT ?= 5000
RUN_PACKAGES := libsqlite3-mod-spatialite
TEST_PACKAGES := libsqlite3-mod-spatialite chromium postgresql-15-postgis-3 postgresql-client-15 poppler-utils redis-server
PYTEST_ARGS ?=

.PHONY: run test db lint check format benchmark clean

run: $(VENV)/.installed db
	$(BIN)/palmap run --host 127.0.0.1 --port $(PALMAP_PORT)

# The rules (make check) and the suite both run; the target fails if either found something.
test: $(VENV)/.installed-dev
	@bash scripts/sysdeps.sh $(TEST_PACKAGES)
	@$(MAKE) --no-print-directory check; checked=$$?; \
	bash scripts/with-postgis.sh $(BIN)/python -m pytest $(PYTEST_ARGS); tested=$$?; \
	if [ $$checked -ne 0 ]; then echo "make test: make check found something (see its output above)"; fi; \
	if [ $$tested -ne 0 ]; then exit $$tested; fi; exit $$checked

db: $(VENV)/.installed
	$(BIN)/palmap init-db
	$(BIN)/palmap load-demo --if-empty --with-editions

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The rules of CONTRIBUTING.md ("The rules and the tools that keep them"): every tool runs and
# prints its findings, then the target fails if any tool did.
CHECKS := "$(BIN)/ruff check --output-format concise ." "$(BIN)/ruff format --check ." "$(BIN)/mypy" "$(BIN)/lint-imports" \
	"$(BIN)/python scripts/check_layering.py"

check: $(VENV)/.installed-dev
	@failed=""; for tool in $(CHECKS); do \
	  echo "== $$tool"; $$tool || failed="$$failed\n  $$tool"; \
	done; \
	if [ -n "$$failed" ]; then printf "make check: these found something:$$failed\n"; exit 1; fi; \
	echo "make check: every rule holds"

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .

benchmark: $(VENV)/.installed db
	$(BIN)/python benchmarks/render_overview.py

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	  || { echo "palmap needs Python 3.11 or newer as $(PYTHON) (make PYTHON=python3.12 ...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@bash scripts/sysdeps.sh $(RUN_PACKAGES)
	$(BIN)/python -m pip install -q -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $@

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .import_linter_cache .grimp_cache build *.egg-info
