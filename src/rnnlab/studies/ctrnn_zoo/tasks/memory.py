"""memory_anti_number and memory_anti_angle: remember a value, report its opposite on a recall
cue (zoo tasks)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from rnnlab.studies.ctrnn_zoo.tasks.base import (
    ANTI_NUMBER_VALUES, ConditionRows, Trials, ZooTask, as_floats, check_rng,
)


@dataclass(frozen=True, kw_only=True)
class _MemoryAntiTask(ZooTask):
    """Shared timing of the memory-anti tasks: stimulus, delay, recall.

    Trial (defaults, T = 1500 ms):

    * ``fixation`` [0, stim_on_ms = 100): no input;
    * ``stimulus`` [100, stim_off_ms = 400): the value to remember;
    * ``delay`` [400, recall_on_ms = 1000): no input;
    * ``recall`` [1000, T): the recall cue (last input channel) at ``cue_amplitude``, and the
      response.

    Targets are 0 before the recall period. ``loss_mask``: all steps but the first
    ``grace_ms`` of the recall period. Fixed-point conditions: ``"hold"`` (all inputs zero: the
    fixation/delay input) and ``"recall"`` (recall cue on, stimulus channels zero).
    """

    decision_period: ClassVar[str] = "recall"
    fixed_point_conditions: ClassVar[tuple[str, ...]] = ("hold", "recall")
    fixed_point_periods: ClassVar[dict[str, str]] = {"hold": "delay", "recall": "recall"}

    duration_ms: float = 1500.0
    stim_on_ms: float = 100.0
    stim_off_ms: float = 400.0
    recall_on_ms: float = 1000.0
    grace_ms: float = 100.0
    cue_amplitude: float = 1.0

    def _period_bounds_ms(self):
        return {
            "fixation": (0.0, self.stim_on_ms),
            "stimulus": (self.stim_on_ms, self.stim_off_ms),
            "delay": (self.stim_off_ms, self.recall_on_ms),
            "recall": (self.recall_on_ms, self.duration_ms),
        }

    def _memory_trials(self, stimulus: np.ndarray, response: np.ndarray,
                       periods: dict[str, np.ndarray]) -> Trials:
        """Trials from the stimulus (B, I−1) shown in ``stimulus`` and the response (B, O)."""
        n, T = stimulus.shape[0], self.n_steps
        shown = self._window(*periods["stimulus"].T)[:, :, None]  # (B, T, 1)
        recall = self._window(*periods["recall"].T)[:, :, None]
        inputs = np.zeros((n, T, self.input_size), dtype=np.float32)
        inputs[:, :, :-1] = shown * stimulus[:, None, :]
        inputs[:, :, -1:] = recall * self.cue_amplitude
        targets = (recall * response[:, None, :]).astype(np.float32)
        return Trials(inputs, targets, self._grace_loss_mask(periods), {})

    def _fixed_point_input(self, condition):
        x = np.zeros(self.input_size)
        if condition == "recall":
            x[-1] = self.cue_amplitude
        return x


@dataclass(frozen=True, kw_only=True)
class MemoryAntiNumberTask(_MemoryAntiTask):
    """Remember a scalar x and report −x on the recall cue.

    Timing as in :class:`_MemoryAntiTask` (fixation, stimulus, delay, recall; T = 1500 ms).
    Inputs (2): [value, recall cue]; the value channel is x during the stimulus period.
    Outputs (1): −x during the recall period, 0 before.

    Condition columns: ``value`` (x), ``target_value`` (−x); the table has one row per
    entry of ``values`` (default 32 values linspace(−2, 2, 32)).
    Fixed-point conditions: ``"hold"``, ``"recall"``.
    """

    name: ClassVar[str] = "memory_anti_number"
    input_size: ClassVar[int] = 2
    output_size: ClassVar[int] = 1
    condition_columns: ClassVar[tuple[str, ...]] = ("value",)

    values: tuple[float, ...] = ANTI_NUMBER_VALUES

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", as_floats(self.values, "values"))
        super().__post_init__()

    def _condition_grid(self):
        return pd.DataFrame({"value": np.asarray(self.values)})

    def _derive(self, key):
        value = key["value"].to_numpy(dtype=np.float64)
        if not np.all(np.isfinite(value)):
            raise ValueError("memory_anti_number: values must be finite")
        return pd.DataFrame({"value": value, "target_value": -value})

    def _build(self, table, rng, periods):
        value = table["value"]
        return self._memory_trials(value[:, None], -value[:, None], periods)


@dataclass(frozen=True, kw_only=True)
class MemoryAntiAngleTask(_MemoryAntiTask):
    """Remember an angle θ and report the opposite angle θ + π on the recall cue.

    Timing as in :class:`_MemoryAntiTask` (fixation, stimulus, delay, recall; T = 1500 ms).
    Inputs (3): [r·cos θ, r·sin θ, recall cue] with r = ``radius`` (default 2) during the
    stimulus period. Outputs (2): [r·cos(θ + π), r·sin(θ + π)] during the recall period,
    0 before.

    Condition columns: ``angle`` θ (radians), ``target_angle`` (θ + π mod 2π); the table has
    ``n_angles`` (default 36) rows θ_k = 2πk / n_angles.
    Fixed-point conditions: ``"hold"``, ``"recall"``.

    ``continuous_angles`` (default False: the engellab grid): ``sample`` draws θ uniformly from
    [0, 2π) instead of from the table's grid (``sample_conditions`` and the table are unchanged,
    so evaluation stays on the grid). Trained on a grid, a network may hold the angles on an open
    arc whose two ends the readout maps to neighbouring grid angles – nothing in the loss sees the
    angles in the gap; trained on every angle, an arc's gap costs error – though too rarely to
    close the arc of a ReLU network (measured: config/config.yaml, where tanh closes it).
    """

    name: ClassVar[str] = "memory_anti_angle"
    input_size: ClassVar[int] = 3
    output_size: ClassVar[int] = 2
    condition_columns: ClassVar[tuple[str, ...]] = ("angle",)

    n_angles: int = 36
    radius: float = 2.0
    continuous_angles: bool = False

    def __post_init__(self) -> None:
        if int(self.n_angles) < 1:
            raise ValueError(f"n_angles must be at least 1, got {self.n_angles}")
        super().__post_init__()

    def _condition_grid(self):
        return pd.DataFrame({"angle": 2.0 * np.pi * np.arange(int(self.n_angles)) / self.n_angles})

    def sample(self, rng: np.random.Generator, batch_size: int):
        """As ``ZooTask.sample``; with ``continuous_angles`` the angles are uniform on [0, 2π)."""
        if not self.continuous_angles:
            return super().sample(rng, batch_size)
        check_rng(rng)
        if int(batch_size) < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        angles = rng.uniform(0.0, 2.0 * np.pi, size=int(batch_size))
        return self._batch(ConditionRows(self._angle_columns(angles)), rng)

    @staticmethod
    def _angle_columns(angle: np.ndarray) -> dict[str, np.ndarray]:
        """The condition columns of angles θ (B,) float64."""
        if not np.all(np.isfinite(angle)):
            raise ValueError("memory_anti_angle: angles must be finite")
        return {"angle": angle, "target_angle": np.mod(angle + np.pi, 2.0 * np.pi)}

    def _derive(self, key):
        return pd.DataFrame(self._angle_columns(key["angle"].to_numpy(dtype=np.float64)))

    def _build(self, table, rng, periods):
        angle = table["angle"]
        stimulus = self.radius * np.stack([np.cos(angle), np.sin(angle)], axis=1)
        opposite = angle + np.pi
        response = self.radius * np.stack([np.cos(opposite), np.sin(opposite)], axis=1)
        return self._memory_trials(stimulus, response, periods)
