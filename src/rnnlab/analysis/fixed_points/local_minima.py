"""Points whose descent stalled above ``slow_point_q``: polished onto, and tested for, a local
minimum of q that is not a root.

A failure whose descent stalled (LM stopped before its iteration limit) where the gradient of q
has vanished is a local minimum of q that is not a root ("local_minimum", counted in
``n_local_minima`` and returned unless ``keep_local_minima`` is off): in Sussillo & Barak's
sense a slow point too fast for ``slow_point_q``, typically the ghost of a saddle-node
bifurcation (the Jacobian A is singular there, so Gauss–Newton stalls on it). "Vanished" means
the Newton step along −∇q to the minimum of q on that line is at most
``local_minimum_tolerance`` (see :func:`polish_local_minima`).

Shapes: k = stalled points, N = state dimension.
"""

from __future__ import annotations

import torch

from rnnlab.analysis.fixed_points.batched import (
    DTYPE,
    BatchedFunction,
    Tensor,
    evaluate_jacobian,
    residual_and_q,
    single_thread,
)
from rnnlab.analysis.fixed_points.newton import backtrack
from rnnlab.analysis.fixed_points.settings import (
    CURVATURE_STEP,
    POLISH_CONTRACTION,
    POLISH_DONE,
    POLISH_REACH,
    POLISH_STEPS,
)


def polish_local_minima(residual: BatchedFunction, residual_jacobian: BatchedFunction,
                        states: Tensor, inputs: Tensor, tolerance: float
                        ) -> tuple[Tensor, Tensor, Tensor]:
    """Newton on q at points whose descent stalled; returns states (k, N), q (k,) and whether
    each is (numerically) a local minimum of q, (k,) bool.

    Why Gauss–Newton / LM stalls there: at a minimum of q with r ≠ 0 (the ghost of a
    saddle-node bifurcation) A = ∂r/∂h is singular along the slow direction v, so AᵀA has no
    curvature along v while ∇²q = AᵀA + Σᵢ rᵢ∇²rᵢ does. The model used here is
    H = AᵀA + s·vvᵀ with v the smallest right singular vector of A (two steps of inverse
    iteration on AᵀA through the LU factors of A) and s = rᵀ∂²r[v, v] (a central difference of
    r along v): exact along v, Gauss–Newton elsewhere, where LM has already converged. A point
    is a local minimum when H is positive definite and the Newton step ‖H⁻¹∇q‖ — the distance
    to the minimum of the model — is at most ``tolerance``; up to POLISH_STEPS backtracked
    Newton steps first bring the points to it (so copies of one ghost merge), for points
    whose step is at most POLISH_REACH × ``tolerance`` (the others are no candidates) and
    while it shrinks at least 4-fold every two steps (POLISH_CONTRACTION: near a
    codimension-1 ghost the model is exact along v and the steps shrink fast; where they
    shrink slowly the model is poor and the point is only classified as it stands). Why not
    ‖∇q‖ relative to q: on benchmark network (b) LM stalls with ‖∇q‖·max(1, ‖h‖)/q between
    2e-3 and 0.2 at points 2e-5 to 1e-2 from the minimum; a distance needs the curvature.
    A minimum whose Jacobian is singular along several directions (not a codimension-1
    ghost) keeps H singular and is not claimed."""
    h = states.clone()
    n_points, n_states = h.shape
    with torch.no_grad():
        r, q = residual_and_q(residual, h, inputs)
    newton_length = torch.full((n_points,), float("inf"), dtype=DTYPE)
    earlier = newton_length.clone()  # the step length two evaluations back
    definite = torch.zeros(n_points, dtype=torch.bool)
    active = torch.ones(n_points, dtype=torch.bool)
    for iteration in range(POLISH_STEPS + 1):
        index = active.nonzero().squeeze(1)
        if index.numel() == 0:
            break
        step, ok = _second_order_steps(residual, residual_jacobian, h[index], r[index],
                                       inputs[index])
        two_back = earlier[index]
        earlier[index] = newton_length[index]
        newton_length[index] = step.norm(dim=-1)
        definite[index] = ok
        # Only points whose model minimum is near get polished (one far off is no candidate),
        # and only while the steps shrink fast (the model is good: a codimension-1 ghost).
        moving = ok & (newton_length[index] > POLISH_DONE * tolerance) & (
            newton_length[index] <= POLISH_REACH * tolerance) & (
            newton_length[index] <= POLISH_CONTRACTION * two_back)
        if iteration == POLISH_STEPS or not moving.any():
            break
        going = index[moving]
        h_part, r_part, q_part = h[going], r[going], q[going]
        # Armijo test with the slope of q along a Newton step of q, ∇qᵀδ = −δᵀHδ ≈ −2·(q
        # decrease of the model); plain decrease is enough here.
        accepted = backtrack(residual, h_part, r_part, q_part, step[moving],
                             torch.ones(len(going), dtype=DTYPE), inputs[going],
                             torch.ones(len(going), dtype=torch.bool), armijo=0.0)
        h[going], r[going], q[going] = h_part, r_part, q_part
        active[:] = False
        active[going[accepted]] = True
    return h, q, definite & (newton_length <= tolerance)


def _second_order_steps(residual: BatchedFunction, residual_jacobian: BatchedFunction,
                        h: Tensor, r: Tensor, inputs: Tensor) -> tuple[Tensor, Tensor]:
    """Newton steps −H⁻¹∇q (k, N) with H = AᵀA + s·vvᵀ (see :func:`polish_local_minima`)
    and whether H was positive definite, (k,) bool."""
    n_points, n_states = h.shape
    a = evaluate_jacobian(residual_jacobian, h, inputs)
    gradient = torch.einsum("kij,ki->kj", a, r)
    with single_thread():
        factors, pivots, info = torch.linalg.lu_factor_ex(a)
        v = torch.ones(n_points, n_states, 1, dtype=DTYPE)
        for _ in range(2):  # (AᵀA)⁻¹ = A⁻¹A⁻ᵀ: inverse iteration for the smallest singular value
            v = torch.linalg.lu_solve(factors, pivots, v, adjoint=True)
            v = torch.linalg.lu_solve(factors, pivots, v)
            v = v / v.norm(dim=-2, keepdim=True)
    v = torch.nan_to_num(v.squeeze(-1))
    eps = (CURVATURE_STEP * h.norm(dim=-1).clamp_min(1.0)).unsqueeze(-1)
    with torch.no_grad():
        r_plus, _ = residual_and_q(residual, h + eps * v, inputs)
        r_minus, _ = residual_and_q(residual, h - eps * v, inputs)
    s = (r * (r_plus + r_minus - 2 * r)).sum(dim=-1) / eps.squeeze(-1) ** 2
    hessian = a.transpose(-1, -2) @ a + s[:, None, None] * (v.unsqueeze(-1) * v.unsqueeze(-2))
    with single_thread():
        factor, cholesky_info = torch.linalg.cholesky_ex(hessian)
        step = -torch.cholesky_solve(gradient.unsqueeze(-1), factor).squeeze(-1)
    ok = (info == 0) & (cholesky_info == 0) & torch.isfinite(step).all(dim=-1)
    return torch.where(ok.unsqueeze(-1), step, 0.0), ok
