"""Stage 1 of the finder: an optional Adam warm start on Σ_k q(h_k) (``adam_steps``, default
0: off).

The sum couples nothing: each point's gradient is its own ∂q/∂h_k, so this is K independent
descents in one autograd pass. Adam only gets close (it jitters at the scale of its learning
rate), so the best state seen per point is kept. What it buys, measured
(benchmarks/warm_start.py, benchmarks/fixed_points.py, tests/test_fixed_points.py): from states
visited on trajectories of random N = 256 maps with and without a rank-3 structure and of an
untrained leaky tanh RNN, Newton straight from the initial states finds the same unique roots at
40–50 % of the CPU time (which root a given state ends at differs for up to a quarter of the
states); on a chaotic network the warm start drives points into local minima of q (5 % converge
instead of 45 %); from states uniform in a box Newton takes every state to its nearest root
while Adam wanders 3–4 units off to two more. Where it matters is a curved slow manifold (an
approximate ring or line attractor): Newton's straight steps leave it and crawl, and miss a root
on it that Adam's small steps reach. The library runs without it; the stages analysing trained
networks (``network_fixed_points``, the zoo's ``equilibria`` stage) keep 300 steps.

Shapes: K = points, N = state dimension.
"""

from __future__ import annotations

import torch

from rnnlab.analysis.fixed_points.batched import (
    DTYPE,
    BatchedFunction,
    Tensor,
    evaluate_jacobian,
    residual_and_q,
)
from rnnlab.analysis.fixed_points.settings import (
    ADAM_BETA1,
    ADAM_BETA2,
    ADAM_EPS,
    FixedPointSettings,
)


def adam_warm_start(residual: BatchedFunction, residual_jacobian: BatchedFunction,
                    states: Tensor, inputs: Tensor, settings: FixedPointSettings) -> Tensor:
    """Adam on Σ_k q(h_k); returns the lowest-q state seen for each point, (K, N)."""
    h = states.clone()
    best_h = states.clone()
    best_q = torch.full((h.shape[0],), float("inf"), dtype=DTYPE)
    first_moment = torch.zeros_like(h)
    second_moment = torch.zeros_like(h)
    lr = settings.adam_learning_rate

    def keep_best(q: Tensor) -> None:
        better = q < best_q  # NaN compares False: a diverged point keeps its last good state
        best_q[better] = q[better]
        best_h[better] = h[better]

    for t in range(1, settings.adam_steps + 1):
        h_leaf = h.detach().requires_grad_(True)
        with torch.enable_grad():
            r, q = residual_and_q(residual, h_leaf, inputs)
            if q.requires_grad:
                (gradient,) = torch.autograd.grad(q.sum(), h_leaf)
            else:  # residual not traceable by autograd: use the supplied Jacobian, g = Aᵀr
                gradient = None
        q = q.detach()
        if gradient is None:
            a = evaluate_jacobian(residual_jacobian, h, inputs)
            gradient = torch.einsum("kij,ki->kj", a, r.detach())
        keep_best(q)
        # A point with non-finite q or gradient stops moving (its gradient is meaningless).
        usable = torch.isfinite(q).unsqueeze(-1) & torch.isfinite(gradient)
        gradient = torch.where(usable, gradient, 0.0)
        first_moment.mul_(ADAM_BETA1).add_(gradient, alpha=1 - ADAM_BETA1)
        second_moment.mul_(ADAM_BETA2).addcmul_(gradient, gradient, value=1 - ADAM_BETA2)
        m_hat = first_moment / (1 - ADAM_BETA1**t)
        v_hat = second_moment / (1 - ADAM_BETA2**t)
        h = h - lr * m_hat / (v_hat.sqrt() + ADAM_EPS)

    with torch.no_grad():
        _, q = residual_and_q(residual, h, inputs)
    keep_best(q)
    return best_h
