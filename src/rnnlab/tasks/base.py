"""The interface every task generator implements.

A task draws a whole batch of trials at once, vectorised over trials, from a caller-supplied
``numpy.random.Generator``: the same generator state always gives the same batch, and no task
touches a global random number generator.

Array shapes use B = trials in the batch, T = time steps, I = input channels, O = output channels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class TaskBatch:
    """A batch of trials, batch-first.

    Attributes:
        inputs: float32 (B, T, I) network input, noise included.
        loss_mask: bool (B, T), True on steps that enter the loss (False on padding after a
            trial's end).
        decision_mask: bool (B, T), True on the response period.
        labels: int64 (B, T) class target for classification tasks: 0 = keep fixating,
            k ≥ 1 = choose output k. None for regression tasks.
        targets: float32 (B, T, O) target output for regression tasks (MSE). None for
            classification tasks.
        conditions: one row per trial (length B) describing what was drawn: direction, coherence,
            period durations, the correct choice. Column ``label`` holds the trial's correct
            choice for classification tasks.
        periods: per period name, an int64 (B, 2) array of [start, stop) step indices.
    """

    inputs: np.ndarray
    loss_mask: np.ndarray
    decision_mask: np.ndarray
    conditions: pd.DataFrame
    periods: dict[str, np.ndarray]
    labels: np.ndarray | None = None
    targets: np.ndarray | None = None
    metadata: dict = field(default_factory=dict)

    @property
    def batch_size(self) -> int:
        return self.inputs.shape[0]

    @property
    def n_steps(self) -> int:
        return self.inputs.shape[1]


class Task(Protocol):
    """What a task generator provides."""

    name: str
    input_size: int
    output_size: int
    dt_ms: float

    def sample(self, rng: np.random.Generator, batch_size: int) -> TaskBatch:
        """Draw ``batch_size`` independent trials."""
        ...
