# `make run` serves the sandbox; `make test` runs the whole suite; both install what they need.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STATE  ?= .sandbox/state.db
PORT   ?= 8080

.PHONY: install run test bench check clean bytecode

install: $(VENV)/.installed bytecode

$(VENV)/.installed: pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# The package is installed editable, so pip compiles none of its modules, and where
# PYTHONDONTWRITEBYTECODE is set (many containers and CI machines, this one) Python never
# writes them either: every start compiled ~100 modules from source, ~0.1 s of a 0.5 s start.
# Python still reads .pyc files it did not write; this rewrites only the stale ones.
bytecode: $(VENV)/.installed
	$(BIN)/python -m compileall -q sandbox

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
