"""Fast leaky recurrence with hand-written backpropagation through time.

    z_t = W h_{t−1} + W_in x_t + b          (or  z_t = W h_{t−1} + d_t  with a given drive)
    h_t = (1 − α) ⊙ h_{t−1} + α ⊙ φ(z_t) + ξ_t          t = 1 … T
    y_t = W_out h_t + b_out                  (optional readout)

ξ_t is an optional additive perturbation (recurrent noise, or a zero probe whose gradient is the
total ∂L/∂h_t). Two entry points share one engine: :func:`leaky_rnn_sequence` (inputs x, W_in,
b and the readout: a whole network) and :func:`leaky_recurrence` (a precomputed drive d_t).

Why the projections are folded into the sequential products: with few inputs and outputs
(I, O ≈ 33) the bulk input projection (B·T × I)(I × N) and the readout's backward
(B·T × O)(O × N) are skinny matrix products that run at a fifth of the rate of the square
per-step products, plus transposing copies around them. Instead:

- forward: the time-major buffer ``rows`` (T+1, B, N+I+1) holds rows [h_t, x_{t+1}, 1] side by
  side, so step t is ONE product z_t = rows[t−1] [W, W_in, b]ᵀ with K = N+I+1 (the constant 1
  carries the bias); h_t is written into rows[t, :, :N]. The states are the strided view
  rows[1:, :, :N], and the outputs one product over them (B·T × N)(N × O).
- backward: the time-major buffer ``grads`` (T+1, B, N+O) holds rows [∂L/∂z_{t+1}, ∂L/∂y_t], so
  the recurrent and readout paths of ∂L/∂h_{t−1} are ONE product grads[t−1] [W; W_out] with
  K = N+O; then every weight and bias gradient comes from ONE product gradsᵀ rows over all
  stored rows, shape (N+O, N+I+1), whose blocks are [∂W, ∂W_in, ∂b] (first N rows) and
  [∂W_out, ·, ∂b_out] (the O × I corner is unused).
  The entries that pair with nothing real (∂L/∂z_{T+1}, ∂L/∂y_0 and x_{T+1}) are zeroed.

Per step the forward pass is one matrix product, φ and one lerp writing h_t (plus one add with
a perturbation, and a copy of φ(z_t) for relu); the backward pass one multiply (∂L/∂z_t), one
addcmul (leak path) and one matrix product. α φ′ is evaluated in blocks of steps before the
loop.

φ′ is exactly autograd's derivative of φ: for tanh, sigmoid and relu it is autograd's own
backward kernel applied to the stored φ(z), for softplus its kernel applied to the stored z
(``Nonlinearity.input_backward``; no second evaluation of φ either way); for any other φ the
stored z is passed through φ again under autograd.

The large time-major buffers come from a small pool and are reused across calls once nothing
else references them: fresh multi-megabyte tensors are mapped and zeroed page by page by the
kernel, which on small virtual machines costs more than the arithmetic. Every element a call
reads is written by that call, so reuse cannot leak values between calls.

Compared with autograd over a Python loop this avoids the graph bookkeeping, the per-step
temporaries, the per-step weight-gradient products and, for an indexed loop, the full-size
zero gradient that autograd materialises for every ``x[:, t]``.

Layout: the public shapes are batch-major (B, T, ·) like the model's; the results are
(B, T, ·) views of time-major buffers (states: of ``rows``, so not contiguous). Batch-major
arguments are read through time-major views without a copy (inputs once, into ``rows``).

Shapes: B = trials, T = steps, I = inputs, N = units, O = outputs.
"""

from __future__ import annotations

import threading

import torch

from rnnlab.models.nonlinearities import Nonlinearity

Tensor = torch.Tensor

__all__ = ["leaky_recurrence", "leaky_recurrence_reference", "leaky_rnn_sequence"]

# Elements per block of steps in bulk elementwise work (1 MB in float32): temporaries this
# small are recycled by malloc instead of being mapped afresh.
_BLOCK_ELEMENTS = 2**18
_POOL_CAPACITY = 8  # buffers kept per thread: two calls' worth of forward and backward


def _tanh_backward(grad: Tensor, output: Tensor, out: Tensor) -> Tensor:
    return torch.ops.aten.tanh_backward.grad_input(grad, output, grad_input=out)


def _sigmoid_backward(grad: Tensor, output: Tensor, out: Tensor) -> Tensor:
    return torch.ops.aten.sigmoid_backward.grad_input(grad, output, grad_input=out)


