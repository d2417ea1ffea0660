"""Circular statistics of report errors and the two mixture models, fitted by maximum likelihood.

Errors ε (rad) are wrapped to [−π, π). With the trigonometric moments m_p = mean(e^{ipε}) =
R_p e^{iθ_p}:

- mean resultant length R̄ = R₁; circular SD √(−2 ln R̄);
- ``circular_variance`` = −2 ln R̄, the squared circular SD: what the seed (and the human data it
  compares with) calls circular variance — not the textbook 1 − R̄;
- circular kurtosis (R₂ cos(θ₂ − 2θ₁) − R₁⁴) / (1 − R₁)² (Fisher 1993).

For a von Mises VM(0, κ): R_p = A_p(κ) = I_p(κ)/I₀(κ), θ_p = 0 (``von_mises_moments``), which the
tests check the sample statistics against.

Mixture models (Zhang & Luck 2008), each a density on the circle:

- ``von_mises``: p(ε) = (1 − g)·VM(ε; 0, κ) + g/(2π); the memory component's SD is the circular
  SD of VM(κ), √(−2 ln A₁(κ));
- ``gaussian``:  p(ε) = (1 − g)·WN(ε; 0, σ) + g/(2π), WN the normal N(0, σ²) wrapped onto the
  circle (a proper density for any σ; the seed's unwrapped normal loses the mass beyond ±π).

g is the guess rate. The negative log-likelihood is minimised over (logit g, log κ or log σ) by
L-BFGS-B with the analytic gradient from a grid of starts (the best end is kept), instead of
the seed's 800 Adam steps from one start.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit, i0e, i1e, ive, logit

LOG_2PI = np.log(2 * np.pi)
WRAPS = 3  # images ±2πk, k ≤ 3, of the wrapped normal: exact to 1e-16 for σ ≤ 2π
GUESS_BOUNDS = (1e-6, 1 - 1e-6)
KAPPA_BOUNDS = (1e-3, 1e5)
SIGMA_BOUNDS = (1e-3, 20.0)
MIXTURES = ("von_mises", "gaussian")


def wrap(angle: np.ndarray) -> np.ndarray:
    return (np.asarray(angle, dtype=float) + np.pi) % (2 * np.pi) - np.pi


def trigonometric_moment(errors: np.ndarray, order: int = 1) -> complex:
    return complex(np.mean(np.exp(1j * order * np.asarray(errors, dtype=float))))


@dataclass(frozen=True)
class CircularSummary:
    n: int
    mean_resultant_length: float
    circular_variance: float  # −2 ln R̄
    circular_sd: float
    circular_kurtosis: float
    linear_sd: float
    mean_absolute_error: float


def circular_summary(errors: np.ndarray) -> CircularSummary:
    """Circular statistics of ``errors`` (n,) in rad (module docstring); NaN when empty."""
    errors = wrap(errors)
    if errors.size == 0:
        nan = float("nan")
        return CircularSummary(0, nan, nan, nan, nan, nan, nan)
    m1, m2 = trigonometric_moment(errors, 1), trigonometric_moment(errors, 2)
    r1 = abs(m1)
    variance = -2 * np.log(r1) if r1 > 0 else float("inf")
    kurtosis = (abs(m2) * np.cos(np.angle(m2) - 2 * np.angle(m1)) - r1**4) / (1 - r1) ** 2
    return CircularSummary(int(errors.size), float(r1), float(variance), float(np.sqrt(variance)),
                           float(kurtosis), float(np.std(errors)), float(np.mean(np.abs(errors))))


def bessel_ratio(order: int, kappa: float) -> float:
    """A_p(κ) = I_p(κ)/I₀(κ), stable for large κ (exponentially scaled Bessel functions)."""
    return float(ive(order, kappa) / i0e(kappa))


def von_mises_moments(kappa: float) -> tuple[float, float]:
    """(−2 ln R̄, circular kurtosis) of VM(0, κ) in closed form."""
    a1, a2 = bessel_ratio(1, kappa), bessel_ratio(2, kappa)
    return -2 * np.log(a1), (a2 - a1**4) / (1 - a1) ** 2


def von_mises_sd(kappa: float) -> float:
    """Circular SD √(−2 ln A₁(κ)) of VM(κ) (rad)."""
    return float(np.sqrt(-2 * np.log(float(i1e(kappa) / i0e(kappa)))))


# ----------------------------------------------------------------------------- densities


def log_von_mises(errors: np.ndarray, kappa: float) -> np.ndarray:
    """log VM(ε; 0, κ) = κ cos ε − log(2π I₀(κ)), with log I₀(κ) = log i0e(κ) + κ."""
    return kappa * (np.cos(errors) - 1) - LOG_2PI - np.log(i0e(kappa))


def log_wrapped_normal(errors: np.ndarray, sigma: float) -> np.ndarray:
    shifts = 2 * np.pi * np.arange(-WRAPS, WRAPS + 1)
    z = (np.asarray(errors)[..., None] + shifts) / sigma
    return (np.logaddexp.reduce(-0.5 * z * z, axis=-1) - np.log(sigma) - 0.5 * LOG_2PI)


def mixture_log_density(errors: np.ndarray, model: str, guess_rate: float,
                        width: float) -> np.ndarray:
    """log p(ε) of mixture ``model`` with guess rate g and width κ (von_mises) or σ (gaussian)."""
    errors = wrap(errors)
    component = (log_von_mises(errors, width) if model == "von_mises"
                 else log_wrapped_normal(errors, width))
    return np.logaddexp(np.log1p(-guess_rate) + component, np.log(guess_rate) - LOG_2PI)


# ----------------------------------------------------------------------------- fitting


@dataclass(frozen=True)
class MixtureFit:
    model: str
    guess_rate: float
    width: float  # κ (von_mises) or σ in rad (gaussian)
    sd: float  # SD of the memory component, rad
    log_likelihood: float
    n: int
    converged: bool


def _component_and_gradient(errors: np.ndarray, model: str,
                            width: float) -> tuple[np.ndarray, np.ndarray]:
    """(c(ε), ∂c/∂log width) of the memory component's density at ``errors``."""
    if model == "von_mises":
        log_c = log_von_mises(errors, width)
        c = np.exp(log_c)
        # ∂ log VM/∂κ = cos ε − A₁(κ)
        return c, c * (np.cos(errors) - bessel_ratio(1, width)) * width
    shifts = 2 * np.pi * np.arange(-WRAPS, WRAPS + 1)
    z = (errors[:, None] + shifts) / width
    phi = np.exp(-0.5 * z * z - 0.5 * LOG_2PI) / width
    # ∂/∂σ of φ(z)/σ is φ(z)/σ · (z² − 1)/σ; times σ for the log parameterisation
    return phi.sum(axis=1), (phi * (z * z - 1)).sum(axis=1)


