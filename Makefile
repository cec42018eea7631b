# huvidpo_nb: `make test` and `make demo` set a fresh machine up by themselves.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# torch is pinned in the same pip command as everything that depends on it, so pip takes the local CPU wheel
# instead of pulling a multi-GB CUDA build. Override on a GPU machine: make venv TORCH_SPEC=torch
TORCH_SPEC ?= torch==2.13.0
export OMP_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1
export PYTHONUNBUFFERED := 1

.PHONY: venv test test-nbs test-py test-slow test-browser nbs docs demo demo-quick lab export clean-nbs bench

$(BIN)/nbdev_test: setup.py settings.ini
	@start=$$(date +%s); \
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV); \
	{ $(BIN)/python -m pip install --upgrade pip && \
	  $(BIN)/python -m pip install "$(TORCH_SPEC)" -e ".[dev]"; } > $(VENV)/install.log 2>&1 \
	  || { tail -n 40 $(VENV)/install.log; echo "set-up failed: full log in $(VENV)/install.log"; exit 1; }; \
	echo "set-up took $$(( $$(date +%s) - start )) s (log: $(VENV)/install.log)"
	@touch $@

venv: $(BIN)/nbdev_test  ## create .venv with the project and its dev extra

test: venv  ## the test command CI runs: every notebook (no slow cells) and pytest
	@start=$$(date +%s); \
	$(BIN)/nbdev_test --n_workers 2 --do_print --timing && \
	$(BIN)/python -m pytest tests/ -q -n 2 && \
	echo "tests took $$(( $$(date +%s) - start )) s"

test-browser: venv  ## JupyterLab driven by headless Chromium (installs Debian's chromium and chromium-driver if missing)
	@start=$$(date +%s); \
	if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
	  sudo=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  { $$sudo apt-get update && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y chromium chromium-driver; } \
	    > $(VENV)/apt-chromium.log 2>&1 || { tail -n 20 $(VENV)/apt-chromium.log; echo "installing chromium failed"; exit 1; }; \
	fi; \
	$(BIN)/python -m pytest tests/browser -q && echo "browser tests took $$(( $$(date +%s) - start )) s"

test-slow: venv  ## everything, slow cells and slow tests included (HUVIDPO_RUN_SLOW=1 turns the notebooks' RUN_SLOW on)
	HUVIDPO_RUN_SLOW=1 $(BIN)/nbdev_test --n_workers 1 --flags slow --timing
	$(BIN)/python -m pytest tests/ -q --runslow

nbs: venv  ## execute every notebook in place, keeping its outputs (slow cells off), then README's thumbnails
	@start=$$(date +%s); \
	$(BIN)/python tests/run_nbs.py && $(BIN)/python tests/thumbnails.py && \
	echo "make nbs took $$(( $$(date +%s) - start )) s"

docs: venv  ## the site in _docs/ from the executed notebooks and README.md (mkdocs; open _docs/index.html)
	$(BIN)/python tests/build_docs.py

demo: venv  ## the paper in miniature on the toy world (see README)
	@start=$$(date +%s); $(BIN)/huvidpo demo $(ARGS); echo "demo took $$(( $$(date +%s) - start )) s"

demo-quick: venv
	$(BIN)/huvidpo demo --quick $(ARGS)

lab: venv  ## JupyterLab on the notebooks
	$(BIN)/jupyter lab nbs/

export: venv  ## notebooks -> huvidpo_nb/, then clean the notebooks
	$(BIN)/nbdev_export && $(BIN)/nbdev_clean

bench: venv  ## side-by-side benchmarks (ratios measured in one run)
	$(BIN)/python tests/bench_attention.py
	$(BIN)/python tests/bench_dpo_step.py
