"""Stage zoo_performance: task performance of a CTRNN-zoo network (final checkpoint, noise off).

Returns four tables (schemas in ``rnnlab.studies.ctrnn_zoo.tables``), every one always present:

* ``task_performance``  validation score (1 − MSE/var) and MSE on a fixed seeded test set, and
  the score of the task's ideal observer on the same trials (cddm's evidence noise caps it);
* ``example_trials``    outputs vs targets of a few random test trials;
* ``psychometric``      cddm only: fraction right on the full condition grid;
* ``psychometric_fits`` cddm only: probit fits per context and coherence axis.

Tasks without a psychometric analysis get empty frames with the schema's columns.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import torch

from rnnlab.analysis import performance
from rnnlab.checkpoints import list_checkpoints
from rnnlab.experiment import load_model
import rnnlab.studies.ctrnn_zoo.tables  # noqa: F401  (registers the study's tables)
from rnnlab.stages.tagging import tag
from rnnlab.tables import empty_frame

# Trials run through the network at once: bounds the (chunk, T, N) state tensor.
_CHUNK_TRIALS = 512


@torch.no_grad()
def run_outputs(model, inputs: np.ndarray) -> np.ndarray:
    """Noise-free outputs (B, T, O) float64 for inputs (B, T, I), in chunks of trials."""
    chunks = [
        model(torch.from_numpy(inputs[start:start + _CHUNK_TRIALS]))[0].double().numpy()
        for start in range(0, len(inputs), _CHUNK_TRIALS)
    ]
    return np.concatenate(chunks)


def performance_row(task, outputs: np.ndarray, batch) -> pd.DataFrame:
    """One row: task, validation_score, mse, ideal_score (the validation score of the task's
    ideal observer on the same trials, ``task.ideal_outputs``), score_fraction_of_ideal,
    n_trials. outputs (B, T, O)."""
    targets, mask = batch.targets, batch.loss_mask
    score = performance.validation_score(outputs, targets, mask)
    ideal = performance.validation_score(task.ideal_outputs(batch), targets, mask)
    return pd.DataFrame(
        {
            "task": [task.name],
            "validation_score": [score],
            "mse": [performance.masked_mse(outputs, targets, mask)],
            "ideal_score": [ideal],
            "score_fraction_of_ideal": [score / ideal if ideal > 0 else np.nan],
            "n_trials": np.array([batch.batch_size], dtype=np.int64),
        }
    )


def example_trial_rows(task, outputs: np.ndarray, batch, trials: np.ndarray) -> pd.DataFrame:
    """Long frame of the chosen trials: one row per (trial, step, channel). outputs (B, T, O)."""
    n_steps, n_channels = outputs.shape[1:]
    trial, step, channel = np.meshgrid(trials, np.arange(n_steps), np.arange(n_channels),
                                       indexing="ij")
    return pd.DataFrame(
        {
            "task": task.name,
            "trial": trial.ravel().astype(np.int64),
            "time_step": step.ravel().astype(np.int64),
            "time_ms": step.ravel() * float(task.dt_ms),
            "channel": channel.ravel().astype(np.int64),
            "output": outputs[trials].ravel().astype(np.float64),
            "target": batch.targets[trials].ravel().astype(np.float64),
            "in_loss": np.repeat(batch.loss_mask[trials].ravel(), n_channels),
        }
    )


def psychometric_tables(model, task, repeats: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(surface, fits) of cddm over the full condition grid, ``repeats`` trials per condition."""
    grid = task.condition_table()
    rows = grid.loc[grid.index.repeat(repeats)].reset_index(drop=True)
    batch = task.sample_conditions(rows, np.random.default_rng(seed))
    choices = performance.cddm_choices(run_outputs(model, batch.inputs), batch.decision_mask)
    surface = performance.psychometric_surface(batch.conditions, choices)
    fits = performance.psychometric_curves(surface)
    fits["n"] = fits["n"].round().astype(np.int64)
    surface = surface[["context", "relevant_coherence", "irrelevant_coherence",
                       "fraction_right", "n"]]
    fits = fits[["context", "axis", "slope", "bias", "log_likelihood", "n"]]
    return surface, fits


def task_performance(
    checkpoints: str | Path,
    n_trials: int,
    seed: int,
    psychometric_repeats: int,
    n_example_trials: int,
) -> dict[str, pd.DataFrame]:
    """Performance of the final checkpoint → {"task_performance", "example_trials",
    "psychometric", "psychometric_fits"} (the last two empty unless the task is cddm).

    ``seed`` fixes the test set (and the example trials drawn from it), so every run and seed
    of a study is scored on the same trials.
    """
    model, task, payload = load_model(list_checkpoints(checkpoints)[-1])
    model.eval()  # forward adds no noise without a perturbation; eval for clarity
    rng = np.random.default_rng(seed)
    batch = task.sample(rng, n_trials)
    outputs = run_outputs(model, batch.inputs)
    trials = np.sort(rng.choice(batch.batch_size, size=min(n_example_trials, batch.batch_size),
                                replace=False))
    frames = {
        "task_performance": performance_row(task, outputs, batch),
        "example_trials": example_trial_rows(task, outputs, batch, trials),
    }
    if task.name == "cddm":
        frames["psychometric"], frames["psychometric_fits"] = psychometric_tables(
            model, task, psychometric_repeats, seed
        )
    else:
        frames["psychometric"], frames["psychometric_fits"] = None, None
    run, run_seed = payload["run_config"]["run"], payload["seed"]
    result = {}
    for name, frame in frames.items():
        if frame is None:
            result[name] = empty_frame(name)
            continue
        result[name] = tag(frame.reset_index(drop=True), run, run_seed)
    return result
