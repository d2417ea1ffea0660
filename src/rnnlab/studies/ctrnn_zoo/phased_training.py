"""Training a run through its curriculum (``curriculum``: what the phases are, their seeds):
each phase trains the same network with the shared trainer (``rnnlab.training.trainer.train``)
and a fresh optimiser; checkpoints and log in global steps; one resume store per phase."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Callable

import pandas as pd
import torch

from rnnlab.checkpoints import checkpoint_path, save_checkpoint
from rnnlab.studies.ctrnn_zoo.curriculum import Phase, phase_seed, phases_of
from rnnlab.training.optimizers import OptimizerConfig
from rnnlab.training.resume import ResumeStore
from rnnlab.training.trainer import TrainingConfig, train


def phase_training(training: TrainingConfig, phase: Phase, last: bool,
                   checkpoints: set[int]) -> TrainingConfig:
    """The shared trainer's settings of ``phase``: its steps, the checkpoint steps it reaches
    (as fractions of its own steps) and its last step (so its state is seen), validation only
    in the last phase."""
    local = {step - phase.start for step in checkpoints if phase.start < step <= phase.end}
    if phase.start == 0:
        local.add(0)
    local.add(phase.steps)
    fractions = tuple(sorted(step / phase.steps if phase.steps else 0.0 for step in local))
    changes = dict(steps=phase.steps, checkpoint_fractions=fractions)
    if not last:
        changes.update(validate_every=0, keep_best=False)
    return dataclasses.replace(training, **changes)


def train_curriculum(
    run_config: dict,
    seed: int,
    checkpoint_directory: str | Path,
    build_task: Callable[[dict], object],
    build_model: Callable[[dict, object], torch.nn.Module],
    resume: ResumeStore | None = None,
    *,
    progress_interval_seconds: float = 5.0,
    clock: Callable[[], float] = time.monotonic,
    state_penalty: Callable[[torch.Tensor, object], torch.Tensor] | None = None,
) -> pd.DataFrame:
    """Train one (run, seed) through its curriculum (one phase on its task without one);
    returns the ``train_log`` rows with a ``phase`` column. Same contract as
    ``rnnlab.experiment.train_run``; ``state_penalty`` (e.g. ``slowness.Slowness``) is added to
    every phase's training loss."""
    phases = [p for p in phases_of(run_config) if p.steps > 0]
    if not phases:  # 0 updates in all (the plan's untrained checkpoints): the last task
        phases = [dataclasses.replace(phases_of(run_config)[-1], start=0, steps=0)]
    training = TrainingConfig.from_dict(run_config["training"])
    checkpoints = set(training.checkpoint_steps)
    torch.manual_seed(seed)
    model = build_model(run_config.get("model", {}), build_task(run_config["task"]))
    working = resume.checkpoint_directory if resume else Path(checkpoint_directory)
    earlier = dict(corrections=None, validation_steps=[], validation_losses=[])
    logs = []
    for phase in phases:
        last = phase is phases[-1]
        seen = {}

        def save(step: int, state_dict: dict, extras: dict, phase=phase, seen=seen) -> None:
            step += phase.start
            extras = dict(extras)
            corrections = extras["sign_corrections"]
            if corrections is not None and earlier["corrections"] is not None:
                extras["sign_corrections"] = earlier["corrections"] + corrections
            if "validation_steps" in extras:
                extras["validation_steps"] = torch.tensor(
                    earlier["validation_steps"] + [s + phase.start for s in
                                                   extras["validation_steps"].tolist()],
                    dtype=torch.int64)
                extras["validation_losses"] = torch.tensor(
                    earlier["validation_losses"] + extras["validation_losses"].tolist(),
                    dtype=torch.float64)
                extras["best_validation_step"] += phase.start
                extras["parameters_step"] += phase.start
            seen["extras"] = extras
            if step in checkpoints:
                save_checkpoint(checkpoint_path(working, step), step, state_dict, run_config,
                                seed, extras)

        store = None
        if resume is not None:
            store = ResumeStore(resume.directory / f"phase_{phase.index}", resume.key,
                                resume.interval_seconds, resume.clock)
        log = train(
            model,
            build_task(phase.task_config),
            OptimizerConfig.from_dict(phase.optimizer_config),
            phase_training(training, phase, last, checkpoints),
            phase_seed(seed, phase.index),
            save,
            label=(f"{run_config.get('study', '')}/{run_config.get('run', '')} seed {seed}, "
                   f"phase {phase.index + 1} of {len(phases)}"),
            resume=store,
            progress_interval_seconds=progress_interval_seconds,
            clock=clock,
            state_penalty=state_penalty,
        )
        final = seen["extras"]
        earlier["corrections"] = final["sign_corrections"]
        if "validation_steps" in final:
            earlier["validation_steps"] = final["validation_steps"].tolist()
            earlier["validation_losses"] = final["validation_losses"].tolist()
        if len(log):
            log["step"] += phase.start
        log["phase"] = phase.index
        logs.append(log)
    if resume is not None:
        resume.hand_over_checkpoints(checkpoint_directory)
    log = pd.concat(logs, ignore_index=True)
    log.insert(0, "seed", seed)
    log.insert(0, "run", run_config.get("run", ""))
    return log
