"""Psychometric curves, their fits and PCA trajectories from choices and rates (numpy and
scipy only: the PsychRNN job, which must not import torch, uses them too).

Shapes: B trials, T steps, N units.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rnnlab.analysis.performance import fit_logistic_lapses, logistic_lapse_curve
from rnnlab.analysis.principal_components import PrincipalComponents


def choice_curve(signed: np.ndarray, choices: np.ndarray) -> pd.DataFrame:
    """One row per signed coherence: n, n_right, p_right."""
    frame = pd.DataFrame({"signed_coherence": signed, "right": (choices == 1).astype(np.int64)})
    curve = frame.groupby("signed_coherence", sort=True)["right"].agg(n="size", n_right="sum")
    curve = curve.reset_index()
    curve["n"] = curve["n"].astype(np.int64)
    curve["n_right"] = curve["n_right"].astype(np.int64)
    curve["p_right"] = curve["n_right"] / curve["n"]
    return curve


def curve_fit(curve: pd.DataFrame) -> dict:
    """Logistic fit with two lapse rates, and the two checks of the trained networks:
    accuracy at the largest |coherence| and P(right) at zero coherence."""
    fit = fit_logistic_lapses(curve["signed_coherence"], curve["n_right"], curve["n"])
    top = curve["signed_coherence"].abs().max()
    strongest = curve[curve["signed_coherence"].abs() == top]
    correct = np.where(strongest["signed_coherence"] > 0, strongest["n_right"],
                       strongest["n"] - strongest["n_right"]).sum()
    zero = curve[curve["signed_coherence"] == 0]
    return dict(
        slope=fit["slope"], bias=fit["bias"], lapse_low=fit["lapse_low"],
        lapse_high=fit["lapse_high"], log_likelihood=fit["log_likelihood"],
        n_trials=int(fit["n"]), converged=fit["converged"], at_bound=fit["at_bound"],
        top_coherence=float(top), accuracy_top=float(correct / strongest["n"].sum()),
        p_right_zero=float(zero["p_right"].iloc[0]) if len(zero) else float("nan"),
        # The fit at 0: the bias check with every trial of the grid, not only the n at zero
        # (binomial SE of the raw fraction: 0.5/√n, 0.065 at 60 trials).
        p_right_zero_fit=float(logistic_lapse_curve(0.0, fit["slope"], fit["bias"],
                                                    fit["lapse_low"], fit["lapse_high"])),
    )


def mean_trajectories(rates: np.ndarray, signed: np.ndarray, signed_coherences,
                      n_components: int = 3) -> pd.DataFrame:
    """Condition-averaged trajectories (per signed coherence, every step) projected on the top
    principal components of all single-trial rates (B·T × N). Columns signed_coherence,
    time_step, pc1..pc3, explained_1..explained_3 (fraction of variance); and the components.
    rates (B, T, N), signed (B,)."""
    flat = rates.reshape(-1, rates.shape[-1])
    components = PrincipalComponents.fit(flat, n_components)
    variance = flat.var(axis=0).sum()
    explained = [float(((flat - components.mean) @ c).var() / variance) if variance > 0 else 0.0
                 for c in components.components]
    explained += [0.0] * (3 - len(explained))
    rows = []
    for value in signed_coherences:
        mean = rates[signed == value].mean(axis=0)  # (T, N)
        projected = components.project(mean)
        for step, point in enumerate(projected):
            rows.append(dict(signed_coherence=float(value), time_step=step, pc1=point[0],
                             pc2=point[1], pc3=point[2], explained_1=explained[0],
                             explained_2=explained[1], explained_3=explained[2]))
    return pd.DataFrame(rows), components
