"""How much of an attractor the readout sees: the geometry of a line's direction or a ring's
plane relative to the rows of the readout matrix W_out (O, N).

A state change δx changes the output by W_out δx: only its component in the row space of W_out
(span of W_out's rows, dimension ≤ O) is seen, the rest lies in W_out's null space. For an
attractor spanning the orthonormal directions Q (k, N) (a line: k = 1, its first principal axis;
a ring: k = 2, its top-2 principal plane):

* ``readout_alignment`` = ‖P Qᵀ‖_F / √k ∈ [0, 1], with P the orthogonal projector on the row
  space: the root-mean-square cosine of the principal angles between the attractor's subspace
  and the row space (for a line, |cos| of the angle between the line and the row space). 0: the
  attractor lies in the null space, the output does not change along it (engellab's
  stimulus-period line of memory-anti-number); 1: it lies in the row space.
* ``output_range``: the largest distance between the outputs W_out x of the attractor's points
  (output units): how far the output moves along the attractor, comparable with the targets'
  range (e.g. 4 for recalled values in [−2, 2]).
* ``output_gain`` = output_range / state range (largest distance between the points), in output
  units per state unit.

Arrays are float64; shapes are given per function.
"""

from __future__ import annotations

import numpy as np

__all__ = ["principal_subspace", "readout_alignment", "readout_geometry", "row_space_projector"]


def row_space_projector(weight_output: np.ndarray, rtol: float = 1e-10) -> np.ndarray:
    """(N, N) orthogonal projector on the row space of W_out (O, N) (rank-aware: rows that are
    linearly dependent or zero add nothing)."""
    weight_output = np.atleast_2d(np.asarray(weight_output, dtype=np.float64))
    _, singular, rows = np.linalg.svd(weight_output, full_matrices=False)
    keep = singular > rtol * max(float(singular.max(initial=0.0)), np.finfo(float).tiny)
    basis = rows[keep]  # (r, N) orthonormal
    return basis.T @ basis


def principal_subspace(points: np.ndarray, dimension: int) -> np.ndarray:
    """(dimension, N) orthonormal top principal axes of points (P, N)."""
    points = np.asarray(points, dtype=np.float64)
    _, _, axes = np.linalg.svd(points - points.mean(axis=0), full_matrices=False)
    return axes[:dimension]


def readout_alignment(subspace: np.ndarray, weight_output: np.ndarray) -> float:
    """‖P Qᵀ‖_F / √k for an orthonormal basis Q (k, N) and W_out (O, N) (module docstring)."""
    subspace = np.atleast_2d(np.asarray(subspace, dtype=np.float64))
    projected = row_space_projector(weight_output) @ subspace.T  # (N, k)
    return float(np.linalg.norm(projected) / np.sqrt(len(subspace)))


def _largest_distance(points: np.ndarray) -> float:
    if len(points) < 2:
        return float("nan")
    difference = points[:, None, :] - points[None, :, :]
    return float(np.sqrt((difference**2).sum(axis=-1)).max())


def readout_geometry(points: np.ndarray, weight_output: np.ndarray, dimension: int
                     ) -> dict[str, float]:
    """readout_alignment of the points' top ``dimension`` principal axes, output_range and
    output_gain (module docstring). points (P, N), W_out (O, N); NaN with fewer than
    dimension + 1 points."""
    points = np.asarray(points, dtype=np.float64)
    weight_output = np.atleast_2d(np.asarray(weight_output, dtype=np.float64))
    if len(points) < dimension + 1:
        return dict(readout_alignment=np.nan, output_range=np.nan, output_gain=np.nan)
    outputs = points @ weight_output.T  # (P, O)
    state_range = _largest_distance(points)
    output_range = _largest_distance(outputs)
    return dict(
        readout_alignment=readout_alignment(principal_subspace(points, dimension), weight_output),
        output_range=output_range,
        output_gain=output_range / state_range if state_range > 0 else np.nan,
    )
