"""pulse_memory's aggregate: recall error per amplitude bin, over seeds."""

from __future__ import annotations

from rnnlab.analysis.statistics import summarise_over_seeds


def recall_curve(tables, seed, n_resamples):
    return summarise_over_seeds(
        tables["recall_errors"], ["run", "amplitude"], ["squared_error"], seed, n_resamples
    )
