"""One row per network: System A's per-seed scalars (precision, weight alignment, participation
ratios of the final network) from the stage tables, and their correlations across seeds.
Used by the aggregates and the figures (no torch)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

PR_FORMULAS = ("pr_thesis_eig", "pr_thesis_eigh", "pr_aligned", "pr_invariant",
               "pr_invariant_significant")
# What the performance scatter correlates with the precision, and how each is named.
MEASURES = {
    "cosine_input_output": "cosine(I, w)",
    "input_pr_thesis_eig": "I-PR, thesis formula",
    "input_pr_invariant": "I-PR, invariant",
    "output_pr_thesis_eig": "w-PR, thesis formula",
    "output_pr_invariant": "w-PR, invariant",
}


def final_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of each (run, seed)'s last checkpoint."""
    if frame.empty:
        return frame
    last = frame.groupby(["run", "seed"])["checkpoint_step"].transform("max")
    return frame[frame["checkpoint_step"] == last]


def seed_summary(precision: pd.DataFrame, alignment: pd.DataFrame,
                 ratios: pd.DataFrame) -> pd.DataFrame:
    """One row per (run, seed): ``precision`` (mean over the test durations of the final
    network's MSE), ``cosine_input_output``, ``cosine_input_initial``, ``cosine_output_initial``
    and ``<vector>_<formula>`` for every PR formula and vector (input, output)."""
    keys = ["run", "seed"]
    parts = []
    if not precision.empty:
        parts.append(final_rows(precision).groupby(keys, as_index=False)["mse"].mean()
                     .rename(columns={"mse": "precision"}))
    if not alignment.empty:
        parts.append(final_rows(alignment)[keys + ["cosine_input_output", "cosine_input_initial",
                                                   "cosine_output_initial"]])
    if not ratios.empty:
        wide = ratios.pivot_table(index=keys, columns="vector",
                                  values=[c for c in PR_FORMULAS if c in ratios])
        wide.columns = [f"{vector}_{formula}" for formula, vector in wide.columns]
        parts.append(wide.reset_index())
    if not parts:
        return pd.DataFrame(columns=keys)
    merged = parts[0]
    for part in parts[1:]:
        merged = merged.merge(part, on=keys, how="outer")
    return merged.sort_values(keys, ignore_index=True)


def pearson(x: np.ndarray, y: np.ndarray, level: float = 0.95) -> dict:
    """Pearson r with its Fisher-z confidence interval (NaN when n < 4) and two-sided p."""
    n = len(x)
    if n < 3 or np.std(x) == 0 or np.std(y) == 0:
        return dict(r=math.nan, ci_low=math.nan, ci_high=math.nan, p_value=math.nan, n=n)
    r, p = stats.pearsonr(x, y)
    low, high = _fisher_interval(r, 1.0 / math.sqrt(n - 3) if n > 3 else math.inf, level)
    return dict(r=float(r), ci_low=low, ci_high=high, p_value=float(p), n=n)


def spearman(x: np.ndarray, y: np.ndarray, level: float = 0.95) -> dict:
    """Spearman ρ with the Bonett–Wright (2000) Fisher-z interval, se = √((1 + ρ²/2)/(n − 3))
    (NaN when n < 4), and two-sided p."""
    n = len(x)
    if n < 3 or np.std(x) == 0 or np.std(y) == 0:
        return dict(r=math.nan, ci_low=math.nan, ci_high=math.nan, p_value=math.nan, n=n)
    rho, p = stats.spearmanr(x, y)
    se = math.sqrt((1 + rho**2 / 2) / (n - 3)) if n > 3 else math.inf
    low, high = _fisher_interval(rho, se, level)
    return dict(r=float(rho), ci_low=low, ci_high=high, p_value=float(p), n=n)


def _fisher_interval(r: float, se: float, level: float) -> tuple[float, float]:
    if not math.isfinite(se) or abs(r) >= 1:
        return math.nan, math.nan
    z = math.atanh(r)
    half = stats.norm.ppf(0.5 + level / 2) * se
    return math.tanh(z - half), math.tanh(z + half)


def correlations(summary: pd.DataFrame) -> pd.DataFrame:
    """Per run and measure (``MEASURES``), Pearson r and Spearman ρ of the measure with the
    precision across seeds: columns run, measure, method, r, ci_low, ci_high, p_value, n."""
    rows = []
    for run, frame in summary.groupby("run", sort=True):
        for measure in MEASURES:
            if measure not in frame or "precision" not in frame:
                continue
            both = frame[["precision", measure]].dropna()
            x, y = both["precision"].to_numpy(float), both[measure].to_numpy(float)
            for method, function in (("pearson", pearson), ("spearman", spearman)):
                rows.append(dict(run=run, measure=measure, method=method, **function(x, y)))
    return pd.DataFrame(rows, columns=["run", "measure", "method", "r", "ci_low", "ci_high",
                                       "p_value", "n"])
