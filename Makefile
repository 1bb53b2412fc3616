# goldenthread: two commands on a fresh machine (Python 3.11, pip only).
#   make report   create .venv, install, build the example quarter's report (reports/2019-07/)
#   make test     the whole suite: unit, integration and nbval over notebooks/
#   make test-fast  the unit tests alone (one to three minutes on 2 cores)
#   make coverage   make test with coverage measured, as CI (CI=true) runs it
PYTHON ?= $(shell command -v python3.11 || command -v python3)
# Python caches compiled modules (__pycache__, git-ignored) here even where the environment turns that off: a run
# starts a kernel and worker processes, and a test run two pytest workers and many processes more, and each
# would otherwise compile the library (and pytest the test modules) again, about a second apiece.
unexport PYTHONDONTWRITEBYTECODE
VENV   := .venv
BIN    := $(VENV)/bin
PERIOD ?= 2019-07
# Installs come from the lock files (pinned versions; make lock updates them), one per need, each a superset of build:
#   build: what the quarterly build needs; test: + the test tools; lab: + JupyterLab and the explorer's widgets;
#   dev: test + ruff, mypy, pre-commit and pip-tools (not JupyterLab: `make lab` adds it).
LOCKS  := requirements
STAMP   = $(VENV)/.installed-$(1)

.PHONY: report reports word reference-docx test test-fast coverage validate lab bench check lock clean help
help:
	@echo "make report   build the example report for $(PERIOD) (HTML + PDF in reports/$(PERIOD)/)"
	@echo "make reports  every document for $(PERIOD): the report, the business plan, each directorate plan"
	@echo "make word     the same, with a Word document (.docx) of each beside its HTML and PDF (docs/word.md)"
	@echo "make reference-docx  rebuild the Word house style, lib/goldenthread/output/templates/docx/reference.docx"
	@echo "make test     run every test (unit, integration, nbval)"
	@echo "make test-fast  the unit tests only (no kernel, no renderer, no process)"
	@echo "make coverage every test, as make test, with the coverage of lib/goldenthread (CI measures it always)"
	@echo "make validate check data/example against the data contract"
	@echo "make lab      open JupyterLab on the notebooks, with the project's Python as the kernel"
	@echo "make bench    time the pipeline against the Papermill + nbconvert floor, and 38 vs 410 indicators"
	@echo "make check    what pre-commit checks (ruff lint and format, nbstripout, YAML, TOML, whitespace), then mypy"
	@echo "make lock     re-pin requirements/*.lock to the newest versions pyproject.toml allows"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The pinned dependencies first, then goldenthread itself (editable, from lib/) without letting pip resolve again.
$(VENV)/.installed-%: $(LOCKS)/%.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r $<
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m compileall -q lib/goldenthread
	touch $@

report: $(call STAMP,build)
	$(BIN)/goldenthread report --period $(PERIOD)

reports: $(call STAMP,build)
	$(BIN)/goldenthread report --period $(PERIOD)
	$(BIN)/goldenthread report --notebook business_plan --period $(PERIOD)
	$(BIN)/goldenthread report --notebook directorate_plan --all --period $(PERIOD)

# Word for the committee system (docs/word.md): every document as HTML, PDF and .docx. A run replaces its whole
# folder, so the formats are named together.
word: $(call STAMP,build)
	$(BIN)/goldenthread report --period $(PERIOD) --format html,pdf,docx
	$(BIN)/goldenthread report --notebook business_plan --period $(PERIOD) --format html,pdf,docx
	$(BIN)/goldenthread report --notebook directorate_plan --all --period $(PERIOD) --format html,pdf,docx

# The Word reference document goldenthread ships, made from pandoc's default (a test checks it is up to date).
reference-docx: $(call STAMP,build)
	$(BIN)/python -m goldenthread.output.word_reference

# The notebooks' "python3" kernel is the Python JupyterLab runs on: this .venv, with goldenthread installed.
lab: $(call STAMP,lab)
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" notebooks/corporate_performance_report.ipynb \
	    $(if $(filter 0,$(shell id -u)),--allow-root)

