# luatqa — two commands on a fresh machine: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
INDEX ?= .luatqa/index

.PHONY: install run test lint typecheck clean

install: $(STAMP)

# The CPU wheel of torch is installed first and pinned: unpinned, pip pulls GBs of CUDA.
$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev,st]'
	touch $(STAMP)

run: install
	$(BIN)/luatqa --index $(INDEX) ingest data/demo
	$(BIN)/luatqa --index $(INDEX) search "Thời giờ làm việc bình thường tối đa bao nhiêu giờ một ngày?"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

test: install lint typecheck
	$(BIN)/pytest

clean:
	rm -rf $(VENV) .luatqa .pytest_cache .mypy_cache .ruff_cache
