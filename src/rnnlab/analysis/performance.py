"""Task-performance analyses of regression (MSE) tasks, on numpy arrays (no torch).

* :func:`masked_mse`, :func:`validation_score` – how well outputs match targets on the loss
  steps;
* :func:`cddm_choices`, :func:`psychometric_surface`, :func:`fit_psychometric`,
  :func:`psychometric_curves` – the context-dependent decision-making behaviour (choices,
  fraction-right surfaces over the coherence grid, probit psychometric fits);
* :func:`fit_logistic_lapses`, :func:`logistic_lapse_curve` – a logistic psychometric function
  with separate lower and upper lapse rates (any two-choice task).

Shapes: B = trials, T = time steps, O = output channels.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, special

__all__ = [
    "masked_mse",
    "validation_score",
    "cddm_choices",
    "psychometric_surface",
    "fit_psychometric",
    "psychometric_curves",
    "fit_logistic_lapses",
    "logistic_lapse_curve",
    "SLOPE_BOUND_FACTOR",
]

#: Default slope bound = SLOPE_BOUND_FACTOR / (smallest gap between distinct x). A slope that
#: large moves Φ from 10⁻⁹ to 1 − 10⁻⁹ inside that gap, so data cannot tell it from a steeper
#: one; the bound keeps perfectly separated (all-0 / all-1) data finite.
SLOPE_BOUND_FACTOR: float = 12.0

SURFACE_KEYS: list[str] = ["context", "relevant_coherence", "irrelevant_coherence"]


def _masked_pairs(
    outputs: np.ndarray, targets: np.ndarray, loss_mask: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Outputs and targets on the masked steps, each (N, O) float64 (N = masked steps)."""
    outputs = np.asarray(outputs, dtype=np.float64)
    targets = np.asarray(targets, dtype=np.float64)
    mask = np.asarray(loss_mask, dtype=bool)
    if outputs.ndim != 3 or outputs.shape != targets.shape:
        raise ValueError(
            f"outputs and targets must both be (B, T, O), got {outputs.shape} and {targets.shape}"
        )
    if mask.shape != outputs.shape[:2]:
        raise ValueError(f"loss_mask must be (B, T) = {outputs.shape[:2]}, got {mask.shape}")
    if not mask.any():
        raise ValueError("loss_mask selects no step")
    return outputs[mask], targets[mask]


def masked_mse(outputs: np.ndarray, targets: np.ndarray, loss_mask: np.ndarray) -> float:
    """Mean squared error over the masked steps and all output channels.

    Args:
        outputs: (B, T, O) network outputs.
        targets: (B, T, O) targets.
        loss_mask: bool (B, T), True on the steps that count.
    """
    out, tgt = _masked_pairs(outputs, targets, loss_mask)
    return float(np.mean((out - tgt) ** 2))


def validation_score(outputs: np.ndarray, targets: np.ndarray, loss_mask: np.ndarray) -> float:
    """R²-like score: 1 − masked MSE / masked variance of the targets.

    The variance is taken around each output channel's own mean over the masked steps, pooled
    over channels (mean over steps and channels), so predicting every channel's mean target
    scores exactly 0 and perfect outputs score 1; worse-than-mean outputs score below 0.

    Args:
        outputs: (B, T, O) network outputs.
        targets: (B, T, O) targets.
        loss_mask: bool (B, T), True on the steps that count.

    Returns:
        The score, or NaN when the masked targets are constant (no variance to explain).
    """
    out, tgt = _masked_pairs(outputs, targets, loss_mask)
    variance = float(np.mean((tgt - tgt.mean(axis=0)) ** 2))
    if variance == 0.0:
        return float("nan")
    return 1.0 - float(np.mean((out - tgt) ** 2)) / variance


