"""Every Python helper of the workflow: config validation, run resolution, target lists."""

import ast
import copy
import functools
import hashlib
import importlib.util
import json
import os
import shutil
import socket
import sys
from pathlib import Path

import jsonschema
import psutil
import yaml
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

validate(config, schema="../config/schema.yaml")


# ---------------------------------------------------------------- stale locks
# A Snakemake killed with SIGKILL (or by a lost session) leaves its lock in .snakemake/locks, and
# the next run refuses to start until `--unlock`. The lock does not say who holds it, so the
# workflow records its owner (host, pid, process start time) once the lock is taken, and removes
# a lock whose owner is known to be gone from this host. A lock of another host, or of an owner
# we did not record, is left to Snakemake.

LOCK_DIRECTORY = Path(".snakemake/locks")
LOCK_OWNER = Path(".snakemake/rnnlab_lock_owner.json")


def process_start_time(pid):
    """Start time of process ``pid`` (seconds since the epoch), or None if it is not running."""
    try:
        return psutil.Process(pid).create_time()
    except psutil.Error:
        return None


def this_process():
    pid = os.getpid()
    return dict(host=socket.gethostname(), pid=pid, start=process_start_time(pid))


def remove_stale_lock():
    if not workflow.is_main_process or not LOCK_DIRECTORY.is_dir() or not LOCK_OWNER.exists():
        return
    try:
        owner = json.loads(LOCK_OWNER.read_text())
    except (OSError, ValueError):
        return
    if owner.get("host") != socket.gethostname() or owner.get("start") is None:
        return
    if process_start_time(owner["pid"]) == owner["start"]:
        return  # the owner still runs: the lock is real
    shutil.rmtree(LOCK_DIRECTORY, ignore_errors=True)
    LOCK_OWNER.unlink(missing_ok=True)
    print(
        f"rnnlab: removed the lock left by Snakemake process {owner['pid']} on "
        f"{owner['host']}, which is no longer running",
        file=sys.stderr,
    )


def record_lock_owner():
    if workflow.execution_settings.lock and LOCK_DIRECTORY.is_dir():
        LOCK_OWNER.write_text(json.dumps(this_process()))


def forget_lock_owner():
    if workflow.execution_settings.lock:
        LOCK_OWNER.unlink(missing_ok=True)


remove_stale_lock()


onstart:
    record_lock_owner()


onsuccess:
    forget_lock_owner()


onerror:
    forget_lock_owner()


STUDIES = config["studies"]
EI = "ei_modcog"  # E/I RNNs on Mod-Cog (seed 003)
ZOO = "ctrnn_zoo"  # CTRNN task zoo (seed 004)
EI_CONFIG = STUDIES[EI]
ZOO_CONFIG = STUDIES[ZOO]
SWEEP = EI_CONFIG["fixed_point_sweep"]


def deep_merge(base, override):
    """``base`` updated recursively by ``override`` (neither is modified)."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def resolve_run(study, run, override, where):
    """Merge a run override into the study's defaults, fill in the run schema's defaults and
    validate it; ``where`` names the run in errors."""
    resolved = deep_merge(STUDIES[study]["training_defaults"], override)
    resolved.update(study=study, run=run)
    error = jsonschema.exceptions.best_match(run_validator().iter_errors(resolved))
    if error is not None:
        key = ".".join(map(str, error.absolute_path))
        raise WorkflowError(
            f"invalid run configuration at {where}"
            + (f", key {key}" if key else "")
            + f": {error.message}"
        )
    return resolved


@functools.cache
def run_validator():
    """A validator of run.schema.yaml that fills in defaults, like snakemake.utils.validate,
    but built once: loading the schema for every run took a second of every dry run."""
    text = (Path(workflow.basedir) / "config" / "run.schema.yaml").read_text()
    schema = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    base = jsonschema.Draft202012Validator
    check_properties = base.VALIDATORS["properties"]

    def fill_defaults(validator, properties, instance, subschema):
        if validator.is_type(instance, "object"):
            for name, property_schema in properties.items():
                if "default" in property_schema:
                    instance.setdefault(name, copy.deepcopy(property_schema["default"]))
        yield from check_properties(validator, properties, instance, subschema)

    return jsonschema.validators.extend(base, {"properties": fill_defaults})(schema)


def fraction_name(fraction):
    return f"inhibition_{fraction:g}"


def _named_runs(study):
    return {
        name: resolve_run(study, name, override, f"studies.{study}.runs.{name}")
        for name, override in STUDIES[study]["runs"].items()
    }


def _ei_runs():
    runs = _named_runs(EI)
    if SWEEP["enabled"]:
        for fraction in SWEEP["inhibitory_fractions"]:
            override = deep_merge(
                SWEEP["run"], {"model": {"excitatory_fraction": round(1 - fraction, 10)}}
            )
            where = f"studies.{EI}.fixed_point_sweep.run (fraction {fraction})"
            runs[fraction_name(fraction)] = resolve_run(
                EI, fraction_name(fraction), override, where
            )
    return runs


def check_zoo_run_names(runs):
    for name, resolved in runs.items():
        if resolved["task"]["name"] != name:
            raise WorkflowError(
                f"studies.{ZOO}.runs.{name}: the run trains task "
                f"{resolved['task']['name']!r}; a zoo run is named after its task"
            )


# RUNS[study][run] is the resolved configuration of every training run of every enabled study.
RUNS = {}
if EI_CONFIG["enabled"]:
    RUNS[EI] = _ei_runs()
if ZOO_CONFIG["enabled"]:
    RUNS[ZOO] = _named_runs(ZOO)
check_zoo_run_names(RUNS.get(ZOO, {}))
STUDY_RUNS = RUNS.get(EI, {})
MAIN_RUNS = list(EI_CONFIG["runs"])
SWEEP_RUNS = [fraction_name(f) for f in SWEEP["inhibitory_fractions"]] if SWEEP["enabled"] else []
ZOO_RUNS = list(ZOO_CONFIG["runs"])
for required_run in ("eg", "gd"):
    if required_run not in EI_CONFIG["runs"]:
        raise WorkflowError(
            f"studies.{EI}.runs must define a run named {required_run!r}: "
            "the figures compare the eg and gd runs"
        )


wildcard_constraints:
    study="|".join(RUNS) or "no_study_enabled",
    run="|".join(sorted({run for runs in RUNS.values() for run in runs})) or "no_run",
    seed=r"\d+",
    seed_group=r"seeds(_\d+)+",


# ---------------------------------------------------------------- code fingerprints
# Snakemake tracks a rule's script but not the modules it imports. Each job gets, through
# params, a hash of the rnnlab modules its script imports (transitively): editing a plotting
# function reruns figures only; editing the model reruns training and everything downstream.

SOURCE_ROOT = Path(workflow.basedir) / "src"
SCRIPT_SETUP = Path(workflow.basedir) / "workflow_scripts" / "script_setup.py"


@functools.cache
def _module_file(module):
    base = SOURCE_ROOT.joinpath(*module.split("."))
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


@functools.cache
def _imports(path):
    """Absolute imports of a module file (parsed once per workflow parse)."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names.extend(f"{node.module}.{alias.name}" for alias in node.names)
    return tuple(names)


