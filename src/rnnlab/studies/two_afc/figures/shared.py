"""What the 2AFC figures share: run colours and labels, the logistic curve of a fit."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rnnlab.analysis.performance import logistic_lapse_curve

RUN_COLORS = {
    "ungated": "#666666",
    "gated": "#0072B2",
    "noisy": "#E69F00",
    "curriculum": "#009E73",
    "acg": "#CC79A7",
    "causal": "#000000",
    "psychrnn_baseline": "#0072B2",
    "psychrnn_noisy": "#E69F00",
    "ctrnn_baseline": "#0072B2",
    "ctrnn_noisy": "#E69F00",
}
RUN_LABELS = {
    "ungated": "ungated (g ≡ α)",
    "gated": "gated (baseline)",
    "noisy": "gated + recurrent noise",
    "curriculum": "gated + curriculum",
    "acg": "gated + ACG",
    "causal": "vanilla (causal)",
    "psychrnn_baseline": "baseline",
    "psychrnn_noisy": "recurrent noise",
    "ctrnn_baseline": "baseline",
    "ctrnn_noisy": "recurrent noise",
}

# Tick labels of the per-run summaries (the legends carry the long labels).
SHORT_LABELS = {"ungated": "ungated", "gated": "gated", "noisy": "noisy",
                "curriculum": "curriculum", "acg": "ACG", "causal": "vanilla"}


def fit_values(fits: pd.DataFrame, run: str) -> dict:
    """{quantity: mean} of a run's rows of the psychometric_fits aggregate."""
    rows = fits[fits["run"] == run]
    return dict(zip(rows["quantity"], rows["mean"]))


def fitted_curve(values: dict, x: np.ndarray) -> np.ndarray:
    """The logistic with the seed-mean slope, bias and lapses."""
    return logistic_lapse_curve(x, values["slope"], values["bias"], values["lapse_low"],
                                values["lapse_high"])