def cddm_choices(outputs: np.ndarray, decision_mask: np.ndarray) -> np.ndarray:
    """Choice of each trial: sign(out_right − out_left) at its last decision step.

    Args:
        outputs: (B, T, 2) outputs [right, left].
        decision_mask: bool (B, T), True on the decision period.

    Returns:
        int64 (B,): +1 right, −1 left (0 on an exact tie).
    """
    outputs = np.asarray(outputs, dtype=np.float64)
    mask = np.asarray(decision_mask, dtype=bool)
    if outputs.ndim != 3 or outputs.shape[2] != 2:
        raise ValueError(f"outputs must be (B, T, 2), got {outputs.shape}")
    if mask.shape != outputs.shape[:2]:
        raise ValueError(f"decision_mask must be (B, T) = {outputs.shape[:2]}, got {mask.shape}")
    if not mask.any(axis=1).all():
        raise ValueError("every trial needs at least one decision step")
    T = mask.shape[1]
    last = T - 1 - np.argmax(mask[:, ::-1], axis=1)
    final = outputs[np.arange(outputs.shape[0]), last]
    return np.sign(final[:, 0] - final[:, 1]).astype(np.int64)


def psychometric_surface(conditions: pd.DataFrame, choices: np.ndarray) -> pd.DataFrame:
    """Fraction of right choices per (context, relevant_coherence, irrelevant_coherence).

    Args:
        conditions: one row per trial with columns ``context``, ``relevant_coherence``,
            ``irrelevant_coherence`` (a cddm ``TaskBatch.conditions``).
        choices: (B,) +1 right / −1 left (ties, 0, count as not right).

    Returns:
        One row per cell, sorted: the three key columns, ``n`` (trials), ``n_right``,
        ``fraction_right``.
    """
    choices = np.asarray(choices).ravel()
    if len(conditions) != choices.size:
        raise ValueError(f"{len(conditions)} condition rows but {choices.size} choices")
    missing = [c for c in SURFACE_KEYS if c not in conditions.columns]
    if missing:
        raise ValueError(f"conditions lack the columns {missing}")
    frame = conditions[SURFACE_KEYS].reset_index(drop=True).copy()
    frame["right"] = (choices == 1).astype(np.int64)
    surface = (
        frame.groupby(SURFACE_KEYS, sort=True)["right"].agg(n="size", n_right="sum").reset_index()
    )
    surface["n"] = surface["n"].astype(np.int64)
    surface["n_right"] = surface["n_right"].astype(np.int64)
    surface["fraction_right"] = surface["n_right"] / surface["n"]
    return surface


def _probit_log_likelihood(params, x, k, n, with_lapse):
    """Binomial log-likelihood (up to the binomial coefficient) of P = γ + (1 − 2γ)Φ(βx + α)."""
    beta, alpha = params[0], params[1]
    z = beta * x + alpha
    if not with_lapse:
        # log Φ via log_ndtr stays finite far in the tails (robust at fractions 0 and 1).
        return np.sum(k * special.log_ndtr(z) + (n - k) * special.log_ndtr(-z))
    gamma = params[2]
    with np.errstate(divide="ignore"):
        log_gamma, log_scale = np.log(gamma), np.log1p(-2.0 * gamma)
    log_p = np.logaddexp(log_gamma, log_scale + special.log_ndtr(z))
    log_q = np.logaddexp(log_gamma, log_scale + special.log_ndtr(-z))
    return np.sum(k * log_p + (n - k) * log_q)


def _probit_gradient(params, x, k, n):
    """Gradient of the lapse-free log-likelihood with respect to (β, α)."""
    z = params[0] * x + params[1]
    log_pdf = -0.5 * z**2 - 0.5 * np.log(2.0 * np.pi)
    # d/dz log Φ(z) = φ/Φ, computed in log space (inverse Mills ratio).
    dz = k * np.exp(log_pdf - special.log_ndtr(z)) - (n - k) * np.exp(
        log_pdf - special.log_ndtr(-z)
    )
    return np.array([np.sum(dz * x), np.sum(dz)])


