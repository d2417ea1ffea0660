"""What the vwm stages share: the trained network, seeded noise, and trials run in chunks.

Analyses run the network as it was trained, with spike noise (the trained network's behaviour
is that of the noisy network), from a ``torch.Generator`` seeded by the stage's seed; only the
fixed-point analysis uses the noise-free map.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from rnnlab.checkpoints import list_checkpoints
from rnnlab.experiment import load_model
from rnnlab.tasks.base import TaskBatch

CHUNK_TRIALS = 256  # trials simulated at once: bounds the memory of (B, T, N) rates
ANALYSIS_STREAM = 7  # the stages' torch noise stream, apart from training's


def final_network(checkpoints: str | Path):
    """(model in eval mode, task, checkpoint payload) of the run's last checkpoint."""
    return load_model(list_checkpoints(checkpoints)[-1])


def generators(seed: int) -> tuple[np.random.Generator, torch.Generator]:
    """(numpy generator for the trials, torch generator for the spike noise) of a stage seed."""
    sequence = np.random.SeedSequence([seed, ANALYSIS_STREAM])
    numpy_seed, torch_seed = sequence.generate_state(2, dtype=np.uint64)
    return (np.random.default_rng(int(numpy_seed)),
            torch.Generator().manual_seed(int(torch_seed)))


@torch.no_grad()
def run_trials(model, batch: TaskBatch, noise: torch.Generator | None,
               record_from: int = 0) -> torch.Tensor:
    """Rates (B, T − record_from, N) of the batch's trials, in chunks of ``CHUNK_TRIALS``."""
    inputs = torch.from_numpy(batch.inputs)
    parts = [model(inputs[i:i + CHUNK_TRIALS], noise, record_from=record_from)
             for i in range(0, len(inputs), CHUNK_TRIALS)]
    return torch.cat(parts)


@torch.no_grad()
def decoded_readout(model, task, batch: TaskBatch, noise: torch.Generator | None) -> torch.Tensor:
    """Noisy readout (B, T_decode, M, 2) over the decode window."""
    start, _ = task.period_bounds["decode"]
    rates = run_trials(model, batch, noise, record_from=start)
    readout = model.readout(rates, noise)
    return readout.reshape(*readout.shape[:2], -1, 2)


def decoded_angles(readout: torch.Tensor) -> np.ndarray:
    """θ̂ (B, M) from the decode-window readout (B, T_decode, M, 2)."""
    mean = readout.mean(dim=1).double()
    return torch.atan2(mean[..., 1], mean[..., 0]).numpy()


def populations(model) -> np.ndarray:
    """"E" / "I" per unit (N,)."""
    return np.where(model.sign.numpy() > 0, "E", "I")
