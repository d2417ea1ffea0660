"""System A's losses and its precision measure (the thesis's ``mse_loss1``, ``mse_loss2`` and
``precision``), vectorised: the thesis builds its masks with a Python loop over trials and
steps, a third of its training step's time."""

from __future__ import annotations

import numpy as np
import torch

from rnnlab.studies.system_a.tasks import PulseDurationTask


def trial_mse(outputs: torch.Tensor, targets: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean over trials of each trial's mean squared error over its masked steps.

    outputs, targets (B, T, 1); mask (B, T) bool. A trial's error is normalised by its own
    number of masked steps (as the thesis's losses), so trials with different unscored periods
    weigh the same. Training uses ``loss_mask`` (target ≠ −1 in the thesis), the precision
    ``decision_mask`` (target > 0). Returns a scalar (B,)-mean; NaN if a trial has no step.
    """
    weights = mask.to(outputs.dtype)
    squared = (targets - outputs).square().mean(dim=-1)
    return ((squared * weights).sum(dim=1) / weights.sum(dim=1)).mean()


def per_trial_mse(outputs: np.ndarray, targets: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """(B,) mean squared error of each trial over its masked steps; outputs/targets (B, T, 1)."""
    squared = np.square(targets.astype(np.float64) - outputs.astype(np.float64)).mean(axis=-1)
    return (squared * mask).sum(axis=1) / mask.sum(axis=1)


def precision_trials(model, task: PulseDurationTask, trial_ms: float | None = None):
    """The thesis's precision trials (one per duration, onset fixed) run through ``model``.

    Returns (batch, outputs (B, T, 1) float64).
    """
    batch = task.precision_batch(trial_ms)
    with torch.no_grad():
        outputs, _ = model(torch.from_numpy(batch.inputs), return_states=False)
    return batch, outputs.double().numpy()


def precision_by_duration(model, task: PulseDurationTask) -> dict[float, float]:
    """{duration ms: MSE on the steps with a positive target} (``mse_loss2``); their mean is
    the thesis's precision."""
    batch, outputs = precision_trials(model, task)
    errors = per_trial_mse(outputs, batch.targets, batch.decision_mask)
    return dict(zip(task.precision_durations_ms, errors.tolist()))
