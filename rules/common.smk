"""The workflow's shared helpers. The logic lives in rnnlab.workflow (plain, unit-tested
Python); this file only binds it to Snakemake: the study registry, the checked configuration
(PIPELINE, made in the Snakefile once every study is included), and the functions rules call
for their inputs and params. It names no study."""

import functools
import sys
from pathlib import Path

# rnnlab is imported from the workflow's own src/ while parsing: Snakemake's environment need
# not have it installed (jobs put src/ on their path themselves).
sys.path.insert(0, str(Path(workflow.basedir) / "src"))

from rnnlab.workflow import locks
from rnnlab.workflow.config import ConfigError
from rnnlab.workflow.fingerprint import CodeFingerprints
from rnnlab.workflow.names import module_of, seeds_of_group
from rnnlab.workflow.pipeline import (
    RESUME_DIRECTORY,
    RUN_DIRECTORY,
    SEED_GROUP_DIRECTORY,
    Pipeline,
    load_study,
)


def stop_on_configuration_error(error):
    """A user's mistake gets its message, not a traceback."""
    print(f"rnnlab: {error}", file=sys.stderr)
    sys.exit(1)


# ---------------------------------------------------------------- stale locks

if workflow.is_main_process:
    removed = locks.remove_stale_lock()
    if removed:
        print(removed, file=sys.stderr)


onstart:
    if workflow.execution_settings.lock:
        locks.record_lock_owner()


onsuccess:
    if workflow.execution_settings.lock:
        locks.forget_lock_owner()


onerror:
    if workflow.execution_settings.lock:
        locks.forget_lock_owner()


# ---------------------------------------------------------------- studies

STUDY_PLUGINS = []


def register_study(name):
    """Called by rules/<name>.smk: the study's plug-in joins the workflow."""
    try:
        study = load_study(name)
    except ConfigError as error:
        stop_on_configuration_error(error)
    STUDY_PLUGINS.append(study)
    return study


def checked_pipeline():
    """The configuration checked against every included study, with every run resolved."""
    try:
        return Pipeline(config, STUDY_PLUGINS, workflow.basedir)
    except ConfigError as error:
        stop_on_configuration_error(error)


# ---------------------------------------------------------------- code fingerprints

FINGERPRINTS = CodeFingerprints(
    Path(workflow.basedir) / "src",
    extra_files=(Path(workflow.basedir) / "workflow_scripts" / "script_setup.py",),
)


@functools.cache
def code_fingerprint(*modules):
    return FINGERPRINTS(*modules)


@functools.cache
def study_code(study, *modules, builds_runs=True):
    """Fingerprint of ``modules`` and the study's tables, and (``builds_runs``: for a job that
    trains or loads a checkpoint) of how the study builds its runs' tasks and networks."""
    built = PIPELINE.studies[study].training_modules() if builds_runs else ()
    return code_fingerprint(*modules, "rnnlab.tables", f"rnnlab.studies.{study}.tables", *built)


def training_code(wildcards):
    return study_code(wildcards.study, "rnnlab.experiment")


def stage(function):
    """Params of a stage job: the stage function ("module:function", see
    workflow_scripts/stage.py) and the fingerprint of its code."""

    def stage_param(wildcards):
        return dict(function=function, code=study_code(wildcards.study, module_of(function)))

    return stage_param


# ---------------------------------------------------------------- params


def run_config(wildcards):
    return PIPELINE.runs[wildcards.study][wildcards.run]


def study_section(name):
    """The study's config section ``name``."""

    def section(wildcards):
        return PIPELINE.section(wildcards.study)[name]

    return section


def stage_settings(name):
    """The settings of the study's stage ``name`` for this run (by default the section
    ``name`` of the study's config; a study may derive them, see Study.stage_settings)."""

    def settings(wildcards):
        return PIPELINE.stage_settings(wildcards.study, name, wildcards.run)

    return settings


def per_attempt(amount):
    """A resource that grows with each attempt: a retried job asks for more."""

    def resource(wildcards, attempt):
        return amount * attempt

    return resource


# Jobs that train go first when cores are free (Snakemake's greedy selection otherwise prefers
# jobs with the largest inputs, so trainings, which have none, started last: in a default run
# the last one, 3 min long, ran alone at the end while the other core idled). Every training is
# ready at the start; the analyses, aggregates and figures behind them fill the cores after.
TRAINING_PRIORITY = 1


def training_runtime(wildcards, attempt):
    """Minutes a training job asks for: the run's training_jobs.runtime_minutes per seed
    (seeds_per_job seeds in a group), doubled on a retry."""
    return attempt * seeds_per_job() * PIPELINE.training_runtime(wildcards.study, wildcards.run)


# ---------------------------------------------------------------- seed groups


def seeds_per_job():
    return PIPELINE.config["training_jobs"]["seeds_per_job"]


