"""The engine's second form: the current-based leaky network, with hand-written BPTT.

    h_t = (1 − α) ⊙ h_{t−1} + α ⊙ (W φ(h_{t−1}) + W_in x_t + b)        t = 1 … T
    y_t = W_out φ(h_t) + b_out                                          (optional readout)

i.e. the Euler step (α = dt/τ) of τ dh/dt = −h + W φ(h) + W_in x + b: the nonlinearity acts on
the state *before* the recurrent product ("h-type"; System A, Sompolinsky–Crisanti–Sommers),
where :mod:`rnnlab.models.recurrence` computes the rate form h_t = (1 − α) h_{t−1} +
α φ(W h_{t−1} + W_in x_t + b), φ after the product. Their fixed points and Jacobians differ, so
neither can stand in for the other; this module reuses that engine's layout and buffer pool.

Layout (time-major buffers from the engine's pool, :func:`recurrence._take_buffer`):

- forward: ``rows`` (T+1, B, N+I+1) holds [φ(h_t), x_{t+1}, 1], so step t is ONE product
  z_t = rows[t−1] [W, W_in, b]ᵀ, then one lerp h_t = h_{t−1} + α (z_t − h_{t−1}) and one φ
  written into rows[t, :, :N]: three kernels per step, as in the rate form. The outputs are one
  product over all stored rates. The states h_t go to a (T+1, B, N) buffer only when they are
  returned or needed by backward (a trainable α, or a φ without a stored-output derivative);
  otherwise two (B, N) buffers alternate.
- backward: with δ_t = ∂L/∂h_t (total),
      ∂L/∂φ(h_t) = Wᵀ (α ⊙ δ_{t+1}) + W_outᵀ ∂L/∂y_t,
      δ_t = (1 − α) ⊙ δ_{t+1} + φ′(h_t) ⊙ ∂L/∂φ(h_t) + ∂L/∂h_t|direct.
  ``grads`` (T+1, B, N+O) holds rows [δ_{t+1}, ∂L/∂y_t], so ∂L/∂φ(h_t) is ONE product
  grads[t] [diag(α) W; W_out] (α folded into the weights once); then φ′ (autograd's own backward
  kernel on the stored φ(h_t)) and one addcmul: three kernels per step.
  Weight gradients are products over all stored rows: ∂W = diag(α) Σ_t δ_{t+1}ᵀ φ(h_t),
  ∂W_in = diag(α) Σ_t δ_tᵀ x_t, ∂b = α ⊙ Σ_t δ_t, ∂W_out = Σ_t ∂L/∂y_tᵀ φ(h_t). The (N, N) block
  ∂W — as much work as the whole forward pass — is computed only when W requires a gradient;
  with W frozen (System A's G) only the skinny blocks of the trained weights are.

φ′ is exactly autograd's derivative of φ (as in the rate form): autograd's backward kernel on the
stored φ(h) for tanh, sigmoid and relu, ``Nonlinearity.input_backward`` on the stored h for
softplus, autograd through φ(h) otherwise.

Shapes: B = trials, T = steps, I = inputs, N = units, O = outputs; public shapes batch-major
(B, T, ·), results are views of time-major buffers.
"""

from __future__ import annotations

import torch

from rnnlab.models.nonlinearities import Nonlinearity
from rnnlab.models.recurrence import (
    _HAS_OUT,
    _OUTPUT_BACKWARD,
    _common_dtype,
    _take_buffer,
)

Tensor = torch.Tensor

__all__ = ["current_rnn_sequence", "current_rnn_sequence_reference"]


