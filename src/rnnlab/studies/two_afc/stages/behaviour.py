"""Behaviour and state space of one trained network: psychometric curve and logistic fit, PCA
trajectories, class-centroid separation, robustness to random silencing.

Every function takes numpy arrays or a network and a seeded test set; no training noise. Test
trials of a psychometric grid: each signed coherence ``repeats`` times (``tasks.signed_trials``),
drawn from ``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rnnlab.studies.two_afc.curves import choice_curve, curve_fit, mean_trajectories  # noqa: F401
from rnnlab.studies.two_afc.models import UnitPerturbation, numpy_rates
from rnnlab.studies.two_afc.tasks import grid_batch  # noqa: F401


def decision_choices(model, batch, perturbation=None) -> tuple[np.ndarray, np.ndarray]:
    """(choices (B,) 0 = left / 1 = right at the decision step, rates (B, T, N))."""
    logits, rates = numpy_rates(model, batch.inputs, perturbation)
    return logits[:, -1].argmax(axis=1).astype(np.int64), rates


def centroid_separation(rates_at_decision: np.ndarray, labels: np.ndarray) -> dict:
    """‖μ₀ − μ₁‖ of the decision-time rates (B, N), the within-class spread (RMS distance of a
    trial to its class centroid) and their ratio."""
    left, right = rates_at_decision[labels == 0], rates_at_decision[labels == 1]
    mu_left, mu_right = left.mean(axis=0), right.mean(axis=0)
    spread = np.sqrt(np.concatenate([((left - mu_left) ** 2).sum(1),
                                     ((right - mu_right) ** 2).sum(1)]).mean())
    separation = float(np.linalg.norm(mu_left - mu_right))
    return dict(separation=separation, within_spread=float(spread),
                separation_ratio=separation / spread if spread > 0 else float("nan"))


def robustness(model, batch, labels: np.ndarray, fractions, draws: int, seed: int):
    """Accuracy with a random fraction of the units silenced (r_i ← 0), ``draws`` random sets
    per fraction (numpy default_rng(seed)). Rows fraction, draw, n_silenced, accuracy."""
    rng = np.random.default_rng(seed)
    n = model.hidden_size
    rows = []
    for fraction in fractions:
        count = int(round(fraction * n))
        for draw in range(draws if count > 0 else 1):
            units = np.sort(rng.choice(n, size=count, replace=False)) if count else []
            choices, _ = decision_choices(model, batch, UnitPerturbation.lesion(units))
            rows.append(dict(fraction=float(fraction), draw=draw, n_silenced=count,
                             accuracy=float((choices == labels).mean())))
    return pd.DataFrame(rows)
