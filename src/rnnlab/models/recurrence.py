"""Fast leaky recurrence with hand-written backpropagation through time.

    z_t = d_t + W h_{t−1}
    h_t = (1 − α) ⊙ h_{t−1} + α ⊙ φ(z_t) + ξ_t          t = 1 … T

d_t is the drive (input projection plus bias, computed by the caller in one matrix product),
ξ_t an optional additive perturbation (recurrent noise, or a zero probe whose gradient is the
total ∂L/∂h_t). Everything that does not have to be sequential is done in bulk:

- forward, per step: one matrix product (z_t), φ, and one lerp writing h_t into the output
  buffer (plus one add with a perturbation, and a copy of φ(z_t) for tanh, sigmoid and relu);
- backward, per step: one multiply (∂L/∂z_t), one addcmul (leak path) and one matrix product
  (recurrent path); α φ′ is evaluated in blocks of steps before the loop, and ∂L/∂W is ONE
  matrix product over all stored states after it.

φ′ is exactly autograd's derivative of φ: for tanh, sigmoid and relu it is autograd's own
backward kernel applied to the stored φ(z), for softplus its kernel applied to the stored z
(``Nonlinearity.input_backward``; no second evaluation of φ either way); for any other φ the
stored z is passed through φ again under autograd.

The (T, B, N) buffers come from a small pool and are reused across calls once nothing else
references them: fresh multi-megabyte tensors are mapped and zeroed page by page by the kernel,
which on small virtual machines costs more than the arithmetic.

Compared with autograd over a Python loop this avoids the graph bookkeeping, the per-step
temporaries, the per-step weight-gradient products and, for an indexed loop, the full-size
zero gradient that autograd materialises for every ``x[:, t]``.

Layout: the public shapes are batch-major (B, T, N) like the model's, but the buffers are
time-major (T, B, N) so that every per-step slice is contiguous; the states returned are a
(B, T, N) view of a (T, B, N) tensor. A drive that is itself a view of a time-major tensor
(``drive_tm.transpose(0, 1)``) is read without a copy.

Shapes: B = trials, T = steps, N = units.
"""

from __future__ import annotations

import threading

import torch

from rnnlab.models.nonlinearities import Nonlinearity

Tensor = torch.Tensor

__all__ = ["leaky_recurrence", "leaky_recurrence_reference"]

# Elements per block of steps in bulk elementwise work (1 MB in float32): temporaries this
# small are recycled by malloc instead of being mapped afresh.
_BLOCK_ELEMENTS = 2**18
_POOL_CAPACITY = 8  # buffers kept per thread: two calls' worth of forward and backward


def _threshold_backward(grad: Tensor, output: Tensor) -> Tensor:
    return torch.ops.aten.threshold_backward(grad, output, 0)


# φ whose autograd derivative is a function of the output y = φ(z): the kernel autograd uses,
# (grad, y) -> grad ⊙ φ′. For these the forward pass stores y instead of z.
_OUTPUT_BACKWARD = {
    torch.tanh: torch.ops.aten.tanh_backward,
    torch.sigmoid: torch.ops.aten.sigmoid_backward,
    torch.relu: _threshold_backward,
}


def leaky_recurrence(
    drive: Tensor,
    weight: Tensor,
    alpha: Tensor,
    nonlinearity: Nonlinearity,
    initial_state: Tensor | None = None,
    perturbation: Tensor | None = None,
) -> Tensor:
    """States h_1 … h_T of the leaky recurrence (module docstring), differentiable.

    Args:
        drive: (B, T, N) d_t = W_in x_t + b.
        weight: (N, N) recurrent weights W (row = postsynaptic unit).
        alpha: (N,) leak per unit (a buffer or a parameter); a scalar is broadcast.
        nonlinearity: φ (its derivative is taken by autograd through φ, see :func:`_gain`).
        initial_state: (B, N) h_0; zeros when None.
        perturbation: (B, T, N) ξ added to each new state, or None.
    Returns:
        states (B, T, N) with states[:, t] = h_{t+1} (a view of a time-major buffer).
        Gradients flow to drive, weight, alpha, initial_state and perturbation; the gradient of
        perturbation[:, t] is the total ∂L/∂h_{t+1}.
    """
    dtype = _common_dtype(drive, weight, alpha, initial_state, perturbation)
    batch_size, _, n_units = drive.shape
    if initial_state is None:
        initial_state = drive.new_zeros(batch_size, n_units)
    if perturbation is not None:
        perturbation = perturbation.to(dtype).transpose(0, 1)
    states = _LeakyRecurrence.apply(
        drive.to(dtype).transpose(0, 1),
        weight.to(dtype),
        alpha.to(dtype).expand(n_units),
        initial_state.to(dtype),
        perturbation,
        nonlinearity,
    )
    return states.transpose(0, 1)


