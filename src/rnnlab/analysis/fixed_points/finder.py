"""The finder's driver: from K initial states to a :class:`FixedPointResult`.

:func:`find_fixed_points` (maps), :func:`find_equilibria` (flows) and :func:`find_roots` (any
residual) shape the batch and the residual's Jacobian; the stages then run in order — Adam
warm start (rnnlab.analysis.fixed_points.warm_start), Newton (.newton), Levenberg–Marquardt
(.levenberg_marquardt) — and the points whose descent stalled are polished and tested for a
local minimum of q (.local_minima). Points that ran far from the cloud of initial states are
dropped as outliers, near-duplicates are merged (lowest q kept), and the remaining points are
eigendecomposed and labelled (.classification).

Shapes: K = initial states, N = state dimension, M = input dimension, P = unique points returned.
"""

from __future__ import annotations

import numpy as np
import torch

from rnnlab.analysis.fixed_points.batched import (
    BatchedFunction,
    ShiftedJacobian,
    Tensor,
    as_batch,
    autograd_jacobian,
    evaluate_jacobian,
)
from rnnlab.analysis.fixed_points.classification import (
    classify_flow_stability,
    classify_map_motif,
    eigendecomposition,
)
from rnnlab.analysis.fixed_points.levenberg_marquardt import levenberg_marquardt
from rnnlab.analysis.fixed_points.local_minima import polish_local_minima
from rnnlab.analysis.fixed_points.newton import newton
from rnnlab.analysis.fixed_points.result import FixedPointResult, TimeKind
from rnnlab.analysis.fixed_points.settings import FixedPointSettings
from rnnlab.analysis.fixed_points.warm_start import adam_warm_start


def find_roots(
    residual: BatchedFunction,
    initial_states: np.ndarray | Tensor,
    inputs: np.ndarray | Tensor,
    jacobian: BatchedFunction | None = None,
    settings: FixedPointSettings = FixedPointSettings(),
) -> FixedPointResult:
    """Zeros of a batched residual r(h, u), with the residual treated as a flow dh/dt = r.

    Args:
        residual: torch callable (h: (K, N), u: (K, M)) -> (K, N), float64, batched over K.
        initial_states: (K, N) starting states.
        inputs: (M,) input shared by all points, or (K, M) one input per point.
        jacobian: optional callable (h: (K, N), u: (K, M)) -> (K, N, N), ∂r/∂h; by default
            computed with ``torch.func.vmap(torch.func.jacrev(...))``.
        settings: optimiser and post-processing settings.

    Returns:
        A :class:`FixedPointResult` with ``time_kind="flow"``: eigenvalues are those of ∂r/∂h.
    """
    states, inputs_2d = as_batch(initial_states, inputs)
    dynamics_jacobian = jacobian if jacobian is not None else autograd_jacobian(residual)
    return _solve(residual, ShiftedJacobian(dynamics_jacobian, 0.0), states, inputs_2d,
                  settings, "flow")


def find_fixed_points(
    step: BatchedFunction,
    initial_states: np.ndarray | Tensor,
    inputs: np.ndarray | Tensor,
    jacobian: BatchedFunction | None = None,
    settings: FixedPointSettings = FixedPointSettings(),
) -> FixedPointResult:
    """Fixed and slow points of a discrete map h' = step(h, u).

    Minimises q = ½‖step(h, u) − h‖²; labels come from |λ(J_map)| (:func:`classify_map_motif`).

    Args:
        step: torch callable (h: (K, N), u: (K, M)) -> (K, N), float64, batched over K.
        initial_states: (K, N) starting states.
        inputs: (M,) input shared by all points, or (K, M) one input per point.
        jacobian: optional callable (h: (K, N), u: (K, M)) -> (K, N, N), ∂step/∂h (the map's
            Jacobian, not the residual's); by default computed by batched autograd.
        settings: optimiser and post-processing settings.

    Returns:
        A :class:`FixedPointResult` with ``time_kind="map"``.
    """
    states, inputs_2d = as_batch(initial_states, inputs)
    map_jacobian = jacobian if jacobian is not None else autograd_jacobian(step)

    def residual(h: Tensor, u: Tensor) -> Tensor:
        return step(h, u) - h

    return _solve(residual, ShiftedJacobian(map_jacobian, -1.0), states, inputs_2d, settings,
                  "map")


