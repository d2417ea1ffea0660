"""The current-based form of the engine (φ before the recurrent product: System A) against
autograd of the plain Python loop, finite differences, and its own buffer reuse."""

import pytest
import torch
import torch.nn.functional as F

from rnnlab.models import recurrence
from rnnlab.models.current_recurrence import (
    current_rnn_sequence,
    current_rnn_sequence_reference,
)
from rnnlab.models.nonlinearities import Nonlinearity, make_nonlinearity

B, T, I, N, O = 3, 9, 2, 7, 2
NONLINEARITIES = ["tanh", "softplus", "relu", "sigmoid", "softsign"]
# φ without a stored-output or input backward kernel: the engine differentiates it by autograd.
SOFTSIGN = Nonlinearity("softsign", F.softsign, lambda x: 1 / (1 + x.abs()) ** 2)


def nonlinearity_named(name: str) -> Nonlinearity:
    return SOFTSIGN if name == "softsign" else make_nonlinearity(name)


def arguments(seed: int = 0, dtype=torch.float64, frozen_weight: bool = False) -> dict:
    """Every argument, all requiring grad (α per unit included) unless ``frozen_weight``."""
    generator = torch.Generator().manual_seed(seed)

    def tensor(*shape, scale=1.0, grad=True):
        values = scale * torch.randn(*shape, generator=generator, dtype=dtype)
        return values.requires_grad_(grad)

    alpha = 0.1 + 0.8 * torch.rand(N, generator=generator, dtype=dtype)
    return dict(
        inputs=tensor(B, T, I), weight_input=tensor(N, I), bias=tensor(N, scale=0.5),
        weight=tensor(N, N, scale=1.5 / N**0.5, grad=not frozen_weight),
        alpha=alpha.requires_grad_(True), initial_state=tensor(B, N),
        weight_output=tensor(O, N), bias_output=tensor(O),
    )


def loss_of(outputs, states):
    """Uses both results with time-varying weights, so every step's gradient matters."""
    weights = torch.linspace(-1, 1, states.shape[1], dtype=states.dtype)[None, :, None]
    loss = (states.sin() * weights).sum()
    return loss if outputs is None else loss + (outputs**2 * weights).sum()


def results(run, values: dict, phi) -> list[torch.Tensor]:
    names = [name for name, value in values.items()
             if isinstance(value, torch.Tensor) and value.requires_grad]
    outputs, states = run(**values, nonlinearity=phi)
    gradients = torch.autograd.grad(loss_of(outputs, states), [values[n] for n in names])
    return [outputs, states, *gradients], ["outputs", "states", *names]


@pytest.mark.parametrize("frozen_weight", [False, True])
@pytest.mark.parametrize("nonlinearity", NONLINEARITIES)
def test_gradients_of_every_argument_equal_the_plain_loop(nonlinearity, frozen_weight):
    phi = nonlinearity_named(nonlinearity)
    values = arguments(frozen_weight=frozen_weight)
    got, names = results(current_rnn_sequence, values, phi)
    expected, _ = results(current_rnn_sequence_reference, values, phi)
    for name, g, e in zip(names, got, expected, strict=True):
        torch.testing.assert_close(g, e, rtol=1e-12, atol=1e-13, msg=name)


@pytest.mark.parametrize("nonlinearity", NONLINEARITIES)
def test_gradcheck(nonlinearity):
    """Finite differences of both results with respect to every argument, α included."""
    phi = nonlinearity_named(nonlinearity)
    values = arguments(seed=1)
    small = {name: value.detach()[:2, :4] if name == "inputs" else value.detach()
             for name, value in values.items()}
    small["initial_state"] = small["initial_state"][:2]
    small = {name: value.clone().requires_grad_(True) for name, value in small.items()}

    def run(*tensors):
        return current_rnn_sequence(*tensors[:5], phi, *tensors[5:])

    order = ["inputs", "weight_input", "bias", "weight", "alpha", "initial_state",
             "weight_output", "bias_output"]
    assert torch.autograd.gradcheck(run, tuple(small[name] for name in order))


def test_system_a_form_matches_the_thesis_equation():
    """h ← h + (dt/τ)(−h + g·G·tanh(h) + I·u), z = tanh(h)·w, written out step by step."""
    generator = torch.Generator().manual_seed(2)
    G = torch.randn(N, N, generator=generator, dtype=torch.float64) / N**0.5
    weight_in = torch.randn(N, 1, generator=generator, dtype=torch.float64)
    w = torch.randn(N, 1, generator=generator, dtype=torch.float64) / N**0.5
    u = torch.randn(B, T, 1, generator=generator, dtype=torch.float64)
    gain, alpha = 1.5, 0.1
    outputs, states = current_rnn_sequence(u, weight_in, None, gain * G, torch.tensor(alpha, dtype=torch.float64),
                                           make_nonlinearity("tanh"), None, w.T)
    h = torch.zeros(B, N, dtype=torch.float64)
    for t in range(T):
        h = h + alpha * (-h + gain * torch.tanh(h) @ G.T + u[:, t] @ weight_in.T)
        torch.testing.assert_close(states[:, t], h, rtol=1e-13, atol=1e-14)
        torch.testing.assert_close(outputs[:, t], torch.tanh(h) @ w, rtol=1e-13, atol=1e-14)


