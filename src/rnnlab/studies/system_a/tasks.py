"""System A's integration-and-memory task (the thesis's ``data1``), vectorised and seeded.

A trial lasts ``trial_ms``. A pulse of amplitude ``amplitude`` on the single input starts at
``onset_ms`` ± U{−J … J−1}·dt (J = onset_jitter_ms/dt, numpy's half-open randint as in the
thesis) and lasts ``duration_mean_ms`` ± U{−D … D−1}·dt; the network must report, from
``cost_onset_ms`` to the end, ``target_per_ms`` × the pulse's duration, and hold it.

Scoring, as the thesis's training loss (``mse_loss1``: every step whose target is not −1):
steps before the pulse are scored with target 0 (the output must stay silent), steps from the
pulse onset up to ``cost_onset_ms`` are not scored, steps from ``cost_onset_ms`` on are scored
against the target. A fraction ``no_pulse_fraction`` of the trials (each trial independently,
as the thesis's ``rand < perc``) carries no pulse: target 0, every step scored. The precision
(``mse_loss2``) scores only steps with a positive target: ``decision_mask``.

``pulse_end_inclusive``: the thesis's pulse covers onset ≤ t ≤ onset + duration, i.e. duration
+ 1 ms at its dt of 1 ms (True, faithful). At a coarser dt that extra step would be a whole dt
(+50 % of a 50 ms pulse at dt = 25 ms), so a coarse config sets it False: the pulse then lasts
exactly its duration and its area is amplitude × duration, as the target assumes.

Times are in ms and every time must be a whole number of steps of ``dt_ms``.
Shapes: B trials, T = trial_ms/dt steps, one input and one output channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from rnnlab.tasks import TaskRegistry
from rnnlab.tasks.base import TaskBatch


@dataclass(frozen=True, kw_only=True)
class PulseDurationTask:
    name: ClassVar[str] = "pulse_duration"
    input_size: ClassVar[int] = 1
    output_size: ClassVar[int] = 1
    dt_ms: float = 1.0
    trial_ms: float = 7000.0
    onset_ms: float = 3000.0
    onset_jitter_ms: float = 1000.0
    duration_mean_ms: float = 150.0
    duration_jitter_ms: float = 100.0
    amplitude: float = 2.0
    target_per_ms: float = 0.007
    cost_onset_ms: float = 4500.0
    no_pulse_fraction: float = 0.1
    pulse_end_inclusive: bool = True
    precision_durations_ms: tuple[float, ...] = (50.0, 150.0, 300.0)
    precision_onset_ms: float = 3000.0

    def __post_init__(self):
        object.__setattr__(self, "precision_durations_ms",
                           tuple(float(d) for d in self.precision_durations_ms))
        for name in ("trial_ms", "onset_ms", "onset_jitter_ms", "duration_mean_ms",
                     "duration_jitter_ms", "cost_onset_ms", "precision_onset_ms"):
            self.steps(getattr(self, name), name)
        for duration in self.precision_durations_ms:
            self.steps(duration, "precision_durations_ms")
        if self.duration_mean_ms - self.duration_jitter_ms < 0:
            raise ValueError("pulse durations would be negative: duration_mean_ms < jitter")
        if not 0 <= self.no_pulse_fraction <= 1:
            raise ValueError("no_pulse_fraction must lie in [0, 1]")

    def steps(self, ms: float, name: str = "time") -> int:
        """``ms`` as a whole number of steps of dt (ValueError otherwise)."""
        count = ms / self.dt_ms
        if abs(count - round(count)) > 1e-9 * max(1.0, abs(count)):
            raise ValueError(f"{name} = {ms} ms is not a multiple of dt = {self.dt_ms} ms")
        return int(round(count))

    @property
    def n_steps(self) -> int:
        return self.steps(self.trial_ms, "trial_ms")

    def sample(self, rng: np.random.Generator, batch_size: int) -> TaskBatch:
        """``batch_size`` independent training trials (module docstring)."""
        no_pulse = rng.random(batch_size) < self.no_pulse_fraction
        onset_jitter = self.steps(self.onset_jitter_ms)
        duration_jitter = self.steps(self.duration_jitter_ms)
        onset = self.steps(self.onset_ms) + (
            rng.integers(-onset_jitter, onset_jitter, batch_size) if onset_jitter else
            np.zeros(batch_size, dtype=np.int64))
        duration = self.steps(self.duration_mean_ms) + (
            rng.integers(-duration_jitter, duration_jitter, batch_size) if duration_jitter else
            np.zeros(batch_size, dtype=np.int64))
        return self.trials(onset, duration, ~no_pulse)

    def precision_batch(self, trial_ms: float | None = None) -> TaskBatch:
        """One trial per precision duration (in ``precision_durations_ms`` order), pulse at
        ``precision_onset_ms``, no jitter, every trial with a pulse (the thesis's
        ``precision``/``evaluate``); ``trial_ms`` may extend the trials beyond the training
        length (the thesis draws its example trials 3000 ms longer)."""
        durations = np.array([self.steps(d) for d in self.precision_durations_ms])
        onset = np.full(len(durations), self.steps(self.precision_onset_ms))
        n_steps = self.n_steps if trial_ms is None else self.steps(trial_ms, "trial_ms")
        return self.trials(onset, durations, np.ones(len(durations), dtype=bool), n_steps)

    def trials(self, onset: np.ndarray, duration: np.ndarray, has_pulse: np.ndarray,
               n_steps: int | None = None) -> TaskBatch:
        """Trials with the given onsets and durations (in steps) and pulses (bool), (B,)."""
        n_steps = self.n_steps if n_steps is None else n_steps
        batch_size = len(onset)
        time = np.arange(n_steps)[None, :]
        onset, duration = np.asarray(onset)[:, None], np.asarray(duration)[:, None]
        pulse_mask = has_pulse[:, None]
        end = onset + duration + (1 if self.pulse_end_inclusive else 0)
        pulse = pulse_mask & (time >= onset) & (time < end)
        cost = self.steps(self.cost_onset_ms)
        response = time >= cost
        unscored = pulse_mask & (time >= onset) & ~response
        target_value = self.target_per_ms * duration[:, 0] * self.dt_ms * has_pulse
        inputs = (self.amplitude * pulse).astype(np.float32)[..., None]
        targets = (response * target_value[:, None]).astype(np.float32)[..., None]
        conditions = pd.DataFrame({
            "onset_ms": onset[:, 0] * self.dt_ms,
            "duration_ms": np.where(has_pulse, duration[:, 0] * self.dt_ms, 0.0),
            "has_pulse": has_pulse.astype(bool),
            "target": target_value,
        })
        periods = {
            "pulse": np.stack([onset[:, 0], np.minimum(end[:, 0], n_steps)], axis=1),
            "response": np.tile([cost, n_steps], (batch_size, 1)),
        }
        return TaskBatch(
            inputs=inputs,
            loss_mask=~unscored,
            decision_mask=response & has_pulse[:, None] & (target_value[:, None] > 0),
            conditions=conditions,
            periods={k: v.astype(np.int64) for k, v in periods.items()},
            targets=targets,
        )


TASKS = TaskRegistry(PulseDurationTask)
make_task = TASKS.make
