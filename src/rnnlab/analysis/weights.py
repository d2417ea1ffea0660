"""Sign consistency and magnitude distribution of the recurrent weights."""

from __future__ import annotations

import numpy as np
import pandas as pd


def _populations(signs: np.ndarray) -> dict[str, np.ndarray]:
    populations = {"E": signs > 0}
    if (signs < 0).any():
        populations["I"] = signs < 0
    return populations


def skewness(values: np.ndarray) -> float:
    """Sample skewness E[(x − μ)³]/σ³ (biased estimator, as scipy.stats.skew); 0 if σ = 0."""
    centred = values - values.mean()
    spread = np.sqrt((centred**2).mean())
    return float((centred**3).mean() / spread**3) if spread > 0 else 0.0


def weight_statistics(
    weight: np.ndarray,
    initial_weight: np.ndarray,
    signs: np.ndarray,
    sign_corrections: np.ndarray | None = None,
) -> pd.DataFrame:
    """Per presynaptic population (columns): sign flips since init, Dale violations, updates
    reflected back by the optimiser (``sign_corrections`` (N,), per presynaptic unit), and the
    mean / std / skewness of log10|w| (a log-normal |w| has zero skewness in log space)."""
    if sign_corrections is None:
        sign_corrections = np.zeros(len(signs), dtype=np.int64)
    rows = []
    for population, columns in _populations(signs).items():
        w = weight[:, columns]
        w0 = initial_weight[:, columns]
        expected = signs[columns][None, :]
        log_magnitude = np.log10(np.abs(w[w != 0]))
        rows.append(
            dict(
                population=population,
                n_weights=int(w.size),
                n_sign_flips=int((np.sign(w) != np.sign(w0)).sum()),
                n_mixed_sign_columns=int(((w * expected) < 0).any(axis=0).sum()),
                n_sign_corrections=int(sign_corrections[columns].sum()),
                log10_abs_mean=float(log_magnitude.mean()),
                log10_abs_std=float(log_magnitude.std()),
                log10_abs_skew=skewness(log_magnitude),
            )
        )
    return pd.DataFrame(rows)


def weight_histograms(
    weight: np.ndarray, signs: np.ndarray, bin_edges: np.ndarray
) -> pd.DataFrame:
    """Counts of log10|w| per presynaptic population on shared ``bin_edges``."""
    rows = []
    for population, columns in _populations(signs).items():
        w = weight[:, columns]
        counts, _ = np.histogram(np.log10(np.abs(w[w != 0])), bins=bin_edges)
        for left, right, count in zip(bin_edges[:-1], bin_edges[1:], counts):
            rows.append(
                dict(population=population, bin_left=float(left), bin_right=float(right),
                     count=int(count))
            )
    return pd.DataFrame(rows)
