# The course's commands. `make run` and `make test` set everything up on first use (a virtual environment
# in .venv from requirements.txt, the package installed editable) and reuse it afterwards.
# Every target takes its options the same way: make TARGET ARGS="...".
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Kernels come from this environment, whatever other Jupyter kernels the machine has.
export JUPYTER_PATH := $(CURDIR)/$(VENV)/share/jupyter
export PYTHONDONTWRITEBYTECODE := 1
# nbval re-runs the notebooks under two BLAS set-ups: different thread counts and OpenBLAS kernels.
# SkylakeX needs AVX-512; where the CPU lacks it, Sandybridge is the second kernel.
BLAS_A := OPENBLAS_NUM_THREADS=1 OPENBLAS_CORETYPE=Haswell
BLAS_B := OPENBLAS_NUM_THREADS=2 OPENBLAS_CORETYPE=$(shell grep -qw avx512f /proc/cpuinfo 2>/dev/null && echo SkylakeX || echo Sandybridge)
# pytest loads fashion_helpers.tools first (-p), before the nbval plugin imports nbformat: the tooling then keeps
# jsonschema from compiling rfc3987-syntax's grammars, seconds at the start of every pytest (see tools/__init__.py).
PYTEST := $(PY) -m pytest -p no:cacheprovider -p fashion_helpers.tools
# The unit tests on two processes (pytest-xdist): many of them wait on kernels and sandboxes they start. One BLAS
# thread each: two processes with two OpenBLAS threads each on two cores only wait for each other (measured on
# the 2-core machine: 152 s against 123 s). Tests that need another set-up set it in their own subprocesses.
UNIT := OPENBLAS_NUM_THREADS=1 $(PYTEST) -n 2 tests
NBVAL := $(PYTEST) --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
# The series in two alternating halves (01 03 05 ... and 02 04 06 ...): make test checks each notebook under one of
# the two BLAS set-ups (the halves swapped between them); make nbval-swap, a CI step, the other one.
SERIES := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
ODD := $(shell printf '%s\n' $(SERIES) | awk 'NR % 2 == 1')
EVEN := $(shell printf '%s\n' $(SERIES) | awk 'NR % 2 == 0')
# $(call nbval_pair,NOTEBOOKS UNDER BLAS_A,NOTEBOOKS UNDER BLAS_B): first BLAS_A's notebooks on two processes side
# by side (one BLAS thread each: the last notebook, the longest, on one, the rest on the other), then BLAS_B's
# alone, so that its two threads have both cores (run beside another process they wait for each other: a half
# took 131 s that way, 44 s alone). All three logs are shown; any failure fails the target, after all ran.
define nbval_pair
	@echo "nbval under two BLAS set-ups: [$(BLAS_A)] on $(notdir $(basename $(1))), two processes; then [$(BLAS_B)] on $(notdir $(basename $(2)))"
	@mkdir -p runs; \
	$(BLAS_A) $(NBVAL) $(lastword $(1)) > runs/nbval-a1.log 2>&1 & pid=$$!; \
	$(if $(filter-out $(lastword $(1)),$(1)),$(BLAS_A) $(NBVAL) $(filter-out $(lastword $(1)),$(1)) > runs/nbval-a2.log 2>&1,: > runs/nbval-a2.log); status_a2=$$?; \
	wait $$pid; status_a1=$$?; \
	$(BLAS_B) $(NBVAL) $(2) > runs/nbval-b.log 2>&1; status_b=$$?; \
	echo "--- nbval with $(BLAS_A)"; cat runs/nbval-a2.log runs/nbval-a1.log; \
	echo "--- nbval with $(BLAS_B)"; cat runs/nbval-b.log; \
	[ $$status_a1 -eq 0 ] && [ $$status_a2 -eq 0 ] && [ $$status_b -eq 0 ]
endef
IDX_DIR := $(or $(FASHION_MNIST_DIR),/usr/share/datasets/fashion-mnist)
COURSE := $(PY) -m fashion_helpers.tools.cli
UV_VERSION := 0.13.9

