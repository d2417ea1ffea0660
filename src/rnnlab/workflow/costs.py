"""What each job of the DAG costs, in seconds on this machine: the estimates of
``rnnlab.workflow.plan``, from the measurements of ``rnnlab.workflow.measure``.

A job's process first starts and imports (measured for the modules its script and params name),
then works: a training job for its seeds (each the run's measured build, updates × its steps,
validations, checkpoint writes and resume saves), a stage job for one measured call of its stage
function on untrained networks of the run's shape; a local job is billed its start-up alone and a
target job nothing. Each class of job is measured once, through a :class:`MeasurementCache`.
"""

from __future__ import annotations

import ast
import dataclasses
import os
import re
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from rnnlab.workflow import measure
from rnnlab.workflow.dag import PlannedJob
from rnnlab.workflow.names import module_of

CHECKPOINTS = "checkpoints"  # the output name of a network's checkpoint directory in every rule
FUNCTION_NAME = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")  # "module:function"


@dataclass(frozen=True)
class JobEstimate:
    """Seconds of one job: its process's start-up and imports, then its work."""

    startup: float
    work: float

    @property
    def seconds(self) -> float:
        return self.startup + self.work


@dataclass(frozen=True)
class SeedTraining:
    """One seed's training: how many of each measured part, and the parts' measured seconds."""

    steps: int
    validations: int
    checkpoints: int
    resume_saves: int
    cost: measure.TrainingCost

    @property
    def seconds(self) -> float:
        cost = self.cost
        return (cost.build + self.steps * cost.update + self.validations * cost.validation
                + self.checkpoints * cost.checkpoint_write + self.resume_saves * cost.resume_save)


