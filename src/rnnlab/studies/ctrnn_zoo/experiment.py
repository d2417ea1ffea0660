"""How a ctrnn_zoo run's task and network are built from its resolved configuration (the
study's zoo tasks, ``tasks``, and the shared leaky RNN, ``rnnlab.models``) and trained.

A run without a ``curriculum``, ``slowness`` or ``flow_slowness`` trains exactly as the shared
trainer trains every run (``rnnlab.experiment.train_run``: same checkpoints, same log); a run
with a curriculum trains in phases (``curriculum``: a task variant per phase, the optimiser restarted, global steps), a
run with ``slowness`` (``slowness``: a penalty on the state's speed in the delay) through the
same phased trainer (one phase without a curriculum), the penalty added to its training loss;
so does a run with ``flow_slowness`` (``flow_slowness``: a penalty on the network's own flow under
a fixed-point condition's input at the states its trials visit), whose penalty needs the model.
``training_steps``, ``with_training_steps`` and ``checkpoint_steps`` let the cluster plan
(``rnnlab.workflow.plan``) time and price a run.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

import pandas as pd

from rnnlab.experiment import train_with_shared_trainer
from rnnlab.models import LeakyRNN, build_leaky_rnn
from rnnlab.studies.ctrnn_zoo.curriculum import scaled_curriculum
from rnnlab.studies.ctrnn_zoo.flow_slowness import FlowSlowness
from rnnlab.studies.ctrnn_zoo.phased_training import train_curriculum
from rnnlab.studies.ctrnn_zoo.slowness import Slowness
from rnnlab.studies.ctrnn_zoo.tasks import build_task
from rnnlab.training.resume import ResumeStore
from rnnlab.training.trainer import TrainingConfig


def build_model(model_config: dict, task) -> LeakyRNN:
    return build_leaky_rnn(model_config, task)


# ------------------------------------------------------------------ the plan's questions


def training_steps(run_config: dict) -> int:
    return int(run_config["training"]["steps"])


def with_training_steps(run_config: dict, steps: int) -> dict:
    """The run with ``steps`` updates in all (a curriculum's phases keep their shares)."""
    return scaled_curriculum(run_config, steps)


def checkpoint_steps(run_config: dict) -> list[int]:
    return TrainingConfig.from_dict(run_config["training"]).checkpoint_steps


# ------------------------------------------------------------------ training


def train_run(
    run_config: dict,
    seed: int,
    checkpoint_directory: str | Path,
    resume: ResumeStore | None = None,
    *,
    progress_interval_seconds: float = 5.0,
    clock: Callable[[], float] = time.monotonic,
) -> pd.DataFrame:
    """Train one (run, seed) and write its checkpoints; returns the training log. Same contract
    as ``rnnlab.experiment.train_run``."""
    slowness = Slowness.of_run(run_config)
    flow = FlowSlowness.of_run(run_config)
    if run_config.get("curriculum") or slowness is not None or flow is not None:
        build = build_model
        state_penalty = slowness
        if flow is not None:
            build, state_penalty = with_flow_penalty(flow, slowness, build_task(run_config["task"]))
        return train_curriculum(
            run_config, seed, checkpoint_directory, build_task, build, resume,
            progress_interval_seconds=progress_interval_seconds, clock=clock,
            state_penalty=state_penalty)
    return train_with_shared_trainer(run_config, seed, checkpoint_directory, resume,
                                     progress_interval_seconds=progress_interval_seconds,
                                     clock=clock)


def with_flow_penalty(flow: FlowSlowness, slowness: Slowness | None, task):
    """(build_model, state_penalty) for the phased trainer: a ``build_model`` that keeps the
    network it builds (the trainer builds it once) and the sum of the slowness penalty (if any)
    and the flow penalty of that network under ``task``'s fixed-point inputs."""
    built = {}

    def build(model_config: dict, phase_task) -> LeakyRNN:
        built["model"] = build_model(model_config, phase_task)
        built["flow"] = flow.penalty(built["model"], task)
        return built["model"]

    def state_penalty(states, batch):
        value = built["flow"](states, batch)
        return value if slowness is None else slowness(states, batch) + value

    return build, state_penalty
