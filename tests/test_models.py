import numpy as np
import pytest
import torch

from rnnlab.models import LeakyRNN, ModelConfig, spectral_norm, spectral_radius
from rnnlab.models import dale


def make(**overrides):
    values = dict(input_size=5, output_size=3, hidden_size=20)
    values.update(overrides)
    torch.manual_seed(0)
    return LeakyRNN(ModelConfig(**values))


def test_forward_matches_the_recurrence_written_out():
    model = make(leak=0.3, nonlinearity="tanh")
    x = torch.randn(4, 7, 5)
    outputs, states = model(x)
    h = torch.zeros(4, 20)
    for t in range(7):
        z = x[:, t] @ model.weight_input.T + h @ model.weight_recurrent.T + model.bias
        h = 0.7 * h + 0.3 * torch.tanh(z)
        torch.testing.assert_close(states[:, t], h)
    torch.testing.assert_close(outputs, states @ model.weight_output.T + model.bias_output)
    assert outputs.shape == (4, 7, 3) and states.shape == (4, 7, 20)


def test_step_equals_one_forward_step_and_jacobian_equals_autograd():
    model = make(leak=0.8, nonlinearity="softplus")
    x = torch.randn(1, 1, 5)
    h0 = torch.randn(1, 20)
    _, states = model(x, initial_state=h0)
    torch.testing.assert_close(model.step(h0, x[:, 0]), states[:, 0])
    h = torch.randn(3, 20, dtype=torch.float64)
    u = torch.randn(3, 5, dtype=torch.float64)
    analytic = model.step_jacobian(h, u)
    for k in range(3):
        numeric = torch.autograd.functional.jacobian(lambda s: model.step(s[None], u[k : k + 1])[0], h[k])
        torch.testing.assert_close(analytic[k], numeric)


def test_dale_columns_single_signed_and_excitatory_count():
    model = make(hidden_size=50, excitatory_fraction=0.8)
    w = model.weight_recurrent.detach()
    assert int(model.excitatory.sum()) == 40
    assert (w[:, :40] >= 0).all() and (w[:, 40:] <= 0).all()
    assert dale.mixed_sign_columns(w, model.unit_signs) == 0
    flipped = w.clone()
    flipped[3, 45] = 0.5  # an excitatory weight in an inhibitory column
    assert dale.mixed_sign_columns(flipped, model.unit_signs) == 1
    assert dale.mixed_sign_columns(dale.project_columns(flipped, model.unit_signs), model.unit_signs) == 0


def test_spectral_scaling_norm_and_radius_are_distinct():
    by_norm = make(spectral_scaling="spectral_norm", spectral_value=1.2)
    by_radius = make(spectral_scaling="spectral_radius", spectral_value=1.2)
    assert spectral_norm(by_norm.weight_recurrent.detach()) == pytest.approx(1.2, rel=1e-5)
    assert spectral_radius(by_radius.weight_recurrent.detach()) == pytest.approx(1.2, rel=1e-5)
    # ρ(W) ≤ ‖W‖₂, strictly for these non-normal matrices.
    assert spectral_radius(by_norm.weight_recurrent.detach()) < 1.2 - 1e-3


def test_balanced_init_has_zero_mean_input():
    model = make(hidden_size=100, balance_inhibition=True)
    w = model.weight_recurrent.detach()
    assert abs(float(w.sum())) < 1e-3 * float(w.abs().sum())


def test_excitatory_readout_ignores_inhibitory_units():
    model = make(readout="excitatory")
    states = torch.zeros(1, 1, 20)
    states[..., 16:] = 5.0  # only inhibitory units active
    torch.testing.assert_close(model.readout(states), model.bias_output.expand(1, 1, 3))


def test_per_unit_time_constants_give_alpha_dt_over_tau():
    tau = tuple(np.linspace(100, 400, 20))
    model = make(time_constants_ms=tau, dt_ms=20.0)
    torch.testing.assert_close(model.alpha, torch.tensor([20.0 / t for t in tau], dtype=torch.float32))


def test_frozen_parameters_follow_trainable():
    model = make(trainable=("input", "output"))
    assert not model.weight_recurrent.requires_grad and not model.bias.requires_grad
    assert model.weight_input.requires_grad and model.weight_output.requires_grad


def test_bad_settings_are_named():
    with pytest.raises(ValueError, match="readout"):
        make(readout="inhibitory")
    with pytest.raises(ValueError, match="leak"):
        make(leak=1.5)
    with pytest.raises(ValueError, match="hiden_size"):
        ModelConfig.from_dict({"input_size": 1, "output_size": 1, "hiden_size": 3})
