"""The fused leaky recurrence against autograd of the plain Python loop."""

import pytest
import torch
import torch.nn.functional as F

from rnnlab.models import LeakyRNN, ModelConfig
from rnnlab.models import recurrence
from rnnlab.models.nonlinearities import Nonlinearity, make_nonlinearity
from rnnlab.models.recurrence import (
    leaky_recurrence,
    leaky_recurrence_reference,
    leaky_rnn_sequence,
)

B, T, I, N, O = 3, 9, 4, 8, 2
NONLINEARITIES = ["tanh", "softplus", "relu", "sigmoid"]
PARAMETERS = ["weight_input", "weight_recurrent", "bias", "weight_output", "bias_output"]


def make_model(nonlinearity: str, per_unit_alpha: bool, readout: str = "all") -> LeakyRNN:
    torch.manual_seed(0)
    time_constants = tuple(100.0 / a for a in torch.linspace(0.15, 1.0, N).tolist())
    config = ModelConfig(
        input_size=I,
        output_size=O,
        hidden_size=N,
        nonlinearity=nonlinearity,
        leak=0.4,
        time_constants_ms=time_constants if per_unit_alpha else None,
        spectral_value=1.5,
        readout=readout,
    )
    model = LeakyRNN(config).double()
    with torch.no_grad():  # non-zero biases, so that relu and softplus see both regimes
        model.bias.normal_(0, 0.5)
        model.bias_output.normal_(0, 0.5)
    return model


def model_arguments(with_state: bool, with_perturbation: bool, input_grad: bool = False) -> dict:
    generator = torch.Generator().manual_seed(1)
    inputs = torch.randn(B, T, I, generator=generator, dtype=torch.float64)
    arguments = dict(inputs=inputs.requires_grad_(input_grad))
    if with_state:
        h0 = torch.randn(B, N, generator=generator, dtype=torch.float64)
        arguments["initial_state"] = h0.requires_grad_(True)
    if with_perturbation:
        xi = 0.1 * torch.randn(B, T, N, generator=generator, dtype=torch.float64)
        arguments["state_perturbation"] = xi.requires_grad_(True)
    return arguments


def loss_and_gradients(model: LeakyRNN, run, arguments: dict):
    """A loss using both outputs and states, and its gradient w.r.t. every parameter and
    every argument that requires it."""
    outputs, states = run(**arguments)
    weights = torch.linspace(-1, 1, T, dtype=torch.float64)[None, :, None]
    loss = (outputs**2 * weights).sum() + (states.sin() * weights).sum()
    leaves = [getattr(model, name) for name in PARAMETERS]
    leaves += [value for value in arguments.values() if value.requires_grad]
    return outputs, states, torch.autograd.grad(loss, leaves)