def _threshold_backward(grad: Tensor, output: Tensor, out: Tensor) -> Tensor:
    return torch.ops.aten.threshold_backward.grad_input(grad, output, 0, grad_input=out)


# φ whose autograd derivative is a function of the output y = φ(z): the kernel autograd uses,
# (grad, y, out) -> grad ⊙ φ′ written into out (a strided view: writing there directly is
# cheaper than a temporary and a copy). For these the forward pass stores y instead of z.
_OUTPUT_BACKWARD = {
    torch.tanh: _tanh_backward,
    torch.sigmoid: _sigmoid_backward,
    torch.relu: _threshold_backward,
}
# Of those, the ones that can write y straight into the record (torch.relu takes no ``out``).
_HAS_OUT = (torch.tanh, torch.sigmoid)


def leaky_rnn_sequence(
    inputs: Tensor,
    weight_input: Tensor,
    bias: Tensor | None,
    weight: Tensor,
    alpha: Tensor,
    nonlinearity: Nonlinearity,
    initial_state: Tensor | None = None,
    perturbation: Tensor | None = None,
    weight_output: Tensor | None = None,
    bias_output: Tensor | None = None,
) -> tuple[Tensor | None, Tensor]:
    """Outputs and states of the leaky network (module docstring), differentiable.

    Args:
        inputs: (B, T, I) x_t.
        weight_input: (N, I) W_in.
        bias: (N,) b, or None.
        weight: (N, N) recurrent weights W (row = postsynaptic unit).
        alpha: (N,) leak per unit (a buffer or a parameter); a scalar is broadcast.
        nonlinearity: φ (its derivative is autograd's, see :func:`_gain_into`).
        initial_state: (B, N) h_0; zeros when None.
        perturbation: (B, T, N) ξ added to each new state, or None.
        weight_output: (O, N) W_out (already masked by the caller), or None for no readout.
        bias_output: (O,) b_out, or None.
    Returns:
        outputs (B, T, O) with outputs[:, t] = y_{t+1} (None without ``weight_output``) and
        states (B, T, N) with states[:, t] = h_{t+1}; both views of time-major buffers.
        Gradients flow to every tensor argument; the gradient of perturbation[:, t] is the total
        ∂L/∂h_{t+1}.
    """
    return _run(inputs, weight_input, bias, None, weight, alpha, nonlinearity, initial_state,
                perturbation, weight_output, bias_output)


def leaky_recurrence(
    drive: Tensor,
    weight: Tensor,
    alpha: Tensor,
    nonlinearity: Nonlinearity,
    initial_state: Tensor | None = None,
    perturbation: Tensor | None = None,
) -> Tensor:
    """States h_1 … h_T of the recurrence driven by a precomputed d_t, differentiable.

    Args:
        drive: (B, T, N) d_t (e.g. W_in x_t + b).
        weight, alpha, nonlinearity, initial_state, perturbation: as :func:`leaky_rnn_sequence`.
    Returns:
        states (B, T, N) with states[:, t] = h_{t+1} (a view of a time-major buffer).
        Gradients flow to drive, weight, alpha, initial_state and perturbation; the gradient of
        perturbation[:, t] is the total ∂L/∂h_{t+1}.
    """
    _, states = _run(None, None, None, drive, weight, alpha, nonlinearity, initial_state,
                     perturbation, None, None)
    return states


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


def _run(inputs, weight_input, bias, drive, weight, alpha, nonlinearity, initial_state,
         perturbation, weight_output, bias_output):
    """Common dtype, time-major views (no copies), then the autograd node."""
    tensors = (inputs, weight_input, bias, drive, weight, alpha, initial_state, perturbation,
               weight_output, bias_output)
    dtype = _common_dtype(*tensors)
    n_units = weight.shape[0]

    def cast(tensor):
        return None if tensor is None else tensor.to(dtype)

    def time_major(tensor):
        return None if tensor is None else tensor.to(dtype).transpose(0, 1)

    # The record of φ for backward is kept only when a gradient can be asked for.
    differentiable = torch.is_grad_enabled() and any(
        tensor is not None and tensor.requires_grad for tensor in tensors
    )
    outputs, states = _LeakySequence.apply(
        time_major(inputs), cast(weight_input), cast(bias), time_major(drive), cast(weight),
        alpha.to(dtype).expand(n_units), cast(initial_state), time_major(perturbation),
        cast(weight_output), cast(bias_output), nonlinearity, differentiable,
    )
    return (None if outputs is None else outputs.transpose(0, 1)), states.transpose(0, 1)


