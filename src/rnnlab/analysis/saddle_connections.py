"""Flip-flop structure from fixed-point results: which stable points each saddle separates.

Inputs are plain arrays, as in ``rnnlab.analysis.attractors`` (numpy only, no torch): states
(P, N), stability labels (P,), eigenvalues (P, N) complex with the leading (most unstable) one
first and the leading right eigenvectors (P, N). A saddle's unstable eigenvector ±v points, at
each end, at the stable point it flows to: the stable point best aligned with ±v from the saddle.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from rnnlab.analysis.attractors import _cosine, _fix_phase

__all__ = ["FlipFlopStructure", "flip_flop_structure"]

# Hyperparameters (defaults of the public functions).
FLOW_UNSTABLE_TOLERANCE = 1e-3  # as classify_flow_stability
MAP_UNSTABLE_TOLERANCE = 0.02  # as classify_map_motif
COSINE_TIE = 1e-3  # stable points this close to the best cosine tie; the nearest wins


@dataclass(frozen=True)
class FlipFlopStructure:
    """Stable points and the unstable points between them.

    Attributes:
        unstable: one row per point with ≥ 1 unstable eigenvalue: ``point``, ``n_unstable``,
            ``is_saddle`` (exactly one unstable direction), ``unstable_eigenvalue_real`` /
            ``_imag`` (the leading one), and for each end ``plus`` / ``minus`` of the leading
            unstable eigenvector ±v: ``<end>_point`` (index of the stable point it points at,
            −1 if none lies on that side), ``<end>_cosine`` (cos of v with the direction to that
            point), ``<end>_distance``; ``connects_two`` (two different stable points found).
        n_points, n_stable, n_saddles: counts (stable = label "stable"; saddle = one unstable
            direction).
        n_unstable_other: points with ≥ 2 unstable directions.
        n_other: points neither stable nor unstable by the eigenvalues (e.g. marginal).
    """

    unstable: pd.DataFrame
    n_points: int
    n_stable: int
    n_saddles: int
    n_unstable_other: int
    n_other: int

    def counts(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "unstable"}


def _unstable_count(eigenvalues: np.ndarray, time_kind: str, tolerance: float) -> np.ndarray:
    """(P,) number of unstable eigenvalues per point (flow: Re λ > tol·max|λ|; map: |λ| > 1+tol)."""
    eigenvalues = np.asarray(eigenvalues, dtype=np.complex128)
    if time_kind == "flow":
        threshold = tolerance * np.abs(eigenvalues).max(axis=1, keepdims=True)
        return (eigenvalues.real > threshold).sum(axis=1)
    if time_kind == "map":
        return (np.abs(eigenvalues) > 1.0 + tolerance).sum(axis=1)
    raise ValueError(f"time_kind must be 'flow' or 'map', not {time_kind!r}")


def _stable_point_along(origin: np.ndarray, direction: np.ndarray, stable: np.ndarray,
                        stable_index: np.ndarray) -> tuple[int, float, float]:
    """The stable point (index, cosine, distance) best aligned with ``direction`` from
    ``origin``: the largest cosine; within COSINE_TIE of it, the nearest. (−1, NaN, NaN) when
    no stable point lies at a positive cosine."""
    offsets = stable - origin  # (S, N)
    distance = np.linalg.norm(offsets, axis=1)
    cosine = _cosine(offsets, np.broadcast_to(direction, offsets.shape))
    candidates = np.flatnonzero(np.nan_to_num(cosine, nan=-1.0) > 0)
    if len(candidates) == 0:
        return -1, float("nan"), float("nan")
    best = cosine[candidates].max()
    tied = candidates[cosine[candidates] >= best - COSINE_TIE]
    chosen = tied[np.argmin(distance[tied])]
    return int(stable_index[chosen]), float(cosine[chosen]), float(distance[chosen])


def flip_flop_structure(
    states: np.ndarray,
    labels: np.ndarray,
    eigenvalues: np.ndarray,
    right_vectors: np.ndarray,
    time_kind: str = "flow",
    tolerance: float | None = None,
) -> FlipFlopStructure:
    """Which stable points each saddle separates.

    Args:
        states: (P, N) fixed points.
        labels: (P,) str stability labels; "stable" marks the stable points.
        eigenvalues: (P, N) complex, leading (most unstable) first.
        right_vectors: (P, N) leading right eigenvectors (the unstable direction of a saddle).
        time_kind: "flow" or "map", for counting unstable eigenvalues.
        tolerance: instability band; default 1e-3 (flow, relative) or 0.02 (map).
    """
    states = np.asarray(states, dtype=np.float64)
    labels = np.asarray(labels).astype(str)
    if tolerance is None:
        tolerance = FLOW_UNSTABLE_TOLERANCE if time_kind == "flow" else MAP_UNSTABLE_TOLERANCE
    n_unstable = _unstable_count(eigenvalues, time_kind, tolerance)
    is_stable = labels == "stable"
    stable_index = np.flatnonzero(is_stable)
    rows = []
    for p in np.flatnonzero((n_unstable > 0) & ~is_stable):
        direction = _fix_phase(np.asarray(right_vectors[p], dtype=np.complex128)).real
        row = dict(
            point=int(p),
            n_unstable=int(n_unstable[p]),
            is_saddle=bool(n_unstable[p] == 1),
            unstable_eigenvalue_real=float(np.real(eigenvalues[p][0])),
            unstable_eigenvalue_imag=float(np.imag(eigenvalues[p][0])),
        )
        for end, sign in (("plus", 1.0), ("minus", -1.0)):
            index, cosine, distance = _stable_point_along(
                states[p], sign * direction, states[stable_index], stable_index
            )
            row.update({f"{end}_point": index, f"{end}_cosine": cosine,
                        f"{end}_distance": distance})
        row["connects_two"] = (
            row["plus_point"] >= 0 and row["minus_point"] >= 0
            and row["plus_point"] != row["minus_point"]
        )
        rows.append(row)
    columns = ["point", "n_unstable", "is_saddle", "unstable_eigenvalue_real",
               "unstable_eigenvalue_imag", "plus_point", "plus_cosine", "plus_distance",
               "minus_point", "minus_cosine", "minus_distance", "connects_two"]
    unstable = pd.DataFrame(rows, columns=columns)
    n_saddles = int(((n_unstable == 1) & ~is_stable).sum())
    n_unstable_other = int(((n_unstable > 1) & ~is_stable).sum())
    return FlipFlopStructure(
        unstable=unstable,
        n_points=len(states),
        n_stable=int(is_stable.sum()),
        n_saddles=n_saddles,
        n_unstable_other=n_unstable_other,
        n_other=len(states) - int(is_stable.sum()) - n_saddles - n_unstable_other,
    )
