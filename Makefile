# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test chat check bench eval load lock install-locked audit clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)  ## the bot: Telegram and/or Discord when their tokens are in .env, else the terminal chat
	$(BIN)/optout-bot run all

test: $(STAMP)  ## the whole test suite (knowledge checks, core, adapters against loopback fakes)
	NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost $(BIN)/python -m pytest

chat: $(STAMP)
	$(BIN)/optout-bot chat

check: $(STAMP)
	$(BIN)/optout-bot kb check

eval: $(STAMP)
	for f in tests/eval/*.jsonl; do echo "== $$f"; $(BIN)/optout-bot eval $$f; done

bench: $(STAMP)
	$(BIN)/python bench/bench_matcher.py

load: $(STAMP)  ## load and fault figures: Telegram floods and 429s, 2/4 processes writing, PostgreSQL paused and killed
	NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost $(BIN)/python bench/load.py

lock: $(STAMP)  ## pin every dependency with hashes in requirements.lock (from pyproject.toml)
	$(BIN)/python -m pip install --quiet "pip-tools>=7.4,<8"
	$(BIN)/pip-compile --quiet --extra dev --strip-extras --generate-hashes --no-emit-index-url --no-emit-find-links \
		--unsafe-package optout-bot --output-file requirements.lock pyproject.toml

install-locked:  ## a venv with exactly the locked versions (reproducible), then the bot itself on top
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

audit: $(STAMP)  ## known vulnerabilities in the installed dependencies; exit 2 with a message when offline
	$(BIN)/python -m pip install --quiet "pip-audit>=2.7,<3"
	$(BIN)/python .ci/audit.py

clean:
	rm -rf $(VENV) .pytest_cache data