def seed_training(training: dict, cost: measure.TrainingCost,
                  resume_interval: float) -> SeedTraining:
    """One seed of a run with ``training`` settings: ``steps`` updates, a validation at every
    ``validate_every``-th step and at the last (``Validator.due``), its checkpoints, and a resume
    save each ``resume_interval`` seconds of work and at the end (0: after every update)."""
    from rnnlab.training.trainer import TrainingConfig

    config = TrainingConfig.from_dict(training)
    validations = 0
    if config.validate_every > 0:
        validations = config.steps // config.validate_every + 1
        validations += config.steps % config.validate_every != 0
    before_saves = SeedTraining(config.steps, validations, len(config.checkpoint_steps), 0, cost)
    saves = config.steps if resume_interval == 0 else 1 + int(before_saves.seconds
                                                              // resume_interval)
    return dataclasses.replace(before_saves, resume_saves=saves)


def script_imports(script: str) -> set[str]:
    """Modules a workflow script imports at its top level."""
    tree = ast.parse(Path(script).read_text())
    found = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def named_modules(value) -> set[str]:
    """Modules of the library functions ("module:function") named anywhere in ``value``."""
    if isinstance(value, dict):
        return set().union(*map(named_modules, value.values()))
    if isinstance(value, list):
        return set().union(*map(named_modules, value))
    if isinstance(value, str) and FUNCTION_NAME.match(value):
        return {module_of(value)}
    return set()


def startup_modules(job: PlannedJob) -> tuple[str, ...]:
    """What the job's process imports before its work: Snakemake's script support, its script's
    imports, the functions its params name, and for training the study's experiment module
    (``rnnlab.experiment`` imports it by name). Empty for a shell rule."""
    if job.script is None:
        return ()
    modules = {"snakemake.script"} | script_imports(job.script) | named_modules(job.params)
    if job.kind == "training":
        modules.add(f"rnnlab.studies.{job.params['run']['study']}.experiment")
    return tuple(sorted(modules))


def without_name(run_config: dict) -> dict:
    """The run's configuration, whatever the run is called."""
    return {key: value for key, value in run_config.items() if key != "run"}


def structure(value):
    """``value`` with each real number replaced by whether it is zero: what chooses code paths
    (names, switches, counts, a noise on or off) and not the numbers computed."""
    if isinstance(value, dict):
        return {key: structure(item) for key, item in value.items()}
    if isinstance(value, list):
        return [structure(item) for item in value]
    if isinstance(value, float):
        return "zero" if value == 0 else "non-zero"
    return value


def per_update_settings(run_config: dict) -> dict:
    """What a training measurement depends on: the run's configuration but its name and how
    many steps and checkpoints it has (``seed_training`` counts those)."""
    counts = ("steps", "checkpoint_fractions")
    training = {k: v for k, v in run_config.get("training", {}).items() if k not in counts}
    return {**without_name(run_config), "training": training}


class JobCosts:
    """The estimate of every job, measured once per job class through the cache: a training run;
    a stage of a run shape (runs whose networks and task batches have the same sizes and whose
    settings differ only in real numbers share one – with ``quick``, all runs of a study do); a
    set of start-up imports.

    Stage jobs run in ``scratch`` at their own relative paths: an input named ``checkpoints`` by
    the job making it gets the run's untrained checkpoints, any other input is made by running
    (and so measuring) the stage job whose output it is."""

    def __init__(self, jobs, root, cache, scratch, quick=False, log=print):
        self.root, self.cache, self.scratch = Path(root), cache, Path(scratch)
        self.quick, self.log = quick, log
        self.timed_updates, self.windows = (3, 1) if quick else (5, 3)
        self.producers = {path: (job, name) for job in jobs for name, path in job.outputs.items()}
        self.run_configs = {(job.params["run"]["study"], job.params["run"]["run"]): job.params["run"]
                            for job in jobs if job.kind == "training"}
        self.representatives: dict[tuple, PlannedJob] = {}  # stage class -> the job measured
        # What the report shows of the measurements, filled in as jobs are estimated: start-up
        # seconds per rule, one seed's training per "study/run", per stage class the job
        # measured, its seconds and the runs it stands for, and the dates of the measurements.
        self.startups: dict[str, set[float]] = defaultdict(set)
        self.training: dict[str, SeedTraining] = {}
        self.analysis: dict[tuple, tuple[PlannedJob, float, set[str]]] = {}
        self.dates: set[str] = set()

    def estimate(self, job: PlannedJob) -> JobEstimate:
        """Start-up and work of the job (measuring what the cache lacks)."""
        if job.kind == "target":
            return JobEstimate(0.0, 0.0)
        work = {"training": self.training_seconds, "stage": self.stage_seconds}.get(job.kind)
        return JobEstimate(self.startup(job), work(job) if work else 0.0)

    def measured(self, what, description: str | None, measurement, again: bool = False):
        """The cached value of ``what``, or (if none, or ``again``) ``measurement()``'s, stored
        and logged (unless ``description`` is None)."""
        value = None if again else self.cache.get(what)
        if value is None:
            started = time.perf_counter()
            value = measurement()
            self.cache.put(what, value)
            if description is not None:
                self.log(f"measured {description} in {time.perf_counter() - started:.1f} s")
        self.dates.add(self.cache.measured_on(what))
        return value

    def startup(self, job: PlannedJob) -> float:
        modules = startup_modules(job)
        path = (str(self.root / "src"), os.path.dirname(job.script or "."))
        seconds = self.measured(("startup", modules), f"start-up of {job.rule}",
                                lambda: measure.measure_startup(modules, path))
        self.startups[job.rule].add(seconds)
        return seconds

    def training_cost(self, job: PlannedJob) -> measure.TrainingCost:
        run_config = job.params["run"]
        own = measure.own_trainer(run_config) is not None
        what = ("training", per_update_settings(run_config), job.params.get("code"),
                self.timed_updates, self.windows, "own trainer" if own else "shared trainer")
        seed = self.seeds(job)[0]
        directory = self.scratch / "training" / run_config["study"] / run_config["run"]
        if own:
            def measurement():
                return measure.measure_own_training(run_config, seed, directory,
                                                    long=2 + self.timed_updates * self.windows)
        else:
            def measurement():
                return measure.measure_training(run_config, seed, directory, self.timed_updates,
                                                self.windows)
        value = self.measured(what, f"training of {run_config['study']}/{run_config['run']}",
                              lambda: dataclasses.asdict(measurement()))
        return measure.TrainingCost(**value)

    @staticmethod
    def seeds(job: PlannedJob) -> list[int]:
        return list(job.params.get("seeds") or [int(job.wildcards["seed"])])

    def training_seconds(self, job: PlannedJob) -> float:
        run_config = job.params["run"]
        module = measure.own_trainer(run_config)
        if module is not None:  # its own trainer: measured build + updates (see measure)
            seed = SeedTraining(module.training_steps(run_config), 0, 0, 0,
                                self.training_cost(job))
        else:
            seed = seed_training(run_config["training"], self.training_cost(job),
                                 float(job.resources.get("resume_interval_seconds", 0)))
        self.training[f"{run_config['study']}/{run_config['run']}"] = seed
        return seed.seconds * len(self.seeds(job))

    def run_config(self, job: PlannedJob) -> dict:
        return self.run_configs[(job.wildcards["study"], job.wildcards["run"])]

    def stage_class(self, job: PlannedJob) -> tuple:
        """Jobs of one class share a measurement: same rule and study, and (unless ``quick``)
        same run shape and the same settings up to real numbers."""
        if self.quick:
            return (job.rule, job.wildcards["study"])
        run_config = without_name(self.run_config(job))
        shape = self.measured(("shape", run_config), None, lambda: measure.run_shape(run_config))
        what = dict(shape=shape, run=structure(run_config), settings=structure(job.params))
        return (job.rule, job.wildcards["study"], self.cache.key(what))

    def stage_what(self, job: PlannedJob):
        """What a stage job's cost depends on: its params (function, code, settings), its run and
        what the stage jobs making its inputs depend on."""
        run_config = self.run_config(job)
        upstream = [self.stage_what(producer) for producer, name in
                    (self.producers[path] for path in job.inputs.values()) if name != CHECKPOINTS]
        return ("stage", job.rule, job.params, without_name(run_config), upstream)

    def stage_seconds(self, job: PlannedJob) -> float:
        """The measured seconds of the first job of the job's class."""
        job_class = self.stage_class(job)
        representative = self.representatives.setdefault(job_class, job)
        what = self.stage_what(representative)
        seconds = self.cache.get(what)
        if seconds is None:
            seconds = self.run_stage(representative)
        self.dates.add(self.cache.measured_on(what))
        runs = self.analysis.get(job_class, (None, None, set()))[2] | {job.wildcards["run"]}
        self.analysis[job_class] = (representative, seconds, runs)
        return seconds

    def run_stage(self, job: PlannedJob) -> float:
        """Measure the job in the scratch directory (also when cached: a later job reads its
        outputs)."""
        inputs = {name: self.prepare_input(job, path) for name, path in job.inputs.items()}
        outputs = {name: str(self.scratch / path) for name, path in job.outputs.items()}
        return self.measured(self.stage_what(job), f"{job.label} on untrained networks",
                             lambda: measure.measure_stage(job.params["stage"]["function"], inputs,
                                                           job.params["settings"], outputs),
                             again=True)

    def prepare_input(self, job: PlannedJob, path: str) -> str:
        """The scratch path of the job's input ``path``, made first if missing."""
        target = self.scratch / path
        if not target.exists():
            producer, name = self.producers[path]
            if name == CHECKPOINTS:
                measure.write_untrained_checkpoints(self.run_config(job),
                                                    int(job.wildcards["seed"]), target)
            else:
                self.run_stage(producer)
        return str(target)