def current_rnn_sequence(
    inputs: Tensor,
    weight_input: Tensor,
    bias: Tensor | None,
    weight: Tensor,
    alpha: Tensor,
    nonlinearity: Nonlinearity,
    initial_state: Tensor | None = None,
    weight_output: Tensor | None = None,
    bias_output: Tensor | None = None,
    return_states: bool = True,
) -> tuple[Tensor | None, Tensor | None]:
    """Outputs and states of the current-based network (module docstring), differentiable.

    Args:
        inputs: (B, T, I) x_t.
        weight_input: (N, I) W_in.
        bias: (N,) b, or None.
        weight: (N, N) W (row = postsynaptic unit); frozen when it does not require grad.
        alpha: (N,) α = dt/τ per unit (a scalar is broadcast).
        nonlinearity: φ.
        initial_state: (B, N) or (N,) h_0; zeros when None.
        weight_output: (O, N) W_out, or None for no readout.
        bias_output: (O,) b_out, or None.
        return_states: return h_1 … h_T (False saves a (T, B, N) buffer; training needs only
            the outputs).
    Returns:
        outputs (B, T, O) with outputs[:, t] = y_{t+1} (None without ``weight_output``) and
        states (B, T, N) with states[:, t] = h_{t+1} (None unless ``return_states``).
        Gradients flow to every tensor argument.
    """
    tensors = (inputs, weight_input, bias, weight, alpha, initial_state, weight_output,
               bias_output)
    dtype = _common_dtype(*tensors)
    n_units = weight.shape[0]
    if initial_state is not None and initial_state.dim() == 1:
        initial_state = initial_state.expand(inputs.shape[0], n_units)

    def cast(tensor):
        return None if tensor is None else tensor.to(dtype)

    differentiable = torch.is_grad_enabled() and any(
        tensor is not None and tensor.requires_grad for tensor in tensors
    )
    outputs, states = _CurrentSequence.apply(
        inputs.to(dtype).transpose(0, 1), cast(weight_input), cast(bias), cast(weight),
        alpha.to(dtype).expand(n_units), cast(initial_state), cast(weight_output),
        cast(bias_output), nonlinearity, differentiable, return_states,
    )
    return (None if outputs is None else outputs.transpose(0, 1),
            None if states is None else states.transpose(0, 1))


def current_rnn_sequence_reference(
    inputs: Tensor,
    weight_input: Tensor,
    bias: Tensor | None,
    weight: Tensor,
    alpha: Tensor,
    nonlinearity: Nonlinearity,
    initial_state: Tensor | None = None,
    weight_output: Tensor | None = None,
    bias_output: Tensor | None = None,
) -> tuple[Tensor | None, Tensor]:
    """The same network as a plain Python loop differentiated by autograd (tests, benchmarks).
    Shapes as :func:`current_rnn_sequence`; returns (outputs or None, states)."""
    batch_size, _, _ = inputs.shape
    n_units = weight.shape[0]
    state = inputs.new_zeros(batch_size, n_units) if initial_state is None else (
        initial_state.expand(batch_size, n_units))
    drive = inputs @ weight_input.T + (0 if bias is None else bias)
    states = []
    for drive_t in drive.unbind(1):
        state = state + alpha * (-state + nonlinearity.function(state) @ weight.T + drive_t)
        states.append(state)
    states = torch.stack(states, dim=1)
    outputs = None
    if weight_output is not None:
        outputs = nonlinearity.function(states) @ weight_output.T
        if bias_output is not None:
            outputs = outputs + bias_output
    return outputs, states


