"""What kind of point each one is: the eigendecomposition of the Jacobian there, and the label
read off its eigenvalues — the motif of a map's fixed point (:func:`classify_map_motif`), the
stability of a flow's equilibrium (:func:`classify_flow_stability`).

Shapes: P = points, N = state dimension.
"""

from __future__ import annotations

import numpy as np
import torch

from rnnlab.analysis.fixed_points.batched import single_thread
from rnnlab.analysis.fixed_points.result import TimeKind
from rnnlab.analysis.fixed_points.settings import IMAGINARY_TOLERANCE


def classify_map_motif(eigenvalues: np.ndarray, tolerance: float = 0.02) -> str:
    """Motif of a fixed point of a discrete map from the eigenvalues of J_map (EI-RNN thesis).

    With n_unstable = #{|λ| > 1 + tolerance}:

    - n_unstable == 0: "continuous" if some |λ| ≥ 1 − tolerance (a marginal direction: line /
      ring attractor), otherwise "stable".
    - n_unstable > 0: "rotational" if every unstable eigenvalue is complex (|Im λ| > 1e-9, the
      unstable directions come in rotating pairs), otherwise "saddle" (at least one real
      unstable direction; this includes fully unstable points).

    Args:
        eigenvalues: (N,) complex eigenvalues of the map's Jacobian, any order.
        tolerance: band around |λ| = 1.
    """
    values = np.asarray(eigenvalues, dtype=np.complex128).ravel()
    magnitude = np.abs(values)
    unstable = magnitude > 1.0 + tolerance
    if not unstable.any():
        return "continuous" if (magnitude >= 1.0 - tolerance).any() else "stable"
    if (np.abs(values[unstable].imag) > IMAGINARY_TOLERANCE).all():
        return "rotational"
    return "saddle"


def classify_flow_stability(eigenvalues: np.ndarray, tolerance: float = 1e-3) -> str:
    """Stability of an equilibrium of a flow from the eigenvalues of J_rhs.

    With m = max Re λ and the threshold t = tolerance × max |λ| (relative to the spectral scale
    of the Jacobian): "stable" if m < −t, "marginal" if |m| ≤ t, "unstable" otherwise.

    Why relative and not an absolute 1e-10 (engellab's convention): a point with
    q = ½‖r‖² < 1e-12 is only located to about ‖r‖/σ_min(J) ≳ 1e-6, and the eigenvalues
    computed there are off by ~‖∂J/∂x‖·1e-6, so a marginal (line-attractor) eigenvalue is never
    within 1e-10 of zero — and in trained networks it is only approximately zero in the first
    place. A tolerance relative to the Jacobian's own scale is unit-free (rescaling time by τ
    rescales all eigenvalues) and reachable.

    Args:
        eigenvalues: (N,) complex eigenvalues of the flow's Jacobian, any order.
        tolerance: relative band around Re λ = 0.
    """
    values = np.asarray(eigenvalues, dtype=np.complex128).ravel()
    if values.size == 0:
        return "marginal"
    threshold = tolerance * float(np.abs(values).max())
    leading = float(values.real.max())
    if leading < -threshold:
        return "stable"
    if abs(leading) <= threshold:
        return "marginal"
    return "unstable"


def eigendecomposition(jacobians: np.ndarray, time_kind: TimeKind
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sorted eigenvalues (P, N) and leading right / left eigenvectors (P, N) each."""
    n_points, n_states = jacobians.shape[:2]
    if n_points == 0 or n_states == 0:
        empty = np.zeros((n_points, n_states), dtype=np.complex128)
        return empty, empty.copy(), empty.copy()
    matrices = torch.from_numpy(jacobians)
    with single_thread():
        values, right = torch.linalg.eig(matrices)
        values_t, left = torch.linalg.eig(matrices.transpose(-1, -2))
    values, right = values.numpy(), right.numpy()
    values_t, left = values_t.numpy(), left.numpy()

    primary = np.abs(values) if time_kind == "map" else values.real
    # np.lexsort: last key is primary. Descending primary, then +Im first, then larger Re.
    order = np.lexsort((-values.real, -values.imag, -primary), axis=-1)
    rows = np.arange(n_points)
    sorted_values = np.take_along_axis(values, order, axis=-1)
    leading = sorted_values[:, 0]
    right_vector = right[rows, :, order[:, 0]]
    match = np.abs(values_t - leading[:, None]).argmin(axis=-1)
    left_vector = left[rows, :, match]
    return sorted_values, _fix_phase(right_vector), _fix_phase(left_vector)


def _fix_phase(vectors: np.ndarray) -> np.ndarray:
    """Unit norm, largest-magnitude component real and positive, per row of (P, N)."""
    vectors = vectors / np.linalg.norm(vectors, axis=-1, keepdims=True)
    pivot = vectors[np.arange(len(vectors)), np.abs(vectors).argmax(axis=-1)]
    return vectors * (np.conj(pivot) / np.abs(pivot))[:, None]
