"""Trial-level evaluation of a network on a fixed, seeded test set."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from rnnlab.tasks.base import TaskBatch
from rnnlab.training.losses import trial_choices


def make_test_set(task, n_trials: int, seed: int) -> TaskBatch:
    """The same ``n_trials`` trials for every run and checkpoint that shares ``seed``."""
    return task.sample(np.random.default_rng(seed), n_trials)


@torch.no_grad()
def evaluate(model, batch: TaskBatch) -> pd.DataFrame:
    """One row per trial: the trial's conditions (``condition_*``), label, choice, correct."""
    outputs, _ = model(torch.from_numpy(batch.inputs))
    choices = trial_choices(outputs, torch.from_numpy(batch.decision_mask)).numpy()
    conditions = batch.conditions.drop(columns=["trial", "label"], errors="ignore")
    frame = conditions.add_prefix("condition_")
    frame.insert(0, "trial", np.arange(batch.batch_size, dtype=np.int64))
    labels = batch.conditions["label"].to_numpy(dtype=np.int64)
    frame["label"] = labels
    frame["choice"] = choices.astype(np.int64)
    frame["correct"] = frame["choice"] == frame["label"]
    return frame
