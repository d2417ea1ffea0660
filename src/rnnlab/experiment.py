"""Train and load a run's network; the study the run belongs to builds its task and model.

A run configuration is a plain dict (what the workflow passes through ``params:``)::

    {"study": str, "run": str,
     "task": {"name": "dm1", ...task parameters},
     "model": {...the study's model settings},
     "optimizer": {...OptimizerConfig fields},
     "training": {...TrainingConfig fields}}

Study ``s`` builds them in ``rnnlab.studies.<s>.experiment``: ``build_task(task_config)`` and
``build_model(model_config, task)``; a study whose networks train otherwise than the shared
trainer (``rnnlab.training.trainer``) also defines ``train_run`` there, with this module's
signature. Checkpoints carry the run configuration, so a checkpoint is loaded by the study that
wrote it.
"""

from __future__ import annotations

import importlib
import time
from pathlib import Path
from types import ModuleType
from typing import Callable

import torch

from rnnlab.checkpoints import checkpoint_path, load_checkpoint, save_checkpoint
from rnnlab.training.optimizers import OptimizerConfig
from rnnlab.training.resume import ResumeStore
from rnnlab.training.trainer import TrainingConfig, train


def study_experiment(run_config: dict) -> ModuleType:
    """The module that builds the tasks and networks of the run's study."""
    study = run_config.get("study")
    if not study:
        raise ValueError("the run configuration names no study (key 'study')")
    return importlib.import_module(f"rnnlab.studies.{study}.experiment")


def build_task(run_config: dict):
    """The run's task."""
    return study_experiment(run_config).build_task(run_config["task"])


def build_model(run_config: dict, task) -> torch.nn.Module:
    """The run's network (untrained), sized for ``task``."""
    return study_experiment(run_config).build_model(run_config.get("model", {}), task)


def train_run(
    run_config: dict,
    seed: int,
    checkpoint_directory: str | Path,
    resume: ResumeStore | None = None,
    progress_interval_seconds: float = 5.0,
    clock: Callable[[], float] = time.monotonic,
):
    """Train one (run, seed) and write its checkpoints; returns the training log.

    With ``resume``, a killed run continues from the store's last saved state: checkpoints are
    written into the store while training and moved to ``checkpoint_directory`` at the end.
    Progress is logged (logger ``rnnlab.training``) at most every ``progress_interval_seconds``
    of ``clock`` time; it changes no result. The log holds the ``train_log`` table's columns
    (NaN where a quantity does not apply) and may add a study's own after them.
    """
    own = getattr(study_experiment(run_config), "train_run", None)
    if own is not None:
        return own(run_config, seed, checkpoint_directory, resume,
                   progress_interval_seconds=progress_interval_seconds, clock=clock)
    return train_with_shared_trainer(run_config, seed, checkpoint_directory, resume,
                                     progress_interval_seconds=progress_interval_seconds,
                                     clock=clock)


def train_with_shared_trainer(run_config: dict, seed: int, checkpoint_directory: str | Path,
                              resume: ResumeStore | None = None, *,
                              progress_interval_seconds: float = 5.0,
                              clock: Callable[[], float] = time.monotonic):
    """``train_run`` without a study's own trainer: the run's task and seeded network built by
    its study, trained by the shared trainer (a study's own ``train_run`` may hand runs it has
    nothing special for back to this)."""
    torch.manual_seed(seed)
    task = build_task(run_config)
    model = build_model(run_config, task)
    working_directory = resume.checkpoint_directory if resume else checkpoint_directory

    def save(step: int, state_dict: dict, extras: dict) -> None:
        save_checkpoint(
            checkpoint_path(working_directory, step), step, state_dict, run_config, seed, extras
        )

    log = train(
        model,
        task,
        OptimizerConfig.from_dict(run_config["optimizer"]),
        TrainingConfig.from_dict(run_config["training"]),
        seed,
        save,
        label=f"{run_config.get('study', '')}/{run_config.get('run', '')} seed {seed}",
        resume=resume,
        progress_interval_seconds=progress_interval_seconds,
        clock=clock,
    )
    if resume is not None:
        resume.hand_over_checkpoints(checkpoint_directory)
    log.insert(0, "seed", seed)
    log.insert(0, "run", run_config.get("run", ""))
    return log


def load_model(path: str | Path) -> tuple[torch.nn.Module, object, dict]:
    """(model in eval mode, its task, the checkpoint payload) from a checkpoint file."""
    payload = load_checkpoint(path)
    task = build_task(payload["run_config"])
    model = build_model(payload["run_config"], task)
    model.load_state_dict(payload["state_dict"])
    model.eval()
    return model, task, payload
