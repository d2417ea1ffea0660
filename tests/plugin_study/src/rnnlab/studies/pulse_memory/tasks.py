"""pulse_memory: a pulse of amplitude a ~ U(−1, 1) on channel 0 early in the trial; on a go cue
(channel 1) in the last steps the network reports a (MSE on those steps only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from rnnlab.tasks import TaskRegistry
from rnnlab.tasks.base import TaskBatch

RESPONSE_STEPS = 3


@dataclass(frozen=True, kw_only=True)
class PulseMemoryTask:
    name: ClassVar[str] = "pulse_memory"
    input_size: ClassVar[int] = 2
    output_size: ClassVar[int] = 1
    n_steps: int = 12
    dt_ms: float = 20.0

    def sample(self, rng: np.random.Generator, batch_size: int) -> TaskBatch:
        amplitude = rng.uniform(-1.0, 1.0, size=batch_size)
        response = self.n_steps - RESPONSE_STEPS
        inputs = np.zeros((batch_size, self.n_steps, 2), dtype=np.float32)
        inputs[:, 1:3, 0] = amplitude[:, None]
        inputs[:, response:, 1] = 1.0
        targets = np.zeros((batch_size, self.n_steps, 1), dtype=np.float32)
        targets[:, response:, 0] = amplitude[:, None]
        mask = np.zeros((batch_size, self.n_steps), dtype=bool)
        mask[:, response:] = True
        periods = {
            "memory": np.tile([0, response], (batch_size, 1)),
            "response": np.tile([response, self.n_steps], (batch_size, 1)),
        }
        return TaskBatch(inputs=inputs, loss_mask=mask, decision_mask=mask.copy(),
                         conditions=pd.DataFrame({"amplitude": amplitude}), periods=periods,
                         targets=targets)


TASKS = TaskRegistry(PulseMemoryTask)
make_task = TASKS.make