@pytest.mark.parametrize("nonlinearity", NONLINEARITIES)
@pytest.mark.parametrize("per_unit_alpha", [False, True])
@pytest.mark.parametrize("with_state", [False, True])
@pytest.mark.parametrize("with_perturbation", [False, True])
@pytest.mark.parametrize("readout,input_grad", [("all", False), ("excitatory", True)])
def test_model_gradients_equal_autograd_of_the_plain_loop(
    nonlinearity, per_unit_alpha, with_state, with_perturbation, readout, input_grad
):
    model = make_model(nonlinearity, per_unit_alpha, readout)
    arguments = model_arguments(with_state, with_perturbation, input_grad)
    fused = loss_and_gradients(model, model.forward, arguments)
    plain = loss_and_gradients(model, model.forward_reference, arguments)
    for got, expected in zip(fused, plain, strict=True):
        if isinstance(got, tuple):
            for g, e in zip(got, expected, strict=True):
                torch.testing.assert_close(g, e, rtol=1e-12, atol=1e-13)
        else:
            torch.testing.assert_close(got, expected, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("nonlinearity", ["relu", "softplus"])
def test_relu_and_softplus_cases_cross_the_kink(nonlinearity):
    """The gradient test above is only meaningful if pre-activations take both signs (relu)
    and pass softplus's linear threshold βz > 20."""
    model = make_model(nonlinearity, per_unit_alpha=False)
    inputs = model_arguments(False, False)["inputs"]
    _, states = model(inputs)
    z = inputs @ model.weight_input.T + model.bias
    z[:, 1:] += states[:, :-1] @ model.weight_recurrent.T
    assert (z > 0).any() and (z < 0).any()
    assert (8.0 * z > 20).any()


@pytest.mark.parametrize("nonlinearity", NONLINEARITIES)
def test_float32_forward_matches_the_plain_loop(nonlinearity):
    model = make_model(nonlinearity, per_unit_alpha=True).float()
    inputs = torch.randn(B, T, I)
    outputs, states = model(inputs)
    outputs_ref, states_ref = model.forward_reference(inputs)
    torch.testing.assert_close(states, states_ref, rtol=1e-6, atol=1e-6)
    torch.testing.assert_close(outputs, outputs_ref, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("nonlinearity", NONLINEARITIES)
def test_gradcheck_including_a_trainable_alpha(nonlinearity):
    generator = torch.Generator().manual_seed(2)

    def tensor(*shape, scale=1.0, offset=0.0):
        values = offset + scale * torch.randn(*shape, generator=generator, dtype=torch.float64)
        return values.requires_grad_(True)

    drive, weight = tensor(2, 4, 3), tensor(3, 3, scale=0.7)
    alpha = (0.2 + 0.6 * torch.rand(3, generator=generator, dtype=torch.float64))
    alpha.requires_grad_(True)
    h0, xi = tensor(2, 3), tensor(2, 4, 3, scale=0.1)
    phi = make_nonlinearity(nonlinearity)

    def run(*args):
        return leaky_recurrence(*args[:3], phi, *args[3:])

    assert torch.autograd.gradcheck(run, (drive, weight, alpha, h0, xi))


def test_trainable_alpha_gradient_equals_the_plain_loop():
    generator = torch.Generator().manual_seed(3)
    drive = torch.randn(B, T, N, generator=generator, dtype=torch.float64)
    weight = torch.randn(N, N, generator=generator, dtype=torch.float64) / N**0.5
    alpha = torch.rand(N, generator=generator, dtype=torch.float64).requires_grad_(True)
    phi = make_nonlinearity("softplus")
    gradients = [
        torch.autograd.grad(run(drive, weight, alpha, phi).sum(), alpha)[0]
        for run in (leaky_recurrence, leaky_recurrence_reference)
    ]
    torch.testing.assert_close(gradients[0], gradients[1], rtol=1e-12, atol=1e-13)


def test_probe_gradient_is_the_total_state_gradient():
    """The gradient of a zero perturbation equals the plain loop's ∂L/∂h_t (used by the
    credit-assignment analyses)."""
    model = make_model("softplus", per_unit_alpha=False)
    inputs = model_arguments(False, False)["inputs"]
    probes = []
    for run in (model.forward, model.forward_reference):
        probe = torch.zeros(B, T, N, dtype=torch.float64, requires_grad=True)
        outputs, _ = run(inputs, state_perturbation=probe)
        probes.append(torch.autograd.grad(outputs.square().sum(), probe)[0])
    torch.testing.assert_close(probes[0], probes[1], rtol=1e-12, atol=1e-13)


def test_mixed_dtypes_promote_to_float64():
    phi = make_nonlinearity("tanh")
    drive = torch.randn(2, 3, 4)
    weight = torch.randn(4, 4, dtype=torch.float64, requires_grad=True)
    states = leaky_recurrence(drive, weight, torch.full((4,), 0.5), phi)
    assert states.dtype == torch.float64
    states.sum().backward()
    assert weight.grad.dtype == torch.float64


def test_results_kept_by_the_caller_are_never_overwritten():
    """Buffers are reused across calls only when nothing else holds them."""
    phi = make_nonlinearity("tanh")
    weight = torch.randn(N, N, requires_grad=True)
    alpha = torch.full((N,), 0.5)
    drive = torch.randn(B, T, N)
    first = leaky_recurrence(drive, weight, alpha, phi)
    snapshot = first.detach().clone()
    array = leaky_recurrence(2 * drive, weight, alpha, phi).detach().numpy()
    array_copy = array.copy()
    for _ in range(3):  # repeated calls with the same shape while the above are alive
        leaky_recurrence(3 * drive, weight, alpha, phi).sum().backward()
    assert torch.equal(first, snapshot)
    assert (array == array_copy).all()
    # A graph kept for a second backward pass still holds its buffers.
    states = leaky_recurrence(drive, weight, alpha, phi)
    once = torch.autograd.grad(states.sum(), weight, retain_graph=True)[0]
    leaky_recurrence(4 * drive, weight, alpha, phi).sum().backward()
    twice = torch.autograd.grad(states.sum(), weight)[0]
    assert torch.equal(once, twice)


# ---------------------------------------------------------------------------------------------
# leaky_rnn_sequence: the whole network (input projection and readout folded into the engine)

# φ without a stored-output or input backward kernel: the engine differentiates it by autograd.
SOFTSIGN = Nonlinearity("softsign", F.softsign, lambda x: 1 / (1 + x.abs()) ** 2)


def nonlinearity_named(name: str) -> Nonlinearity:
    return SOFTSIGN if name == "softsign" else make_nonlinearity(name)


def sequence_reference(inputs, weight_input, bias, weight, alpha, phi, initial_state=None,
                       perturbation=None, weight_output=None, bias_output=None):
    """leaky_rnn_sequence as a plain loop differentiated by autograd."""
    drive = inputs @ weight_input.T + (0 if bias is None else bias)
    states = leaky_recurrence_reference(drive, weight, alpha, phi, initial_state, perturbation)
    outputs = None
    if weight_output is not None:
        outputs = states @ weight_output.T + (0 if bias_output is None else bias_output)
    return outputs, states


def sequence_arguments(seed: int = 4, dtype=torch.float64) -> dict:
    """Every argument of leaky_rnn_sequence, all requiring grad (α included)."""
    generator = torch.Generator().manual_seed(seed)

    def tensor(*shape, scale=1.0):
        values = scale * torch.randn(*shape, generator=generator, dtype=dtype)
        return values.requires_grad_(True)

    alpha = 0.2 + 0.7 * torch.rand(N, generator=generator, dtype=dtype)
    return dict(
        inputs=tensor(B, T, I), weight_input=tensor(N, I, scale=0.5), bias=tensor(N, scale=0.5),
        weight=tensor(N, N, scale=1.5 / N**0.5), alpha=alpha.requires_grad_(True),
        initial_state=tensor(B, N), perturbation=tensor(B, T, N, scale=0.1),
        weight_output=tensor(O, N), bias_output=tensor(O),
    )


def sequence_loss(outputs, states):
    weights = torch.linspace(-1, 1, states.shape[1], dtype=states.dtype)[None, :, None]
    loss = (states.sin() * weights).sum()
    return loss if outputs is None else loss + (outputs**2 * weights).sum()


@pytest.mark.parametrize("nonlinearity", NONLINEARITIES + ["softsign"])
def test_sequence_gradients_for_every_argument_equal_the_plain_loop(nonlinearity):
    phi = nonlinearity_named(nonlinearity)
    arguments = sequence_arguments()
    names = [name for name, value in arguments.items() if value.requires_grad]
    results = []
    for run in (leaky_rnn_sequence, sequence_reference):
        outputs, states = run(**arguments, nonlinearity=phi) if run is leaky_rnn_sequence else (
            run(**{**arguments, "phi": phi}))
        gradients = torch.autograd.grad(sequence_loss(outputs, states),
                                        [arguments[name] for name in names])
        results.append((outputs, states, *gradients))
    for name, got, expected in zip(["outputs", "states", *names], *results, strict=True):
        torch.testing.assert_close(got, expected, rtol=1e-12, atol=1e-13, msg=name)


def _with_phi(phi):
    def run(inputs, weight_input, bias, weight, alpha, h0, xi, weight_output, bias_output):
        return leaky_rnn_sequence(inputs, weight_input, bias, weight, alpha, phi, h0, xi,
                                  weight_output, bias_output)
    return run


@pytest.mark.parametrize("nonlinearity", NONLINEARITIES + ["softsign"])
def test_sequence_gradcheck(nonlinearity):
    """Finite differences of both results with respect to every argument, α included."""
    arguments = sequence_arguments(seed=5)
    small = {name: value.detach()[:2, :4] if name in ("inputs", "perturbation") else value
             for name, value in arguments.items()}
    small["initial_state"] = arguments["initial_state"].detach()[:2]
    small = {name: value.detach().clone().requires_grad_(True) for name, value in small.items()}
    assert torch.autograd.gradcheck(_with_phi(nonlinearity_named(nonlinearity)),
                                    tuple(small.values()))


def test_sequence_without_bias_readout_or_some_gradients():
    """Optional arguments left out, results used alone, and gradients asked for a subset."""
    phi = make_nonlinearity("softplus")
    arguments = sequence_arguments(seed=6)
    arguments.update(bias=None, bias_output=None, initial_state=None, perturbation=None)
    for loss_of in (lambda out, st: sequence_loss(None, st), lambda out, st: (out**3).sum()):
        for subset in (["weight"], ["weight_input", "alpha"], ["weight_output", "inputs"]):
            got = torch.autograd.grad(
                loss_of(*leaky_rnn_sequence(nonlinearity=phi, **arguments)),
                [arguments[name] for name in subset], allow_unused=True,
            )
            expected = torch.autograd.grad(
                loss_of(*sequence_reference(phi=phi, **arguments)),
                [arguments[name] for name in subset], allow_unused=True,
            )
            for name, g, e in zip(subset, got, expected, strict=True):
                # A result the loss does not use: the engine may give zeros where autograd of
                # the loop gives None.
                e = torch.zeros_like(arguments[name]) if e is None else e
                g = torch.zeros_like(arguments[name]) if g is None else g
                torch.testing.assert_close(g, e, rtol=1e-12, atol=1e-13, msg=name)
    outputs, states = leaky_rnn_sequence(nonlinearity=phi, **{**arguments, "weight_output": None})
    assert outputs is None and states.shape == (B, T, N)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_results_and_gradients_are_bit_identical_across_calls(dtype):
    """Pooled buffers are reused between calls: nothing of an earlier call may leak into a
    later one, whatever ran in between (another shape, another call of the same shape)."""
    phi = make_nonlinearity("softplus")
    arguments = sequence_arguments(seed=7, dtype=dtype)
    names = list(arguments)

    def run(values):
        outputs, states = leaky_rnn_sequence(nonlinearity=phi, **values)
        gradients = torch.autograd.grad(sequence_loss(outputs, states),
                                        [values[name] for name in names])
        return [outputs.detach().clone(), states.detach().clone(), *gradients]

    first = run(arguments)
    other = sequence_arguments(seed=8, dtype=dtype)  # same shapes, other values
    run(other)
    run({**other, "inputs": other["inputs"][:, :5], "perturbation": other["perturbation"][:, :5]})
    # Poison every pooled buffer: an element the next call reads without writing it first
    # turns a result into NaN (or changes it).
    for buffer in recurrence._pools.pool._buffers:
        buffer.fill_(float("nan"))
    second = run(arguments)
    with torch.no_grad():
        outputs, states = leaky_rnn_sequence(nonlinearity=phi, **arguments)
    for got, expected in zip(second, first, strict=True):
        assert torch.equal(got, expected)
    assert torch.equal(outputs, first[0]) and torch.equal(states, first[1])


def test_model_forward_without_grad_equals_forward_with_grad():
    model = make_model("tanh", per_unit_alpha=True)
    inputs = model_arguments(False, False)["inputs"]
    outputs, states = model(inputs)
    with torch.no_grad():
        outputs_no_grad, states_no_grad = model(inputs)
    assert torch.equal(outputs, outputs_no_grad) and torch.equal(states, states_no_grad)
