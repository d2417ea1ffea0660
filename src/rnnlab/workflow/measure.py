"""Measurements behind the cluster bill (``rnnlab.workflow.plan``), taken on this machine.

Each function times what a job really does, with the library's own code, so that an estimate
moves when the code or the configuration does:

* :func:`measure_training` – a run's task and network built as ``train_run`` builds them, then
  the trainer's own loop (``rnnlab.training.trainer.train``) for a warm-up update and a few
  timed windows of updates, the trainer's fixed validation batch, a checkpoint write and a
  resume-state save;
* :func:`measure_stage` – one call of a stage function (``"module:function"``, the contract of
  ``workflow_scripts/stage.py``) on :func:`write_untrained_checkpoints`, and the writing of its
  tables;
* :func:`measure_startup` – a fresh interpreter importing what a job's script imports (for a
  torch job, seconds that dwarf a small job's work);
* :func:`run_shape` – the array sizes of a run's network and task, by which runs that differ
  only in real-valued settings share one measurement of an analysis stage.

Like jobs, measurements use one torch thread and deterministic kernels. torch is imported inside
the functions: ``rnnlab.workflow`` must stay importable without it while Snakemake parses.
:class:`MeasurementCache` keeps results per machine, keyed by what was measured.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

WARM_UP_UPDATES = 1
NEVER = float("inf")  # an interval that never elapses: no progress line, no resume save


def configure_torch_as_jobs_do() -> None:
    """One thread and deterministic kernels: what ``script_setup.configure_torch`` gives a job
    (threads: 1 in every rule)."""
    import torch

    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)


def build_run(run_config: dict, seed: int):
    """(task, untrained network) of the run, seeded as ``rnnlab.experiment.train_run`` seeds
    them."""
    import torch

    from rnnlab.experiment import build_model, build_task

    torch.manual_seed(seed)
    task = build_task(run_config)
    return task, build_model(run_config, task)


def run_shape(run_config: dict) -> dict:
    """The sizes that set the work of the run's jobs: of each parameter and buffer of its network
    and of each array of a batch of 8 trials of its task (a task's durations show here; a
    round-robin schedule's tasks each, as ``<task>.<array>``)."""
    import numpy as np

    from rnnlab.tasks.schedule import tasks_of

    task, model = build_run(run_config, seed=0)
    tasks = tasks_of(task)
    batch = {}
    for each in tasks:
        prefix = "" if len(tasks) == 1 else f"{each.name}."
        drawn = each.sample(np.random.default_rng(0), 8)
        batch.update({prefix + name: list(value.shape) for name, value in vars(drawn).items()
                      if hasattr(value, "shape")})
    return dict(
        network={name: list(tensor.shape) for name, tensor in model.state_dict().items()},
        batch=batch,
    )


@dataclasses.dataclass(frozen=True)
class TrainingCost:
    """Seconds of the parts of one seed's training, measured on this machine.

    Attributes:
        build: building the task and the network.
        update: one optimiser update (batch sampling, forward, backward, clipping, step, log):
            the median over ``windows`` windows of the mean of ``timed_updates`` updates.
        validation: one loss on the fixed validation batch (0: the run does not validate).
        checkpoint_write: writing one checkpoint.
        resume_save: saving one resume state.
        timed_updates: updates per window.
        windows: windows timed.
    """

    build: float
    update: float
    validation: float
    checkpoint_write: float
    resume_save: float
    timed_updates: int
    windows: int = 1


def measure_training(run_config: dict, seed: int, directory: str | Path,
                     timed_updates: int = 5, windows: int = 3) -> TrainingCost:
    """Time the run's training (scratch files go to ``directory``).

    The trainer runs ``WARM_UP_UPDATES + windows * timed_updates`` updates with a checkpoint
    after the warm-up and after each window: between two checkpoint writes lie
    ``timed_updates`` updates of the real loop (in the last window also the resume save of the
    last step, timed on its own and taken out). The median window resists a neighbour's burst
    of load on a shared machine.
    """
    from rnnlab.checkpoints import checkpoint_path, save_checkpoint
    from rnnlab.training.optimizers import OptimizerConfig
    from rnnlab.training.trainer import TrainingConfig, train

    configure_torch_as_jobs_do()
    directory = Path(directory)
    real = TrainingConfig.from_dict(run_config["training"])
    boundaries = [WARM_UP_UPDATES + window * timed_updates for window in range(windows + 1)]
    total = boundaries[-1]
    timing = dataclasses.replace(real, steps=total, validate_every=0, keep_best=False,
                                 checkpoint_fractions=tuple(b / total for b in boundaries))
    begun = time.perf_counter()
    task, model = build_run(run_config, seed)
    build = time.perf_counter() - begun
    writes: dict[int, tuple[float, float]] = {}

    def save(step: int, state_dict: dict, extras: dict) -> None:
        started = time.perf_counter()
        save_checkpoint(checkpoint_path(directory, step), step, state_dict, run_config, seed,
                        extras)
        writes[step] = (started, time.perf_counter())

    resume = timed_resume_store(directory / "resume")
    train(model, task, OptimizerConfig.from_dict(run_config["optimizer"]), timing, seed, save,
          resume=resume, progress_interval_seconds=NEVER)
    spans = [writes[end][0] - writes[start][1] for start, end in zip(boundaries, boundaries[1:])]
    spans[-1] -= resume.seconds
    return TrainingCost(
        build=build,
        update=statistics.median(spans) / timed_updates,
        validation=time_validation(model, task, real, seed) if real.validate_every > 0 else 0.0,
        checkpoint_write=statistics.median(end - started for started, end in writes.values()),
        resume_save=resume.seconds,
        timed_updates=timed_updates,
        windows=windows,
    )


def own_trainer(run_config: dict):
    """The study's experiment module when the study trains its runs with its own ``train_run``
    (then it also says how many updates a run makes, ``training_steps(run_config)``, and how to
    shorten it, ``with_training_steps(run_config, steps)``); None for the shared trainer."""
    from rnnlab.experiment import study_experiment

    module = study_experiment(run_config)
    return module if hasattr(module, "train_run") else None


def measure_own_training(run_config: dict, seed: int, directory: str | Path,
                         short: int = 2, long: int = 8) -> TrainingCost:
    """Time a run of a study with its own trainer: its whole ``train_run`` shortened to ``short``
    and to ``long`` updates, after an untimed ``short`` run. The difference is ``long - short``
    updates (``update``); what is left of the short run (building, checkpoints, a validation,
    the log) is counted once (``build``). Validations that grow with the steps are billed with the updates only as far
    as the short runs show them."""
    from rnnlab.experiment import train_run

    configure_torch_as_jobs_do()
    module = own_trainer(run_config)

    def in_this_process(run_config, seed, directory, steps):
        seconds = []
        for index, count in enumerate(steps):
            started = time.perf_counter()
            train_run(module.with_training_steps(run_config, count), seed,
                      Path(directory) / f"run_{index}", progress_interval_seconds=NEVER)
            seconds.append(time.perf_counter() - started)
        return seconds

    # A study may time its shortened runs itself (time_shortened_runs: a list of seconds, or
    # None), e.g. in one process of another library instead of one per run. The first run pays
    # one-time costs (lazy imports, first calls of torch's kernels): a warm-up, untimed, else
    # the short run can take longer than the long one.
    steps = [short, short, long]
    timer = getattr(module, "time_shortened_runs", None)
    timed = timer(run_config, seed, directory, steps) if timer else None
    _, seconds_short, seconds_long = timed or in_this_process(run_config, seed, directory, steps)
    update = max(seconds_long - seconds_short, 0.0) / (long - short)
    return TrainingCost(build=max(seconds_short - short * update, 0.0), update=update,
                        validation=0.0, checkpoint_write=0.0, resume_save=0.0,
                        timed_updates=long - short)


def timed_resume_store(directory: Path):
    """A ``ResumeStore`` whose interval never elapses (the trainer then saves once, at its last
    step) and which adds the seconds of its saves to ``store.seconds``."""
    from rnnlab.training.resume import ResumeStore

    store = ResumeStore(directory, "timing", interval_seconds=NEVER)
    store.seconds = 0.0
    save = store.save

    def timed_save(state: dict) -> None:
        started = time.perf_counter()
        save(state)
        store.seconds += time.perf_counter() - started

    store.save = timed_save
    return store


def time_validation(model, task, config, seed: int, repeats: int = 3) -> float:
    """Seconds of one validation by the trainer's ``Validator`` (the median of ``repeats``,
    after an untimed one)."""
    from rnnlab.training.trainer import Validator

    validator = Validator(task, config, seed)
    validator.evaluate(model, 0)
    seconds = []
    for step in range(1, repeats + 1):
        started = time.perf_counter()
        validator.evaluate(model, step)
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def write_untrained_checkpoints(run_config: dict, seed: int, directory: str | Path) -> None:
    """The run's network before any update as a checkpoint at each of the run's checkpoint steps
    in ``directory``: what an analysis job reads, as many files as it will read, written by the
    trainer itself (a run of 0 steps saves its step-0 checkpoint with the real extras)."""
    from rnnlab.checkpoints import checkpoint_path, save_checkpoint
    from rnnlab.training.optimizers import OptimizerConfig
    from rnnlab.training.trainer import TrainingConfig, train

    configure_torch_as_jobs_do()
    module = own_trainer(run_config)
    if module is not None:
        write_own_untrained_checkpoints(module, run_config, seed, Path(directory))
        return
    real = TrainingConfig.from_dict(run_config["training"])
    untrained = dataclasses.replace(real, steps=0, checkpoint_fractions=(0.0,))
    task, model = build_run(run_config, seed)
    saved = []
    train(model, task, OptimizerConfig.from_dict(run_config["optimizer"]), untrained, seed,
          lambda step, state_dict, extras: saved.append((state_dict, extras)),
          progress_interval_seconds=NEVER)
    state_dict, extras = saved[0]
    for step in real.checkpoint_steps:
        save_checkpoint(checkpoint_path(directory, step), step, state_dict, run_config, seed,
                        extras)


def write_own_untrained_checkpoints(module, run_config: dict, seed: int, directory: Path) -> None:
    """A study's own trainer run for 0 updates; its step-0 checkpoint copied to each of the
    run's checkpoint steps when the study says which (``checkpoint_steps(run_config)``)."""
    import shutil

    from rnnlab.checkpoints import checkpoint_path, list_checkpoints
    from rnnlab.experiment import train_run

    scratch = directory.with_name(directory.name + ".untrained")
    train_run(module.with_training_steps(run_config, 0), seed, scratch,
              progress_interval_seconds=NEVER)
    first = list_checkpoints(scratch)[0]
    steps = getattr(module, "checkpoint_steps", lambda config: [0])(run_config)
    directory.mkdir(parents=True, exist_ok=True)
    for step in steps:
        shutil.copyfile(first, checkpoint_path(directory, step))


def measure_stage(function: str, inputs: dict, settings: dict, outputs: dict) -> float:
    """Seconds of ``function(**inputs, **settings)`` and of writing each returned table to the
    output of the same name: what ``workflow_scripts/stage.py`` does once it has started."""
    from rnnlab.tables import Provenance, write_table
    from rnnlab.workflow.names import resolve

    stage = resolve(function)
    configure_torch_as_jobs_do()
    started = time.perf_counter()
    tables = stage(**inputs, **settings)
    for name, frame in tables.items():
        write_table(frame, outputs[name], name, Provenance("plan", "plan", 0, "plan"))
    return time.perf_counter() - started


def measure_startup(modules: tuple[str, ...], path: tuple[str, ...]) -> float:
    """Seconds for a fresh interpreter to start, import ``modules`` (with ``path`` first on its
    module path, as a job's script has the workflow's ``src``) and exit; without modules, the
    seconds of a shell's start (a ``shell:`` rule)."""
    if modules:
        command = [sys.executable, "-c", "import " + ", ".join(modules)]
    else:
        command = ["sh", "-c", "true"]
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
    started = time.perf_counter()
    subprocess.run(command, check=True, env=environment, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


class MeasurementCache:
    """Measurements of this machine in a JSON file, keyed by a hash of what was measured (a run
    configuration, a stage's settings, the code fingerprint the workflow gives the job): a
    second plan of the same configuration measures nothing again, a changed run is measured
    afresh, and another machine's numbers are never used."""

    def __init__(self, path: str | Path, machine: dict, refresh: bool = False):
        """``refresh``: measure again whatever is asked for (other entries stay in the file)."""
        self.path = Path(path)
        self.machine = machine
        stored = json.loads(self.path.read_text()) if self.path.is_file() else {}
        self.entries: dict = stored.get("entries", {}) if stored.get("machine") == machine else {}
        self.refresh = refresh
        self.measured_now: set[str] = set()

    @staticmethod
    def key(what: object) -> str:
        return hashlib.sha256(json.dumps(what, sort_keys=True, default=str).encode()).hexdigest()

    def get(self, what: object):
        key = self.key(what)
        if self.refresh and key not in self.measured_now:
            return None
        entry = self.entries.get(key)
        return None if entry is None else entry["value"]

    def measured_on(self, what: object) -> str:
        return self.entries[self.key(what)]["date"]

    def put(self, what: object, value) -> None:
        """Store and write at once: an interrupted plan keeps what it had measured."""
        self.entries[self.key(what)] = dict(value=value, date=date.today().isoformat())
        self.measured_now.add(self.key(what))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(dict(machine=self.machine, entries=self.entries),
                                        indent=1, sort_keys=True))