class _CurrentSequence(torch.autograd.Function):
    """Autograd node: time-major inputs (T, B, I), outputs and states; one dtype."""

    @staticmethod
    def forward(ctx, inputs, weight_input, bias, weight, alpha, initial_state, weight_output,
                bias_output, nonlinearity, differentiable, return_states):
        phi = nonlinearity.function
        needs_alpha = differentiable and alpha.requires_grad
        # h is needed by backward for α's gradient, and for φ′ when it cannot come from φ(h).
        keep_states = return_states or (differentiable and (
            needs_alpha or phi not in _OUTPUT_BACKWARD))
        rows, states, weight_t = _forward(inputs, weight_input, bias, weight, alpha,
                                          initial_state, phi, keep_states)
        n_units = weight.shape[0]
        outputs = None
        if weight_output is not None:
            n_steps, batch_size = inputs.shape[:2]
            flat = rows[1:, :, :n_units].reshape(n_steps * batch_size, n_units)  # a view
            if bias_output is None:
                outputs = flat @ weight_output.t()
            else:
                outputs = torch.addmm(bias_output, flat, weight_output.t())
            outputs = outputs.view(n_steps, batch_size, -1)
        ctx.set_materialize_grads(False)
        ctx.phi = phi
        ctx.input_backward = nonlinearity.input_backward
        ctx.has = dict(bias=bias is not None, initial_state=initial_state is not None)
        ctx.save_for_backward(weight_input, weight, alpha, weight_output, rows, states,
                              weight_t if needs_alpha else None)
        returned = states[1:] if return_states else None
        return outputs, returned

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_outputs, grad_states):
        weight_input, weight, alpha, weight_output, rows, states, weight_t = ctx.saved_tensors
        (need_inputs, need_weight_input, need_bias, need_weight, need_alpha, need_h0,
         need_weight_output, need_bias_output) = ctx.needs_input_grad[:8]
        n_units = weight.shape[0]
        n_steps, batch_size = rows.shape[0] - 1, rows.shape[1]
        n_out = 0 if weight_output is None else weight_output.shape[0]
        need_h0 = need_h0 and ctx.has["initial_state"]

        # grads (T+1, B, N+O): rows [δ_{t+1}, ∂L/∂y_t]; δ_{T+1} = 0 and there is no y_0.
        grads = _take_buffer((n_steps + 1, batch_size, n_units + n_out), rows.dtype)
        grads[n_steps, :, :n_units].zero_()
        if n_out:
            grads[0, :, n_units:].zero_()
            if grad_outputs is None:
                grads[1:, :, n_units:].zero_()
            else:
                grads[1:, :, n_units:].copy_(grad_outputs)
        grad_h0 = _backward(grads, grad_states, rows, states, weight, weight_output, alpha,
                            ctx.phi, ctx.input_backward, need_h0)

        flat_grads = grads.view(-1, n_units + n_out)
        flat_rows = rows.view(-1, rows.shape[-1])
        scale = alpha[:, None]
        grad_weight = grad_weight_input = grad_bias = grad_weight_output = None
        grad_bias_output = None
        if need_weight:
            # All blocks in one product: [∂W/α, ∂W_in/α, ∂b/α; ∂W_out, ·, ∂b_out].
            products = flat_grads.t() @ flat_rows
            grad_weight = scale * products[:n_units, :n_units]
            grad_weight_input = scale * products[:n_units, n_units:-1]
            grad_bias = alpha * products[:n_units, -1]
            if n_out:
                grad_weight_output = products[n_units:, :n_units]
                grad_bias_output = products[n_units:, -1]
        else:
            # W frozen: only the skinny blocks, (N+O) × (I+1) and O × N.
            if need_weight_input or need_bias or need_bias_output:
                # One matrix-vector product per skinny column: BLAS's gemm on a 2-column
                # strided block costs ~20x more (3.4 s against 0.15 s at N 500, T 7000, B 32).
                products = torch.stack([flat_grads.t() @ flat_rows[:, column].contiguous()
                                        for column in range(n_units, flat_rows.shape[1])], dim=1)
                grad_weight_input = scale * products[:n_units, :-1]
                grad_bias = alpha * products[:n_units, -1]
                if n_out:
                    grad_bias_output = products[n_units:, -1]
            if need_weight_output and n_out:
                grad_weight_output = flat_grads[:, n_units:].t() @ flat_rows[:, :n_units]
        grad_inputs = None
        if need_inputs:  # ∂L/∂x_t = W_inᵀ (α ⊙ δ_t), t = 1 … T
            deltas = grads[:n_steps, :, :n_units].reshape(n_steps * batch_size, n_units)
            grad_inputs = (deltas @ (scale * weight_input)).view(n_steps, batch_size, -1)
        grad_alpha = None
        if need_alpha:
            grad_alpha = _alpha_gradient(grads, rows, states, weight_t)
        return (
            grad_inputs,
            grad_weight_input if need_weight_input else None,
            grad_bias if ctx.has["bias"] and need_bias else None,
            grad_weight,
            grad_alpha,
            grad_h0,
            grad_weight_output if need_weight_output else None,
            grad_bias_output if need_bias_output else None,
            None,
            None,
            None,
        )


