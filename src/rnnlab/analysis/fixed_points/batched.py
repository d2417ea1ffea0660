"""K points at once: the residual r (K, N) and its Jacobian (K, N, N), as every stage uses them.

Initial states and inputs as fresh float64 batches (:func:`as_batch`); the Jacobian supplied or
by batched autograd (:func:`autograd_jacobian`), shifted from the dynamics' to the residual's
(:class:`ShiftedJacobian`) and evaluated in chunks that bound memory (:func:`evaluate_jacobian`,
:func:`chunks`); q = ½‖r‖² (:func:`residual_and_q`); batched linear algebra on one thread
(:func:`single_thread`).

Shapes: K = points, N = state dimension, M = input dimension.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator

import numpy as np
import torch

from rnnlab.analysis.fixed_points.settings import CHUNK_ELEMENTS

Tensor = torch.Tensor
BatchedFunction = Callable[[Tensor, Tensor], Tensor]

DTYPE = torch.float64  # of every state, residual and Jacobian (Newton's factors excepted)


@contextmanager
def single_thread() -> Iterator[None]:
    # Batched CPU linalg with >1 thread can fail or return wrong results for N ≳ 150 in
    # torch 2.13 (pytorch issue 142815); every batched solve / eig runs inside this.
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def as_batch(initial_states: np.ndarray | Tensor, inputs: np.ndarray | Tensor
             ) -> tuple[Tensor, Tensor]:
    """(K, N) states and (K, M) inputs as fresh float64 tensors."""
    states = torch.as_tensor(initial_states).detach().to(DTYPE).clone()
    if states.ndim != 2 or states.shape[0] == 0:
        raise ValueError(f"initial_states must be (K, N) with K ≥ 1, got {tuple(states.shape)}")
    n_points = states.shape[0]
    inputs_t = torch.as_tensor(inputs).detach().to(DTYPE)
    if inputs_t.ndim == 1:
        inputs_t = inputs_t.unsqueeze(0).expand(n_points, -1)
    elif inputs_t.ndim != 2 or inputs_t.shape[0] != n_points:
        raise ValueError(
            f"inputs must be (M,) or (K, M) with K = {n_points}, got {tuple(inputs_t.shape)}"
        )
    return states, inputs_t.clone().contiguous()


def autograd_jacobian(function: BatchedFunction) -> BatchedFunction:
    """(h: (K, N), u: (K, M)) -> (K, N, N) Jacobian of ``function`` w.r.t. h by vmap(jacrev)."""

    def single(h: Tensor, u: Tensor) -> Tensor:
        return function(h.unsqueeze(0), u.unsqueeze(0)).squeeze(0)

    return torch.func.vmap(torch.func.jacrev(single, argnums=0))


class ShiftedJacobian:
    """The residual's Jacobian A = J + shift·I from the dynamics' Jacobian J (the map's, with
    shift −1, or the flow's, shift 0). Newton evaluates J once per block and forms A directly
    in the precision it factorises in (one copy, no identity matrix, no float64 A)."""

    def __init__(self, base: BatchedFunction, shift: float):
        self.base = base
        self.shift = shift

    def shifted(self, jacobian: Tensor, dtype: torch.dtype) -> Tensor:
        """A = J + shift·I as a fresh ``dtype`` tensor from J (k, N, N) (J is not modified)."""
        a = jacobian.to(dtype, copy=True)
        if self.shift:
            a.diagonal(dim1=-2, dim2=-1).add_(self.shift)
        return a

    def __call__(self, h: Tensor, u: Tensor) -> Tensor:
        return self.shifted(self.base(h, u), DTYPE)


def evaluate_jacobian(jacobian: BatchedFunction, states: Tensor, inputs: Tensor) -> Tensor:
    """Batched Jacobian (K, N, N), built in chunks of points to bound memory."""
    n_points, n_states = states.shape
    chunk = max(1, CHUNK_ELEMENTS // max(1, n_states * n_states))
    with torch.no_grad():
        blocks = [
            jacobian(states[start:start + chunk], inputs[start:start + chunk]).detach()
            for start in range(0, n_points, chunk)
        ]
    result = (blocks[0] if len(blocks) == 1 else torch.cat(blocks)).to(DTYPE)
    if result.shape != (n_points, n_states, n_states):
        raise ValueError(
            f"jacobian must return (K, N, N) = {(n_points, n_states, n_states)}, "
            f"got {tuple(result.shape)}"
        )
    return result


def chunks(index: Tensor, n_states: int, elements: int = CHUNK_ELEMENTS) -> Iterator[Tensor]:
    """Consecutive pieces of ``index`` whose (piece, N, N) blocks fit the chunk budget."""
    size = max(1, elements // max(1, n_states * n_states))
    for start in range(0, index.numel(), size):
        yield index[start:start + size]


def residual_and_q(residual: BatchedFunction, states: Tensor, inputs: Tensor
                   ) -> tuple[Tensor, Tensor]:
    """r (K, N) and q = ½‖r‖² (K,) in float64 at states (K, N), inputs (K, M)."""
    r = residual(states, inputs)
    if r.shape != states.shape:
        raise ValueError(f"residual must return (K, N) = {tuple(states.shape)}, "
                         f"got {tuple(r.shape)}")
    r = r.to(DTYPE)
    return r, 0.5 * (r * r).sum(dim=-1)
