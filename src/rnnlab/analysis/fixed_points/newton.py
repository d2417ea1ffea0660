"""Stage 2 of the finder: Newton refinement with backtracking and chord steps.

Batched over points in small blocks: with A = ∂r/∂h (J_map − I for maps, J_rhs for flows) factor
A = LU and take the step δ = −A⁻¹r, capped at max(1, ‖h‖) and backtracked (halved) until q
decreases by the Armijo amount; then reuse the same factors for up to 4 chord steps −A⁻¹r(h)
while each lowers q by ≥ 10 % (on the benchmark networks 14 % and 31 % fewer factorisations than
2 steps that each halve q). A is factorised in float32 (residuals stay float64: mixed-precision
iterative refinement), and again in float64 for the points whose float32 step is not accepted.
Near a root this converges quadratically down to rounding error at about one factorisation per
point, several times cheaper than forming and factoring AᵀA. A point stops when polished below
1e-8 × ``converged_q``; points Newton cannot move (singular A, no descent within 2⁻¹¹ of the
step) or has not settled within ``refine_steps`` iterations go on to stage 3.

Shapes: K = points, k = points of a block, N = state dimension.
"""

from __future__ import annotations

import torch

from rnnlab.analysis.fixed_points.batched import (
    DTYPE,
    BatchedFunction,
    ShiftedJacobian,
    Tensor,
    chunks,
    evaluate_jacobian,
    residual_and_q,
    single_thread,
)
from rnnlab.analysis.fixed_points.settings import (
    CHORD_MIN_DECREASE,
    CHORD_STEPS,
    NEWTON_ARMIJO,
    NEWTON_CHUNK_ELEMENTS,
    NEWTON_HALVINGS,
    NEWTON_MAX_STEP,
    NEWTON_MIN_PROGRESS,
    NEWTON_POLISH_FACTOR,
    NEWTON_PROGRESS_WINDOW,
    FixedPointSettings,
)


def newton(residual: BatchedFunction, residual_jacobian: ShiftedJacobian, states: Tensor,
           inputs: Tensor, settings: FixedPointSettings) -> tuple[Tensor, Tensor, Tensor, int]:
    """Batched Newton refinement with backtracking and chord steps (see the module docstring).

    Returns states (K, N), q (K,), ``settled`` (K,) bool — points polished below
    converged_q × NEWTON_POLISH_FACTOR, which need no Levenberg–Marquardt — and the iterations
    run (Jacobian factorisations per point, at most).
    """
    h = states.clone()
    with torch.no_grad():
        r, q = residual_and_q(residual, h, inputs)
    running = torch.isfinite(q) & torch.isfinite(h).all(dim=-1) & (q > 0)
    settled = q == 0
    iterations = 0
    q_window_start = q.clone()
    for _ in range(settings.refine_steps):
        active = running.nonzero().squeeze(1)
        if active.numel() == 0:
            break
        iterations += 1
        for part in chunks(active, h.shape[1], NEWTON_CHUNK_ELEMENTS):
            moved = _newton_iteration(residual, residual_jacobian, h, r, q, inputs, part)
            finished = moved & (q[part] < settings.converged_q * NEWTON_POLISH_FACTOR)
            # A point Newton cannot move (singular Jacobian, no descent) goes on to LM.
            settled[part] |= finished
            running[part] &= moved & ~finished
        if iterations % NEWTON_PROGRESS_WINDOW == 0:
            # Crawling far above the slow-point tolerance (q not even halved over the window:
            # e.g. towards a local minimum of q, where A is singular and every step is cut
            # back): a factorisation per point and iteration for little; LM takes these over.
            # (Below it, slow progress is a near-singular A near a root: Newton locates the
            # root far better than LM's q < converged_q does.)
            crawling = (q >= NEWTON_MIN_PROGRESS * q_window_start) & (q >= settings.slow_point_q)
            running &= ~crawling
            q_window_start = q.clone()
    return h, q, settled, iterations


def _newton_iteration(residual: BatchedFunction, residual_jacobian: ShiftedJacobian, h: Tensor,
                      r: Tensor, q: Tensor, inputs: Tensor, part: Tensor) -> Tensor:
    """One Jacobian for the points ``part`` (a chunk) and a Newton step from it, with
    backtracking and chord steps; updates h, r, q in place. Returns (k,) bool: whether each
    point moved.

    The Jacobian is factorised in float32 first (about half the cost of float64, and the
    factorisation is most of a step): the residuals stay float64, so the step and the chord
    steps are mixed-precision iterative refinement and still converge to float64 rounding while
    cond(A) ≪ 1/eps32. Points whose float32 step is not accepted (an ill-conditioned A) retry
    with float64 factors at once, so conditioning never costs a point its Newton step."""
    jacobian = evaluate_jacobian(residual_jacobian.base, h[part], inputs[part])
    a = residual_jacobian.shifted(jacobian, torch.float32)
    moved = _newton_step(residual, a, h, r, q, inputs, part)
    retry = (~moved).nonzero().squeeze(1)
    if retry.numel():
        a = residual_jacobian.shifted(jacobian[retry], DTYPE)
        moved[retry] = _newton_step(residual, a, h, r, q, inputs, part[retry])
    return moved


