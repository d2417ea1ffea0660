"""Across-seed statistics: mean with a percentile-bootstrap confidence interval, the fraction
of seeds that pass a verdict with its exact binomial (Clopper–Pearson) interval, and Gini."""

from __future__ import annotations

import numpy as np
import pandas as pd


def bootstrap_mean_ci(
    values: np.ndarray, rng: np.random.Generator, n_resamples: int = 2000, level: float = 0.95
) -> tuple[float, float, float]:
    """(mean, ci_low, ci_high) of ``values`` (n,); the CI is NaN when n < 2."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(values.mean())
    if values.size < 2:
        return mean, float("nan"), float("nan")
    resampled = rng.choice(values, size=(n_resamples, values.size), replace=True).mean(axis=1)
    tail = (1 - level) / 2
    low, high = np.quantile(resampled, [tail, 1 - tail])
    return mean, float(low), float(high)


def summarise_over_seeds(
    frame: pd.DataFrame,
    by: list[str],
    quantities: list[str],
    seed: int = 0,
    n_resamples: int = 2000,
) -> pd.DataFrame:
    """Tidy across-seed summary (schema ``statistic``): one row per group and quantity.

    ``frame`` holds one row per seed and group (average within a seed first); ``by`` are the
    grouping columns kept in the output.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for key, group in frame.groupby(by, sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        for quantity in quantities:
            mean, low, high = bootstrap_mean_ci(group[quantity].to_numpy(), rng, n_resamples)
            row = dict(zip(by, key))
            row.update(
                quantity=quantity,
                mean=mean,
                ci_low=low,
                ci_high=high,
                n=int(group[quantity].notna().sum()),
            )
            rows.append(row)
    columns = by + ["quantity", "mean", "ci_low", "ci_high", "n"]
    return pd.DataFrame(rows, columns=columns)


def binomial_interval(successes: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Clopper–Pearson (exact) interval of a binomial proportion: (low, high), NaN for n = 0.

    Exact coverage ≥ ``level`` for every true proportion, and meaningful for the few seeds a
    study trains (3 of 3 passing: [0.29, 1]), where a bootstrap of 0/1 values collapses to the
    single point [1, 1]."""
    from scipy.stats import beta

    if n <= 0:
        return float("nan"), float("nan")
    tail = (1 - level) / 2
    low = 0.0 if successes <= 0 else float(beta.ppf(tail, successes, n - successes + 1))
    high = 1.0 if successes >= n else float(beta.ppf(1 - tail, successes + 1, n - successes))
    return low, high


def summarise_fractions_over_seeds(frame: pd.DataFrame, by: list[str], quantities: list[str],
                                   level: float = 0.95) -> pd.DataFrame:
    """Like ``summarise_over_seeds`` for verdicts (values 1 = pass, 0 = fail, NaN = not
    tested): ``mean`` is the fraction of seeds that pass, [ci_low, ci_high] its Clopper–Pearson
    interval (``binomial_interval``), n the seeds with a verdict."""
    rows = []
    for key, group in frame.groupby(by, sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        for quantity in quantities:
            values = group[quantity].to_numpy(dtype=float)
            values = values[np.isfinite(values)]
            passed, n = int((values >= 0.5).sum()), int(values.size)
            low, high = binomial_interval(passed, n, level)
            row = dict(zip(by, key))
            row.update(quantity=quantity, mean=passed / n if n else float("nan"),
                       ci_low=low, ci_high=high, n=n)
            rows.append(row)
    return pd.DataFrame(rows, columns=by + ["quantity", "mean", "ci_low", "ci_high", "n"])


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values: 0 when all equal, → 1 when one holds all."""
    values = np.sort(np.asarray(values, dtype=float))
    n = values.size
    total = values.sum()
    if n == 0 or total == 0:
        return 0.0
    ranks = np.arange(1, n + 1)
    return float((2 * (ranks * values).sum()) / (n * total) - (n + 1) / n)