def code_fingerprint(*modules):
    """Hash of ``modules`` and of every rnnlab module they import, transitively."""
    files = {}
    pending = list(modules)
    while pending:
        parts = pending.pop().split(".")
        if parts[0] != "rnnlab":
            continue
        for depth in range(1, len(parts) + 1):  # a module imports its packages' __init__ too
            name = ".".join(parts[:depth])
            path = _module_file(name)
            if path is not None and name not in files:
                files[name] = path
                pending.extend(_imports(path))
    digest = hashlib.sha256(SCRIPT_SETUP.read_bytes())
    for name in sorted(files):
        digest.update(name.encode() + files[name].read_bytes())
    return digest.hexdigest()[:16]


# ---------------------------------------------------------------- paths


RUN_DIRECTORY = "results/{study}/runs/{run}/seed{seed}"
# Outside every output: Snakemake deletes a killed job's outputs before rerunning it.
RESUME_DIRECTORY = "results/resume/{study}/{run}/seed{seed}"


# Several seeds of a run per training job (config training_jobs.seeds_per_job): a group's
# job writes every member's outputs under SEED_GROUP_DIRECTORY, and a local job per seed copies
# them to RUN_DIRECTORY, so that a lost per-seed output comes back alone.
SEEDS_PER_JOB = config["training_jobs"]["seeds_per_job"]
SEED_GROUP_DIRECTORY = "results/{study}/runs/{run}/seed_groups/{seed_group}"


def seed_group_name(seeds):
    return "seeds_" + "_".join(map(str, seeds))


def seed_group_directory(wildcards):
    """The group directory holding this seed's training; a seed outside the run's list (asked
    for by its file) trains in a group of its own."""
    seed = int(wildcards.seed)
    seeds = sorted(seeds_of(wildcards.run, wildcards.study))
    groups = [seeds[i : i + SEEDS_PER_JOB] for i in range(0, len(seeds), SEEDS_PER_JOB)]
    group = next((group for group in groups if seed in group), [seed])
    return SEED_GROUP_DIRECTORY.format(
        study=wildcards.study, run=wildcards.run, seed_group=seed_group_name(group)
    )


def group_seeds(wildcards):
    return [int(seed) for seed in wildcards.seed_group.split("_")[1:]]


def group_resume_directories(wildcards):
    return [
        RESUME_DIRECTORY.format(study=wildcards.study, run=wildcards.run, seed=seed)
        for seed in group_seeds(wildcards)
    ]


def run_directory(run, seed, study=EI):
    return RUN_DIRECTORY.format(study=study, run=run, seed=seed)


def seeds_of(run, study=EI):
    if study == EI and run in SWEEP_RUNS:
        return SWEEP["seeds"]
    return STUDIES[study]["seeds"]


