"""Principal components of System A's activity and the participation ratio (PR) of a weight
vector on them: the thesis's formula and the standard one, side by side.

With e_i the unit eigenvectors of the rate covariance and c_i = e_i·v the coefficients of a
weight vector v (I or w) on them:

* thesis PR        (Σ c_i)² / Σ c_i²        the thesis's formula. Each e_i is defined only up
                                            to its sign, and flipping e_i flips c_i: the value
                                            depends on whatever signs the eigensolver returns.
                                            Over random signs its mean is exactly 1.
* aligned PR       (Σ |c_i|)² / Σ c_i²      the thesis formula with every sign chosen to agree:
                                            its maximum over the 2^N sign choices.
* invariant PR     (Σ c_i²)² / Σ c_i⁴       the standard PR of v on an orthonormal basis:
                                            sign-invariant, 1 (one PC) … N (spread evenly).

Both also depend on how the basis is chosen inside a degenerate eigenspace: PCs whose variance
is numerically zero (below ``tolerance`` × the largest) have no defined direction, so the
invariant PR is also given on the significant PCs alone, with the fraction of |v|² they hold.

The thesis's covariance matrices (``pca_matrix``, ``pca_trials``): of the firing rates
r = tanh(h) over a time window, normalised by n − 1 (spontaneous activity) or n (memory period,
averaged over three trials), decomposed with ``numpy.linalg.eig`` (a general eigensolver:
eigenvalues unsorted, vectors not necessarily orthogonal for clustered eigenvalues). Here the
covariance is computed in one product instead of the thesis's N² Python loop (equal to it, see
the tests) and symmetrised exactly, as the loop's is.

Shapes: rates (T, N); covariance (N, N); eigenvectors as columns (N, N).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def covariance(rates: np.ndarray, ddof: int) -> np.ndarray:
    """(N, N) covariance of rates (T, N) over time, float64, exactly symmetric."""
    values = np.asarray(rates, dtype=np.float64)
    centred = values - values.mean(axis=0)
    matrix = centred.T @ centred / (values.shape[0] - ddof)
    return (matrix + matrix.T) / 2


def thesis_eigenvectors(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """``numpy.linalg.eig`` as the thesis calls it: (eigenvalues (N,), eigenvectors (N, N) as
    columns, whether eig returned a complex result); the real parts are kept (for a symmetric
    matrix the imaginary parts are rounding)."""
    values, vectors = np.linalg.eig(matrix)
    complex_result = np.iscomplexobj(values) or np.iscomplexobj(vectors)
    return np.real(values), np.real(vectors), bool(complex_result)


def principal_components(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``numpy.linalg.eigh``: eigenvalues in decreasing order (N,) and orthonormal
    eigenvectors as columns (N, N)."""
    values, vectors = np.linalg.eigh(matrix)
    order = np.argsort(values)[::-1]
    return values[order], vectors[:, order]


def coefficients(vectors: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """c_i = e_i · v for each column e_i of ``vectors`` (N, K) and v (N,) → (K,)."""
    return vectors.T @ np.asarray(weight, dtype=np.float64)


def thesis_pr(c: np.ndarray) -> float:
    """(Σ c)² / Σ c²: the thesis's formula (sign-dependent)."""
    return float(np.sum(c) ** 2 / np.sum(c**2))


def aligned_pr(c: np.ndarray) -> float:
    """(Σ |c|)² / Σ c²: the thesis's formula with all signs agreeing (its maximum)."""
    return float(np.sum(np.abs(c)) ** 2 / np.sum(c**2))


def invariant_pr(c: np.ndarray) -> float:
    """(Σ c²)² / Σ c⁴: the standard, sign-invariant participation ratio."""
    squares = c**2
    return float(np.sum(squares) ** 2 / np.sum(squares**2))


def sign_flipped_prs(c: np.ndarray, rng: np.random.Generator, n_draws: int) -> np.ndarray:
    """The thesis's PR after flipping each eigenvector's sign at random (each of the N signs
    ±1 with probability ½, independently, per draw): (n_draws,). Their mean is 1."""
    signs = rng.choice(np.array([-1.0, 1.0]), size=(n_draws, len(c)))
    return (signs @ c) ** 2 / np.sum(c**2)


def activity_dimension(eigenvalues: np.ndarray) -> float:
    """(Σ λ)² / Σ λ²: the participation ratio of the covariance spectrum (negative rounding
    values set to 0)."""
    values = np.clip(eigenvalues, 0.0, None)
    return float(values.sum() ** 2 / np.sum(values**2))


@dataclass(frozen=True)
class ProjectionSummary:
    """Every PR of one weight vector on one covariance (see the module docstring)."""

    pr_thesis_eig: float  # thesis formula, numpy.linalg.eig's eigenvectors (as the thesis)
    pr_thesis_eigh: float  # thesis formula, numpy.linalg.eigh's eigenvectors
    pr_aligned: float
    pr_invariant: float
    pr_invariant_significant: float
    significant_fraction: float  # of |v|² on the significant PCs
    n_significant: int
    sign_flip_median: float
    sign_flip_low: float  # 2.5 % quantile over random signs
    sign_flip_high: float  # 97.5 % quantile
    activity_dimension: float
    eig_complex: bool


def project(matrix: np.ndarray, weight: np.ndarray, rng: np.random.Generator, n_draws: int,
            tolerance: float) -> tuple[ProjectionSummary, dict[str, np.ndarray]]:
    """Every PR of ``weight`` (N,) on the eigenvectors of ``matrix`` (N, N).

    Returns the summary and the arrays behind it: ``eigenvalues`` (decreasing), ``coefficients``
    (eigh's, in that order), ``significant`` (bool), ``sign_flips`` (n_draws,).
    """
    _, eig_vectors, eig_complex = thesis_eigenvectors(matrix)
    values, vectors = principal_components(matrix)
    c_eig = coefficients(eig_vectors, weight)
    c = coefficients(vectors, weight)
    significant = values > tolerance * max(values[0], 0.0)
    flips = sign_flipped_prs(c, rng, n_draws)
    low, median, high = np.quantile(flips, [0.025, 0.5, 0.975])
    summary = ProjectionSummary(
        pr_thesis_eig=thesis_pr(c_eig),
        pr_thesis_eigh=thesis_pr(c),
        pr_aligned=aligned_pr(c),
        pr_invariant=invariant_pr(c),
        pr_invariant_significant=invariant_pr(c[significant]) if significant.any() else np.nan,
        significant_fraction=float(np.sum(c[significant] ** 2) / np.sum(c**2)),
        n_significant=int(significant.sum()),
        sign_flip_median=float(median),
        sign_flip_low=float(low),
        sign_flip_high=float(high),
        activity_dimension=activity_dimension(values),
        eig_complex=eig_complex,
    )
    return summary, dict(eigenvalues=values, coefficients=c, significant=significant,
                         sign_flips=flips)