def leaky_recurrence_reference(
    drive: Tensor,
    weight: Tensor,
    alpha: Tensor,
    nonlinearity: Nonlinearity,
    initial_state: Tensor | None = None,
    perturbation: Tensor | None = None,
) -> Tensor:
    """The same recurrence as a plain Python loop differentiated by autograd (for tests and
    benchmarks). Shapes as :func:`leaky_recurrence`."""
    batch_size, n_steps, n_units = drive.shape
    state = drive.new_zeros(batch_size, n_units) if initial_state is None else initial_state
    states = []
    for t in range(n_steps):
        state = (1 - alpha) * state + alpha * nonlinearity.function(
            drive[:, t] + state @ weight.T
        )
        if perturbation is not None:
            state = state + perturbation[:, t]
        states.append(state)
    return torch.stack(states, dim=1)


def _common_dtype(*tensors: Tensor | None) -> torch.dtype:
    dtype = torch.float32
    for tensor in tensors:
        if tensor is not None:
            dtype = torch.promote_types(dtype, tensor.dtype)
    if dtype not in (torch.float32, torch.float64):
        raise TypeError(f"leaky_recurrence supports float32 and float64, not {dtype}")
    return dtype


class _LeakyRecurrence(torch.autograd.Function):
    """Autograd node of :func:`leaky_recurrence`: time-major (T, B, N) drive, perturbation and
    states, all arguments in one dtype."""

    @staticmethod
    def forward(ctx, drive, weight, alpha, initial_state, perturbation, nonlinearity):
        phi = nonlinearity.function
        stores_output = phi in _OUTPUT_BACKWARD
        states, record = _run_forward(
            drive, weight, alpha, initial_state, perturbation, phi, stores_output
        )
        ctx.phi = phi
        ctx.input_backward = nonlinearity.input_backward
        ctx.stores_output = stores_output
        ctx.has_perturbation = perturbation is not None
        ctx.save_for_backward(weight, alpha, initial_state, states, record)
        return states

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_states):
        weight, alpha, initial_state, states, record = ctx.saved_tensors
        needs = ctx.needs_input_grad
        # The total ∂L/∂h_t of every step is kept only when something needs it.
        keep_grad_h = needs[2] or (ctx.has_perturbation and needs[4])
        gain = _gain(record, alpha, ctx.phi, ctx.stores_output, ctx.input_backward)
        grad_z, grad_h, grad_h0 = _run_backward(grad_states, weight, alpha, gain, keep_grad_h)
        grad_weight = _weight_gradient(grad_z, states, initial_state) if needs[1] else None
        grad_alpha = None
        if needs[2]:
            activations = record if ctx.stores_output else ctx.phi(record)
            grad_alpha = _alpha_gradient(grad_h, states, initial_state, activations)
        return (
            grad_z if needs[0] else None,
            grad_weight,
            grad_alpha,
            grad_h0 if needs[3] else None,
            grad_h if ctx.has_perturbation and needs[4] else None,
            None,
        )


def _run_forward(drive, weight, alpha, initial_state, perturbation, phi, stores_output):
    """Sequential part of the forward pass.

    drive (T, B, N), weight (N, N), alpha (N,), initial_state (B, N), perturbation (T, B, N)
    or None → states (T, B, N) and the record for backward (T, B, N): φ(z_t) when
    ``stores_output``, else z_t. Both are pooled buffers that each step writes into.
    """
    states = _take_buffer(drive.shape, drive.dtype)
    record = _take_buffer(drive.shape, drive.dtype)
    scratch = drive.new_empty(drive.shape[1:]) if stores_output else None
    weight_t = weight.t()
    previous = initial_state
    for t in range(drive.shape[0]):
        z = scratch if stores_output else record[t]
        torch.addmm(drive[t], previous, weight_t, out=z)
        activation = phi(z)
        if stores_output:
            record[t].copy_(activation)
        current = states[t]
        # lerp(h, φ(z), α) = h + α (φ(z) − h) = (1 − α) h + α φ(z), in one kernel.
        torch.lerp(previous, activation, alpha, out=current)
        if perturbation is not None:
            current.add_(perturbation[t])
        previous = current
    return states, record


