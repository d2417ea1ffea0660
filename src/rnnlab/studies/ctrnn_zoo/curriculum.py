"""A run's curriculum: training in phases, each on a variant of the run's task, the same
network, a fresh optimiser (the training itself: ``phased_training``).

A run's ``curriculum`` (optional; absent = one phase, the shared trainer exactly)::

    curriculum:
      - {steps: 500, task: {duration_ms: 1200.0, test_on_ms: 500.0, response_jitter_ms: 200.0}}
      - {steps: 500}                       # the last phase: the run's own task

Phase k (k = 0, 1, …) trains on ``task`` deep-merged with the phase's ``task`` overrides, for
its ``steps`` updates, with ``optimizer`` deep-merged with the phase's ``optimizer`` overrides
(e.g. a smaller learning rate); the steps add up to ``training.steps``. Why a fresh optimiser: the
task's statistics change at a phase boundary, and Adam's moment estimates of the old task
would set the step sizes of the first updates on the new one.

What each phase draws: phase 0 the run's seed streams (data, noise), as a run without a
curriculum; phase k > 0 those of ``phase_seed(seed, k)``, so no phase replays another's batches.
Validation and ``keep_best`` belong to the last phase only (on the run's own task — what is
evaluated); earlier phases neither validate nor keep their best parameters, they hand their
last parameters on.

Checkpoints and log: steps are global (phase k's update i is step ``start_k + i``); a
checkpoint is written at each of the run's checkpoint steps (fractions of ``training.steps``) by
the phase that reaches it (a boundary step by the phase that ends there); its
``sign_corrections`` count since the first phase, its validation steps are global. The train
log has the shared columns plus ``phase`` (0-based).

Resume: each phase has its own resume store, ``<store>/phase_<k>`` (the shared trainer saves
its state there and, at its end, its final state), so a job killed in phase k replays the
finished phases from their final states without an update and continues phase k where it
stopped: the result is bit-identical to an uninterrupted run.

This module holds what the configuration says (phases, checks, seeds, shortening); it imports
no torch, so that the study's configuration check stays light.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from rnnlab.workflow.config import deep_merge

PHASE_STREAM = 4  # SeedSequence([seed, PHASE_STREAM, k]): the seed of phase k > 0


@dataclass(frozen=True)
class Phase:
    """Phase ``index`` of a run: updates (``start``, ``start + steps``] on ``task_config``,
    with the optimiser ``optimizer_config``."""

    index: int
    start: int
    steps: int
    task_config: dict
    optimizer_config: dict

    @property
    def end(self) -> int:
        return self.start + self.steps


def phases_of(run_config: dict) -> list[Phase]:
    """The run's phases (one, on its task, without a ``curriculum``)."""
    entries = run_config.get("curriculum") or [
        {"steps": int(run_config["training"]["steps"])}
    ]
    phases, start = [], 0
    for index, entry in enumerate(entries):
        task = deep_merge(run_config["task"], entry.get("task", {}))
        optimizer = deep_merge(run_config.get("optimizer", {}), entry.get("optimizer", {}))
        phases.append(Phase(index, start, int(entry["steps"]), task, optimizer))
        start += int(entry["steps"])
    return phases


def curriculum_problems(run_config: dict) -> list[str]:
    """What is wrong with the run's ``curriculum`` (the schema checks the types)."""
    entries = run_config.get("curriculum")
    if not entries:
        return []
    found = []
    total = sum(int(entry["steps"]) for entry in entries)
    if total != int(run_config["training"]["steps"]):
        found.append(f"the curriculum's steps add up to {total}, training.steps is "
                     f"{run_config['training']['steps']}")
    for index, entry in enumerate(entries):
        if "name" in entry.get("task", {}):
            found.append(f"curriculum phase {index} renames the task (a phase varies its "
                         "parameters only)")
    if entries[-1].get("task"):
        found.append("the last curriculum phase must train on the run's own task (it is the "
                     "one validated and evaluated): give it no task overrides")
    return found


def phase_seed(seed: int, index: int) -> int:
    """The seed whose data and noise streams phase ``index`` draws (phase 0: the run's)."""
    if index == 0:
        return seed
    state = np.random.SeedSequence([seed, PHASE_STREAM, index]).generate_state(1, np.uint32)
    return int(state[0])


def scaled_curriculum(run_config: dict, steps: int) -> dict:
    """The run with ``steps`` updates in all, its phases' shares kept (largest remainders)."""
    shortened = copy.deepcopy(run_config)
    shortened["training"]["steps"] = int(steps)
    entries = shortened.get("curriculum")
    if entries:
        total = sum(int(entry["steps"]) for entry in entries)
        exact = [int(entry["steps"]) * steps / total for entry in entries]
        counts = [int(x) for x in exact]
        by_remainder = sorted(range(len(exact)), key=lambda k: counts[k] - exact[k])
        for k in by_remainder[: steps - sum(counts)]:
            counts[k] += 1
        for entry, count in zip(entries, counts):
            entry["steps"] = count
    return shortened
