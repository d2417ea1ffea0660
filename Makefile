# The two commands of the README. Both create the project's virtual environment on first use.
VENV := .venv
INSTALLED := $(VENV)/.installed-from-pyproject
CORES ?= 2

.PHONY: figures test report benchmarks plan

$(INSTALLED): pyproject.toml
	test -x $(VENV)/bin/python || python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -e '.[dev,psychrnn]'
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --no-deps psychrnn==1.0.0
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --no-deps $$($(VENV)/bin/python -c \
		'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["tool"]["rnnlab"]["test-only-no-deps"])')
	touch $@

figures: $(INSTALLED)
	$(VENV)/bin/snakemake --cores $(CORES)

# As root (CI, a fresh machine) the SLURM test gets a real cluster from Debian's packages;
# elsewhere it is skipped with the reason. The tests run in CORES processes (pytest-xdist): the
# slow end-to-end tests start first (tests/conftest.py) and the fast ones fill the other core;
# the SLURM tests share one process (one cluster at a time: fixed ports).
test: $(INSTALLED)
	@if [ "$$(id -u)" = 0 ] && ! command -v slurmctld >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq slurm-wlm munge >/dev/null; fi
	$(VENV)/bin/pytest -n $(CORES) --dist loadgroup

report: $(INSTALLED)
	$(VENV)/bin/snakemake --report results/report.html

benchmarks: $(INSTALLED)
	bash benchmarks/run_all.sh

# The bill of a configuration before asking a cluster for time: jobs and core-hours per rule, the
# longest job, the wall time on each of PLAN_CORES cores, from times measured on this machine
# (cached in results/plan/; PLAN_OPTIONS=--quick measures less, --remeasure measures again).
PLAN_CONFIG ?= config/thesis.yaml
PLAN_CORES ?= 16 64
PLAN_OPTIONS ?=

plan: $(INSTALLED)
	$(VENV)/bin/python -m rnnlab.workflow.plan --configfile $(PLAN_CONFIG) --cores $(PLAN_CORES) $(PLAN_OPTIONS)