def _common_dtype(*tensors: Tensor | None) -> torch.dtype:
    dtype = torch.float32
    for tensor in tensors:
        if tensor is not None:
            dtype = torch.promote_types(dtype, tensor.dtype)
    if dtype not in (torch.float32, torch.float64):
        raise TypeError(f"leaky_recurrence supports float32 and float64, not {dtype}")
    return dtype


class _LeakySequence(torch.autograd.Function):
    """Autograd node of the engine: time-major (T, B, ·) inputs, drive, perturbation, outputs
    and states, all arguments in one dtype; inputs with weight_input, or drive, not both."""

    @staticmethod
    def forward(ctx, inputs, weight_input, bias, drive, weight, alpha, initial_state,
                perturbation, weight_output, bias_output, nonlinearity, differentiable):
        phi = nonlinearity.function
        stores_output = phi in _OUTPUT_BACKWARD
        rows, record = _run_forward(
            inputs, weight_input, bias, drive, weight, alpha, initial_state, perturbation, phi,
            stores_output, differentiable,
        )
        n_units = weight.shape[0]
        states = rows[1:, :, :n_units]
        outputs = None
        if weight_output is not None:
            n_steps, batch_size = states.shape[:2]
            flat = states.reshape(n_steps * batch_size, n_units)  # a strided view, no copy
            if bias_output is None:
                outputs = flat @ weight_output.t()
            else:
                outputs = torch.addmm(bias_output, flat, weight_output.t())
            outputs = outputs.view(n_steps, batch_size, -1)
        # Unused outputs give None gradients instead of full-size zeros.
        ctx.set_materialize_grads(False)
        ctx.phi = phi
        ctx.input_backward = nonlinearity.input_backward
        ctx.stores_output = stores_output
        ctx.has = dict(inputs=inputs is not None, bias=bias is not None,
                       initial_state=initial_state is not None,
                       perturbation=perturbation is not None)
        ctx.save_for_backward(weight_input, weight, alpha, weight_output, rows, record)
        return outputs, states

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_outputs, grad_states):
        weight_input, weight, alpha, weight_output, rows, record = ctx.saved_tensors
        (need_inputs, need_weight_input, need_bias, need_drive, need_weight, need_alpha,
         need_h0, need_perturbation, need_weight_output, need_bias_output) = (
            ctx.needs_input_grad[:10])
        has = ctx.has
        n_units = weight.shape[0]
        n_steps, batch_size = rows.shape[0] - 1, rows.shape[1]
        n_out = 0 if weight_output is None else weight_output.shape[0]

        # grads (T+1, B, N+O): rows [∂L/∂z_{t+1}, ∂L/∂y_t]; first α φ′(z_{t+1}), then ∂L/∂z.
        grads = _take_buffer((n_steps + 1, batch_size, n_units + n_out), rows.dtype)
        grad_z = grads[:, :, :n_units]
        _gain_into(grad_z[:n_steps], record, alpha, ctx.phi, ctx.stores_output,
                   ctx.input_backward)
        grad_z[n_steps].zero_()  # there is no z_{T+1}
        if n_out:
            grads[0, :, n_units:].zero_()  # there is no y_0
            if grad_outputs is None:
                grads[1:, :, n_units:].zero_()
            else:
                grads[1:, :, n_units:].copy_(grad_outputs)
        keep_grad_h = need_alpha or (has["perturbation"] and need_perturbation)
        grad_h, grad_h0 = _run_backward(grads, grad_states, weight, weight_output, alpha,
                                        keep_grad_h)

        grad_weight = grad_weight_input = grad_bias = grad_weight_output = None
        grad_bias_output = None
        if any((need_weight, need_weight_input, need_bias, need_weight_output,
                need_bias_output)):
            # Σ_t [∂L/∂z_{t+1}; ∂L/∂y_t]ᵀ [h_t, x_{t+1}, 1] over every stored row, in one
            # product; its blocks are ∂W, ∂W_in, ∂b (first N rows) and ∂W_out, ∂b_out.
            width = rows.shape[-1]
            products = grads.view(-1, n_units + n_out).t() @ rows.view(-1, width)
            grad_weight = products[:n_units, :n_units]
            if has["inputs"]:
                grad_weight_input = products[:n_units, n_units:-1]
                grad_bias = products[:n_units, -1]
                if n_out:
                    grad_weight_output = products[n_units:, :n_units]
                    grad_bias_output = products[n_units:, -1]
        grad_z_steps = grad_z[:n_steps]  # ∂L/∂z_t, t = 1 … T
        grad_inputs = None
        if need_inputs:
            flat = grad_z_steps.reshape(n_steps * batch_size, n_units)
            grad_inputs = (flat @ weight_input).view(n_steps, batch_size, -1)
        grad_alpha = None
        if need_alpha:
            activations = record if ctx.stores_output else ctx.phi(record)
            previous = rows[:n_steps, :, :n_units]  # h_0 … h_{T−1}
            grad_alpha = (grad_h * (activations - previous)).sum(dim=(0, 1))
        return (
            grad_inputs,
            grad_weight_input if need_weight_input else None,
            grad_bias if has["bias"] and need_bias else None,
            grad_z_steps if need_drive else None,
            grad_weight if need_weight else None,
            grad_alpha,
            grad_h0 if has["initial_state"] and need_h0 else None,
            grad_h if has["perturbation"] and need_perturbation else None,
            grad_weight_output if need_weight_output else None,
            grad_bias_output if need_bias_output else None,
            None,
            None,
        )


