# jixiao — see README.md. Every target installs what it needs into .venv.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
RAW    ?= data/raw
OUT    ?= data/parquet
JOBS   ?=

.DEFAULT_GOAL := help
.PHONY: help install extract test bench corpus lint clean notebook

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'
	@echo "  variables: RAW=$(RAW) OUT=$(OUT) JOBS=<n>"

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.run-deps: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -e .
	@touch $@

$(VENV)/.test-deps: pyproject.toml $(VENV)/.run-deps
	$(PY) -m pip install -q -e '.[test,dev]'
	@# The report test renders in headless Chromium; the notebook plots need a CJK font.
	@(command -v chromium >/dev/null && fc-list :lang=zh 2>/dev/null | grep -q .) || \
	  (command -v apt-get >/dev/null && apt-get update -qq && \
	   DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei) || \
	  echo "make: could not apt-get install chromium fonts-wqy-microhei (no apt, or not root); their tests will skip"
	@touch $@

$(VENV)/.bench-deps: pyproject.toml $(VENV)/.test-deps
	$(PY) -m pip install -q -e '.[bench,dask]'
	@touch $@

$(VENV)/.notebook-deps: pyproject.toml $(VENV)/.run-deps
	$(PY) -m pip install -q -e '.[notebook]'
	@# Plots with Chinese labels need a CJK font.
	@fc-list :lang=zh 2>/dev/null | grep -q . || \
	  (command -v apt-get >/dev/null && apt-get update -qq && \
	   DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei) || \
	  echo "make: could not apt-get install fonts-wqy-microhei; Chinese labels in plots will show as boxes"
	@touch $@

install: $(VENV)/.run-deps ## create .venv and install jixiao

extract: $(VENV)/.run-deps ## read $(RAW) into the dataset at $(OUT)
	$(VENV)/bin/jixiao extract $(RAW) --out $(OUT) $(if $(JOBS),-j $(JOBS))

notebook: $(VENV)/.notebook-deps ## run notebooks/explore.ipynb on $(OUT); saved with its plots in $(OUT)/notebook/
	$(PY) notebooks/run.py --data $(OUT)

test: $(VENV)/.test-deps ## run the test suite
	$(PY) -m pytest -q

bench: $(VENV)/.bench-deps ## print speed and memory figures
	$(PY) bench/bench.py
	$(PY) bench/bench_ocr.py
	$(PY) bench/bench_runs.py
	$(PY) bench/bench_hostile.py
	$(PY) bench/bench_scale.py
	$(PY) bench/bench_long.py

corpus: $(VENV)/.run-deps ## read ../shared/corpus and ../shared/real-pdfs, print per PDF what was found
	$(PY) bench/corpus.py $(CORPUS)

lint: $(VENV)/.test-deps ## ruff + mypy
	$(VENV)/bin/ruff check jixiao tests bench
	$(VENV)/bin/mypy jixiao

clean: ## remove the dataset and caches (not .venv)
	rm -rf $(OUT) .pytest_cache .mypy_cache .ruff_cache test-output
