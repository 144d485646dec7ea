# One entry point for people and CI. `make demo` sets up and runs the example cohort; `make test` sets up and
# runs every check CI runs (format, lint, types, tests including the slow and end-to-end ones).
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup demo test fast-test lint docs examples system-deps bench clean

$(BIN)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

setup: $(BIN)/.installed

demo: setup
	$(BIN)/csu-assure demo --out out

system-deps:
	bash scripts/install-system-deps.sh

lint: setup
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

fast-test: setup
	$(BIN)/pytest -m "not slow and not e2e and not scaleout"

test: setup system-deps lint
	$(BIN)/pytest

# The generated files: the rule reference, the submission contract and prefect.yaml (tests fail when they are stale).
docs: setup
	$(BIN)/csu-assure rules reference --write docs/rules.md
	$(BIN)/csu-assure rules decision-model --write docs/decision-model.md
	$(BIN)/csu-assure schema --write docs/submission.schema.json --markdown docs/submission-format.md \
		--runs docs/cli-output.schema.json
	$(BIN)/csu-assure deployments write-yaml prefect.yaml

# Page images of one report per outcome (docs/examples/): needs LibreOffice, poppler and the report fonts.
examples: setup system-deps
	$(BIN)/python scripts/make_examples.py docs/examples

bench: setup
	$(BIN)/python -m benchmarks

clean:
	rm -rf out build .pytest_cache .mypy_cache .ruff_cache
