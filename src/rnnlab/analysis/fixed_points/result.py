"""What the finder returns: :class:`FixedPointResult`, the unique points found and what
happened to the others, and its table (``to_frame``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

TimeKind = Literal["map", "flow"]


@dataclass(frozen=True, eq=False)  # eq=False: == on numpy fields would be ambiguous
class FixedPointResult:
    """Unique fixed / slow points, sorted by ascending q, and what happened to the others.

    Attributes:
        time_kind: "map" (discrete time; eigenvalues are those of J_map, labels from
            :func:`classify_map_motif`) or "flow" (continuous time; eigenvalues of J_rhs,
            labels from :func:`classify_flow_stability`).
        states: (P, N) float64 locations.
        inputs: (P, M) float64 input held constant at each point.
        q: (P,) float64 speed ½‖r‖² at each point.
        is_converged: (P,) bool, True for fixed points (q < converged_q), False otherwise
            (``kind`` "slow" or "local_minimum").
        kind: (P,) str, "fixed" (q < converged_q), "slow" (converged_q ≤ q < slow_point_q) or
            "local_minimum" (q ≥ slow_point_q at a local minimum of q: descent stalled and
            gradient vanished, see ``FixedPointSettings.local_minimum_tolerance``).
        jacobians: (P, N, N) float64 Jacobian of the map (or flow) w.r.t. the state.
        eigenvalues: (P, N) complex128, sorted by descending |λ| (maps) or descending Re λ
            (flows); ties put positive imaginary parts first.
        leading_right_eigenvector: (P, N) complex128 v with J v = λ₀ v for the leading
            eigenvalue λ₀ = eigenvalues[:, 0]; unit norm, largest component real positive.
        leading_left_eigenvector: (P, N) complex128 w with Jᵀ w = λ₀ w (same eigenvalue, i.e.
            wᵀ J = λ₀ wᵀ); same normalisation as the right one.
        labels: (P,) str, motif (maps) or stability (flows).
        initial_index: (P,) int64 index of the initial state each point came from.
        n_iterations: optimiser iterations run (Adam steps + Newton iterations +
            Levenberg–Marquardt iterations).
        n_initial: K. n_converged + n_slow + n_failed == n_initial.
        n_converged: initial states that reached q < converged_q.
        n_slow: initial states that ended as slow points (counted even if not kept).
        n_failed: initial states with q ≥ slow_point_q (or non-finite).
        n_local_minima: of the failed, those at a local minimum of q (``kind``
            "local_minimum", counted whether kept or not): their descent of q stopped before the
            iteration limit (every step rejected, or q fell by < 1 % over 10 iterations) and the
            gradient vanished there (``local_minimum_tolerance``) — a minimum of q that is not
            a root and too fast to be a slow point, e.g. the ghost of a saddle-node bifurcation.
            The rest of the failed ran out of iterations while q was still falling, stalled
            where the gradient had not vanished, or became non-finite.
        n_outliers: kept fixed/slow points dropped for lying too far from the initial states.
        n_unique: P, after merging duplicates.
    """

    time_kind: TimeKind
    states: np.ndarray
    inputs: np.ndarray
    q: np.ndarray
    is_converged: np.ndarray
    kind: np.ndarray
    jacobians: np.ndarray
    eigenvalues: np.ndarray
    leading_right_eigenvector: np.ndarray
    leading_left_eigenvector: np.ndarray
    labels: np.ndarray
    initial_index: np.ndarray
    n_iterations: int
    n_initial: int
    n_converged: int
    n_slow: int
    n_failed: int
    n_local_minima: int
    n_outliers: int
    n_unique: int

    def __len__(self) -> int:
        return self.n_unique

    @property
    def leading_eigenvalues(self) -> np.ndarray:
        """(P,) complex128 leading eigenvalue of each point."""
        return self.eigenvalues[:, 0]

    def to_frame(self, n_eigenvalues: int = 5) -> pd.DataFrame:
        """One row per unique point.

        Columns: ``point`` (int), ``q``, ``is_converged``, ``kind`` (fixed / slow /
        local_minimum), ``motif`` (the label, motif or
        stability), ``max_abs_eigenvalue``, ``max_real_eigenvalue``, ``eigenvalue_{k}_real`` and
        ``eigenvalue_{k}_imag`` for k < n_eigenvalues (in the sorted order, NaN beyond N),
        ``state`` and ``input`` (lists of floats, stored by pyarrow as list<double>).
        """
        n_points, n_states = self.eigenvalues.shape
        eigenvalues = self.eigenvalues
        columns: dict[str, object] = {
            "point": np.arange(n_points, dtype=np.int64),
            "q": self.q.astype(np.float64),
            "is_converged": self.is_converged.astype(bool),
            "kind": [str(kind) for kind in self.kind],
            "motif": [str(label) for label in self.labels],
            "max_abs_eigenvalue": (
                np.abs(eigenvalues).max(axis=1) if n_states else np.full(n_points, np.nan)
            ),
            "max_real_eigenvalue": (
                eigenvalues.real.max(axis=1) if n_states else np.full(n_points, np.nan)
            ),
        }
        for k in range(n_eigenvalues):
            present = k < n_states
            columns[f"eigenvalue_{k}_real"] = (
                eigenvalues[:, k].real.copy() if present else np.full(n_points, np.nan)
            )
            columns[f"eigenvalue_{k}_imag"] = (
                eigenvalues[:, k].imag.copy() if present else np.full(n_points, np.nan)
            )
        state_lists = pd.Series(self.states.tolist(), dtype=object)
        input_lists = pd.Series(self.inputs.tolist(), dtype=object)
        columns["state"] = state_lists
        columns["input"] = input_lists
        frame = pd.DataFrame(columns)
        return frame
