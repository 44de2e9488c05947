# Developer shortcuts; CI runs .ci/run, which calls the same tools.
VENV ?= .venv
BIN := $(VENV)/bin
SRC := .

.PHONY: install format lint test services migrate run simulator all

$(BIN)/python:
	python3 -m venv $(VENV)

install: $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'

format:
	$(BIN)/ruff check --fix $(SRC)
	$(BIN)/ruff format $(SRC)

lint:
	$(BIN)/ruff check $(SRC)
	$(BIN)/ruff format --check $(SRC)
	$(BIN)/mypy gateway
	$(BIN)/lint-imports

test:
	$(BIN)/coverage run -m pytest
	$(BIN)/coverage report --skip-covered --sort=cover

services:
	bash scripts/services.sh

migrate:
	$(BIN)/paylink migrate

run:
	$(BIN)/paylink serve

simulator:
	$(BIN)/paylink simulator --port 8090

all: lint test
