"""The slowness penalty: a training option of the zoo that asks the network's state to move
slowly during periods of the trial (the memory tasks' delay and recall).

A run's ``slowness`` (optional; absent = off, the run trains exactly as before)::

    slowness: {weight: 1.0, periods: [delay, recall]}

adds to every training loss λ · mean‖x_{t+1} − x_t‖², the mean over the trials and over the
steps t where x_t and x_{t+1} both lie in one of ``periods`` (``TaskBatch.periods``), x the training
forward pass's states (noise included), λ = ``weight``. The validation loss and the
evaluation stay the task's own.

Why: the task's loss sees the memory's drift only through the readout at the trained delays,
and only for the angles and delays the batches draw: a network can hold most of a ring still and
let the remembered value slide along stretches of it, as long as what it reports at recall is
within the loss's tolerance (measured on memory_anti_angle: config/config.yaml). The penalty
asks for slowness at every state the delay visits, i.e. everywhere on the memory manifold, and
also for the approach to it after the stimulus to be quick. ‖x_{t+1} − x_t‖ = Δt·‖dx/dt‖ (plus
the step's noise), so it is the kinetic energy q = ½‖dx/dt‖² of Sussillo & Barak (2013) that
the slow-point analysis minimises, averaged along the trials' own delay trajectories. Related
terms: Haviv, Rivkind & Barak (2019, ICML, "Understanding and controlling memory in recurrent
neural networks") add a speed term at the memory states to make them slow points, which lets
the memory generalise to longer delays; slow feature analysis (Wiskott & Sejnowski 2002)
penalises the same squared temporal difference of a representation.

The recurrent noise the trainer adds to each state enters x_{t+1} − x_t too: its square is a
constant (N σ² per step) with no gradient, its cross term with the flow has zero mean.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from rnnlab.tasks.base import TaskBatch

if TYPE_CHECKING:  # torch is imported where a penalty is computed: the study's config check
    import torch  # imports this module while Snakemake parses the workflow (torch: ~3 s there)


@dataclass(frozen=True)
class Slowness:
    """λ (``weight``, > 0) and the periods whose steps are penalised."""

    weight: float
    periods: tuple[str, ...] = ("delay",)

    @classmethod
    def of_run(cls, run_config: dict) -> "Slowness | None":
        """The run's slowness setting, or None when it has none (or a weight of 0)."""
        values = run_config.get("slowness")
        if not values or float(values.get("weight", 0.0)) == 0.0:
            return None
        setting = cls(float(values["weight"]), tuple(values.get("periods", ("delay",))))
        if setting.weight < 0:
            raise ValueError(f"slowness weight must be ≥ 0, got {setting.weight}")
        return setting

    def __call__(self, states: torch.Tensor, batch: TaskBatch) -> torch.Tensor:
        """λ · slowness_penalty(states, the periods' step pairs)."""
        return self.weight * slowness_penalty(states, step_pairs_in(batch, self.periods))


def step_pairs_in(batch: TaskBatch, periods: tuple[str, ...] | list[str]) -> np.ndarray:
    """bool (B, T−1): True at t when steps t and t+1 both lie in one of ``periods`` of the
    trial (``batch.periods[name]``: (B, 2) [start, stop) step indices); a pair straddling two
    periods (e.g. the recall onset) is not selected."""
    pairs = np.zeros((batch.batch_size, batch.n_steps - 1), dtype=bool)
    steps = np.arange(batch.n_steps - 1)[None, :]
    for period in periods:
        bounds = period_bounds(batch, period, "slowness")
        pairs |= (steps >= bounds[:, :1]) & (steps + 1 < bounds[:, 1:])
    return pairs


def period_bounds(batch: TaskBatch, period: str, option: str) -> np.ndarray:
    """(B, 2) [start, stop) step indices of ``period`` in each trial; a penalty's ``option``
    naming a period the task lacks is an error."""
    if period not in batch.periods:
        raise ValueError(f"{option}: the task has no period {period!r} "
                         f"(it has {sorted(batch.periods)})")
    return np.asarray(batch.periods[period])


def slowness_penalty(states: torch.Tensor, pairs: np.ndarray | torch.Tensor) -> torch.Tensor:
    """mean over the True entries of ``pairs`` (B, T−1) of ‖x_{t+1} − x_t‖², states (B, T, N);
    0 (with a gradient of 0) when no pair is selected."""
    import torch

    pairs = torch.as_tensor(pairs, dtype=torch.bool)
    squared = (states[:, 1:] - states[:, :-1]).pow(2).sum(dim=-1)  # (B, T−1)
    count = int(pairs.sum())
    return (squared * pairs.to(squared.dtype)).sum() / max(count, 1)


def slowness_problems(run_config: dict) -> list[str]:
    """What is wrong with the run's ``slowness`` (the schema checks the types): its period must
    be the task's."""
    if not run_config.get("slowness"):
        return []
    from rnnlab.studies.ctrnn_zoo.tasks import task_or_none

    wanted = run_config["slowness"].get("periods", ["delay"])
    task = task_or_none(run_config["task"])
    if task is None:
        return []  # the task's own check reports it
    periods = task.sample(np.random.default_rng(0), 1).periods
    return [f"slowness: the task has no period {period!r} (it has {sorted(periods)})"
            for period in wanted if period not in periods]
