# `make run` serves the sandbox; `make test` runs the whole suite; both install what they need.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STATE  ?= .sandbox/state.db
PORT   ?= 8080

.PHONY: install run test bench check clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

run: install
	$(BIN)/sandbox serve --port $(PORT) --state $(STATE)

test: install
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python bench/bench.py

check: install
	$(BIN)/sandbox check

clean:
	rm -rf $(VENV) .sandbox build *.egg-info