def fit_psychometric(
    x: np.ndarray,
    fraction_right: np.ndarray,
    n: np.ndarray,
    *,
    lapse: bool = False,
    max_slope: float | None = None,
) -> dict[str, float | bool]:
    """Maximum-likelihood probit fit P(right) = γ + (1 − 2γ)·Φ(β x + α).

    The likelihood is binomial: k = fraction_right · n right choices out of n at each x
    (k need not be an integer, e.g. for pooled fractions). Without ``lapse`` γ = 0 and the
    problem is convex; fractions of exactly 0 or 1 are fine (log Φ is evaluated with
    ``scipy.special.log_ndtr``). Perfectly separated data have an infinite ML slope; β is bounded
    by ``max_slope`` (default ``SLOPE_BOUND_FACTOR`` / smallest gap between distinct x) and
    ``at_bound`` reports when the likelihood still grows towards it (the fit is then put on the
    bound: the optimiser would stop short of it, where the likelihood is flat to tolerance).
    The fit runs on standardised x for conditioning.

    Args:
        x: (M,) stimulus values (e.g. signed coherences).
        fraction_right: (M,) fraction of right choices at each x, in [0, 1].
        n: (M,) number of trials at each x (entries with n = 0 are ignored).
        lapse: also fit a symmetric lapse rate γ ∈ [0, 0.5).
        max_slope: bound on |β|.

    Returns:
        dict with ``slope`` β, ``bias`` −α/β (the x of P = 0.5; NaN when β = 0), ``intercept``
        α, ``lapse`` γ (0 without ``lapse``), ``log_likelihood`` (the full binomial
        log-likelihood, coefficient included), ``n`` (total trials), ``converged``,
        ``at_bound``.
    """
    x = np.asarray(x, dtype=np.float64).ravel()
    fraction = np.asarray(fraction_right, dtype=np.float64).ravel()
    n = np.asarray(n, dtype=np.float64).ravel()
    if not x.shape == fraction.shape == n.shape:
        raise ValueError(f"x, fraction_right and n differ in length: {x.size}, {fraction.size}, "
                         f"{n.size}")  # fmt: skip
    if not (np.all(np.isfinite(x)) and np.all(n >= 0)):
        raise ValueError("x must be finite and n non-negative")
    if np.any((fraction < 0) | (fraction > 1)):
        raise ValueError("fraction_right must lie in [0, 1]")
    keep = n > 0
    x, n = x[keep], n[keep]
    k = fraction[keep] * n
    distinct = np.unique(x)
    if distinct.size < 2:
        raise ValueError("need trials at two or more distinct x to fit a psychometric curve")
    if max_slope is None:
        max_slope = SLOPE_BOUND_FACTOR / float(np.diff(distinct).min())

    # Standardise x: β x + α = β_s x_s + α_s with x_s = (x − μ) / σ.
    mu, sigma = float(np.average(x, weights=n)), float(np.std(distinct))
    xs = (x - mu) / sigma
    bound_s = max_slope * sigma
    # α_s range: the 0.5 point may sit far outside the data when the curve is flat.
    bounds = [(-bound_s, bound_s), (-50.0, 50.0)] + ([(0.0, 0.5 - 1e-9)] if lapse else [])
    start = np.array([1.0, 0.0] + ([0.01] if lapse else []))

    def objective(params):
        return -_probit_log_likelihood(params, xs, k, n, lapse)

    jac = None if lapse else (lambda params: -_probit_gradient(params, xs, k, n))
    result = optimize.minimize(objective, start, jac=jac, method="L-BFGS-B", bounds=bounds)
    params, value, at_bound = _steepened_if_separated(result.x, float(result.fun), objective,
                                                      bound_s)
    gamma = float(params[2]) if lapse else 0.0
    slope, intercept = _unstandardised(params, mu, sigma)
    return {
        "slope": slope,
        "bias": -intercept / slope if slope != 0 else float("nan"),
        "intercept": intercept,
        "lapse": gamma,
        "log_likelihood": float(-value + _binomial_log_coefficient(n, k)),
        "n": float(n.sum()),
        "converged": bool(result.success),
        "at_bound": at_bound,
    }


