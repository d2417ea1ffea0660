"""Attractor geometry from fixed-point results: line attractors and ring attractors (the
flip-flop structure of saddles between stable points: ``rnnlab.analysis.saddle_connections``).

Inputs are plain arrays, e.g. the fields of a ``FixedPointResult`` (numpy only, no torch):
states (P, N) fixed points, eigenvalues (P, N) complex sorted with the leading one first (largest
Re λ for flows, largest |λ| for maps), the leading right / left eigenvectors (P, N), and
optionally the Jacobians (P, N, N) for eigenvectors of other eigenvalues.

Conventions (P = points, N = state dimension):

* The marginal eigenvalue of a point is the one closest to ``marginal_target``: 0 for flows
  (continuous time), 1 for maps. It counts as marginal when |λ − target| ≤ tolerance × max|λ|
  (relative, as in ``classify_flow_stability``: unit-free and reachable at finite precision).
* Its right eigenvector v (J v = λ v) is taken from the Jacobian when given, otherwise from the
  leading vectors when the marginal eigenvalue is the leading one, otherwise it is NaN.
* Left eigenvectors w satisfy wᵀ J = λ wᵀ. Along a line attractor w is the selection vector
  (Mante, Sussillo et al. 2013): an input pulse δu moves the state along the line by
  (wᵀ δu)/(wᵀ v) · v, so its cosine with an input direction says how strongly (and with which
  sign) that input is integrated.
* Eigenvectors are used through their real parts (exact for the real eigenvalues of line and
  ring attractors and of saddles).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "RingAttractor",
    "eigenvector_for",
    "line_attractor",
    "line_coverage",
    "ring_attractor",
]

# Hyperparameters (defaults of the public functions).
MARGINAL_TOLERANCE = 1e-2  # relative band around the marginal target
RING_BINS = 36  # angular bins of 10°
TANGENT_WINDOW = 0.1  # a line's local direction: from points within ±10 % of its extent


# ---------------------------------------------------------------------------------------------
# Linear algebra helpers


def _unit(vectors: np.ndarray) -> np.ndarray:
    """Rows of (..., N) scaled to unit norm; zero rows become NaN."""
    norm = np.linalg.norm(vectors, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(norm > 0, vectors / np.where(norm > 0, norm, 1.0), np.nan)


def _cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise cosine of real (..., N) arrays (NaN for a zero row)."""
    return np.sum(_unit(a) * _unit(b), axis=-1)


def _fix_phase(vector: np.ndarray) -> np.ndarray:
    """(N,) complex: unit norm, largest-magnitude component real and positive."""
    vector = vector / np.linalg.norm(vector)
    pivot = vector[np.argmax(np.abs(vector))]
    return vector * (np.conj(pivot) / np.abs(pivot))


def eigenvector_for(jacobian: np.ndarray, target: complex
                    ) -> tuple[complex, np.ndarray, np.ndarray]:
    """The eigenvalue of ``jacobian`` closest to ``target`` with its eigenvectors.

    Args:
        jacobian: (N, N) real or complex matrix J.
        target: eigenvalue to look for (e.g. 0 for the marginal mode of a flow).
    Returns:
        (λ, right (N,), left (N,)), complex128: J v = λ v with ‖v‖ = 1 and its largest
        component real positive; wᵀ J = λ wᵀ with ‖w‖ = 1 and wᵀ v real positive (so the pair
        has a consistent sign, as a selection vector needs).
    """
    jacobian = np.asarray(jacobian)
    values, right = np.linalg.eig(jacobian)
    index = int(np.argmin(np.abs(values - target)))
    value = complex(values[index])
    right_vector = _fix_phase(right[:, index])
    values_t, left = np.linalg.eig(jacobian.T)
    left_vector = left[:, int(np.argmin(np.abs(values_t - value)))]
    return value, right_vector, _align_left(left_vector, right_vector)


