"""Across-seed aggregates of the CTRNN zoo: ``statistic`` tables (mean, 95% interval, n seeds)
of per-seed quantities.

Continuous quantities get the mean over seeds with its percentile-bootstrap interval
(``summarise_over_seeds``); verdicts (1 pass / 0 fail per seed) the fraction of seeds that pass
with its exact Clopper–Pearson interval (``summarise_fractions_over_seeds``). Column
``interval`` says which.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rnnlab.analysis.statistics import summarise_fractions_over_seeds, summarise_over_seeds

#: A network counts as trained when its validation score reaches this fraction of the ideal
#: observer's on the same trials (``task_performance.score_fraction_of_ideal``).
TRAINED_FRACTION = 0.9
PERFORMANCE = ["validation_score", "mse", "ideal_score", "score_fraction_of_ideal"]
#: Summary quantities of ``attractor_analytics`` that are verdicts (1 / 0 per seed).
VERDICTS = ("is_line_attractor", "is_ring_attractor", "is_closed", "homology_closed",
            "neighbours_closed", "is_flip_flop")


def _with_interval(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    frame = frame.copy()
    frame.insert(0, "interval", kind)
    return frame


def zoo_performance(tables, seed, n_resamples):
    """Validation score, MSE, ideal-observer score and their ratio per run and task
    (bootstrap), and ``is_trained`` (score ≥ TRAINED_FRACTION × ideal; fraction of seeds)."""
    frame = tables["task_performance"].copy()
    for column in ("ideal_score", "score_fraction_of_ideal"):  # tables of older stages
        if column not in frame:
            frame[column] = np.nan
    frame["is_trained"] = np.where(frame["score_fraction_of_ideal"].notna(),
                                   (frame["score_fraction_of_ideal"] >= TRAINED_FRACTION)
                                   .astype(float), np.nan)
    continuous = summarise_over_seeds(frame, ["run", "task"], PERFORMANCE, seed, n_resamples)
    verdicts = summarise_fractions_over_seeds(frame, ["run", "task"], ["is_trained"])
    return pd.concat([_with_interval(continuous, "bootstrap"),
                      _with_interval(verdicts, "clopper_pearson")], ignore_index=True)


def zoo_attractors(tables, seed, n_resamples):
    """Every summary quantity of ``attractor_analytics`` (rows with point −1) per run, input
    condition and analysis: verdicts as the fraction of seeds that pass (Clopper–Pearson),
    the rest as the mean over seeds (bootstrap); infinite values count as missing."""
    analytics = tables["attractor_analytics"]
    by = ["run", "task", "input_condition", "analysis"]
    summary = analytics[analytics["point"] == -1]
    columns = by + ["quantity", "mean", "ci_low", "ci_high", "n"]
    if summary.empty:
        return pd.DataFrame(columns=["interval"] + columns)
    wide = summary.pivot_table(index=by + ["seed"], columns="quantity", values="value",
                               aggfunc="first", dropna=False).reset_index()
    wide = wide.replace([np.inf, -np.inf], np.nan)
    frames = []
    for keys, group in wide.groupby(["analysis"], sort=True):
        present = [q for q in summary.loc[summary["analysis"] == keys[0], "quantity"].unique()]
        verdicts = [q for q in present if q in VERDICTS]
        values = [q for q in present if q not in VERDICTS]
        if values:
            frames.append(_with_interval(
                summarise_over_seeds(group, by, sorted(values), seed, n_resamples), "bootstrap"))
        if verdicts:
            frames.append(_with_interval(
                summarise_fractions_over_seeds(group, by, sorted(verdicts)), "clopper_pearson"))
    result = pd.concat(frames, ignore_index=True)
    # A quantity absent from a condition's analysis (another condition of the task has it).
    return result[result["n"] > 0].reset_index(drop=True)