def psychometric_curves(surface: pd.DataFrame, *, lapse: bool = False) -> pd.DataFrame:
    """Probit fits per context along the relevant and the irrelevant coherence axis.

    For each context, the surface is pooled over the other axis (counts summed, so the pooled
    fraction is the n-weighted average of the cell fractions) and :func:`fit_psychometric` is
    fitted along ``relevant_coherence`` (axis "relevant") and along ``irrelevant_coherence``
    (axis "irrelevant"). A network that ignores the irrelevant stimulus has an irrelevant slope
    near 0, and then that axis' bias is not meaningful.

    Args:
        surface: output of :func:`psychometric_surface`.
        lapse: passed to :func:`fit_psychometric`.

    Returns:
        Tidy frame, one row per (context, axis): ``context``, ``axis``, ``slope``, ``bias``,
        ``intercept``, ``lapse``, ``log_likelihood``, ``n``, ``converged``, ``at_bound``.
    """
    missing = [c for c in SURFACE_KEYS + ["n", "n_right"] if c not in surface.columns]
    if missing:
        raise ValueError(f"surface lacks the columns {missing}")
    rows = []
    for context, cells in surface.groupby("context", sort=True):
        for axis in ("relevant", "irrelevant"):
            pooled = cells.groupby(f"{axis}_coherence", sort=True)[["n", "n_right"]].sum()
            fit = fit_psychometric(
                pooled.index.to_numpy(dtype=np.float64),
                (pooled["n_right"] / pooled["n"]).to_numpy(),
                pooled["n"].to_numpy(),
                lapse=lapse,
            )
            rows.append({"context": context, "axis": axis, **fit})
    return pd.DataFrame(rows)


def logistic_lapse_curve(x, slope: float, bias: float, lapse_low: float,
                         lapse_high: float) -> np.ndarray:
    """P(right | x) = γ_low + (1 − γ_low − γ_high) · σ(β (x − bias)), σ the logistic."""
    x = np.asarray(x, dtype=np.float64)
    return lapse_low + (1.0 - lapse_low - lapse_high) * special.expit(slope * (x - bias))


def _logistic_lapse_log_likelihood(params, x, k, n):
    """Binomial log-likelihood (without the coefficient) of ``logistic_lapse_curve`` with
    z = β x + α, in log space (finite at fractions 0 and 1 and at zero lapses)."""
    beta, alpha, low, high = params
    z = beta * x + alpha
    with np.errstate(divide="ignore"):
        log_low, log_high = np.log(low), np.log(high)
        log_scale = np.log1p(-(low + high))
    log_sigmoid = -np.logaddexp(0.0, -z)
    log_sigmoid_negative = -np.logaddexp(0.0, z)
    log_p = np.logaddexp(log_low, log_scale + log_sigmoid)
    log_q = np.logaddexp(log_high, log_scale + log_sigmoid_negative)
    return np.sum(k * log_p + (n - k) * log_q)