def find_equilibria(
    rhs: BatchedFunction,
    initial_states: np.ndarray | Tensor,
    inputs: np.ndarray | Tensor,
    jacobian: BatchedFunction | None = None,
    settings: FixedPointSettings = FixedPointSettings(),
) -> FixedPointResult:
    """Equilibria and slow points of a flow dx/dt = rhs(x, u).

    Minimises q = ½‖rhs(x, u)‖²; labels come from Re λ(J_rhs) (:func:`classify_flow_stability`).

    Args:
        rhs: torch callable (x: (K, N), u: (K, M)) -> (K, N), float64, batched over K.
        initial_states: (K, N) starting states.
        inputs: (M,) input shared by all points, or (K, M) one input per point.
        jacobian: optional callable (x: (K, N), u: (K, M)) -> (K, N, N), ∂rhs/∂x; by default
            computed by batched autograd.
        settings: optimiser and post-processing settings.

    Returns:
        A :class:`FixedPointResult` with ``time_kind="flow"``.
    """
    return find_roots(rhs, initial_states, inputs, jacobian=jacobian, settings=settings)


def _solve(residual: BatchedFunction, residual_jacobian: ShiftedJacobian,
           initial_states: Tensor, inputs: Tensor, settings: FixedPointSettings,
           time_kind: TimeKind) -> FixedPointResult:
    """The stages from initial states (K, N) at inputs (K, M), then what became of each point,
    the filters (failures, outliers, duplicates) and the unique points described."""
    n_initial = initial_states.shape[0]
    if settings.stop_at_slow_point:  # Adam's normalised steps would slide along the manifold
        warm = initial_states.clone()
    else:
        warm = adam_warm_start(residual, residual_jacobian, initial_states, inputs, settings)
    states_t, q_t, refine_iterations, stopped = refine(residual, residual_jacobian, warm,
                                                       inputs, settings)
    finite, converged, slow, local_minimum = _outcomes(residual, residual_jacobian, states_t,
                                                       q_t, inputs, stopped, settings)
    states, q = states_t.numpy(), q_t.numpy()
    inputs_np = inputs.numpy()
    keep = (converged | (slow & settings.keep_slow_points)
            | (local_minimum & settings.keep_local_minima))
    outlier = _outliers(initial_states.numpy(), states, finite, keep,
                        settings.outlier_distance_scale)
    keep &= ~outlier

    candidates = np.flatnonzero(keep)
    joint = np.concatenate([states[candidates], inputs_np[candidates]], axis=-1)
    index = candidates[_deduplicate(joint, q[candidates], settings.unique_tolerance)]
    jacobians, eigenvalues, right, left, labels = _describe(
        residual_jacobian.base, states[index], inputs_np[index], time_kind)

    return FixedPointResult(
        time_kind=time_kind,
        states=states[index].copy(),
        inputs=inputs_np[index].copy(),
        q=q[index].copy(),
        is_converged=converged[index].copy(),
        kind=np.where(converged[index], "fixed",
                      np.where(slow[index], "slow", "local_minimum")).astype(str),
        jacobians=jacobians,
        eigenvalues=eigenvalues,
        leading_right_eigenvector=right,
        leading_left_eigenvector=left,
        labels=labels,
        initial_index=index.astype(np.int64),
        n_iterations=(0 if settings.stop_at_slow_point else settings.adam_steps)
        + refine_iterations,
        n_initial=n_initial,
        n_converged=int(converged.sum()),
        n_slow=int(slow.sum()),
        n_failed=int((~(converged | slow)).sum()),
        n_local_minima=int(local_minimum.sum()),
        n_outliers=int(outlier.sum()),
        n_unique=len(index),
    )


