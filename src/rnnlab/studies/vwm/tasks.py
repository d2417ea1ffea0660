"""The visual working memory task: remember the orientations of 1–10 items through a delay.

Each trial shows ``set_size`` of ``max_items`` item slots, each with an orientation θ_k drawn
uniformly in (−π, π], for ``stimulus_ms``; after ``delay_ms`` without input the network reports
every shown item's angle during ``decode_ms`` (the readout's (cos, sin) pair of slot k, averaged
over the decode window, gives θ̂_k = atan2). Periods (seed defaults): init 20, stimulus 500, delay
1000, decode 500 ms, dt 10 ms (202 steps).

Input encoding (seed, "positive input"): slot k feeds 3 channels

    p_k · (1 + cos θ̃/√2 + sin θ̃/√6,  1 − cos θ̃/√2 + sin θ̃/√6,  1 − 2 sin θ̃/√6) · S / M

θ̃ = θ + σ_ILC·ξ (item-location noise, once per trial and item, wrapped to (−π, π]), p_k = 1
if the slot is shown, S = ``input_strength`` (120), M = ``max_items`` (10). The three vectors
(cos, sin) → channels are at 120° of one another in the plane orthogonal to (1, 1, 1): every
channel is ≥ 1 − 2/√6 ≈ 0.18 > 0 and their sum is 3 for every θ, so the total drive does not
depend on the angle. Without ``positive_input``: 2 channels (cos θ̃, sin θ̃)·p_k·S/M.

Set sizes: a batch is split evenly over ``set_sizes`` (the first groups get one trial more when
it does not divide), the shown slots of a trial drawn uniformly without replacement. The seed
redraws the orientations only every 20 iterations; here every batch draws its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from rnnlab.tasks import TaskRegistry
from rnnlab.tasks.base import TaskBatch

SQRT2 = np.sqrt(2.0)
SQRT6 = np.sqrt(6.0)


def wrap(angle: np.ndarray) -> np.ndarray:
    """Angles wrapped to [−π, π)."""
    return (np.asarray(angle) + np.pi) % (2 * np.pi) - np.pi


def positive_encoding(theta: np.ndarray) -> np.ndarray:
    """(…, 3) non-negative encoding of angles ``theta`` (…) (module docstring)."""
    cos, sin = np.cos(theta), np.sin(theta)
    return np.stack(
        [1 + cos / SQRT2 + sin / SQRT6, 1 - cos / SQRT2 + sin / SQRT6, 1 - 2 * sin / SQRT6],
        axis=-1,
    )


def decode_positive(channels: np.ndarray) -> np.ndarray:
    """The angle encoded by ``positive_encoding`` (inverse, for tests and checks)."""
    a, b, c = np.moveaxis(np.asarray(channels, dtype=float), -1, 0)
    cos = (a - b) / SQRT2
    sin = (a + b - 2 * c) / SQRT6
    return np.arctan2(sin, cos)


def split_evenly(batch_size: int, groups: int) -> np.ndarray:
    """Trials per group: batch_size // groups each, the first batch_size % groups one more."""
    counts = np.full(groups, batch_size // groups, dtype=np.int64)
    counts[: batch_size % groups] += 1
    return counts


@dataclass(frozen=True, kw_only=True)
class VWMTask:
    """Delayed estimation of 1–``max_items`` orientations (see the module docstring)."""

    name: ClassVar[str] = "vwm"
    max_items: int = 10
    set_sizes: tuple[int, ...] = tuple(range(1, 11))
    dt_ms: float = 10.0
    init_ms: float = 20.0
    stimulus_ms: float = 500.0
    delay_ms: float = 1000.0
    decode_ms: float = 500.0
    input_strength: float = 120.0
    location_noise: float = 0.01
    positive_input: bool = True

    def __post_init__(self):
        object.__setattr__(self, "set_sizes", tuple(int(s) for s in self.set_sizes))
        if not self.set_sizes or min(self.set_sizes) < 1 or max(self.set_sizes) > self.max_items:
            raise ValueError(f"set sizes must lie in 1..{self.max_items}, got {self.set_sizes}")
        for name in ("init_ms", "stimulus_ms", "delay_ms", "decode_ms"):
            steps = getattr(self, name) / self.dt_ms
            if abs(steps - round(steps)) > 1e-9:
                raise ValueError(f"{name} = {getattr(self, name)} is not a multiple of dt_ms")
        if self.decode_ms <= 0 or self.stimulus_ms <= 0:
            raise ValueError("stimulus_ms and decode_ms must be > 0")

    # ------------------------------------------------------------------ sizes and periods

    @property
    def channels_per_item(self) -> int:
        return 3 if self.positive_input else 2

    @property
    def input_size(self) -> int:
        return self.channels_per_item * self.max_items

    @property
    def output_size(self) -> int:
        return 2 * self.max_items

    def _steps(self, ms: float) -> int:
        return int(round(ms / self.dt_ms))

    @property
    def period_bounds(self) -> dict[str, tuple[int, int]]:
        """[start, stop) step of each period."""
        bounds, start = {}, 0
        for name, ms in (("init", self.init_ms), ("stimulus", self.stimulus_ms),
                         ("delay", self.delay_ms), ("decode", self.decode_ms)):
            bounds[name] = (start, start + self._steps(ms))
            start += self._steps(ms)
        return bounds

    @property
    def n_steps(self) -> int:
        return self.period_bounds["decode"][1]

    # ------------------------------------------------------------------ trials

    def draw_presence(self, rng: np.random.Generator, set_size: np.ndarray) -> np.ndarray:
        """(B, M) 0/1 presence with ``set_size`` (B,) slots shown, chosen uniformly."""
        ranks = np.argsort(np.argsort(rng.random((len(set_size), self.max_items)), axis=1), axis=1)
        return (ranks < np.asarray(set_size)[:, None]).astype(np.float32)

    def sample(self, rng: np.random.Generator, batch_size: int) -> TaskBatch:
        """``batch_size`` trials, split evenly over ``set_sizes``."""
        counts = split_evenly(batch_size, len(self.set_sizes))
        set_size = np.repeat(np.asarray(self.set_sizes, dtype=np.int64), counts)
        return self.sample_set_sizes(rng, set_size)

    def sample_set_sizes(self, rng: np.random.Generator, set_size: np.ndarray) -> TaskBatch:
        """Trials with the given set sizes (B,), random slots and orientations."""
        presence = self.draw_presence(rng, set_size)
        theta = rng.uniform(-np.pi, np.pi, size=presence.shape)
        return self.trials(presence, theta, rng)

    def trials(self, presence: np.ndarray, theta: np.ndarray, rng: np.random.Generator,
               location_noise: float | None = None) -> TaskBatch:
        """The batch of given presence (B, M) and orientations θ (B, M); the item-location noise
        (default ``location_noise``) is drawn from ``rng``."""
        presence = np.asarray(presence, dtype=np.float32)
        theta = np.asarray(theta, dtype=np.float64)
        sigma = self.location_noise if location_noise is None else location_noise
        noisy = wrap(theta + sigma * rng.standard_normal(theta.shape))
        if self.positive_input:
            code = positive_encoding(noisy)
        else:
            code = np.stack([np.cos(noisy), np.sin(noisy)], axis=-1)
        code = code * presence[..., None] * (self.input_strength / self.max_items)
        batch_size = presence.shape[0]
        bounds = self.period_bounds
        inputs = np.zeros((batch_size, self.n_steps, self.input_size), dtype=np.float32)
        start, stop = bounds["stimulus"]
        inputs[:, start:stop, :] = code.reshape(batch_size, 1, -1).astype(np.float32)
        mask = np.zeros((batch_size, self.n_steps), dtype=bool)
        mask[:, bounds["decode"][0]:bounds["decode"][1]] = True
        target = np.stack([np.cos(theta), np.sin(theta)], axis=-1) * presence[..., None]
        targets = np.zeros((batch_size, self.n_steps, self.output_size), dtype=np.float32)
        targets[mask] = np.repeat(target.reshape(batch_size, -1), mask.sum(1), axis=0)
        conditions = {"set_size": presence.sum(axis=1).astype(np.int64)}
        for k in range(self.max_items):
            conditions[f"theta_{k}"] = theta[:, k]
            conditions[f"present_{k}"] = presence[:, k].astype(bool)
        periods = {name: np.tile(np.asarray(b, dtype=np.int64), (batch_size, 1))
                   for name, b in bounds.items()}
        return TaskBatch(inputs=inputs, loss_mask=mask, decision_mask=mask.copy(),
                         conditions=pd.DataFrame(conditions), periods=periods, targets=targets,
                         metadata={"presence": presence, "theta": theta})


TASKS = TaskRegistry(VWMTask)
make_task = TASKS.make