def _run_forward(inputs, weight_input, bias, drive, weight, alpha, initial_state,
                 perturbation, phi, stores_output, differentiable):
    """Sequential part of the forward pass.

    inputs (T, B, I) with weight_input (N, I) and bias (N,) or None, or drive (T, B, N);
    weight (N, N), alpha (N,), initial_state (B, N) or None, perturbation (T, B, N) or None →
    rows (T+1, B, N+I+1) = [h_t, x_{t+1}, 1] (x_{T+1} = 0; [h_t] alone with a drive) and, when
    ``differentiable``, the record for backward (T, B, N): φ(z_t) when ``stores_output``, else
    z_t (None otherwise). Both are pooled buffers that each step writes into.
    """
    n_units = weight.shape[0]
    source = inputs if inputs is not None else drive
    n_steps, batch_size = source.shape[:2]
    dtype = weight.dtype
    # [h_t, x_{t+1}, 1] with inputs (the 1 carries the biases), [h_t] alone with a drive.
    width = n_units if inputs is None else n_units + inputs.shape[-1] + 1
    rows = _take_buffer((n_steps + 1, batch_size, width), dtype)
    if initial_state is None:
        rows[0, :, :n_units].zero_()
    else:
        rows[0, :, :n_units].copy_(initial_state)
    if inputs is not None:
        rows[:n_steps, :, n_units:-1].copy_(inputs)
        rows[n_steps, :, n_units:-1].zero_()  # x_{T+1}: pairs with ∂L/∂z_{T+1} = 0
        rows[:, :, -1].fill_(1)
        if bias is None:
            bias = weight.new_zeros(n_units)
        # [W, W_in, b]ᵀ (N+I+1, N), contiguous: BLAS runs these products faster than on a
        # transposed view (measured: 15 % at N = 500, 25 % at N = 128), and a bias inside the
        # product spares addmm a copy of it into every z_t.
        weight_t = torch.cat([weight, weight_input, bias[:, None]], dim=1).t().contiguous()
    else:
        weight_t = weight.t().contiguous()
    record = _take_buffer((n_steps, batch_size, n_units), dtype) if differentiable else None
    writes_record = record is not None and stores_output and phi in _HAS_OUT
    scratch = None if record is not None and not stores_output else weight.new_empty(
        batch_size, n_units)
    # Per-step views made in bulk: indexing from Python costs microseconds per view, which
    # adds up to several percent of a step at small B·N.
    row_views = rows.unbind(0)
    state_views = rows[:, :, :n_units].unbind(0)
    record_views = record.unbind(0) if record is not None else None
    drive_views = drive.unbind(0) if drive is not None else None
    perturbation_views = perturbation.unbind(0) if perturbation is not None else None
    for t in range(n_steps):
        z = record_views[t] if scratch is None else scratch
        if drive is None:
            torch.mm(row_views[t], weight_t, out=z)
        else:
            torch.addmm(drive_views[t], row_views[t], weight_t, out=z)
        if writes_record:
            activation = phi(z, out=record_views[t])
        else:
            activation = phi(z)
            if record is not None and stores_output:
                record_views[t].copy_(activation)
        current = state_views[t + 1]
        # lerp(h, φ(z), α) = h + α (φ(z) − h) = (1 − α) h + α φ(z), in one kernel.
        torch.lerp(state_views[t], activation, alpha, out=current)
        if perturbation is not None:
            current.add_(perturbation_views[t])
    return rows, record


