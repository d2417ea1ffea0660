"""Across-seed aggregates: a study's aggregate function, named by path, applied to the per-seed
tables it reads.

An aggregate function ``f(tables, seed, n_resamples, **settings)`` takes {table name: every seed's rows} and
returns a ``statistic`` table (grouping columns, quantity, mean, bootstrap 95% CI, n), reducing
each quantity to one value per seed first so that n counts seeds, never trials
(``rnnlab.analysis.statistics.summarise_over_seeds``). Studies define theirs in
``rnnlab.studies.<study>.aggregates``.
"""

from __future__ import annotations

from typing import Callable

import pandas as pd

from rnnlab.workflow.names import resolve


def aggregate(
    function: str | Callable, tables: dict[str, pd.DataFrame], seed: int, n_resamples: int,
    **settings,
) -> pd.DataFrame:
    """Apply aggregate ``function`` (a callable or its ``"module:function"`` path) with the
    aggregate's ``settings`` (keyword arguments; none for most aggregates)."""
    if isinstance(function, str):
        function = resolve(function)
    return function(tables, seed, n_resamples, **settings)