def per_seed(filename, runs, study=EI):
    """``filename`` of every (run, seed) of ``runs``."""
    return [
        f"{run_directory(run, seed, study)}/{filename}"
        for run in runs
        for seed in seeds_of(run, study)
    ]


def first_seed_files(filename, runs, study):
    """``filename`` of the first seed of each run: the example networks of a figure."""
    return [f"{run_directory(run, seeds_of(run, study)[0], study)}/{filename}" for run in runs]


# ---------------------------------------------------------------- params


def run_config(wildcards):
    return RUNS[wildcards.study][wildcards.run]


def run_fraction(wildcards):
    excitatory = RUNS[wildcards.study][wildcards.run]["model"]["excitatory_fraction"]
    return round(1 - excitatory, 10)


def study_section(name):
    def section(wildcards):
        return config["studies"][wildcards.study][name]

    return section


def fixed_point_settings(wildcards):
    not_for_the_job = (
        "run",
        "seeds",
        "enabled",
        "inhibitory_fractions",
        "example_inhibitory_fraction",
    )
    settings = {k: v for k, v in SWEEP.items() if k not in not_for_the_job}
    settings["inhibitory_fraction"] = run_fraction(wildcards)
    return settings


# ---------------------------------------------------------------- aggregates

# (study, aggregate name) → (per-seed tables it reads, runs it summarises)
AGGREGATE_INPUTS = {
    (EI, "learning_curves"): (["train_log"], MAIN_RUNS),
    (EI, "checkpoint_accuracy"): (["evaluation"], MAIN_RUNS + SWEEP_RUNS),
    (EI, "gradient_timecourse"): (["gradients"], MAIN_RUNS),
    (EI, "gradient_metrics"): (["gradient_metrics"], MAIN_RUNS),
    (EI, "weight_statistics"): (["weight_statistics"], MAIN_RUNS),
    (EI, "weight_histograms"): (["weight_histograms"], MAIN_RUNS),
    (EI, "fixed_point_counts"): (["fixed_points", "fixed_point_search"], SWEEP_RUNS),
    (ZOO, "zoo_performance"): (["task_performance"], ZOO_RUNS),
}


wildcard_constraints:
    aggregate="|".join(sorted({name for _, name in AGGREGATE_INPUTS})),


def aggregate_inputs(wildcards):
    key = (wildcards.study, wildcards.aggregate)
    if key not in AGGREGATE_INPUTS:
        raise WorkflowError(f"study {wildcards.study} has no aggregate {wildcards.aggregate}")
    tables, runs = AGGREGATE_INPUTS[key]
    return [
        path for table in tables for path in per_seed(f"{table}.parquet", runs, wildcards.study)
    ]


def aggregate_file(name, study=EI):
    return f"results/{study}/aggregate/{name}.parquet"


def example_run_file(filename):
    """A file of the sweep's example network (first seed of the example fraction)."""
    fraction = SWEEP["example_inhibitory_fraction"]
    if SWEEP["enabled"] and fraction not in SWEEP["inhibitory_fractions"]:
        raise WorkflowError(
            f"studies.{EI}.fixed_point_sweep.example_inhibitory_fraction {fraction} "
            f"is not one of inhibitory_fractions {SWEEP['inhibitory_fractions']}"
        )
    return f"{run_directory(fraction_name(fraction), SWEEP['seeds'][0])}/{filename}"


# ---------------------------------------------------------------- figures


def _library_module(name):
    """An rnnlab module loaded from src/ by path: the Snakemake environment need not have
    rnnlab installed (jobs put src/ on their path themselves)."""
    path = _module_file(name)
    spec = importlib.util.spec_from_file_location(name, path)
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded


PROVENANCE_REPORT_CATEGORY = "Provenance"
SOFTWARE_VERSIONS = _library_module("rnnlab.provenance").software_versions()
RESOLVED_CONFIGURATION = {**config, "resolved_runs": RUNS}
REPORT_CATEGORY = "E/I RNNs on Mod-Cog (seed 003)"
ZOO_REPORT_CATEGORY = "CTRNN task zoo (seed 004)"
TRAINING_CODE = code_fingerprint("rnnlab.experiment", "rnnlab.tables")
PLOTTING_CODE = code_fingerprint("rnnlab.plotting.ei_modcog", "rnnlab.tables")
ZOO_PLOTTING_CODE = code_fingerprint("rnnlab.plotting.ctrnn_zoo", "rnnlab.tables")

FIGURES = {
    EI: ["learning_curves", "checkpoint_accuracy", "gradient_credit", "weight_signs"]
    + (["fixed_point_motifs"] if SWEEP["enabled"] else []),
    ZOO: ["example_trials", "fixed_point_structure", "eigenvalue_spectra", "validation_table"]
    + (["cddm_analysis"] if "cddm" in ZOO_RUNS else []),
}


def figure_file(name, study=EI):
    return f"results/figures/{study}/{name}.png"


def study_figures(study=EI):
    return [figure_file(name, study) for name in FIGURES[study]]


def all_figures():
    """Every figure of every enabled study."""
    return [path for study in RUNS for path in study_figures(study)]
