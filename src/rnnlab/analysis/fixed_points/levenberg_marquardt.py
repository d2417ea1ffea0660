"""Stage 3 of the finder: Levenberg–Marquardt refinement of the points Newton leaves.

With A = ∂r/∂h (J_map − I for maps, J_rhs for flows) solve (AᵀA + λ D) δ = −Aᵀr, D the Marquardt
diagonal diag(AᵀA) with a floor (so a zero column of A, e.g. a continuous attractor, is still
damped). A point accepts its step if q decreases (λ ← λ/3) and otherwise rejects it (λ ← 2λ,
same A reused). Near a true root this is Gauss–Newton and converges quadratically down to
rounding error. A point stops once it is converged (q < ``converged_q``) and its next step
either fails or moves it by less than 1e-12·max(1, ‖h‖); or once stalled (30 rejections in a
row, or q ≥ ``slow_point_q`` having fallen by < 1 % over the last 10 iterations). The loop ends
when every point has stopped or after ``refine_steps`` iterations. Only running points are
solved for, and only points that moved get a new Jacobian.

In slow-point mode (``stop_at_slow_point``) this stage runs alone, with isotropic damping, and
stops each point as soon as q < ``slow_point_q``.

Shapes: K = points, k = the running ones, N = state dimension.
"""

from __future__ import annotations

import torch

from rnnlab.analysis.fixed_points.batched import (
    DTYPE,
    BatchedFunction,
    Tensor,
    chunks,
    evaluate_jacobian,
    residual_and_q,
    single_thread,
)
from rnnlab.analysis.fixed_points.settings import (
    LM_DAMPING_FLOOR,
    LM_LAMBDA_INITIAL,
    LM_LAMBDA_MAX,
    LM_LAMBDA_MIN,
    LM_MAX_REJECTIONS,
    LM_PROGRESS_MIN_DECREASE,
    LM_PROGRESS_WINDOW,
    LM_STEP_TOLERANCE,
    FixedPointSettings,
)


def _update_normal_equations(gram: Tensor, gradient: Tensor, residual_jacobian: BatchedFunction,
                             h: Tensor, inputs: Tensor, r: Tensor, index: Tensor) -> None:
    """Write AᵀA into gram (K, N, N) and Aᵀr into gradient (K, N) at rows ``index``."""
    for part in chunks(index, h.shape[1]):
        a = evaluate_jacobian(residual_jacobian, h[part], inputs[part])
        a_t = a.transpose(-1, -2)
        gram[part] = a_t @ a
        gradient[part] = (a_t @ r[part].unsqueeze(-1)).squeeze(-1)


def _damped_steps(gram: Tensor, gradient: Tensor, lam: Tensor, index: Tensor,
                  isotropic: bool = False) -> tuple[Tensor, Tensor]:
    """Solve (AᵀA + λD) δ = −Aᵀr at rows ``index``: δ (k, N) and whether each solve worked.
    D is the Marquardt diagonal diag(AᵀA) (floored), or with ``isotropic`` mean(diag(AᵀA))·I
    (Levenberg), which barely moves a point along near-null directions of A."""
    steps, solved = [], []
    for part in chunks(index, gram.shape[-1]):
        system = gram[part]  # a copy: the damping is added in place below
        diagonal = system.diagonal(dim1=-2, dim2=-1)
        mean = diagonal.mean(dim=-1, keepdim=True)
        damping = (mean.expand_as(diagonal) if isotropic
                   else torch.maximum(diagonal, LM_DAMPING_FLOOR * mean))
        damping = torch.where(damping > 0, damping, 1.0)  # A == 0: plain Levenberg damping
        diagonal.add_(lam[part].unsqueeze(-1) * damping)
        with single_thread():
            factor, info = torch.linalg.cholesky_ex(system)
            delta = torch.cholesky_solve(-gradient[part].unsqueeze(-1), factor).squeeze(-1)
        ok = (info == 0) & torch.isfinite(delta).all(dim=-1)
        steps.append(torch.where(ok.unsqueeze(-1), delta, 0.0))
        solved.append(ok)
    return torch.cat(steps), torch.cat(solved)


