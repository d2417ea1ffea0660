# The two commands of the README. Both create the project's virtual environment on first use.
VENV := .venv
INSTALLED := $(VENV)/.installed-from-pyproject
CORES ?= 2

.PHONY: figures test report benchmarks

$(INSTALLED): pyproject.toml
	test -x $(VENV)/bin/python || python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

figures: $(INSTALLED)
	$(VENV)/bin/snakemake --cores $(CORES)

test: $(INSTALLED)
	$(VENV)/bin/pytest

report: $(INSTALLED)
	$(VENV)/bin/snakemake --report results/report.html