def _gain_into(out, record, alpha, phi, stores_output, input_backward=None):
    """α ⊙ φ′(z) for all steps, from the forward record (T, B, N), written into out (T, B, N).

    φ′ is autograd's derivative of φ itself, not a separate formula, so the gradient is exactly
    that of the function the forward pass evaluated (e.g. F.softplus is linear above its
    threshold, where sigmoid(βz) differs from 1 by up to e⁻²⁰): autograd's own backward kernel
    on the stored output (tanh, sigmoid, relu) or input (``input_backward``: softplus), else
    autograd through φ (which evaluates φ once more). Done in blocks of steps.
    """
    n_steps, batch_size, n_units = record.shape
    block = max(1, _BLOCK_ELEMENTS // (batch_size * n_units))
    for start in range(0, n_steps, block):
        part = record[start:start + block]
        scale = alpha.expand_as(part)
        if stores_output:
            _OUTPUT_BACKWARD[phi](scale, part, out[start:start + block])
        elif input_backward is not None:
            input_backward(scale, part, out=out[start:start + block])
        else:
            with torch.enable_grad():
                z = part.detach().requires_grad_(True)
                (out[start:start + block],) = torch.autograd.grad(phi(z), z, scale)


def _run_backward(grads, grad_states, weight, weight_output, alpha, keep_grad_h):
    """Sequential part of backpropagation through time.

    grads (T+1, B, N+O): rows [α φ′(z_{t+1}), ∂L/∂y_t] (zeros where no such term exists), the
    first part overwritten with ∂L/∂z_{t+1}; grad_states (T, B, N) or None: ∂L/∂h_t through the
    states' direct uses; weight (N, N); weight_output (O, N) or None. Returns grad_h (T, B, N) =
    total ∂L/∂h_t when ``keep_grad_h`` (else None) and grad_h0 (B, N) = ∂L/∂h_0.
    """
    n_steps, batch_size = grads.shape[0] - 1, grads.shape[1]
    n_units = weight.shape[0]
    retain = 1 - alpha
    # δ_{t−1} = g_{t−1} + (1 − α) δ_t + [∂L/∂z_t, ∂L/∂y_{t−1}] [W; W_out]
    back = weight if weight_output is None else torch.cat([weight, weight_output])
    grad_h = _take_buffer((n_steps, batch_size, n_units), grads.dtype) if keep_grad_h else None
    # δ of the current step and of the one below; without grad_h two (B, N) buffers alternate.
    spare = None if keep_grad_h else grads.new_empty(batch_size, n_units)
    delta = grad_h[-1] if keep_grad_h else grads.new_empty(batch_size, n_units)
    if weight_output is None:  # δ_T = g_T (+ W_outᵀ ∂L/∂y_T)
        delta.zero_()
    else:
        torch.mm(grads[n_steps, :, n_units:], weight_output, out=delta)
    if grad_states is not None:
        delta.add_(grad_states[-1])
    # Per-step views made in bulk (see _run_forward).
    grad_rows = grads.unbind(0)
    grad_z = grads[:, :, :n_units].unbind(0)
    grad_h_views = grad_h.unbind(0) if keep_grad_h else None
    grad_state_views = grad_states.unbind(0) if grad_states is not None else None
    for t in range(n_steps, 0, -1):
        grad_z[t - 1].mul_(delta)  # ∂L/∂z_t = α φ′(z_t) δ_t
        if t == 1:
            below = grads.new_empty(batch_size, n_units)  # ∂L/∂h_0, returned
        else:
            below = grad_h_views[t - 2] if keep_grad_h else spare
        if grad_states is not None and t > 1:
            torch.addcmul(grad_state_views[t - 2], retain, delta, out=below)
        else:
            torch.mul(delta, retain, out=below)
        below.addmm_(grad_rows[t - 1], back)
        if not keep_grad_h:
            spare = delta
        delta = below
    return grad_h, delta


class _BufferPool:
    """Reusable time-major buffers, least recently used first.

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
    """An uninitialised time-major tensor from this thread's pool."""
    if not hasattr(_pools, "pool"):
        _pools.pool = _BufferPool(_POOL_CAPACITY)
    return _pools.pool.take(torch.Size(shape), dtype)
