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
from rnnlab.workflow.names import module_of
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


# ---------------------------------------------------------------- seed groups


def seeds_per_job():
    return PIPELINE.config["training_jobs"]["seeds_per_job"]


def seed_group_directory(wildcards):
    return PIPELINE.seed_group_directory(
        wildcards.study, wildcards.run, int(wildcards.seed), seeds_per_job()
    )


def group_seeds(wildcards):
    return [int(seed) for seed in wildcards.seed_group.split("_")[1:]]


def group_resume_directories(wildcards):
    return [
        RESUME_DIRECTORY.format(study=wildcards.study, run=wildcards.run, seed=seed)
        for seed in group_seeds(wildcards)
    ]


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