def _align_left(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Left vector (N,) with unit norm and wᵀ v real positive (unchanged phase if wᵀ v = 0)."""
    left = left / np.linalg.norm(left)
    overlap = left @ right
    if abs(overlap) == 0 or not np.isfinite(overlap):
        return left
    return left * (np.conj(overlap) / abs(overlap))


def _marginal_modes(eigenvalues: np.ndarray, right_vectors: np.ndarray | None,
                    left_vectors: np.ndarray | None, jacobians: np.ndarray | None,
                    target: complex) -> dict[str, np.ndarray]:
    """Per point, the eigenvalue closest to ``target`` and its right / left eigenvectors.

    Returns arrays value (P,) complex, right (P, N) complex, left (P, N) complex (NaN where
    unavailable) and is_leading (P,) bool (the marginal eigenvalue is eigenvalues[:, 0]).
    """
    eigenvalues = np.asarray(eigenvalues, dtype=np.complex128)
    n_points, n_states = eigenvalues.shape
    index = np.argmin(np.abs(eigenvalues - target), axis=1)
    value = eigenvalues[np.arange(n_points), index]
    right = np.full((n_points, n_states), np.nan, dtype=np.complex128)
    left = np.full((n_points, n_states), np.nan, dtype=np.complex128)
    for p in range(n_points):
        if jacobians is not None:
            _, right[p], left[p] = eigenvector_for(jacobians[p], value[p])
        elif index[p] == 0:
            if right_vectors is not None:
                right[p] = _fix_phase(np.asarray(right_vectors[p], dtype=np.complex128))
            if left_vectors is not None and right_vectors is not None:
                left[p] = _align_left(np.asarray(left_vectors[p], dtype=np.complex128), right[p])
    return dict(value=value, right=right, left=left, is_leading=index == 0)


def _is_marginal(eigenvalues: np.ndarray, value: np.ndarray, target: complex,
                 tolerance: float) -> np.ndarray:
    """(P,) bool: |λ_marginal − target| ≤ tolerance × max|λ| per point."""
    scale = np.abs(np.asarray(eigenvalues)).max(axis=1)
    return np.abs(value - target) <= tolerance * scale


def _principal_axes(states: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Centre (N,), principal axes (k, N) (each with its largest component positive, so the
    orientation is deterministic) and explained-variance ratios (k,), k = min(P, N)."""
    center = states.mean(axis=0)
    _, singular, axes = np.linalg.svd(states - center, full_matrices=False)
    signs = np.sign(axes[np.arange(len(axes)), np.abs(axes).argmax(axis=1)])
    axes = axes * np.where(signs == 0, 1.0, signs)[:, None]
    variance = singular**2
    total = variance.sum()
    ratio = variance / total if total > 0 else np.full_like(variance, np.nan)
    return center, axes, ratio


# ---------------------------------------------------------------------------------------------
# Line attractor


def _line_tangents(ordered: np.ndarray, position: np.ndarray) -> np.ndarray:
    """Local unit directions (P, N) of points (P, N) ordered by ``position`` (P,) on the line's
    first principal axis: the first principal axis of the points within ± ``TANGENT_WINDOW`` of
    the range (at least the 3 nearest), pointing towards increasing position; NaN for a single
    point. Not neighbour differences: a slow-point search scatters 100+ points across a line by
    more than their spacing, which turns those differences across it (tests/test_attractors)."""
    if len(ordered) < 2:
        return np.full_like(ordered, np.nan)
    half_width = TANGENT_WINDOW * (position.max() - position.min())
    tangents = np.empty_like(ordered)
    for index in range(len(ordered)):
        gap = np.abs(position - position[index])
        near = np.flatnonzero(gap <= half_width)
        near = near if len(near) >= 3 else np.argsort(gap, kind="stable")[:3]
        axis = np.linalg.svd(ordered[near] - ordered[near].mean(axis=0), full_matrices=False)[2][0]
        first, last = near[np.argmin(position[near])], near[np.argmax(position[near])]
        tangents[index] = -axis if axis @ (ordered[last] - ordered[first]) < 0 else axis
    return tangents


def line_attractor(
    states: np.ndarray,
    eigenvalues: np.ndarray,
    right_vectors: np.ndarray | None = None,
    left_vectors: np.ndarray | None = None,
    input_directions: dict[str, np.ndarray] | None = None,
    marginal_tolerance: float = MARGINAL_TOLERANCE,
    jacobians: np.ndarray | None = None,
    marginal_target: complex = 0.0,
) -> pd.DataFrame:
    """Geometry and selection vectors of fixed points lying on a line.

    Args:
        states: (P, N) fixed points on (or near) the line.
        eigenvalues: (P, N) complex, leading first.
        right_vectors, left_vectors: (P, N) leading right / left eigenvectors.
        input_directions: name → (N,) direction in state space, e.g. the columns of W_in for
            the relevant, irrelevant and context inputs.
        marginal_tolerance: relative band for ``is_marginal`` (module docstring).
        jacobians: optional (P, N, N); needed when the marginal eigenvalue is not the leading one.
        marginal_target: 0 for flows, 1 for maps.

    Returns:
        One row per point, ordered along the line (by the coordinate on the points' first
        principal axis): ``point`` (row in ``states``), ``order``, ``position`` (that
        coordinate), ``line_variance_explained`` (of the first axis, the same for all rows),
        ``marginal_eigenvalue_real`` / ``_imag``, ``is_marginal``, ``marginal_is_leading``,
        ``right_tangent_cosine`` (|cos| of v with the local line direction), ``selection_vector``
        (w as a list, signed so that wᵀ v > 0 with v pointing towards increasing position),
        and ``selection_cosine_<name>`` = cos(w, direction) per input direction.
    """
    states = np.asarray(states, dtype=np.float64)
    modes = _marginal_modes(eigenvalues, right_vectors, left_vectors, jacobians, marginal_target)
    center, axes, ratio = _principal_axes(states)
    position = (states - center) @ axes[0]
    order = np.argsort(position, kind="stable")
    tangent = _line_tangents(states[order], position[order])
    right = modes["right"][order].real
    left = modes["left"][order].real
    # Orient v along increasing position and w with it (wᵀ v > 0 is kept by the pair).
    flip = np.where(np.sum(right * tangent, axis=1) < 0, -1.0, 1.0)[:, None]
    right, left = right * flip, left * flip
    frame = pd.DataFrame(
        {
            "point": order.astype(np.int64),
            "order": np.arange(len(order), dtype=np.int64),
            "position": position[order],
            "line_variance_explained": np.full(len(order), ratio[0] if len(ratio) else np.nan),
            "marginal_eigenvalue_real": modes["value"][order].real,
            "marginal_eigenvalue_imag": modes["value"][order].imag,
            "is_marginal": _is_marginal(eigenvalues, modes["value"], marginal_target,
                                        marginal_tolerance)[order],
            "marginal_is_leading": modes["is_leading"][order],
            "right_tangent_cosine": np.abs(_cosine(right, tangent)),
            "selection_vector": pd.Series(list(left.tolist()), dtype=object),
        }
    )
    for name, direction in (input_directions or {}).items():
        direction = np.broadcast_to(np.asarray(direction, dtype=np.float64), left.shape)
        frame[f"selection_cosine_{name}"] = _cosine(left, direction)
    return frame


def line_coverage(states: np.ndarray, reference: np.ndarray) -> float:
    """How much of a reference cloud's extent a line of points spans.

    Both are projected on the first principal axis of ``states`` (P, N); the result is the
    length of the overlap of the two ranges divided by the range of ``reference`` (R, N), e.g.
    the states a network holds at the end of a delay: 1 when the points span every remembered
    value, near 0 when they sit at a single root. NaN when the reference has no extent along
    the axis or P < 2.
    """
    states = np.asarray(states, dtype=np.float64)
    reference = np.asarray(reference, dtype=np.float64)
    if len(states) < 2 or len(reference) == 0:
        return float("nan")
    center, axes, _ = _principal_axes(states)
    position = (states - center) @ axes[0]
    held = (reference - center) @ axes[0]
    low, high = float(held.min()), float(held.max())
    if not high > low:
        return float("nan")
    overlap = min(high, float(position.max())) - max(low, float(position.min()))
    return max(0.0, overlap) / (high - low)


# ---------------------------------------------------------------------------------------------
# Ring attractor


@dataclass(frozen=True)
class RingAttractor:
    """Ring geometry in the top-2 principal plane of the points.

    Attributes:
        points: one row per point: ``point``, ``angle`` (rad, in (−π, π]), ``radius`` (in the
            plane, from the fitted centre), ``marginal_eigenvalue_real`` / ``_imag``, ``is_marginal``,
            ``tangent_cosine`` (|cos| between the marginal right eigenvector and the ring
            tangent at the point; NaN without eigenvectors).
        coverage: fraction of the angular bins holding at least one point.
        largest_gap: largest angular gap between neighbouring points (rad; 2π for one point).
        radius_mean, radius_std, radius_cv: radius statistics (cv = std/mean).
        plane_variance_explained: fraction of the points' variance in the top-2 plane.
        mean_tangent_cosine: mean of ``tangent_cosine`` over points that have one.
    """

    points: pd.DataFrame
    coverage: float
    largest_gap: float
    radius_mean: float
    radius_std: float
    radius_cv: float
    plane_variance_explained: float
    mean_tangent_cosine: float

    def summary(self) -> dict[str, float]:
        """The scalar statistics as a dict (one row of a summary table)."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "points"}


def _angular_coverage(angles: np.ndarray, n_bins: int) -> tuple[float, float]:
    """(fraction of n_bins equal bins on the circle that hold an angle, largest gap in rad)."""
    if len(angles) == 0:
        return 0.0, 2 * np.pi
    bins = np.floor((angles + np.pi) / (2 * np.pi) * n_bins).astype(int) % n_bins
    ordered = np.sort(angles)
    gaps = np.append(np.diff(ordered), 2 * np.pi - (ordered[-1] - ordered[0]))
    return len(np.unique(bins)) / n_bins, float(gaps.max())


def _fit_circle(points: np.ndarray) -> np.ndarray:
    """Centre (2,) of the least-squares circle through 2-D points (P, 2) (Kåsa fit: linear in
    x² + y² = 2a·x + 2b·y + c). Unlike the centroid it is unbiased for an arc; falls back to the
    centroid when the points are (nearly) collinear."""
    design = np.column_stack([2 * points, np.ones(len(points))])
    target = (points**2).sum(axis=1)
    solution, _, rank, _ = np.linalg.lstsq(design, target, rcond=1e-10)
    if rank < 3:
        return points.mean(axis=0)
    return solution[:2]


def ring_attractor(
    states: np.ndarray,
    eigenvalues: np.ndarray | None = None,
    right_vectors: np.ndarray | None = None,
    jacobians: np.ndarray | None = None,
    n_bins: int = RING_BINS,
    marginal_tolerance: float = MARGINAL_TOLERANCE,
    marginal_target: complex = 0.0,
) -> RingAttractor:
    """Angular coverage, radius and marginal-mode alignment of fixed points on a ring.

    Angles and radii are measured in the top-2 principal plane of the points, around the
    least-squares circle centre (so an arc, e.g. a partly formed ring, is not biased towards
    its centroid).

    Args:
        states: (P, N) fixed points, P ≥ 3.
        eigenvalues: optional (P, N) complex, leading first.
        right_vectors: optional (P, N) leading right eigenvectors.
        jacobians: optional (P, N, N), for the marginal mode when it is not the leading one.
        n_bins: angular bins for ``coverage``.
        marginal_tolerance, marginal_target: see the module docstring.
    """
    states = np.asarray(states, dtype=np.float64)
    center, axes, ratio = _principal_axes(states)
    plane = axes[:2]
    coordinates = (states - center) @ plane.T  # (P, 2)
    coordinates = coordinates - _fit_circle(coordinates)
    angle = np.arctan2(coordinates[:, 1], coordinates[:, 0])
    radius = np.linalg.norm(coordinates, axis=1)
    tangent = np.stack([-np.sin(angle), np.cos(angle)], axis=1) @ plane  # (P, N)
    n_points = len(states)
    value = np.full(n_points, np.nan, dtype=np.complex128)
    is_marginal = np.zeros(n_points, dtype=bool)
    tangent_cosine = np.full(n_points, np.nan)
    if eigenvalues is not None:
        modes = _marginal_modes(eigenvalues, right_vectors, None, jacobians, marginal_target)
        value = modes["value"]
        is_marginal = _is_marginal(eigenvalues, value, marginal_target, marginal_tolerance)
        tangent_cosine = np.abs(_cosine(modes["right"].real, tangent))
    coverage, largest_gap = _angular_coverage(angle, n_bins)
    radius_mean = float(radius.mean())
    radius_std = float(radius.std())
    points = pd.DataFrame(
        {
            "point": np.arange(n_points, dtype=np.int64),
            "angle": angle,
            "radius": radius,
            "marginal_eigenvalue_real": value.real,
            "marginal_eigenvalue_imag": value.imag,
            "is_marginal": is_marginal,
            "tangent_cosine": tangent_cosine,
        }
    )
    finite = tangent_cosine[np.isfinite(tangent_cosine)]
    return RingAttractor(
        points=points,
        coverage=coverage,
        largest_gap=largest_gap,
        radius_mean=radius_mean,
        radius_std=radius_std,
        radius_cv=radius_std / radius_mean if radius_mean > 0 else float("nan"),
        plane_variance_explained=float(ratio[:2].sum()) if len(ratio) else float("nan"),
        mean_tangent_cosine=float(finite.mean()) if len(finite) else float("nan"),
    )
