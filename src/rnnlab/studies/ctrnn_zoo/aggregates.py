"""Across-seed aggregates of the CTRNN zoo: ``statistic`` tables (mean, bootstrap 95% CI, n
seeds) of per-seed quantities."""

from __future__ import annotations

from rnnlab.analysis.statistics import summarise_over_seeds


def zoo_performance(tables, seed, n_resamples):
    """Validation score and MSE of the CTRNN-zoo networks per run and task."""
    return summarise_over_seeds(
        tables["task_performance"], ["run", "task"], ["validation_score", "mse"], seed, n_resamples
    )
