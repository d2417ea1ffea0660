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
    states: np.ndarray,
    gradients: np.ndarray,
    excitatory: np.ndarray,
    running: np.ndarray,
    slopes: np.ndarray | None = None,
) -> pd.DataFrame:
    """Per time step and population: ‖g‖₂, √(Σg²/n), mean|g|, cosine(h, g), averaged over the
    trials still running at that step (``running`` (B, T) bool). With ``slopes`` (B, T, N),
    φ′(u_t) of ``rnnlab.analysis.gradients.preactivation_slopes``, also the gate-adjusted
    gradient's per-unit norm √(Σ(g φ′(u))²/n) (``gated_rms``)."""
    rows = []
    for population, units in _populations(excitatory).items():
        g = gradients[:, :, units]
        h = states[:, :, units]
        gated = None
        if slopes is not None:
            gated = np.linalg.norm(g * slopes[:, :, units], axis=-1) / np.sqrt(units.sum())
        l2 = np.linalg.norm(g, axis=-1)
        rms = l2 / np.sqrt(units.sum())
        mean_abs = np.abs(g).mean(axis=-1)
        norms = np.linalg.norm(h, axis=-1) * l2
        cosine = np.divide((h * g).sum(-1), norms, out=np.zeros_like(norms), where=norms > 0)
        counts = running.sum(axis=0)
        for t in np.flatnonzero(counts):
            trials = running[:, t]
            row = dict(
                time_step=int(t),
                population=population,
                l2_norm=float(l2[trials, t].mean()),
                rms=float(rms[trials, t].mean()),
                mean_abs=float(mean_abs[trials, t].mean()),
                cosine=float(cosine[trials, t].mean()),
            )
            if gated is not None:
                row["gated_rms"] = float(gated[trials, t].mean())
            row["n_trials"] = int(counts[t])
            rows.append(row)
    return pd.DataFrame(rows)


def saliency_map(gradients: np.ndarray, excitatory: np.ndarray, running: np.ndarray) -> pd.DataFrame:
    """Time × unit saliency: mean |∂L/∂h_i| over the trials running at step t, one row per
    (unit, time step), with the unit's population (the thesis' per-population saliency maps)."""
    counts = running.sum(axis=0)
    steps = np.flatnonzero(counts)
    absolute = np.abs(gradients) * running[:, :, None]
    mean = absolute[:, steps].sum(axis=0) / counts[steps, None]  # (T', N)
    n_units = gradients.shape[-1]
    return pd.DataFrame(
        dict(
            unit=np.tile(np.arange(n_units, dtype=np.int64), len(steps)),
            population=np.tile(np.where(excitatory, "E", "I"), len(steps)),
            time_step=np.repeat(steps.astype(np.int64), n_units),
            mean_abs=mean.ravel(),
        )
    )


def unit_statistics(
    gradients: np.ndarray, excitatory: np.ndarray, running: np.ndarray
) -> pd.DataFrame:
    """Per unit: Fisher-like information F_i = mean over running (trial, step) of g_i², mean
    |g_i|, and the cumulative backprop Σ_t |g_i,t| summed over each trial's running steps and
    averaged over trials (``cumulative_abs``: the total credit a unit receives in a trial)."""
    selected = gradients[running]  # (number of running trial-steps, N)
    cumulative = (np.abs(gradients) * running[:, :, None]).sum(axis=1).mean(axis=0)
    return pd.DataFrame(
        dict(
            unit=np.arange(gradients.shape[-1], dtype=np.int64),
            population=np.where(excitatory, "E", "I"),
            fisher=(selected**2).mean(axis=0),
            mean_abs=np.abs(selected).mean(axis=0),
            cumulative_abs=cumulative,
        )
    )


def population_metrics(units: pd.DataFrame) -> pd.DataFrame:
    """From ``unit_statistics`` rows: mean and median Fisher information and its Gini
    coefficient within each population (and, when the rows have it, the population's mean
    cumulative backprop per unit)."""
    rows = []
    for population, group in units.groupby("population", sort=True):
        fisher = group["fisher"].to_numpy()
        row = dict(
            population=population,
            fisher_mean=float(fisher.mean()),
            fisher_median=float(np.median(fisher)),
            gini=gini(fisher),
        )
        if "cumulative_abs" in group:
            row["cumulative_abs_mean"] = float(group["cumulative_abs"].mean())
        row["n_units"] = int(fisher.size)
        rows.append(row)
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