def seed_group_directory(wildcards):
    return PIPELINE.seed_group_directory(
        wildcards.study, wildcards.run, int(wildcards.seed), seeds_per_job()
    )


def group_seeds(wildcards):
    return seeds_of_group(wildcards.seed_group)


def group_resume_directories(wildcards):
    return [
        RESUME_DIRECTORY.format(study=wildcards.study, run=wildcards.run, seed=seed)
        for seed in group_seeds(wildcards)
    ]


# ---------------------------------------------------------------- per-seed stages

# A per-seed stage rule writes its tables to the seed's run directory; with
# stage_jobs.seeds_per_job > 1 it analyses a seed group instead (one process, each seed exactly
# as alone) into a group directory, and rules/stage_groups.smk copies each seed's tables out.
# Read from the raw config: studies' rules are defined before the configuration is checked
# (which then reports a bad value by its key).
STAGE_SEEDS_PER_JOB = config.get("stage_jobs", {}).get("seeds_per_job", 1)
if not isinstance(STAGE_SEEDS_PER_JOB, int) or STAGE_SEEDS_PER_JOB < 1:
    STAGE_SEEDS_PER_JOB = 1
GROUPED_STAGES = {}  # stage rule name -> its tables, for the copy rules


def stage_inputs(**files):
    """Input function of a per-seed stage: ``name=file`` of the seed's run directory (e.g.
    ``checkpoints="checkpoints"``); for a seed group every member's, named ``<name>_seed<seed>``."""

    def inputs(wildcards):
        if "seed_group" not in wildcards.keys():
            directory = PIPELINE.run_directory(wildcards.study, wildcards.run, wildcards.seed)
            return {name: f"{directory}/{file}" for name, file in files.items()}
        return {
            f"{name}_seed{seed}": f"{PIPELINE.run_directory(wildcards.study, wildcards.run, seed)}/{file}"
            for seed in group_seeds(wildcards)
            for name, file in files.items()
        }

    return inputs


def stage_outputs(rule_name, *tables):
    """Outputs of per-seed stage ``rule_name``: its Parquet tables in the seed's directory, or
    (seed groups) the group's directory, ``<group>/seed<seed>/<table>.parquet``."""
    if STAGE_SEEDS_PER_JOB == 1:
        return {table: f"{RUN_DIRECTORY}/{table}.parquet" for table in tables}
    GROUPED_STAGES[rule_name] = tables
    return {"seed_group": directory(stage_group_pattern(rule_name))}


def stage_group_pattern(rule_name):
    return f"results/{{study}}/runs/{{run}}/stage_groups/{rule_name}/{{seed_group}}"


def stage_job_file(kind, rule_name, suffix):
    """The log or benchmark file of a per-seed stage's job (one per seed, or per seed group)."""
    unit = "seed{seed}" if STAGE_SEEDS_PER_JOB == 1 else "{seed_group}"
    return f"results/{kind}/{rule_name}/{{study}}/{{run}}/{unit}.{suffix}"


def stage_log(rule_name):
    return stage_job_file("logs", rule_name, "log")


def stage_benchmark(rule_name):
    return stage_job_file("benchmarks", rule_name, "tsv")


def stage_group_of_seed(rule_name):
    """Input function of a copy rule: the directory of the seed group holding this seed's
    tables of stage ``rule_name`` (a seed outside the run's list forms a group of its own)."""

    def group_directory(wildcards):
        group = PIPELINE.seed_group_of(
            wildcards.study, wildcards.run, int(wildcards.seed), STAGE_SEEDS_PER_JOB
        )
        return stage_group_pattern(rule_name).format(
            study=wildcards.study, run=wildcards.run, seed_group=group
        )

    return group_directory


def per_seed_job(amount):
    """A resource of a per-seed stage job (grows with each attempt and with the seeds per job)."""
    return per_attempt(amount * STAGE_SEEDS_PER_JOB)


# ---------------------------------------------------------------- aggregates


def aggregate_inputs(wildcards):
    return PIPELINE.aggregate_inputs(wildcards.study, wildcards.aggregate)


def aggregate_function(wildcards):
    """The aggregate's function ("module:function"), the fingerprint of its code and its
    settings (only when it has some, so that aggregates without settings keep their params)."""
    spec = PIPELINE.aggregate(wildcards.study, wildcards.aggregate)
    code = study_code(
        wildcards.study, "rnnlab.aggregation", module_of(spec.function), builds_runs=False
    )
    params = dict(function=spec.function, code=code)
    if spec.settings:
        params["settings"] = dict(spec.settings)
    return params


# ---------------------------------------------------------------- figures


def figure_code(study, figure):
    """Fingerprint of a figure's plotting code (its draw function's module, the study's tables)."""
    draw = PIPELINE.figures[study][figure].draw
    return study_code(study, "rnnlab.plotting.style", module_of(draw), builds_runs=False)