# Both run on every core (pytest-xdist; WORKERS=1 for one process). `make test` hands out whole test files
# (--dist loadfile): a report a module's fixture builds is built once, and nbval runs a notebook's cells in
# order in one kernel. `make test-fast` is the unit tests alone (no kernel, no notebook), also by whole files,
# with each property tried on a quarter of its examples (GOLDENTHREAD_TEST_FAST, tests/conftest.py; `make test`
# and CI try them all).
# Coverage of lib/goldenthread is measured where CI is set (the CI job: .ci/run runs this same `make test`) and by
# `make coverage`, not in a developer's `make test`: Python 3.11's line tracer made unit test files 1.7 times as
# slow and integration test files 1.35 times (alternating runs with and without it, benchmarks/coverage_cost.py).
# `make test-fast FAST_COVERAGE="$(COVERAGE_FLAGS)"` measures it over the unit tests alone.
# Files are dealt out slowest first (SLOWEST_FIRST in tests/conftest.py), so the workers finish together;
# --no-loadscope-reorder keeps that order rather than xdist's own (files with the most tests first).
WORKERS ?= auto
COVERAGE_FLAGS = --cov=goldenthread --cov-report=term:skip-covered
COVERAGE ?= $(if $(CI),$(COVERAGE_FLAGS))
FAST_COVERAGE ?=
test: $(call STAMP,test)
	$(BIN)/python -m pytest -n $(WORKERS) --dist loadfile --no-loadscope-reorder $(COVERAGE)

coverage: $(call STAMP,test)
	$(MAKE) test COVERAGE="$(COVERAGE_FLAGS)"

test-fast: $(call STAMP,test)
	GOLDENTHREAD_TEST_FAST=1 $(BIN)/python -m pytest tests -m "not integration" -n $(WORKERS) --dist loadfile --no-loadscope-reorder $(FAST_COVERAGE)

validate: $(call STAMP,build)
	$(BIN)/goldenthread validate data/example

bench: $(call STAMP,build)
	$(BIN)/python benchmarks/pipeline.py
	$(BIN)/python benchmarks/validate.py
	$(BIN)/python benchmarks/status.py
	$(BIN)/python benchmarks/areas.py
	$(BIN)/python benchmarks/scale.py
	$(BIN)/python benchmarks/directorates.py
	$(BIN)/python benchmarks/variation.py
	$(BIN)/python benchmarks/forecast.py
	$(BIN)/python benchmarks/returns.py

# The same checks as the git hook, over every tracked file, then the types of lib/goldenthread ([tool.mypy]).
check: $(call STAMP,dev)
	$(BIN)/pre-commit run --all-files --show-diff-on-failure
	$(BIN)/mypy

# Re-pin after changing dependencies in pyproject.toml (commit pyproject.toml and requirements/ together). Pins that
# still satisfy pyproject.toml are kept; `make lock LOCK_FLAGS=--upgrade` moves everything to the newest allowed.
# dev.lock is resolved first (the test and dev extras: what `make check` and `make test` need, without JupyterLab,
# whose jupyter-events pulls in a URI grammar that costs every Python process importing nbformat ~3 s); the others
# are resolved within it, so a package has one version in all.
LOCK_FLAGS ?=
PIP_COMPILE = CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links $(LOCK_FLAGS)
lock: $(call STAMP,dev)
	$(PIP_COMPILE) --extra test --extra dev -o $(LOCKS)/dev.lock pyproject.toml
	$(PIP_COMPILE) -c $(LOCKS)/dev.lock -o $(LOCKS)/build.lock pyproject.toml
	$(PIP_COMPILE) -c $(LOCKS)/dev.lock --extra test -o $(LOCKS)/test.lock pyproject.toml
	$(PIP_COMPILE) -c $(LOCKS)/dev.lock --extra lab -o $(LOCKS)/lab.lock pyproject.toml
	@echo "pinned: update the hooks' versions in .pre-commit-config.yaml if ruff, nbstripout or pre-commit-hooks moved"

clean:
	rm -rf $(VENV) reports/20* reports/business-plan-* reports/directorate-plan-* reports/index.html \
	       reports/.staging-* .pytest_cache .mypy_cache .ruff_cache
