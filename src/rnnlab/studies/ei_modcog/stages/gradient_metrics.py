"""Stage gradient_metrics: Fisher information and its Gini coefficient per population, from the
per-unit gradient statistics (tables only: no torch)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import rnnlab.studies.ei_modcog.tables  # noqa: F401  (registers the study's tables)
from rnnlab.analysis.credit import population_metrics_by_checkpoint
from rnnlab.tables import read_table


def gradient_metrics(unit_gradients: str | Path) -> dict[str, pd.DataFrame]:
    """{"gradient_metrics": Fisher mean, median and Gini per population and checkpoint}."""
    units = read_table(unit_gradients, "unit_gradients")
    return {"gradient_metrics": population_metrics_by_checkpoint(units)}