def _gain(record, alpha, phi, stores_output, input_backward=None):
    """α ⊙ φ′(z) for all steps, from the forward record (T, B, N) → (T, B, N) pooled buffer.

    φ′ is autograd's derivative of φ itself, not a separate formula, so the gradient is exactly
    that of the function the forward pass evaluated (e.g. F.softplus is linear above its
    threshold, where sigmoid(βz) differs from 1 by up to e⁻²⁰): autograd's own backward kernel
    on the stored output (tanh, sigmoid, relu) or input (``input_backward``: softplus), else
    autograd through φ (which evaluates φ once more). Done in blocks of steps.
    """
    n_steps, batch_size, n_units = record.shape
    gain = _take_buffer(record.shape, record.dtype)
    block = max(1, _BLOCK_ELEMENTS // (batch_size * n_units))
    for start in range(0, n_steps, block):
        part = record[start:start + block]
        scale = alpha.expand_as(part)
        if stores_output:
            gain[start:start + block] = _OUTPUT_BACKWARD[phi](scale, part)
        elif input_backward is not None:
            gain[start:start + block] = input_backward(scale, part)
        else:
            with torch.enable_grad():
                z = part.detach().requires_grad_(True)
                (gain[start:start + block],) = torch.autograd.grad(phi(z), z, scale)
    return gain


def _run_backward(grad_states, weight, alpha, gain, keep_grad_h):
    """Sequential part of backpropagation through time.

    grad_states (T, B, N): ∂L/∂h_t through the states' direct uses only; gain (T, B, N):
    α ⊙ φ′(z_t), overwritten with ∂L/∂z_t. Returns grad_z (T, B, N) = ∂L/∂z_t (= ∂L/∂d_t,
    the storage of gain), grad_h (T, B, N) = total ∂L/∂h_t when ``keep_grad_h`` (else None),
    and grad_h0 (B, N) = ∂L/∂h_0.
    """
    n_steps, batch_size, n_units = gain.shape
    retain = 1 - alpha
    grad_h = _take_buffer(gain.shape, gain.dtype) if keep_grad_h else None
    # δ of the current step and of the one below; without grad_h two (B, N) buffers alternate.
    spare = gain.new_empty(batch_size, n_units)
    delta = grad_h[-1] if keep_grad_h else gain.new_empty(batch_size, n_units)
    delta.copy_(grad_states[-1])
    for t in range(n_steps - 1, 0, -1):
        grad_z = gain[t].mul_(delta)
        # δ_{t−1} = g_{t−1} + (1 − α) δ_t + Wᵀ(α φ′(z_t) δ_t)
        below = grad_h[t - 1] if keep_grad_h else spare
        torch.addcmul(grad_states[t - 1], retain, delta, out=below)
        below.addmm_(grad_z, weight)
        spare, delta = delta, below
    grad_z = gain[0].mul_(delta)
    grad_h0 = torch.addmm(retain * delta, grad_z, weight)
    return gain, grad_h, grad_h0


def _weight_gradient(grad_z, states, initial_state):
    """∂L/∂W = Σ_{t,b} (∂L/∂z_t)ᵀ h_{t−1} as one matrix product over all stored states.

    grad_z, states (T, B, N); initial_state (B, N) → (N, N). Time-major, the rows of steps
    1 … T−1 pair with the state rows of steps 0 … T−2; step 0 pairs with h_0.
    """
    n_units = states.shape[-1]
    gradient = grad_z[1:].reshape(-1, n_units).t() @ states[:-1].reshape(-1, n_units)
    return gradient.addmm_(grad_z[0].t(), initial_state)


def _alpha_gradient(grad_h, states, initial_state, activations):
    """∂L/∂α = Σ_{t,b} δ_t ⊙ (φ(z_t) − h_{t−1}); (T, B, N) tensors and (B, N) h_0 → (N,)."""
    previous = torch.cat([initial_state[None], states[:-1]])
    return (grad_h * (activations - previous)).sum(dim=(0, 1))


class _BufferPool:
    """Reusable (T, B, N) buffers, least recently used first.

    A buffer is handed out (as a view, never the pooled tensor itself) only while nothing
    outside the pool references its memory, judged by the storage's use count: results the
    caller keeps, arrays numpy shares, and tensors saved for a pending backward pass are never
    overwritten. Without that count (a private torch function) nothing is reused.
    """

    def __init__(self, capacity: int):
        self._capacity = capacity
        self._buffers: list[Tensor] = []

    def take(self, shape: torch.Size, dtype: torch.dtype) -> Tensor:
        for index, buffer in enumerate(self._buffers):
            if buffer.shape == shape and buffer.dtype == dtype and _is_unshared(buffer):
                self._buffers.append(self._buffers.pop(index))
                return buffer.view(shape)
        buffer = torch.empty(shape, dtype=dtype)
        self._buffers = (self._buffers + [buffer])[-self._capacity:]
        return buffer.view(shape)


_storage_use_count = getattr(torch._C, "_storage_Use_Count", None)


def _is_unshared(buffer: Tensor) -> bool:
    if _storage_use_count is None:
        return False
    storage = buffer.untyped_storage()  # a second handle while it lives: count 2 = unshared
    return _storage_use_count(storage._cdata) == 2


_pools = threading.local()


def _take_buffer(shape: torch.Size, dtype: torch.dtype) -> Tensor:
    """An uninitialised (T, B, N) tensor from this thread's pool."""
    if not hasattr(_pools, "pool"):
        _pools.pool = _BufferPool(_POOL_CAPACITY)
    return _pools.pool.take(torch.Size(shape), dtype)