def fit_logistic_lapses(
    x: np.ndarray,
    n_right: np.ndarray,
    n: np.ndarray,
    *,
    max_lapse: float = 0.5,
    max_slope: float | None = None,
    lapse_starts: tuple[float, ...] = (0.001, 0.05, 0.2),
) -> dict[str, float | bool]:
    """Maximum-likelihood fit of P(right | x) = γ_low + (1 − γ_low − γ_high)·σ(β(x − bias)).

    σ is the logistic function; γ_low is the rate of "right" choices on the strongest left
    evidence and γ_high that of "left" choices on the strongest right evidence (lapses, each in
    [0, ``max_lapse``]). The binomial likelihood of ``n_right`` of ``n`` choices at each x is
    maximised by L-BFGS-B on standardised x from several lapse starts (the best kept); the
    slope is bounded as in :func:`fit_psychometric` (``at_bound`` when perfectly separated data
    push it there).

    Args:
        x: (M,) stimulus values (e.g. signed coherences).
        n_right: (M,) "right" choices at each x.
        n: (M,) trials at each x (entries with n = 0 are ignored).

    Returns:
        dict with ``slope`` β (per unit x; σ' at the midpoint is β/4), ``bias`` (x of the
        midpoint between the asymptotes), ``lapse_low``, ``lapse_high``, ``log_likelihood``
        (full binomial, coefficient included), ``n``, ``converged``, ``at_bound``.
    """
    x = np.asarray(x, dtype=np.float64).ravel()
    k = np.asarray(n_right, dtype=np.float64).ravel()
    n = np.asarray(n, dtype=np.float64).ravel()
    if not x.shape == k.shape == n.shape:
        raise ValueError(f"x, n_right and n differ in length: {x.size}, {k.size}, {n.size}")
    if not (np.all(np.isfinite(x)) and np.all(n >= 0) and np.all((k >= 0) & (k <= n))):
        raise ValueError("x must be finite, n non-negative and 0 ≤ n_right ≤ n")
    if not 0 <= max_lapse < 1:
        raise ValueError("max_lapse must lie in [0, 1)")
    keep = n > 0
    x, k, n = x[keep], k[keep], n[keep]
    distinct = np.unique(x)
    if distinct.size < 2:
        raise ValueError("need trials at two or more distinct x to fit a psychometric curve")
    if max_slope is None:
        max_slope = SLOPE_BOUND_FACTOR / float(np.diff(distinct).min())
    mu, sigma = float(np.average(x, weights=n)), float(np.std(distinct))
    xs = (x - mu) / sigma
    bound_s = max_slope * sigma
    lapse_bound = min(max_lapse, 0.5 - 1e-9)
    bounds = [(-bound_s, bound_s), (-50.0, 50.0), (0.0, lapse_bound), (0.0, lapse_bound)]

    def objective(params):
        return -_logistic_lapse_log_likelihood(params, xs, k, n)

    best = None
    for lapse in lapse_starts:
        start = np.array([1.0, 0.0, min(lapse, lapse_bound), min(lapse, lapse_bound)])
        result = optimize.minimize(objective, start, method="L-BFGS-B", bounds=bounds)
        if best is None or result.fun < best.fun:
            best = result
    params, value, at_bound = _steepened_if_separated(best.x, float(best.fun), objective,
                                                      bound_s)
    slope, intercept = _unstandardised(params, mu, sigma)
    return {
        "slope": slope,
        "bias": -intercept / slope if slope != 0 else float("nan"),
        "lapse_low": float(params[2]),
        "lapse_high": float(params[3]),
        "log_likelihood": float(-value + _binomial_log_coefficient(n, k)),
        "n": float(n.sum()),
        "converged": bool(best.success),
        "at_bound": at_bound,
    }


def _steepened_if_separated(params, value, objective, bound_s):
    """(params, value, at_bound): on separated data scaling (β, α) up to the slope bound still
    raises the likelihood, so the fit is moved there and flagged."""
    params = params.copy()
    if params[0] != 0:
        scaled = params.copy()
        scaled[:2] *= bound_s / abs(params[0])
        scaled_value = float(objective(scaled))
        if scaled_value <= value:
            return scaled, scaled_value, True
    return params, value, False


def _unstandardised(params, mu, sigma):
    """(slope, intercept) on the raw coherence axis from (β, α) fitted on the standardised one."""
    beta_s, alpha_s = float(params[0]), float(params[1])
    return beta_s / sigma, alpha_s - beta_s * mu / sigma


def _binomial_log_coefficient(n, k):
    """Σ log C(n, k): turns the fitted negative log-likelihood into the binomial one."""
    return np.sum(special.gammaln(n + 1) - special.gammaln(k + 1) - special.gammaln(n - k + 1))
