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

# As root (CI, a fresh machine) the SLURM test gets a real cluster from Debian's packages;
# elsewhere it is skipped with the reason.
test: $(INSTALLED)
	@if [ "$$(id -u)" = 0 ] && ! command -v slurmctld >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq slurm-wlm munge >/dev/null; fi
	$(VENV)/bin/pytest

report: $(INSTALLED)
	$(VENV)/bin/snakemake --report results/report.html

benchmarks: $(INSTALLED)
	bash benchmarks/run_all.sh
