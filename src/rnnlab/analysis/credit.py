"""Credit assignment statistics by population, from ∂L/∂h_t arrays (numpy only, no torch).

Shapes: B trials, T steps, N units; ``running`` (B, T) marks the steps inside each trial.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rnnlab.analysis.statistics import gini


def _populations(excitatory: np.ndarray) -> dict[str, np.ndarray]:
    populations = {"E": excitatory}
    if (~excitatory).any():
        populations["I"] = ~excitatory
    return populations


def gradient_timecourse(
    states: np.ndarray, gradients: np.ndarray, excitatory: np.ndarray, running: np.ndarray
) -> pd.DataFrame:
    """Per time step and population: ‖g‖₂, √(Σg²/n), mean|g|, cosine(h, g), averaged over the
    trials still running at that step (``running`` (B, T) bool)."""
    rows = []
    for population, units in _populations(excitatory).items():
        g = gradients[:, :, units]
        h = states[:, :, units]
        l2 = np.linalg.norm(g, axis=-1)
        rms = l2 / np.sqrt(units.sum())
        mean_abs = np.abs(g).mean(axis=-1)
        norms = np.linalg.norm(h, axis=-1) * l2
        cosine = np.divide((h * g).sum(-1), norms, out=np.zeros_like(norms), where=norms > 0)
        counts = running.sum(axis=0)
        for t in np.flatnonzero(counts):
            trials = running[:, t]
            rows.append(
                dict(
                    time_step=int(t),
                    population=population,
                    l2_norm=float(l2[trials, t].mean()),
                    rms=float(rms[trials, t].mean()),
                    mean_abs=float(mean_abs[trials, t].mean()),
                    cosine=float(cosine[trials, t].mean()),
                    n_trials=int(counts[t]),
                )
            )
    return pd.DataFrame(rows)


def unit_statistics(
    gradients: np.ndarray, excitatory: np.ndarray, running: np.ndarray
) -> pd.DataFrame:
    """Per unit: Fisher-like information F_i = mean over running (trial, step) of g_i², and
    mean |g_i|."""
    selected = gradients[running]  # (number of running trial-steps, N)
    return pd.DataFrame(
        dict(
            unit=np.arange(gradients.shape[-1], dtype=np.int64),
            population=np.where(excitatory, "E", "I"),
            fisher=(selected**2).mean(axis=0),
            mean_abs=np.abs(selected).mean(axis=0),
        )
    )


def population_metrics(units: pd.DataFrame) -> pd.DataFrame:
    """From ``unit_statistics`` rows: mean and median Fisher information and its Gini
    coefficient within each population."""
    rows = []
    for population, group in units.groupby("population", sort=True):
        fisher = group["fisher"].to_numpy()
        rows.append(
            dict(
                population=population,
                fisher_mean=float(fisher.mean()),
                fisher_median=float(np.median(fisher)),
                gini=gini(fisher),
                n_units=int(fisher.size),
            )
        )
    return pd.DataFrame(rows)


def population_metrics_by_checkpoint(unit_gradients: pd.DataFrame) -> pd.DataFrame:
    """``population_metrics`` for every (run, seed, checkpoint_step) of a unit_gradients table."""
    keys = ["run", "seed", "checkpoint_step"]
    frames = []
    for (run, seed, step), group in unit_gradients.groupby(keys, sort=True):
        frame = population_metrics(group)
        frame.insert(0, "checkpoint_step", np.int64(step))
        frame.insert(0, "seed", np.int64(seed))
        frame.insert(0, "run", run)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)
