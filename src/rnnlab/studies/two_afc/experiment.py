"""How a two_afc run's task and network are built and trained, by the run's ``model.kind``:

* ``gated_dale`` – ``RNNWithGateDale`` (``gated`` false: its ungated twin), trained by the
  study's own loop (``training``: curriculum, ACG, recurrent noise);
* ``vanilla`` – ``RNNCausal``, the same loop;
* ``ctrnn`` – rnnlab's shared leaky RNN (``rnnlab.models.LeakyRNN``) set up as PsychRNN's
  Basic model (current-free rate form, relu, α = dt/τ, Dale 80/20 with an excitatory-only,
  non-negative readout, non-negative inputs, spectral radius, recurrent noise √(2α)σ_rec),
  trained by the shared trainer (``rnnlab.training.trainer``: Adam, masked MSE);
* ``psychrnn_basic`` – the real PsychRNN ``Basic`` model (TensorFlow). Its workflow rule
  trains it in its own env; ``train_run`` here (used by ``make plan`` and the tests) runs that
  same job in a fresh interpreter, so TensorFlow never shares a process with torch.

``training_steps``, ``with_training_steps`` and ``checkpoint_steps`` let ``make plan`` price a
run from two shortened runs of ``train_run``.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import pandas as pd
import torch

from rnnlab.checkpoints import checkpoint_path, save_checkpoint
from rnnlab.models import LeakyRNN, ModelConfig
from rnnlab.studies.two_afc.models import (
    CausalConfig,
    GatedDaleConfig,
    RNNCausal,
    RNNWithGateDale,
)
from rnnlab.studies.two_afc.tasks import make_task
from rnnlab.studies.two_afc.training import StudyTraining, train_decision_network
from rnnlab.training.optimizers import OptimizerConfig
from rnnlab.training.resume import ResumeStore
from rnnlab.training.trainer import TrainingConfig, train

OWN_LOOP = ("gated_dale", "vanilla")


def build_task(task_config: dict):
    parameters = dict(task_config)
    return make_task(parameters.pop("name"), **parameters)


def ctrnn_config(model_config: dict, task) -> ModelConfig:
    """PsychRNN's Basic model in rnnlab's LeakyRNN (see the module docstring)."""
    return ModelConfig(
        input_size=task.input_size, output_size=task.output_size,
        hidden_size=model_config.get("hidden_size", 50), nonlinearity="relu",
        leak=task.dt_ms / task.tau_ms, dt_ms=task.dt_ms, dale=True,
        excitatory_fraction=model_config.get("excitatory_fraction", 0.8),
        readout="excitatory", spectral_scaling="spectral_radius",
        spectral_value=model_config.get("spectral_radius", 1.1),
        recurrent_noise_std=model_config.get("recurrent_noise_std", 0.0),
        initialization="balanced_gaussian", nonnegative_input_output=True,
    )


def build_model(model_config: dict, task) -> torch.nn.Module:
    kind = model_config.get("kind", "gated_dale")
    if kind == "gated_dale":
        keys = ("hidden_size", "excitatory_fraction", "gated", "leak", "spectral_radius",
                "readout")
        return RNNWithGateDale(GatedDaleConfig(**{k: model_config[k] for k in keys
                                                  if k in model_config}))
    if kind == "vanilla":
        return RNNCausal(CausalConfig(hidden_size=model_config.get("hidden_size", 80)))
    if kind in ("ctrnn", "psychrnn_basic"):
        # psychrnn_basic: its torch twin (same sizes), for shapes only; PsychRNN trains it.
        return LeakyRNN(ctrnn_config(model_config, task))
    raise ValueError(f"unknown model kind {kind!r}")


# ------------------------------------------------------------------ the plan's questions


def training_steps(run_config: dict) -> int:
    return int(run_config["training"]["steps"])


def with_training_steps(run_config: dict, steps: int) -> dict:
    shortened = copy.deepcopy(run_config)
    shortened["training"]["steps"] = int(steps)
    return shortened


def checkpoint_steps(run_config: dict) -> list[int]:
    if run_config["model"].get("kind") == "psychrnn_basic":
        return [training_steps(run_config)]
    fractions = run_config["training"].get("checkpoint_fractions", (0.0, 1.0))
    return sorted({int(round(f * training_steps(run_config))) for f in fractions})


# ------------------------------------------------------------------ training


def shared_trainer_configs(run_config: dict) -> tuple[OptimizerConfig, TrainingConfig]:
    """A ctrnn run's settings as the shared trainer's (Adam on every parameter)."""
    training = run_config["training"]
    optimizer = run_config.get("optimizer", {})
    return (
        OptimizerConfig(name="adam", learning_rate=optimizer.get("learning_rate", 0.001),
                        grad_clip_norm=optimizer.get("grad_clip_norm", 1.0)),
        TrainingConfig(steps=training["steps"], batch_size=training["batch_size"],
                       checkpoint_fractions=tuple(training.get("checkpoint_fractions",
                                                               (0.0, 1.0))),
                       log_every=training.get("log_every", 10)),
    )


def train_run(run_config: dict, seed: int, checkpoint_directory, resume: ResumeStore | None = None,
              *, progress_interval_seconds: float = 5.0,
              clock: Callable[[], float] = time.monotonic) -> pd.DataFrame:
    """Train one (run, seed) into ``checkpoint_directory``; returns the ``train_log`` rows.
    Same contract as ``rnnlab.experiment.train_run`` (resume, progress, checkpoints)."""
    kind = run_config["model"].get("kind", "gated_dale")
    if kind == "psychrnn_basic":
        log = train_psychrnn_in_subprocess(run_config, seed, checkpoint_directory)
    else:
        torch.manual_seed(seed)
        task = build_task(run_config["task"])
        model = build_model(run_config["model"], task)
        working = resume.checkpoint_directory if resume else checkpoint_directory

        def save(step: int, state_dict: dict, extras: dict) -> None:
            save_checkpoint(checkpoint_path(working, step), step, state_dict, run_config, seed,
                            extras)

        label = f"two_afc/{run_config.get('run', '')} seed {seed}"
        if kind in OWN_LOOP:
            log = train_decision_network(
                model, task, StudyTraining.from_run(run_config), seed, save,
                recurrent_noise_std=run_config["model"].get("recurrent_noise_std", 0.0),
                label=label, resume=resume, progress_interval_seconds=progress_interval_seconds,
                clock=clock)
        else:
            optimizer, training = shared_trainer_configs(run_config)
            log = train(model, task, optimizer, training, seed, save, label=label, resume=resume,
                        progress_interval_seconds=progress_interval_seconds, clock=clock)
        if resume is not None:
            resume.hand_over_checkpoints(checkpoint_directory)
    log.insert(0, "seed", seed)
    log.insert(0, "run", run_config.get("run", ""))
    return log


def train_psychrnn_in_subprocess(run_config: dict, seed: int, directory) -> pd.DataFrame:
    """The PsychRNN job's training (``psychrnn_library.train_and_save``) in a fresh interpreter:
    TensorFlow never enters this (torch) process."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    log_file = directory / "psychrnn_train_log.json"
    source = str(Path(__file__).resolve().parents[3])
    command = [sys.executable, "-m", "rnnlab.studies.two_afc.psychrnn_library",
               json.dumps(dict(run_config=run_config, seed=seed, directory=str(directory),
                               log=str(log_file)))]
    subprocess.run(command, check=True, cwd=source,
                   env={**__import__("os").environ, "PYTHONPATH": source})
    return pd.DataFrame(json.loads(log_file.read_text()))
