"""How a vwm run is built and trained from its resolved configuration: the study's task
(``task``), its rate network (``model``) and its own training loop (``training``), which
``rnnlab.experiment.train_run`` hands every vwm run to.

``training_steps`` (the most updates a run makes), ``with_training_steps`` and
``checkpoint_steps`` let the cluster plan (``rnnlab.workflow.plan``) price a run by timing two
shortened copies of it. A run's ``training.steps`` is an upper bound: early stopping may end it
sooner, and the plan bills the bound.
"""

from __future__ import annotations

import copy
import time
from pathlib import Path
from typing import Callable

import torch

from rnnlab.checkpoints import checkpoint_path, save_checkpoint
from rnnlab.studies.vwm.model import NetworkConfig, VWMNetwork
from rnnlab.studies.vwm.settings import OptimizerSettings, TrainingSettings
from rnnlab.studies.vwm.tasks import VWMTask, make_task
from rnnlab.studies.vwm.training import train_network
from rnnlab.training.resume import ResumeStore


def build_task(task_config: dict) -> VWMTask:
    parameters = dict(task_config)
    return make_task(parameters.pop("name"), **parameters)


def build_model(model_config: dict, task: VWMTask) -> VWMNetwork:
    """The untrained network (its random τ and weights come from torch's global generator:
    ``train_run`` seeds it first)."""
    return VWMNetwork(NetworkConfig.from_dict(model_config), task.input_size, task.output_size,
                      task.dt_ms, positive_input=task.positive_input)


def training_steps(run_config: dict) -> int:
    """The most updates the run makes (its ``training.steps``)."""
    return TrainingSettings.from_dict(run_config.get("training", {})).steps


def with_training_steps(run_config: dict, steps: int) -> dict:
    """The run shortened to ``steps`` updates, otherwise unchanged."""
    shortened = copy.deepcopy(run_config)
    shortened.setdefault("training", {})["steps"] = int(steps)
    return shortened


def checkpoint_steps(run_config: dict) -> list[int]:
    """The run's nominal checkpoint steps."""
    return TrainingSettings.from_dict(run_config.get("training", {})).checkpoint_steps


def train_run(run_config: dict, seed: int, checkpoint_directory: str | Path,
              resume: ResumeStore | None = None, *, progress_interval_seconds: float = 5.0,
              clock: Callable[[], float] = time.monotonic):
    """Train one (run, seed) and write its checkpoints; returns the ``train_log`` frame (shared
    columns, then this study's: error, angular_error, mean_rate_hz, noise_factor,
    curriculum_stage, n_clipped, angular_error_size_<s>). Same contract as
    ``rnnlab.experiment.train_run``."""
    torch.manual_seed(seed)
    task = build_task(run_config["task"])
    model = build_model(run_config.get("model", {}), task)
    working_directory = resume.checkpoint_directory if resume else checkpoint_directory

    def save(step: int, state_dict: dict, extras: dict) -> None:
        save_checkpoint(checkpoint_path(working_directory, step), step, state_dict, run_config,
                        seed, extras)

    log = train_network(
        model, task,
        OptimizerSettings.from_dict(run_config.get("optimizer", {})),
        TrainingSettings.from_dict(run_config.get("training", {})),
        seed, save,
        label=f"{run_config.get('study', '')}/{run_config.get('run', '')} seed {seed}",
        resume=resume, progress_interval_seconds=progress_interval_seconds, clock=clock,
    )
    if resume is not None:
        resume.hand_over_checkpoints(checkpoint_directory)
    log.insert(0, "seed", seed)
    log.insert(0, "run", run_config.get("run", ""))
    return log
