# frontdesk: two commands on a fresh machine -- `make train` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUNTIME_VENV ?= .venv-runtime
SHARED ?= ../shared/data
CONFIG ?= configs/intent.yaml
ARTIFACT ?= models/default

# Nothing reaches a model hub, ever.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_DATASETS_OFFLINE := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help install train test test-runtime lint bench complexity-eval train-clinc150 train-banking77 data-split clean

help:  ## list targets
	@grep -E '^[a-z0-9-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

$(STAMP): inference/pyproject.toml training/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e './inference[test]' -e './training[dev]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv with both distributions (editable)

train: install  ## train + export both heads from data/ into models/default, classify samples
	$(BIN)/frontdesk-train intent --config $(CONFIG) --output $(ARTIFACT)
	$(BIN)/frontdesk-train complexity --config configs/complexity.yaml --output $(ARTIFACT)
	$(BIN)/frontdesk inspect $(ARTIFACT)
	$(BIN)/frontdesk classify --artifact $(ARTIFACT) \
	  "hi there!" \
	  "can you write a python function that merges two sorted lists" \
	  "why do I get KeyError: 'id' when I run this" \
	  "what time does your support line open on saturdays" \
	  "I want to cancel my subscription" \
	  "book me a table for two at 8pm" \
	  "prove that the square root of 2 is irrational, step by step"

test: install  ## lint, type-check and run the whole suite (slow tests included)
	$(BIN)/ruff check inference training tests
	$(BIN)/mypy
	$(BIN)/pytest

test-runtime:  ## the runtime alone: fresh venv with only ./inference installed, tests/inference
	rm -rf $(RUNTIME_VENV)
	$(PYTHON) -m venv $(RUNTIME_VENV)
	$(RUNTIME_VENV)/bin/pip install -q './inference[test]'
	$(RUNTIME_VENV)/bin/python -c "import importlib.util as u, sys; bad=[m for m in ('torch','transformers','mlflow','sklearn') if u.find_spec(m)]; sys.exit(f'runtime venv has {bad}' if bad else 0)"
	$(RUNTIME_VENV)/bin/pytest -p no:cacheprovider tests/inference

lint: install  ## ruff + mypy only
	$(BIN)/ruff check inference training tests
	$(BIN)/mypy

complexity-eval: install  ## APGR / CPT / macro-F1 of the complexity head on ../shared/data
	$(BIN)/frontdesk-train complexity-eval --config configs/complexity.yaml --output reports/complexity

bench: install  ## latency / cold start / RSS of the runtime on models/default
	$(BIN)/frontdesk bench $(ARTIFACT) --output reports/bench-intent.json

train-clinc150: install  ## fine-tune on ../shared/data/clinc150 (150 intents + oos)
	$(BIN)/frontdesk-train intent --config configs/intent_clinc150.yaml --data $(SHARED)/clinc150

train-banking77: install  ## fine-tune on ../shared/data/banking77
	$(BIN)/frontdesk-train intent --config configs/intent_banking77.yaml --data $(SHARED)/banking77

data-split: install  ## re-split data/intents/sources into train/validation/test (seed 0)
	$(BIN)/frontdesk-train split data/intents/sources/*.jsonl --output data/intents --seed 0

clean:  ## remove virtualenvs and caches (not models/ or reports/)
	rm -rf $(VENV) $(RUNTIME_VENV) .pytest_cache .mypy_cache .ruff_cache
