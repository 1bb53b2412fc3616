# goldenthread: two commands on a fresh machine (Python 3.11, pip only).
#   make report   create .venv, install, build the example quarter's report (reports/2019-07/)
#   make test     the whole suite: unit, integration and nbval over notebooks/
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PERIOD ?= 2019-07

.PHONY: report reports test validate lab bench clean help
help:
	@echo "make report   build the example report for $(PERIOD) (HTML + PDF in reports/$(PERIOD)/)"
	@echo "make reports  every document for $(PERIOD): the report, the business plan, each directorate plan"
	@echo "make test     run every test (unit, integration, nbval)"
	@echo "make validate check data/example against the data contract"
	@echo "make lab      open JupyterLab on the notebooks, with the project's Python as the kernel"
	@echo "make bench    time the pipeline against the Papermill + nbconvert floor"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

report: $(STAMP)
	$(BIN)/goldenthread report --period $(PERIOD)

reports: $(STAMP)
	$(BIN)/goldenthread report --period $(PERIOD)
	$(BIN)/goldenthread report --notebook business_plan --period $(PERIOD)
	$(BIN)/goldenthread report --notebook directorate_plan --all --period $(PERIOD)

# The notebooks' "python3" kernel is the Python JupyterLab runs on: this .venv, with goldenthread installed.
lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" notebooks/corporate_performance_report.ipynb \
	    $(if $(filter 0,$(shell id -u)),--allow-root)

test: $(STAMP)
	$(BIN)/python -m pytest

validate: $(STAMP)
	$(BIN)/goldenthread validate data/example

bench: $(STAMP)
	$(BIN)/python benchmarks/pipeline.py
	$(BIN)/python benchmarks/status.py
	$(BIN)/python benchmarks/areas.py
	$(BIN)/python benchmarks/directorates.py

clean:
	rm -rf $(VENV) reports/20* reports/business-plan-* reports/directorate-plan-* reports/index.html \
	       reports/.staging-* .pytest_cache
