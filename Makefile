# The two commands: `make run` and `make test`. Everything else is set up by them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export ISOC_DATA_DIR ?= $(CURDIR)/var
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
# axe-core for the accessibility tests, from the npm registry (package-lock.json).
NODE_STAMP := node_modules/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_STAFF_EMAIL := staff@demo.isoc.example
DEMO_STAFF_PASSWORD := isoc-demo-staff

.PHONY: run test install install-test migrate demo lint clean e2e unit bench fuzz

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# setup.py and the C source: the compiled MRT decoder is rebuilt when they change.
$(STAMP): $(BIN)/python pyproject.toml setup.py src/isoc/routing/_mrtdecode.c
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Without npm the other tests still run; the accessibility tests then fail, saying why.
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else \
	  echo "warning: npm not found (apt-get install nodejs npm): the accessibility tests will fail without axe-core" >&2; \
	fi

install: $(STAMP)
install-test: $(TEST_STAMP) $(NODE_STAMP)

migrate: install
	$(BIN)/isoc migrate

demo: migrate
	$(BIN)/isoc demo
	ISOC_STAFF_PASSWORD=$(DEMO_STAFF_PASSWORD) $(BIN)/isoc createstaff $(DEMO_STAFF_EMAIL) --admin --first-name Demo --last-name Staff

run: demo
	@echo ""
	@echo "  isoc is starting on http://$(HOST):$(PORT)/"
	@echo "  demo staff login: $(DEMO_STAFF_EMAIL) / $(DEMO_STAFF_PASSWORD)  (admin at http://$(HOST):$(PORT)/admin/; staff set up an authenticator app at first sign-in)"
	@echo ""
	$(BIN)/isoc serve --host $(HOST) --port $(PORT)

# Tests use their own data folder so they never touch the one `make run` serves.
test: install-test
	ISOC_DATA_DIR=$(CURDIR)/var/test $(BIN)/python -m pytest -n 2 --dist loadgroup --durations=30 $(PYTEST_ARGS)

unit: install-test
	ISOC_DATA_DIR=$(CURDIR)/var/test $(BIN)/python -m pytest -m 'not e2e' $(PYTEST_ARGS)

e2e: install-test
	ISOC_DATA_DIR=$(CURDIR)/var/test $(BIN)/python -m pytest -m e2e $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check src tests bench

bench: install-test
	$(BIN)/python bench/web.py

# The long fuzz run (README, "Hostile input"): each harness in turn for FUZZ_SECONDS, its
# corpus kept in var/fuzz/corpus/<target> (a later run resumes), crashes in var/fuzz/crashes/<target>.
FUZZ_TARGETS ?= mrt vrps peeringdb keepiton veris dns tls web
FUZZ_SECONDS ?= 600
fuzz: install-test
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p var/fuzz/corpus/$$t && \
	  $(BIN)/python fuzz/fuzz_$$t.py var/fuzz/corpus/$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 || exit 1; \
	done

clean:
	rm -rf $(VENV) var node_modules
