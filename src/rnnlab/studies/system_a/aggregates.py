"""Across-seed aggregates of System A: ``statistic`` tables (mean with bootstrap 95% CI over
seeds, n seeds; for correlations across seeds r with its Fisher-z 95% CI and n)."""

from __future__ import annotations

import pandas as pd

from rnnlab.analysis.statistics import summarise_over_seeds
from rnnlab.studies.system_a.summary import correlations, final_rows, seed_summary


def precision_by_duration(tables, seed, n_resamples):
    """MSE per test duration of the first and the final checkpoint, over seeds."""
    frame = tables["duration_precision"]
    first = frame.groupby(["run", "seed"])["checkpoint_step"].transform("min")
    kept = frame[(frame["checkpoint_step"] == first)
                 | (frame.index.isin(final_rows(frame).index))]
    return summarise_over_seeds(kept, ["run", "checkpoint_step", "duration_ms"], ["mse"], seed,
                                n_resamples)


def network_summary(tables, seed, n_resamples):
    """Mean and bootstrap CI over seeds of every per-network scalar (``summary.seed_summary``)."""
    summary = seed_summary(tables["duration_precision"], tables["weight_alignment"],
                           tables["participation_ratios"])
    quantities = [c for c in summary.columns if c not in ("run", "seed")]
    return summarise_over_seeds(summary, ["run"], quantities, seed, n_resamples)


def performance_correlations(tables, seed, n_resamples):
    """Correlation of each measure with the precision across seeds: Pearson r (Fisher-z CI) and
    Spearman ρ (Bonett–Wright CI); quantity "<method>:<measure>", mean = the coefficient."""
    summary = seed_summary(tables["duration_precision"], tables["weight_alignment"],
                           tables["participation_ratios"])
    frame = correlations(summary)
    return pd.DataFrame({
        "run": frame["run"], "measure": frame["measure"], "method": frame["method"],
        "quantity": frame["method"] + ":" + frame["measure"], "mean": frame["r"],
        "ci_low": frame["ci_low"], "ci_high": frame["ci_high"],
        "n": frame["n"].astype("int64"), "p_value": frame["p_value"],
    })