def fit_mixture(errors: np.ndarray, model: str) -> MixtureFit:
    """Maximum-likelihood fit of ``model`` ("von_mises" or "gaussian") to ``errors`` (rad):
    L-BFGS-B on (logit g, log width) with the analytic gradient, from starts around the
    moment estimate of the width and three guess rates; the best end is kept."""
    if model not in MIXTURES:
        raise ValueError(f"unknown mixture {model!r}; expected one of {MIXTURES}")
    errors = wrap(errors)
    if errors.size < 2:
        nan = float("nan")
        return MixtureFit(model, nan, nan, nan, nan, int(errors.size), False)
    bounds = KAPPA_BOUNDS if model == "von_mises" else SIGMA_BOUNDS

    def negative_log_likelihood(x: np.ndarray) -> tuple[float, np.ndarray]:
        guess = float(expit(x[0]))
        width = float(np.exp(x[1]))
        component, d_component = _component_and_gradient(errors, model, width)
        density = (1 - guess) * component + guess / (2 * np.pi)
        d_guess = -np.sum((1 / (2 * np.pi) - component) / density) * guess * (1 - guess)
        d_width = -np.sum((1 - guess) * d_component / density)
        return -float(np.log(density).sum()), np.array([d_guess, d_width])

    # the moment estimate of the width if every error were remembered (a start, not a fit)
    sd = min(np.sqrt(max(circular_summary(errors).circular_variance, 1e-8)), 3.0)
    moment = 1 / sd**2 if model == "von_mises" else sd
    widths = [float(np.clip(moment * f, *bounds)) for f in (0.5, 1.0, 4.0)]
    best = None
    for guess in (0.02, 0.3, 0.7):
        for width in widths:
            result = minimize(negative_log_likelihood, [logit(guess), np.log(width)], jac=True,
                              method="L-BFGS-B",
                              bounds=[(logit(GUESS_BOUNDS[0]), logit(GUESS_BOUNDS[1])),
                                      (np.log(bounds[0]), np.log(bounds[1]))])
            if best is None or result.fun < best.fun:
                best = result
    guess = float(np.clip(expit(best.x[0]), *GUESS_BOUNDS))
    width = float(np.clip(np.exp(best.x[1]), *bounds))
    sd = von_mises_sd(width) if model == "von_mises" else width
    return MixtureFit(model, guess, width, float(sd), float(-best.fun), int(errors.size),
                      bool(best.success))
