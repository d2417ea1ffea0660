"""One function per workflow stage: checkpoints or tables in, tidy DataFrames out.

The workflow scripts only read their Snakemake inputs and params, call these, and write the
returned frames with ``rnnlab.tables.write_table``. Everything here is testable without Snakemake.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from rnnlab.analysis import credit
from rnnlab.analysis.gradients import hidden_state_gradients
from rnnlab.analysis import weights as weight_analysis
from rnnlab.analysis.evaluation import evaluate, make_test_set
from rnnlab.analysis.fixed_points import FixedPointSettings
from rnnlab.analysis.network_fixed_points import NetworkFixedPointSettings, analyse_fixed_points
from rnnlab.checkpoints import list_checkpoints, load_checkpoint
from rnnlab.experiment import load_model
from rnnlab.training.trainer import TrainingConfig


def _tag(frame: pd.DataFrame, run: str, seed: int, step: int | None = None) -> pd.DataFrame:
    frame = frame.copy()
    if step is not None:
        frame.insert(0, "checkpoint_step", np.int64(step))
    frame.insert(0, "seed", np.int64(seed))
    frame.insert(0, "run", run)
    return frame


def evaluate_checkpoints(checkpoint_directory: str | Path, n_trials: int, seed: int) -> pd.DataFrame:
    """Every checkpoint on the same seeded test set: one row per (checkpoint, trial)."""
    frames = []
    for path in list_checkpoints(checkpoint_directory):
        model, task, payload = load_model(path)
        frame = evaluate(model, make_test_set(task, n_trials, seed))
        frame.insert(0, "task", task.name)
        frames.append(
            _tag(frame, payload["run_config"]["run"], payload["seed"], payload["step"])
        )
    return pd.concat(frames, ignore_index=True)


def collect_gradients(
    checkpoint_directory: str | Path, n_trials: int, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """∂L/∂h_t at every checkpoint on one seeded batch → (time courses, per-unit statistics)."""
    timecourses, units = [], []
    for path in list_checkpoints(checkpoint_directory):
        model, task, payload = load_model(path)
        batch = make_test_set(task, n_trials, seed)
        training = TrainingConfig.from_dict(payload["run_config"].get("training", {}))
        states, grads = hidden_state_gradients(
            model,
            batch,
            label_smoothing=training.label_smoothing,
            fixdown_weight=training.fixdown_weight,
        )
        excitatory = model.excitatory.numpy()
        run, run_seed, step = payload["run_config"]["run"], payload["seed"], payload["step"]
        timecourses.append(
            _tag(
                credit.gradient_timecourse(states, grads, excitatory, batch.loss_mask),
                run, run_seed, step,
            )
        )
        units.append(
            _tag(
                credit.unit_statistics(grads, excitatory, batch.loss_mask),
                run, run_seed, step,
            )
        )
    return pd.concat(timecourses, ignore_index=True), pd.concat(units, ignore_index=True)


def weight_statistics(
    checkpoint_directory: str | Path, log10_min: float, log10_max: float, n_bins: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sign consistency against the step-0 checkpoint and log10|w| histograms, per checkpoint."""
    paths = list_checkpoints(checkpoint_directory)
    first = load_checkpoint(paths[0])
    initial = first["state_dict"]["weight_recurrent"].numpy()
    signs = first["state_dict"]["unit_signs"].numpy()
    edges = np.linspace(log10_min, log10_max, n_bins + 1)
    statistics, histograms = [], []
    for path in paths:
        payload = load_checkpoint(path)
        weight = payload["state_dict"]["weight_recurrent"].numpy()
        run, seed, step = payload["run_config"]["run"], payload["seed"], payload["step"]
        corrections = payload.get("sign_corrections")
        corrections = None if corrections is None else corrections.numpy()
        frame = weight_analysis.weight_statistics(weight, initial, signs, corrections)
        statistics.append(_tag(frame, run, seed, step))
        histograms.append(_tag(weight_analysis.weight_histograms(weight, signs, edges), run, seed, step))
    return pd.concat(statistics, ignore_index=True), pd.concat(histograms, ignore_index=True)


def final_checkpoint(checkpoint_directory: str | Path) -> Path:
    return list_checkpoints(checkpoint_directory)[-1]


def fixed_points(
    checkpoint_directory: str | Path, settings: dict
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Fixed points of the final checkpoint → (points, searches, example trajectories).

    ``settings`` is the study's fixed_point_sweep section plus ``inhibitory_fraction``.
    """
    settings = dict(settings)
    fraction = float(settings.pop("inhibitory_fraction"))
    finder = FixedPointSettings(**settings.pop("finder", {}))
    settings["input_conditions"] = tuple(settings.get("input_conditions", ()))
    network_settings = NetworkFixedPointSettings(finder=finder, **settings)
    model, task, payload = load_model(final_checkpoint(checkpoint_directory))
    frames = analyse_fixed_points(model, task, network_settings)
    run, seed = payload["run_config"]["run"], payload["seed"]
    tagged = []
    for frame in frames:
        frame = _tag(frame, run, seed)
        frame.insert(2, "inhibitory_fraction", fraction)
        tagged.append(frame)
    return tuple(tagged)
