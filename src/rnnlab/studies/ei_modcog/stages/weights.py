"""Stage weight_statistics: sign consistency and log10|w| histograms of W_rec."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from rnnlab.analysis import weights as weight_analysis
from rnnlab.checkpoints import list_checkpoints, load_checkpoint
import rnnlab.studies.ei_modcog.tables  # noqa: F401  (registers the study's tables)
from rnnlab.stages.tagging import tag


def weight_statistics(
    checkpoints: str | Path, log10_min: float, log10_max: float, n_bins: int
) -> dict[str, pd.DataFrame]:
    """Sign consistency against the step-0 checkpoint and log10|w| histograms, per checkpoint."""
    paths = list_checkpoints(checkpoints)
    first = load_checkpoint(paths[0])
    initial = first["state_dict"]["weight_recurrent"].numpy()
    signs = first["state_dict"]["unit_signs"].numpy()
    edges = np.linspace(log10_min, log10_max, n_bins + 1)
    statistics, histograms = [], []
    for path in paths:
        payload = load_checkpoint(path)
        weight = payload["state_dict"]["weight_recurrent"].numpy()
        run, seed, step = payload["run_config"]["run"], payload["seed"], payload["step"]
        corrections = payload.get("sign_corrections")
        corrections = None if corrections is None else corrections.numpy()
        frame = weight_analysis.weight_statistics(weight, initial, signs, corrections)
        statistics.append(tag(frame, run, seed, step))
        histograms.append(tag(weight_analysis.weight_histograms(weight, signs, edges), run, seed, step))
    return {
        "weight_statistics": pd.concat(statistics, ignore_index=True),
        "weight_histograms": pd.concat(histograms, ignore_index=True),
    }