def refine(residual: BatchedFunction, residual_jacobian: ShiftedJacobian, states: Tensor,
           inputs: Tensor, settings: FixedPointSettings) -> tuple[Tensor, Tensor, int, Tensor]:
    """Newton on every point, then Levenberg–Marquardt on the points Newton did not settle.
    Returns states (K, N), q (K,), the iterations run (Newton + LM) and ``stopped`` (K,) bool
    (settled by Newton, or stopped by LM before its iteration limit). In slow-point mode only
    LM runs (it stops each point below slow_point_q)."""
    if settings.stop_at_slow_point:
        return levenberg_marquardt(residual, residual_jacobian, states, inputs, settings)
    h, q, settled, newton_iterations = newton(residual, residual_jacobian, states, inputs,
                                              settings)
    rest = (~settled).nonzero().squeeze(1)
    if rest.numel() == 0:
        return h, q, newton_iterations, settled
    h[rest], q[rest], lm_iterations, settled[rest] = levenberg_marquardt(
        residual, residual_jacobian, h[rest], inputs[rest], settings)
    return h, q, newton_iterations + lm_iterations, settled


def _deduplicate(points: np.ndarray, q: np.ndarray, tolerance: float) -> np.ndarray:
    """Indices of points kept by greedy merging in order of ascending q (ties: lower index)."""
    order = np.lexsort((np.arange(len(q)), q))
    ordered = points[order]
    removed = np.zeros(len(order), dtype=bool)
    kept = []
    for i in range(len(order)):
        if removed[i]:
            continue
        kept.append(order[i])
        distance = np.linalg.norm(ordered[i:] - ordered[i], axis=-1)
        removed[i:] |= distance < tolerance
    return np.asarray(kept, dtype=np.int64)


def _outcomes(residual: BatchedFunction, residual_jacobian: ShiftedJacobian, states: Tensor,
              q: Tensor, inputs: Tensor, stopped: Tensor, settings: FixedPointSettings
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """What became of each refined point: (K,) bool masks finite, converged (q < converged_q),
    slow (q < slow_point_q) and at a local minimum of q. The failures whose descent stopped
    are polished first: states (K, N) and q (K,) are updated in place."""
    states_np, q_np = states.numpy(), q.numpy()  # views: writing them updates states, q
    finite = np.isfinite(q_np) & np.isfinite(states_np).all(axis=-1)
    converged = finite & (q_np < settings.converged_q)
    slow = finite & ~converged & (q_np < settings.slow_point_q)
    local_minimum = np.zeros(len(q_np), dtype=bool)
    stalled = np.flatnonzero(finite & ~(converged | slow) & stopped.numpy())
    if len(stalled):
        polished, q_polished, at_minimum = polish_local_minima(
            residual, residual_jacobian, states[stalled], inputs[stalled],
            settings.local_minimum_tolerance)
        states_np[stalled], q_np[stalled] = polished.numpy(), q_polished.numpy()
        local_minimum[stalled] = at_minimum.numpy()
    return finite, converged, slow, local_minimum


def _outliers(initial: np.ndarray, states: np.ndarray, finite: np.ndarray, keep: np.ndarray,
              scale: float) -> np.ndarray:
    """(K,) bool: the kept points (``keep``, (K,) bool) of states (K, N) that lie farther from
    the centroid of the initial states (K, N) than ``scale`` × their mean distance to it."""
    centroid = initial.mean(axis=0)
    spread = float(np.linalg.norm(initial - centroid, axis=-1).mean())
    outlier = np.zeros(len(initial), dtype=bool)
    if spread > 0 and np.isfinite(scale):
        # A single initial state (spread 0) gives no scale: no outlier test then.
        distance = np.linalg.norm(np.where(finite[:, None], states, 0.0) - centroid, axis=-1)
        outlier = keep & (distance > scale * spread)
    return outlier


def _describe(jacobian: BatchedFunction, states: np.ndarray, inputs: np.ndarray,
              time_kind: TimeKind
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """At the unique points states (P, N), inputs (P, M): the dynamics' Jacobians (P, N, N),
    sorted eigenvalues (P, N), leading right and left eigenvectors (P, N) and labels (P,)."""
    n_points, n_states = states.shape
    if n_points:
        jacobians = evaluate_jacobian(jacobian, torch.from_numpy(states.copy()),
                                      torch.from_numpy(inputs.copy())).numpy()
    else:
        jacobians = np.zeros((0, n_states, n_states), dtype=np.float64)
    eigenvalues, right, left = eigendecomposition(jacobians, time_kind)
    classify = classify_map_motif if time_kind == "map" else classify_flow_stability
    labels = np.array([classify(row) for row in eigenvalues], dtype=object).astype(str)
    if labels.size == 0:
        labels = np.zeros(0, dtype=str)
    return jacobians, eigenvalues, right, left, labels
