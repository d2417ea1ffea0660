"""Pointwise nonlinearities φ and their derivatives φ′, by name.

Every model, the fixed-point finder's analytic Jacobians and the gradient analyses use this one
table, so a network is always analysed with the nonlinearity it was trained with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F

Tensor = torch.Tensor


SOFTPLUS_THRESHOLD = 20.0  # F.softplus is linear above β·x > this (its default)


@dataclass(frozen=True)
class Nonlinearity:
    """φ, its derivative φ′, and optionally ``input_backward`` (grad, z, out=None) →
    grad ⊙ φ′(z): the very kernel autograd runs for φ's backward, so the fast recurrence can
    take exactly autograd's gradient without evaluating φ again under autograd (``out``: a
    tensor to write the result into, which may be a strided view)."""

    name: str
    function: Callable[[Tensor], Tensor]
    derivative: Callable[[Tensor], Tensor]
    input_backward: Callable[..., Tensor] | None = None


def _softplus(beta: float) -> Nonlinearity:
    # softplus(βx)/β: a smooth ReLU whose sharpness grows with β (EI-RNN thesis uses β = 8–10).
    return Nonlinearity(
        name="softplus",
        function=lambda x: F.softplus(x, beta=beta, threshold=SOFTPLUS_THRESHOLD),
        derivative=lambda x: torch.sigmoid(beta * x),
        input_backward=lambda grad, x, out=None: (
            torch.ops.aten.softplus_backward(grad, x, beta, SOFTPLUS_THRESHOLD)
            if out is None
            else torch.ops.aten.softplus_backward.grad_input(
                grad, x, beta, SOFTPLUS_THRESHOLD, grad_input=out
            )
        ),
    )


def make_nonlinearity(name: str, softplus_beta: float = 8.0) -> Nonlinearity:
    """Return φ and φ′ for ``name`` in {tanh, softplus, relu, sigmoid}."""
    if name == "tanh":
        return Nonlinearity("tanh", torch.tanh, lambda x: 1.0 - torch.tanh(x) ** 2)
    if name == "softplus":
        return _softplus(softplus_beta)
    if name == "relu":
        return Nonlinearity("relu", torch.relu, lambda x: (x > 0).to(x.dtype))
    if name == "sigmoid":
        return Nonlinearity(
            "sigmoid", torch.sigmoid, lambda x: torch.sigmoid(x) * (1 - torch.sigmoid(x))
        )
    raise ValueError(
        f"unknown nonlinearity {name!r}; known: tanh, softplus, relu, sigmoid"
    )
