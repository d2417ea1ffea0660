"""The states a task's input holds: for a named constant-input condition of a task (e.g. "hold",
the delay of a memory task), the states its test trials visit during the period that input holds
(``task.fixed_point_period``) on the trials it holds them (``task.fixed_point_trials``), their
end-of-period states, the period's length T and the trajectories' spread L – the time and length
scales against which slow points and attractors are judged – and the noise-free dynamics that
relax those end states under the constant input.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import torch


@dataclass(frozen=True)
class HeldStates:
    """The states a condition's input holds, on the test trials.

    Attributes:
        period: the task period (``task.fixed_point_period``).
        visited: (S, N) states at every step of that period on the selected trials.
        end: (B', N) the state at the last step of the period, per selected trial.
        period_ms: the longest duration of the period over the selected trials, T.
        scale: RMS distance of ``visited`` to its mean, L (state units): the extent of the
            trajectories in that period. (Not of ``end`` alone: the end states of a condition
            shown identically on every trial, e.g. a dmts sample, coincide.)
    """

    period: str
    visited: np.ndarray
    end: np.ndarray
    period_ms: float
    scale: float

    def q_tolerance(self, drift_fraction: float, floor: float) -> float:
        """½(f·L/T)² in 1/ms², at least ``floor``."""
        speed = drift_fraction * self.scale / self.period_ms
        return max(0.5 * speed**2, floor)


def held_states(task, batch, states: np.ndarray, condition: str) -> HeldStates:
    """``HeldStates`` of ``condition`` from trials (batch) and their states (B, T, N)."""
    period = task.fixed_point_period(condition)
    trials = np.flatnonzero(task.fixed_point_trials(condition, batch.conditions))
    if len(trials) == 0:  # e.g. a tiny test set without a trial of that context
        trials = np.arange(batch.batch_size)
    bounds = batch.periods[period][trials]
    visited = np.concatenate([states[k, a:b] for k, (a, b) in zip(trials, bounds)])
    end = states[trials, bounds[:, 1] - 1]
    scale = float(np.sqrt(np.mean(np.sum((visited - visited.mean(axis=0)) ** 2, axis=1))))
    period_ms = float((bounds[:, 1] - bounds[:, 0]).max() * task.dt_ms)
    return HeldStates(period, visited, end, period_ms, scale)


def relax(model, inputs: np.ndarray, held: HeldStates, duration_ms: float, dt_ms: float
          ) -> HeldStates:
    """``held`` with its end states (B', N) moved on by ``duration_ms`` of the noise-free
    dynamics under the constant input (I,)."""
    state = torch.from_numpy(held.end)
    u = torch.from_numpy(inputs.astype(np.float64)).expand(len(state), -1)
    with torch.no_grad():
        for _ in range(int(round(duration_ms / dt_ms))):
            state = model.step(state, u)
    return dataclasses.replace(held, end=state.numpy())


def held_speed(model, inputs: np.ndarray, held: HeldStates) -> np.ndarray:
    """q = ½‖dx/dt‖² (1/ms²) at the end-of-period states under the constant input, (B',)."""
    end = torch.from_numpy(held.end)
    u = torch.from_numpy(inputs.astype(np.float64)).expand(len(end), -1)
    with torch.no_grad():
        flow = model.flow(end, u)
    return 0.5 * (flow**2).sum(dim=-1).numpy()