def levenberg_marquardt(residual: BatchedFunction, residual_jacobian: BatchedFunction,
                        states: Tensor, inputs: Tensor, settings: FixedPointSettings
                        ) -> tuple[Tensor, Tensor, int, Tensor]:
    """Batched LM refinement. Returns states (K, N), q (K,), the iterations run and
    ``stopped`` (K,) bool: the point stopped before the iteration limit (converged, or its
    descent stalled), rather than running out of iterations."""
    h = states.clone()
    n_points, n_states = h.shape
    with torch.no_grad():
        r, q = residual_and_q(residual, h, inputs)
    lam = torch.full((n_points,), LM_LAMBDA_INITIAL, dtype=DTYPE)
    rejections = torch.zeros(n_points, dtype=torch.int64)
    # Non-finite points cannot be refined; exact roots need no refinement.
    done = ~torch.isfinite(q) | ~torch.isfinite(h).all(dim=-1) | (q == 0)
    stop_q = settings.slow_point_q if settings.stop_at_slow_point else 0.0
    done |= q < stop_q
    if settings.refine_steps == 0:
        return h, q, 0, done
    gram = torch.zeros(n_points, n_states, n_states, dtype=DTYPE)
    gradient = torch.zeros(n_points, n_states, dtype=DTYPE)
    _update_normal_equations(gram, gradient, residual_jacobian, h, inputs, r,
                             (~done).nonzero().squeeze(1))

    iterations = 0
    q_window_start = q.clone()
    for _ in range(settings.refine_steps):
        active = (~done).nonzero().squeeze(1)
        if active.numel() == 0:
            break
        iterations += 1
        delta, solved = _damped_steps(gram, gradient, lam, active,
                                      isotropic=settings.stop_at_slow_point)
        trial = h[active] + delta
        with torch.no_grad():
            r_trial, q_trial = residual_and_q(residual, trial, inputs[active])
        accept = solved & torch.isfinite(q_trial) & (q_trial < q[active])

        accepted, rejected = active[accept], active[~accept]
        h[accepted] = trial[accept]
        r[accepted] = r_trial[accept]
        q[accepted] = q_trial[accept]
        lam[accepted] = (lam[accepted] / 3).clamp_min(LM_LAMBDA_MIN)
        rejections[accepted] = 0
        lam[rejected] = lam[rejected] * 2
        rejections[rejected] += 1
        # Converged points keep refining until a step fails (rounding floor reached) or moves
        # them less than LM_STEP_TOLERANCE (relative, absolute below |h| = 1: a root at the
        # origin keeps shrinking q without bound); others stop when stalled.
        tiny_step = torch.zeros(n_points, dtype=torch.bool)
        tiny_step[accepted] = delta[accept].norm(dim=-1) <= LM_STEP_TOLERANCE * (
            h[accepted].norm(dim=-1).clamp_min(1.0))
        converged = q < settings.converged_q
        done = (done | (q == 0) | (q < stop_q) | (rejections >= LM_MAX_REJECTIONS)
                | (lam > LM_LAMBDA_MAX) | (converged & ((rejections >= 1) | tiny_step)))
        # Only accepted points moved: only those still running need a new Jacobian.
        _update_normal_equations(gram, gradient, residual_jacobian, h, inputs, r,
                                 accepted[~done[accepted]])
        if iterations % LM_PROGRESS_WINDOW == 0:
            # A failing point whose q fell by < 1% over the window is stuck (e.g. in a local
            # minimum of q far above slow_point_q): stop paying for it.
            stuck = q > (1 - LM_PROGRESS_MIN_DECREASE) * q_window_start
            done |= stuck & (q >= settings.slow_point_q)
            q_window_start = q.clone()
    return h, q, iterations, done