.PHONY: help setup lock lint run test unit nbval nbval-half nbval-swap test-e2e browser sandbox refresh lab data idx bench sweep student course autograde-check grade grade-check html clean distclean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 18
	@echo "Options go in ARGS, for every target: make run ARGS=\"--params params/quick.yaml -p alpha 0.05\""

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "error: Python 3.11 or newer is needed to create $(VENV) ($(PYTHON) is $$($(PYTHON) --version 2>&1)); run: make PYTHON=/path/to/python3.11 ..." >&2; exit 1; }
	@echo "Setting up $(VENV) from requirements.lock (first run, or after the lock changes)"
	$(PYTHON) -m venv $(VENV)
	@# uv, from PyPI into the venv, installs the lock several times faster than pip; plain pip is the fallback
	$(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION) \
	  && $(VENV)/bin/uv pip sync --quiet --require-hashes --compile-bytecode --python $(PY) requirements.lock \
	  || $(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@# build matplotlib's font cache now, not inside a notebook, where its notice would become an output
	$(PY) -c "import matplotlib.font_manager" 2>/dev/null
	@touch $(STAMP)

setup: $(STAMP)  ## create the environment in .venv from requirements.lock (run and test do this themselves)

lock: $(STAMP)  ## re-solve requirements.lock from requirements.txt after a pin changes (ARGS="--upgrade-package NAME")
	$(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(VENV)/bin/uv pip compile --quiet --generate-hashes --python-version 3.11 --python-platform x86_64-manylinux_2_28 \
	  --custom-compile-command "make lock" requirements.txt -o requirements.lock $(ARGS)
	@echo "requirements.lock updated: commit it; the next make run or make test reinstalls .venv from it"

lint: $(STAMP)  ## ruff: the linter and the formatter's check over the code (ARGS=--fix to let ruff fix what it can)
	$(VENV)/bin/ruff check . $(ARGS)
	$(VENV)/bin/ruff format --check .

run: $(STAMP)  ## run the series with papermill into runs/ (ARGS="--params params/quick.yaml -p alpha 0.05 --out DIR")
	$(COURSE) run $(ARGS)

test: $(STAMP) sandbox  ## every test: unit tests, then nbval (each notebook under one of two BLAS set-ups; make nbval for both)
	$(UNIT) $(ARGS)
	$(MAKE) --no-print-directory nbval-half

unit: $(STAMP) sandbox  ## the unit tests only (ARGS="-k runner" to pick some; ARGS="-n 0" on one process)
	$(UNIT) $(ARGS)

nbval: $(STAMP)  ## re-run the committed notebooks and compare their outputs, all of them under both BLAS set-ups
	$(call nbval_pair,$(SERIES),$(SERIES))

nbval-half: $(STAMP)  ## nbval as make test runs it: the odd notebooks under one BLAS set-up, the even under the other
	$(call nbval_pair,$(ODD),$(EVEN))

nbval-swap: $(STAMP)  ## the other half of make nbval (a CI step after make test): the halves' BLAS set-ups swapped
	$(call nbval_pair,$(EVEN),$(ODD))

refresh: $(STAMP)  ## re-execute notebooks/ in place and strip run noise (the only way outputs change; ARGS="05 07")
	$(COURSE) refresh $(ARGS)

lab: $(STAMP)  ## open JupyterLab on notebooks/, kernels from .venv (ARGS="--no-browser --port 8899")
	$(VENV)/bin/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root) $(ARGS)

test-e2e: $(STAMP) browser  ## JupyterLab, the student and HTML editions in a real Chromium; screenshots in runs/e2e/
	$(PYTEST) tests/e2e --e2e $(ARGS)

browser:  ## install Debian's chromium for test-e2e when missing and possible (as root); otherwise say how
	@if [ -z "$(CHROMIUM)" ] && ! command -v chromium >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium (the browser make test-e2e drives; about a minute)"; \
	    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >/dev/null; \
	  else \
	    echo "error: make test-e2e needs Chromium: run 'sudo apt-get install chromium' (Debian, Ubuntu), or set CHROMIUM=/path/to/chromium" >&2; exit 1; \
	  fi; \
	fi

sandbox:  ## install bubblewrap, the sandbox the isolated grader runs students' code in, when missing and possible
	@if ! command -v bwrap >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's bubblewrap (the isolated grader's sandbox)"; \
	    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends bubblewrap >/dev/null; \
	  else \
	    echo "error: grading needs bubblewrap: run 'sudo apt-get install bubblewrap' (Debian, Ubuntu) or 'sudo dnf install bubblewrap'" >&2; exit 1; \
	  fi; \
	fi

data: $(STAMP) idx  ## rebuild data/*.csv byte-for-byte from the official IDX files (ARGS=--check: compare only)
	$(PY) scripts/build_sample.py --out data $(ARGS)

idx:  ## install the official IDX files (Debian's dataset-fashion-mnist) when missing and possible
	@if [ ! -f "$(IDX_DIR)/train-images-idx3-ubyte.gz" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && [ -z "$(FASHION_MNIST_DIR)" ]; then \
	    echo "Installing Debian's dataset-fashion-mnist (the official IDX files)"; \
	    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q dataset-fashion-mnist >/dev/null; \
	  else \
	    echo "error: the official Fashion-MNIST files are not in $(IDX_DIR): run 'sudo apt-get install dataset-fashion-mnist', or set FASHION_MNIST_DIR to a directory holding the four .gz files" >&2; exit 1; \
	  fi; \
	fi

bench: $(STAMP)  ## speed and accuracy ratios, measured side by side in one run (ARGS=--with-tests: also make test's time)
	$(PY) scripts/bench.py $(ARGS)

sweep: $(STAMP)  ## a parameter grid over seeds (ARGS="-g alpha=0.05,0.1 --seeds 3")
	$(COURSE) sweep $(ARGS)

student: $(STAMP)  ## the self-study edition (exercises open, the course's working copies stand in), in editions/self-study
	$(COURSE) student --out editions/self-study $(ARGS)

course: $(STAMP)  ## a graded nbgrader course directory, released (no answer key in the release), in editions/course
	$(COURSE) course --out editions/course --release $(ARGS)

autograde-check: $(STAMP) sandbox  ## nbgrader round trip on the whole series: six kinds of hand-in, graded in isolation
	$(COURSE) autograde-check $(ARGS)

grade: $(STAMP) sandbox  ## grade a whole class, each submission in its sandbox, in parallel, resumable (ARGS="--course DIR [--zip FILE] [--scheduler ADDRESS]")
	$(COURSE) grade $(ARGS)

grade-check: $(STAMP) sandbox  ## a generated class of 40 graded on a real Dask cluster: stopped and resumed, a worker killed
	$(PYTEST) -s tests/tools/grade_check.py $(ARGS)

html: $(STAMP)  ## the executed notebooks as HTML pages with an index, in editions/html
	$(COURSE) html --out editions/html $(ARGS)

clean:  ## remove run outputs and editions (keeps .venv)
	rm -rf runs editions .pytest_cache build *.egg-info
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +

distclean: clean  ## also remove the environment
	rm -rf $(VENV)
