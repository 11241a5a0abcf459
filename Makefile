# newsindex — developer entry points. `make demo` installs and runs; `make test` tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install test test-fast demo lint typecheck bench bench-quick clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "newsindex needs Python >= 3.11 (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,dask]"
	@$(BIN)/python -m spacy download de_core_news_sm >/dev/null 2>&1 \
	  && echo "de_core_news_sm installed: new indexes use the trained German pipeline" \
	  || echo "de_core_news_sm could not be downloaded (offline?); newsindex uses its built-in lemmatizer"
	@touch $(STAMP)

test: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q -n 2

# The edit-test loop: lint, and every test not marked slow (no corpora, no subprocesses).
test-fast: install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -n 2 -m "not slow"

demo: install
	$(BIN)/newsindex demo

lint: install
	$(BIN)/ruff check .

typecheck: install
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: install
	$(BIN)/python -m benchmarks.run --ablations --distractors 30000 --build-repeats 2

bench-quick: install
	$(BIN)/python -m benchmarks.run --quick

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