def _newton_step(residual: BatchedFunction, a: Tensor, h: Tensor, r: Tensor, q: Tensor,
                 inputs: Tensor, part: Tensor) -> Tensor:
    """A Newton step for the points ``part`` from their residual Jacobians a (k, N, N),
    factorised in a's precision; h, r, q updated in place. Returns (k,) bool: moved."""
    with single_thread():
        factors, pivots, info = torch.linalg.lu_factor_ex(a)
        direction = -_lu_solve(factors, pivots, r[part])
    usable = (info == 0) & torch.isfinite(direction).all(dim=-1)
    h_part, r_part, q_part = h[part], r[part], q[part]
    # Cap the step at max(1, ‖h‖): near-singular directions (approximate continuous
    # attractors) would otherwise throw points far along them.
    limit = NEWTON_MAX_STEP * h_part.norm(dim=-1).clamp_min(1.0)
    scale = (limit / direction.norm(dim=-1)).clamp(max=1.0).nan_to_num(0.0)
    moved = backtrack(residual, h_part, r_part, q_part, direction, scale, inputs[part], usable)
    full_step = moved & (scale == 1.0)
    _chord_steps(residual, factors, pivots, h_part, r_part, q_part, inputs[part], full_step)
    h[part], r[part], q[part] = h_part, r_part, q_part
    return moved


def _lu_solve(factors: Tensor, pivots: Tensor, r: Tensor) -> Tensor:
    """A⁻¹r (k, N) in float64, from LU factors of A in any precision."""
    solution = torch.linalg.lu_solve(factors, pivots, r.to(factors.dtype).unsqueeze(-1))
    return solution.squeeze(-1).to(DTYPE)


def backtrack(residual: BatchedFunction, h: Tensor, r: Tensor, q: Tensor, direction: Tensor,
              scale: Tensor, inputs: Tensor, usable: Tensor,
              armijo: float = NEWTON_ARMIJO) -> Tensor:
    """Armijo backtracking along ``direction`` (k, N) from step ``scale`` (k,), halving up to
    NEWTON_HALVINGS times; h, r, q (k, …) updated in place. Returns (k,) bool: accepted.
    For a Newton direction the slope of q is −2q, so the test is q' ≤ (1 − 2c·t) q."""
    accepted = torch.zeros_like(usable)
    t = scale.clone()
    for _ in range(NEWTON_HALVINGS):
        trying = (usable & ~accepted & (t > 0)).nonzero().squeeze(1)
        if trying.numel() == 0:
            break
        trial = h[trying] + t[trying].unsqueeze(-1) * direction[trying]
        with torch.no_grad():
            r_trial, q_trial = residual_and_q(residual, trial, inputs[trying])
        good = torch.isfinite(q_trial) & (
            q_trial <= (1 - 2 * armijo * t[trying]) * q[trying])
        chosen = trying[good]
        h[chosen], r[chosen], q[chosen] = trial[good], r_trial[good], q_trial[good]
        accepted[chosen] = True
        t[trying[~good]] /= 2
    return accepted


def _chord_steps(residual: BatchedFunction, factors: Tensor, pivots: Tensor, h: Tensor,
                 r: Tensor, q: Tensor, inputs: Tensor, going: Tensor) -> None:
    """Steps −A₀⁻¹ r with the factors of the last Jacobian, for points ``going`` (k,), kept
    while each lowers q by CHORD_MIN_DECREASE (near a root the Jacobian barely changes, and a
    solve is far cheaper than a new factorisation). h, r, q (k, …) updated in place."""
    going = going.clone()
    for _ in range(CHORD_STEPS):
        going &= q > 0
        if not going.any():
            break
        with single_thread():  # all k solves at once: cheaper than gathering the factors
            step = _lu_solve(factors, pivots, r)
        index = going.nonzero().squeeze(1)
        trial = h[index] - step[index]
        with torch.no_grad():
            r_trial, q_trial = residual_and_q(residual, trial, inputs[index])
        good = torch.isfinite(q_trial) & (q_trial <= CHORD_MIN_DECREASE * q[index])
        chosen = index[good]
        h[chosen], r[chosen], q[chosen] = trial[good], r_trial[good], q_trial[good]
        going[index[~good]] = False
