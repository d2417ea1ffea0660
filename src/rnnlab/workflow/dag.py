"""The jobs of Snakemake's own DAG, as plain data: what ``rnnlab.workflow.plan`` bills.

The DAG is built by Snakemake from the workflow and a configuration from scratch (as with
``--forceall``), so the jobs are exactly those ``snakemake -n --forceall`` would run, with the
params, resources and paths each job gets, and the jobs it needs.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PlannedJob:
    """One job of the DAG, as plain data: its params and resources as the job gets them, its
    named inputs and outputs (paths relative to the working directory) and the jobs it needs."""

    jobid: int
    rule: str
    wildcards: dict
    params: dict
    resources: dict
    inputs: dict
    outputs: dict
    dependencies: tuple[int, ...]
    local: bool
    script: str | None  # None: a shell rule, or a target that runs nothing
    runs_nothing: bool = False

    @property
    def kind(self) -> str:
        """How its cost is measured: "training", "stage", "local", "target" or "other"."""
        if self.runs_nothing:
            return "target"
        if isinstance(self.params.get("run"), dict):
            return "training"
        if "stage" in self.params:
            return "stage"
        return "local" if self.local else "other"

    @property
    def label(self) -> str:
        where = "/".join(self.wildcards[k] for k in ("study", "run") if k in self.wildcards)
        group = self.wildcards.get("seed_group") or (
            f"seed {self.wildcards['seed']}" if "seed" in self.wildcards else "")
        return " ".join(part for part in (self.rule, where, group) if part)


def workflow_jobs(configfile: str | Path, root: str | Path = ".") -> list[PlannedJob]:
    """Every job Snakemake would run from scratch for ``configfile`` (merged over the
    Snakefile's config/config.yaml, as ``--configfile`` is), in a throw-away working directory.

    Uses Snakemake's API, and the two private steps by which its own ``--dag`` and ``--summary``
    build the DAG (``_prepare_dag``, ``_build_dag``; snakemake is pinned in pyproject.toml;
    tests/test_plan.py checks the counts against ``snakemake -n --forceall``)."""
    from snakemake.api import SnakemakeApi
    from snakemake.settings.types import (
        ConfigSettings, DAGSettings, OutputSettings, Quietness, ResourceSettings,
    )

    root, configfile = Path(root).resolve(), Path(configfile).resolve()
    here = os.getcwd()
    try:
        with tempfile.TemporaryDirectory() as workdir, \
                SnakemakeApi(OutputSettings(quiet={Quietness.ALL})) as api:
            # The Snakefile's own `configfile:` is relative to the working directory: without
            # the workflow's config/ there, Snakemake would silently use ``configfile`` alone
            # instead of merging it over the defaults, as `--configfile` does on the CLI.
            (Path(workdir) / "config").symlink_to(root / "config", target_is_directory=True)
            workflow_api = api.workflow(
                ResourceSettings(cores=1),
                # Stage jobs one per seed: a stage is measured on one seed's inputs (a seed
                # group's job costs its seeds' work and one start-up, so this over-bills start-ups).
                ConfigSettings(configfiles=[configfile], config={"stage_jobs": {"seeds_per_job": 1}}),
                snakefile=root / "Snakefile", workdir=Path(workdir),
            )
            workflow_api.dag(DAGSettings(forceall=True))
            workflow = workflow_api._workflow
            workflow._prepare_dag(forceall=True, ignore_incomplete=True, lock_warn_only=True,
                                  nolock=True)
            workflow._build_dag()
            dag = workflow.dag
            local_rules = set(workflow._localrules)
            return sorted((planned_job(job, dag, local_rules) for job in dag.needrun_jobs()),
                          key=lambda job: job.jobid)
    finally:
        os.chdir(here)


def planned_job(job, dag, local_rules: set[str]) -> PlannedJob:
    """A Snakemake job as plain data (params and paths through JSON: no Snakemake types)."""
    rule = job.rule
    script = None
    if rule.script:
        script = os.path.normpath(os.path.join(os.path.dirname(rule.snakefile), rule.script))
    return PlannedJob(
        jobid=job.jobid,
        rule=rule.name,
        wildcards=dict(job.wildcards.items()),
        params=plain(dict(job.params.items())),
        resources=plain(dict(job.resources.items())),
        inputs=plain(dict(job.input.items())),
        outputs=plain(dict(job.output.items())),
        dependencies=tuple(sorted(dependency.jobid for dependency in dag.dependencies[job])),
        local=rule.name in local_rules,
        script=script,
        runs_nothing=bool(rule.norun),
    )


def plain(value):
    return json.loads(json.dumps(value, default=str))


def rule_counts(jobs: list[PlannedJob]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for job in jobs:
        counts[job.rule] += 1
    return dict(counts)
