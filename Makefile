# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test chat check bench eval clean

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
	$(BIN)/optout-bot eval tests/eval/questions.jsonl

bench: $(STAMP)
	$(BIN)/python bench/bench_matcher.py

clean:
	rm -rf $(VENV) .pytest_cache data