def test_a_planted_error_in_the_backward_pass_is_caught(monkeypatch):
    """The comparison above can fail: a leak term dropped from δ_t changes the gradients."""
    phi = make_nonlinearity("tanh")
    values = arguments(frozen_weight=True)
    original = torch.addcmul

    def wrong(input, tensor1, tensor2, *, value=1, out=None):
        return original(input, tensor1, tensor2, value=0.5 * value, out=out)

    monkeypatch.setattr(torch, "addcmul", wrong)
    got, names = results(current_rnn_sequence, values, phi)
    monkeypatch.setattr(torch, "addcmul", original)
    expected, _ = results(current_rnn_sequence_reference, values, phi)
    index = names.index("weight_input")
    assert not torch.allclose(got[index], expected[index], rtol=1e-6)


def test_subsets_of_gradients_and_optional_arguments():
    phi = make_nonlinearity("tanh")
    values = arguments(seed=3)
    values.update(bias=None, bias_output=None, initial_state=None)
    for subset in (["weight"], ["weight_input", "alpha"], ["weight_output", "inputs"]):
        got = torch.autograd.grad(loss_of(*current_rnn_sequence(nonlinearity=phi, **values)),
                                  [values[name] for name in subset])
        expected = torch.autograd.grad(
            loss_of(*current_rnn_sequence_reference(nonlinearity=phi, **values)),
            [values[name] for name in subset])
        for name, g, e in zip(subset, got, expected, strict=True):
            torch.testing.assert_close(g, e, rtol=1e-12, atol=1e-13, msg=name)
    outputs, states = current_rnn_sequence(nonlinearity=phi, **{**values, "weight_output": None})
    assert outputs is None and states.shape == (B, T, N)


def test_outputs_alone_without_states():
    """Training asks for the outputs only (no (T, B, N) state buffer): same values and
    gradients."""
    phi = make_nonlinearity("tanh")
    values = arguments(seed=4, frozen_weight=True)
    values["alpha"] = values["alpha"].detach()
    trained = [values["weight_input"], values["weight_output"]]
    outputs, states = current_rnn_sequence(nonlinearity=phi, return_states=False, **values)
    assert states is None
    reference, _ = current_rnn_sequence_reference(nonlinearity=phi, **values)
    torch.testing.assert_close(outputs, reference, rtol=1e-12, atol=1e-13)
    got = torch.autograd.grad(outputs.square().sum(), trained)
    expected = torch.autograd.grad(reference.square().sum(), trained)
    for g, e in zip(got, expected, strict=True):
        torch.testing.assert_close(g, e, rtol=1e-12, atol=1e-13)


def test_float32_matches_the_loop_and_no_grad_matches_grad():
    phi = make_nonlinearity("tanh")
    values = arguments(seed=5, dtype=torch.float32)
    outputs, states = current_rnn_sequence(nonlinearity=phi, **values)
    reference = current_rnn_sequence_reference(nonlinearity=phi, **values)
    torch.testing.assert_close(outputs, reference[0], rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(states, reference[1], rtol=1e-5, atol=1e-5)
    with torch.no_grad():
        outputs_no_grad, states_no_grad = current_rnn_sequence(nonlinearity=phi, **values)
    assert torch.equal(outputs, outputs_no_grad) and torch.equal(states, states_no_grad)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_results_and_gradients_are_bit_identical_across_calls(dtype):
    """Pooled buffers are reused between calls: nothing of an earlier call may leak in."""
    phi = make_nonlinearity("tanh")
    values = arguments(seed=6, dtype=dtype, frozen_weight=True)

    def run(values):
        got, _ = results(current_rnn_sequence, values, phi)
        return [tensor.detach().clone() for tensor in got]

    first = run(values)
    other = arguments(seed=7, dtype=dtype, frozen_weight=True)
    run(other)
    run({**other, "inputs": other["inputs"][:, :5]})
    for buffer in recurrence._pools.pool._buffers:  # poison every pooled buffer
        buffer.fill_(float("nan"))
    for got, expected in zip(run(values), first, strict=True):
        assert torch.equal(got, expected)