def _forward(inputs, weight_input, bias, weight, alpha, initial_state, phi, keep_states):
    """Sequential forward pass. inputs (T, B, I) → rows (T+1, B, N+I+1) = [φ(h_t), x_{t+1}, 1]
    (x_{T+1} = 0), states (T+1, B, N) = h_t or None (not ``keep_states``), and the stacked
    weights [W, W_in, b]ᵀ (N+I+1, N)."""
    n_steps, batch_size, n_inputs = inputs.shape
    n_units = weight.shape[0]
    dtype = weight.dtype
    rows = _take_buffer((n_steps + 1, batch_size, n_units + n_inputs + 1), dtype)
    rows[:n_steps, :, n_units:-1].copy_(inputs)
    rows[n_steps, :, n_units:-1].zero_()
    rows[:, :, -1].fill_(1)
    if bias is None:
        bias = weight.new_zeros(n_units)
    # Contiguous [W, W_in, b]ᵀ: BLAS runs faster on it than on a transposed view (recurrence).
    weight_t = torch.cat([weight, weight_input, bias[:, None]], dim=1).t().contiguous()
    if keep_states:
        states = _take_buffer((n_steps + 1, batch_size, n_units), dtype)
        state_views = states.unbind(0)
    else:
        states = None
        pair = (weight.new_empty(batch_size, n_units), weight.new_empty(batch_size, n_units))
        state_views = [pair[t % 2] for t in range(n_steps + 1)]
    if initial_state is None:
        state_views[0].zero_()
    else:
        state_views[0].copy_(initial_state)
    rate_views = rows[:, :, :n_units].unbind(0)
    row_views = rows.unbind(0)
    writes_rate = phi in _HAS_OUT

    def rate_of(t):
        if writes_rate:
            phi(state_views[t], out=rate_views[t])
        else:
            rate_views[t].copy_(phi(state_views[t]))

    rate_of(0)
    z = weight.new_empty(batch_size, n_units)
    for t in range(n_steps):
        torch.mm(row_views[t], weight_t, out=z)
        # h_{t+1} = h_t + α (z − h_t) = (1 − α) h_t + α z, in one kernel.
        torch.lerp(state_views[t], z, alpha, out=state_views[t + 1])
        rate_of(t + 1)
    return rows, states, weight_t


def _backward(grads, grad_states, rows, states, weight, weight_output, alpha, phi,
              input_backward, need_h0):
    """Sequential backward pass: writes δ_t into grads[t−1, :, :N] for t = T … 1 (module
    docstring) and returns δ_0 = ∂L/∂h_0 when ``need_h0`` (else None).

    grads (T+1, B, N+O) with grads[T, :, :N] = 0 and the output gradients in place;
    grad_states (T, B, N) or None; rows (T+1, B, ·) with φ(h_t); states (T+1, B, N) or None.
    """
    n_steps, batch_size = grads.shape[0] - 1, grads.shape[1]
    n_units = weight.shape[0]
    retain = 1 - alpha
    scaled = alpha[:, None] * weight  # Wᵀ(α ⊙ δ) = (diag(α) W)ᵀ δ
    back = scaled if weight_output is None else torch.cat([scaled, weight_output])
    rates = rows[:, :, :n_units].unbind(0)
    grad_rows = grads.unbind(0)
    deltas = grads[:, :, :n_units].unbind(0)
    state_views = states.unbind(0) if states is not None else None
    grad_state_views = grad_states.unbind(0) if grad_states is not None else None
    through = grads.new_empty(batch_size, n_units)
    derivative = _derivative(phi, input_backward)
    grad_h0 = None
    for t in range(n_steps, -1 if need_h0 else 0, -1):
        torch.mm(grad_rows[t], back, out=through)  # ∂L/∂φ(h_t)
        derivative(through, rates[t], None if state_views is None else state_views[t])
        if t == 0:
            grad_h0 = grads.new_empty(batch_size, n_units)
            below = grad_h0
        else:
            below = deltas[t - 1]
        torch.addcmul(through, retain, deltas[t], out=below)  # δ_t
        if grad_state_views is not None and t > 0:
            below.add_(grad_state_views[t - 1])
    return grad_h0


def _derivative(phi, input_backward):
    """(grad, rate, state) → grad ⊙ φ′(h) in place of grad: autograd's own derivative."""
    if phi in _OUTPUT_BACKWARD:
        kernel = _OUTPUT_BACKWARD[phi]
        return lambda grad, rate, state: kernel(grad, rate, grad)
    if input_backward is not None:
        return lambda grad, rate, state: input_backward(grad, state, out=grad)

    def through_autograd(grad, rate, state):
        with torch.enable_grad():
            h = state.detach().requires_grad_(True)
            (value,) = torch.autograd.grad(phi(h), h, grad)
        grad.copy_(value)

    return through_autograd


def _alpha_gradient(grads, rows, states, weight_t, block_steps: int = 64):
    """∂L/∂α = Σ_t δ_t ⊙ (z_t − h_{t−1}), with z_t = rows[t−1] [W, W_in, b]ᵀ recomputed in
    blocks of steps (only a trainable α pays for it)."""
    n_steps = rows.shape[0] - 1
    n_units = states.shape[-1]
    total = grads.new_zeros(n_units)
    for start in range(0, n_steps, block_steps):
        stop = min(start + block_steps, n_steps)
        drive = rows[start:stop] @ weight_t  # z_{start+1} … z_stop
        total += (grads[start:stop, :, :n_units] * (drive - states[start:stop])).sum(dim=(0, 1))
    return total
