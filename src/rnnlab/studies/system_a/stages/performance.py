"""Stage system_a_performance: what the trained networks do — the thesis's precision per test
duration at every checkpoint, example trials of the final network, and its input and output
weights (cosine(I, w), norms, and how far each moved from its initial value)."""

from __future__ import annotations

import numpy as np
import pandas as pd

import rnnlab.studies.system_a.tables  # noqa: F401  (registers the study's tables)
from rnnlab.checkpoints import list_checkpoints
from rnnlab.experiment import load_model
from rnnlab.stages.tagging import tag
from rnnlab.studies.system_a.evaluation import per_trial_mse, precision_trials


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.asarray(a, dtype=np.float64).ravel(), np.asarray(b, dtype=np.float64).ravel()
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def precision_rows(model, task) -> pd.DataFrame:
    batch, outputs = precision_trials(model, task)
    scored = batch.decision_mask
    errors = per_trial_mse(outputs, batch.targets, scored)
    mean_output = (outputs[..., 0] * scored).sum(axis=1) / scored.sum(axis=1)
    return pd.DataFrame({
        "duration_ms": np.asarray(task.precision_durations_ms, dtype=np.float64),
        "mse": errors,
        "target": batch.conditions["target"].to_numpy(dtype=np.float64),
        "mean_output": mean_output,
        "end_output": outputs[:, -1, 0],
    })


def trial_rows(model, task, example_trial_ms: float) -> pd.DataFrame:
    batch, outputs = precision_trials(model, task, max(example_trial_ms, task.trial_ms))
    n_trials, n_steps = batch.inputs.shape[:2]
    time_ms = (np.arange(n_steps) + 1) * task.dt_ms
    frames = []
    for index, duration in enumerate(task.precision_durations_ms):
        frames.append(pd.DataFrame({
            "duration_ms": float(duration),
            "time_ms": time_ms,
            "input": batch.inputs[index, :, 0].astype(np.float64),
            "output": outputs[index, :, 0],
            "target": batch.targets[index, :, 0].astype(np.float64),
            "scored": batch.decision_mask[index],
            "trained_length": time_ms <= task.trial_ms,
        }))
    return pd.concat(frames, ignore_index=True)


def performance(checkpoints, example_trial_ms: float) -> dict[str, pd.DataFrame]:
    """Tables ``duration_precision`` (every checkpoint), ``pulse_trials`` (final checkpoint,
    trials of ``example_trial_ms``, at least the training length) and ``weight_alignment``."""
    paths = list_checkpoints(checkpoints)
    precision, alignment = [], []
    initial = None
    for path in paths:
        model, task, payload = load_model(path)
        run, seed, step = payload["run_config"]["run"], payload["seed"], payload["step"]
        precision.append(tag(precision_rows(model, task), run, seed, step))
        input_weights = model.input_weights.detach().numpy().ravel()
        output_weights = model.output_weights.detach().numpy().ravel()
        if initial is None:  # the first checkpoint: step 0 when the run saves it
            initial = (input_weights, output_weights)
        alignment.append(tag(pd.DataFrame([{
            "epoch": float(payload.get("epoch", np.nan)),
            "cosine_input_output": cosine(input_weights, output_weights),
            "input_norm": float(np.linalg.norm(input_weights.astype(np.float64))),
            "output_norm": float(np.linalg.norm(output_weights.astype(np.float64))),
            "cosine_input_initial": cosine(input_weights, initial[0]),
            "cosine_output_initial": cosine(output_weights, initial[1]),
        }]), run, seed, step))
    trials = tag(trial_rows(model, task, example_trial_ms), run, seed)
    return {
        "duration_precision": pd.concat(precision, ignore_index=True),
        "pulse_trials": trials,
        "weight_alignment": pd.concat(alignment, ignore_index=True),
    }
