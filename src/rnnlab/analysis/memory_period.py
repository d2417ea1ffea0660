"""Geometry of a network's memory period: where the states of a delay lie, per stimulus direction.

A network that holds a direction through a delay (dlygo) keeps, at the end of the delay, one
state per direction; if it holds them on a ring attractor those states (and the fixed points of
the delay input) lie on a closed loop ordered by direction. This module gives the pieces to see
it (the E/I thesis' "ring panels" and delay-period PCA, seed-systems §1.D):

* the top principal components of the states visited during the memory period (``period``,
  "delay" by default) of a set of test trials, with the fraction of that variance each holds;
* the trial-averaged memory-period trajectory of each (stimulus direction, ring) condition,
  aligned on the period's first step, in those components;
* the projection of any states (e.g. fixed points) on the same components.

Shapes: B trials, T steps, N units. Everything is noise-free (the caller's batch and model).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from rnnlab.analysis.network_fixed_points import PrincipalComponents

DIRECTION_COLUMNS = ("stimulus_direction", "direction", "target_direction")
TRAJECTORY_COLUMNS = [
    "direction", "modality", "period_step", "n_trials", "pc1", "pc2", "pc3",
    "variance_pc1", "variance_pc2", "variance_pc3",
]


@dataclass(frozen=True)
class MemoryPeriod:
    """The memory-period states of a batch and their principal components.

    Attributes:
        pcs: components fitted to every memory-period state (all trials, all steps).
        variance: (3,) fraction of the memory-period state variance on each component.
        trajectories: ``TRAJECTORY_COLUMNS`` rows (empty when the task has no such period).
    """

    pcs: PrincipalComponents | None
    variance: np.ndarray
    trajectories: pd.DataFrame

    def project(self, states: np.ndarray) -> np.ndarray:
        """(M, N) states → (M, 3) coordinates on the memory-period PCs (NaN without them)."""
        states = np.asarray(states, dtype=np.float64)
        if self.pcs is None or len(states) == 0:
            return np.full((len(states), 3), np.nan)
        return self.pcs.project(states)


def _condition(conditions: pd.DataFrame, columns, default) -> np.ndarray:
    for column in columns:
        if column in conditions:
            return conditions[column].to_numpy()
    return np.full(len(conditions), default)


def memory_period(batch, states: np.ndarray, period: str = "delay") -> MemoryPeriod:
    """PCs of the ``period`` states of ``batch`` (states (B, T, N), noise-free) and the mean
    trajectory of each (direction, modality) through it.

    Direction: the trial's ``stimulus_direction`` (what is held), else ``direction``, else
    ``target_direction`` (radians); modality: the ring the stimulus was on (``modality``; 0 if
    the task has one ring). Trials of a condition are averaged step by step from the period's
    start; ``n_trials`` counts those still in the period at that step.
    """
    states = np.asarray(states, dtype=np.float64)
    if period not in batch.periods:
        return MemoryPeriod(None, np.full(3, np.nan), pd.DataFrame(columns=TRAJECTORY_COLUMNS))
    bounds = np.asarray(batch.periods[period])  # (B, 2) [start, stop)
    lengths = bounds[:, 1] - bounds[:, 0]
    steps = np.arange(int(lengths.max()) if len(lengths) else 0)
    inside = steps[None, :] < lengths[:, None]  # (B, L)
    if not inside.any():
        return MemoryPeriod(None, np.full(3, np.nan), pd.DataFrame(columns=TRAJECTORY_COLUMNS))
    index = np.minimum(bounds[:, :1] + steps[None, :], states.shape[1] - 1)
    aligned = np.take_along_axis(states, index[:, :, None], axis=1)  # (B, L, N)
    pcs = PrincipalComponents.fit(aligned[inside])
    centred = aligned[inside] - pcs.mean
    total = float((centred**2).sum())
    projected_all = centred @ pcs.components.T
    variance = np.full(3, np.nan)
    if total > 0:
        variance[: projected_all.shape[1]] = (projected_all**2).sum(axis=0) / total

    direction = _condition(batch.conditions, DIRECTION_COLUMNS, np.nan).astype(float)
    modality = _condition(batch.conditions, ("modality",), 0).astype(np.int64)
    rows = []
    keys = pd.DataFrame({"direction": np.round(direction, 12), "modality": modality})
    for (theta, ring), group in keys.groupby(["direction", "modality"], sort=True, dropna=False):
        trials = group.index.to_numpy()
        counts = inside[trials].sum(axis=0)
        total_states = (aligned[trials] * inside[trials][:, :, None]).sum(axis=0)
        for step in np.flatnonzero(counts):
            mean_state = total_states[step] / counts[step]
            pc = pcs.project(mean_state[None, :])[0]
            rows.append(dict(
                direction=float(theta), modality=int(ring), period_step=int(step),
                n_trials=int(counts[step]), pc1=float(pc[0]), pc2=float(pc[1]),
                pc3=float(pc[2]), variance_pc1=float(variance[0]),
                variance_pc2=float(variance[1]), variance_pc3=float(variance[2]),
            ))
    return MemoryPeriod(pcs, variance, pd.DataFrame(rows, columns=TRAJECTORY_COLUMNS))
