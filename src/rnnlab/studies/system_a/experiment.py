"""How a system_a run's task and network are built and trained (see ``rnnlab.experiment``).

The study trains with its own ``train_run`` (epochs over a fixed set of trials, Adam on I and w:
``training``); ``training_steps``, ``with_training_steps`` and ``checkpoint_steps`` let the
cluster plan (``rnnlab.workflow.plan``) time and price it.
"""

from __future__ import annotations

import copy
import time
from pathlib import Path
from typing import Callable

import torch

from rnnlab.checkpoints import checkpoint_path, save_checkpoint
from rnnlab.studies.system_a.model import SystemAConfig, SystemANetwork
from rnnlab.studies.system_a.tasks import make_task
from rnnlab.studies.system_a.training import EpochSettings, train_epochs
from rnnlab.training.resume import ResumeStore


def build_task(task_config: dict):
    parameters = dict(task_config)
    if "precision_durations_ms" in parameters:
        parameters["precision_durations_ms"] = tuple(parameters["precision_durations_ms"])
    return make_task(parameters.pop("name"), **parameters)


def build_model(model_config: dict, task, seed: int | None = None) -> SystemANetwork:
    """The network for ``task`` (its dt), initialised for ``seed`` (default: the seed torch's
    global generator was last seeded with, as ``rnnlab.experiment`` seeds it with the run's)."""
    config = SystemAConfig(dt_ms=task.dt_ms, **model_config)
    return SystemANetwork(config, torch.initial_seed() if seed is None else seed)


def training_steps(run_config: dict) -> int:
    """Adam updates of a run: epochs × ⌊n_trials / batch_size⌋."""
    return EpochSettings.from_dict(run_config.get("training", {})).total_steps


def with_training_steps(run_config: dict, steps: int) -> dict:
    """The run stopped after ``steps`` updates (everything else unchanged)."""
    shortened = copy.deepcopy(run_config)
    shortened.setdefault("training", {})["max_steps"] = steps
    return shortened


def checkpoint_steps(run_config: dict) -> list[int]:
    return EpochSettings.from_dict(run_config.get("training", {})).checkpoint_steps


def train_run(
    run_config: dict,
    seed: int,
    checkpoint_directory: str | Path,
    resume: ResumeStore | None = None,
    *,
    progress_interval_seconds: float = 5.0,
    clock: Callable[[], float] = time.monotonic,
):
    """Train one (run, seed) and write its checkpoints; returns the ``train_log`` rows."""
    torch.manual_seed(seed)
    task = build_task(run_config["task"])
    model = build_model(run_config.get("model", {}), task, seed)
    optimizer = run_config.get("optimizer", {})
    if optimizer.get("name", "adam") != "adam":
        raise ValueError("system_a trains with Adam (optimizer.name: adam)")
    working_directory = resume.checkpoint_directory if resume else checkpoint_directory

    def save(step: int, state_dict: dict, extras: dict) -> None:
        save_checkpoint(checkpoint_path(working_directory, step), step, state_dict, run_config,
                        seed, extras)

    log = train_epochs(
        model, task, float(optimizer.get("learning_rate", 1e-3)),
        EpochSettings.from_dict(run_config.get("training", {})), seed, save,
        label=f"{run_config.get('study', '')}/{run_config.get('run', '')} seed {seed}",
        resume=resume, progress_interval_seconds=progress_interval_seconds, clock=clock,
    )
    if resume is not None:
        resume.hand_over_checkpoints(checkpoint_directory)
    log.insert(0, "seed", seed)
    log.insert(0, "run", run_config.get("run", ""))
    return log
