"""How a two_afc run's task and network are built and trained, by the run's ``model.kind``:

* ``gated_dale`` – ``RNNWithGateDale`` (``gated`` false: its ungated twin), trained by the
  study's own loop (``training``: curriculum, ACG, recurrent noise);
* ``vanilla`` – ``RNNCausal``, the same loop;
* ``ctrnn`` – rnnlab's CTRNN of the PsychRNN comparison (``basic_ctrnn.BasicCTRNN``: PsychRNN
  1.0.0's Basic model, its equations, initialisation and readout, in torch), trained by the
  study's loop with PsychRNN's training step (masked MSE over every step, each parameter's
  gradient clipped on its own, Adam);
* ``psychrnn_basic`` – the real PsychRNN ``Basic`` model (TensorFlow). Its workflow rule
  trains it in its own env; ``train_run`` here (used by ``make plan`` and the tests) runs that
  same job in a fresh interpreter, so TensorFlow never shares a process with torch.

``training_steps``, ``with_training_steps`` and ``checkpoint_steps`` let ``make plan`` price a
run from two shortened runs of ``train_run``.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import pandas as pd
import torch

from rnnlab.checkpoints import checkpoint_path, save_checkpoint
from rnnlab.studies.two_afc.basic_ctrnn import build_basic
from rnnlab.studies.two_afc.models import (
    CausalConfig,
    GatedDaleConfig,
    RNNCausal,
    RNNWithGateDale,
)
from rnnlab.studies.two_afc.tasks import make_task
from rnnlab.studies.two_afc.training import StudyTraining, train_decision_network
from rnnlab.training.resume import ResumeStore


def build_task(task_config: dict):
    parameters = dict(task_config)
    return make_task(parameters.pop("name"), **parameters)


def build_model(model_config: dict, task) -> torch.nn.Module:
    kind = model_config.get("kind", "gated_dale")
    if kind == "gated_dale":
        keys = ("hidden_size", "excitatory_fraction", "gated", "leak", "spectral_radius",
                "readout")
        return RNNWithGateDale(GatedDaleConfig(**{k: model_config[k] for k in keys
                                                  if k in model_config}))
    if kind == "vanilla":
        return RNNCausal(CausalConfig(
            hidden_size=model_config.get("hidden_size", 80),
            recurrent_init=model_config.get("recurrent_init", "orthogonal")))
    if kind in ("ctrnn", "psychrnn_basic"):
        # psychrnn_basic: its torch twin (same sizes), for shapes only; PsychRNN trains it.
        return build_basic(model_config, task)
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


def study_training(run_config: dict) -> StudyTraining:
    """The run's training settings; the comparison's CTRNN trains with PsychRNN's step."""
    config = StudyTraining.from_run(run_config)
    if run_config["model"].get("kind") == "ctrnn":
        config = dataclasses.replace(config, objective="psychrnn_mse", clip="per_tensor")
    return config


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
        log = train_decision_network(
            model, task, study_training(run_config), seed, save,
            recurrent_noise_std=run_config["model"].get("recurrent_noise_std", 0.0),
            label=label, resume=resume, progress_interval_seconds=progress_interval_seconds,
            clock=clock)
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
    _psychrnn_process(dict(run_config=run_config, seed=seed, directory=str(directory),
                           log=str(log_file)))
    return pd.DataFrame(json.loads(log_file.read_text()))


def time_shortened_runs(run_config: dict, seed: int, directory, steps: list[int]):
    """For ``make plan`` (``rnnlab.workflow.measure.measure_own_training``): seconds of the run
    trained for each of ``steps`` updates, or None to be timed by ``train_run`` one after the
    other. PsychRNN's are timed in one TensorFlow process (each ``train_run`` of a psychrnn run
    would start its own: ≈ 10 s of TensorFlow's import apiece), each with the import added, as
    a job pays it once; a run's first training in a process also builds TensorFlow's kernels,
    so the caller asks for a short warm-up run first."""
    if run_config["model"].get("kind") != "psychrnn_basic":
        return None
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    runs = [dict(run_config=with_training_steps(run_config, count), seed=seed,
                 directory=str(directory / f"run_{index}"),
                 log=str(directory / f"run_{index}.json"))
            for index, count in enumerate(steps)]
    timings = directory / "timings.json"
    _psychrnn_process(dict(time=runs, timings=str(timings)))
    measured = json.loads(timings.read_text())
    return [measured["import"] + seconds for seconds in measured["trainings"]]


def _psychrnn_process(arguments: dict) -> None:
    source = str(Path(__file__).resolve().parents[3])
    command = [sys.executable, "-m", "rnnlab.studies.two_afc.psychrnn_library",
               json.dumps(arguments)]
    subprocess.run(command, check=True, cwd=source,
                   env={**__import__("os").environ, "PYTHONPATH": source})
