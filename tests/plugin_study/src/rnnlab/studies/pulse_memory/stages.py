"""Stage recall_error: how well the trained network reports the remembered amplitude."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

import rnnlab.studies.pulse_memory.tables  # noqa: F401  (registers the study's table)
from rnnlab.checkpoints import list_checkpoints
from rnnlab.experiment import load_model
from rnnlab.stages.tagging import tag

BINS = np.linspace(-1.0, 1.0, 5)


def recall_error(checkpoints, n_trials: int, seed: int) -> dict[str, pd.DataFrame]:
    model, task, payload = load_model(list_checkpoints(checkpoints)[-1])
    batch = task.sample(np.random.default_rng(seed), n_trials)
    with torch.no_grad():
        outputs = model(torch.from_numpy(batch.inputs))[0].double().numpy()
    report = (outputs[..., 0] * batch.loss_mask).sum(axis=1) / batch.loss_mask.sum(axis=1)
    amplitude = batch.conditions["amplitude"].to_numpy()
    which = np.clip(np.digitize(amplitude, BINS) - 1, 0, len(BINS) - 2)
    centres = (BINS[:-1] + BINS[1:]) / 2
    frame = pd.DataFrame({"amplitude": centres[which], "error": (report - amplitude) ** 2})
    frame = frame.groupby("amplitude", as_index=False)["error"].mean()
    frame = frame.rename(columns={"error": "squared_error"})
    return {"recall_errors": tag(frame, payload["run_config"]["run"], payload["seed"])}
