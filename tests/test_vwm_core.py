"""The vwm study's science: spike noise, input encoding, circular statistics, mixture fits,
losses, the network's map and Dale's law (rnnlab.studies.vwm)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnnlab.studies.vwm import circular, noise
from rnnlab.studies.vwm.experiment import build_model, build_task
from rnnlab.studies.vwm.losses import item_errors, memory_loss
from rnnlab.studies.vwm.model import sign_violations
from rnnlab.studies.vwm.tasks import decode_positive, positive_encoding, split_evenly

DT = 10.0


# ----------------------------------------------------------------------------- spike noise


@pytest.mark.parametrize("kind", noise.NOISE_TYPES)
@pytest.mark.parametrize("rate", [8.0, 40.0])
def test_noise_mean_and_variance(kind, rate):
    """Sample mean and variance of r̃ match the design moments (rates far from 0, where the
    Gaussian types' rectification does not bias them)."""
    factor = 0.05
    generator = torch.Generator().manual_seed(3)
    rates = torch.full((200_000,), rate, dtype=torch.float64)
    draws = noise.noisy_rates(rates, kind, factor, DT, generator)
    mean, variance = noise.moments(rate, kind, factor, DT)
    assert draws.mean().item() == pytest.approx(mean, rel=0.01)
    assert draws.var().item() == pytest.approx(variance, rel=0.03)


def test_gauss_rectification_bias_matches_closed_form():
    """Near r = 0 the Gaussian type is rectified: its moments are those of max(X, 0)."""
    rate, factor = 1.0, 0.2
    generator = torch.Generator().manual_seed(4)
    draws = noise.noisy_rates(torch.full((200_000,), rate, dtype=torch.float64), "gauss",
                              factor, DT, generator)
    std = factor * np.sqrt(rate / (DT / 1000))
    mean, variance = noise.rectified_normal_moments(rate, std)
    assert draws.mean().item() == pytest.approx(mean, rel=0.02)
    assert draws.var().item() == pytest.approx(variance, rel=0.03)


@pytest.mark.parametrize("kind", noise.NOISE_TYPES)
def test_noise_gradient_is_that_of_the_mean(kind):
    """Reparameterised: d E[r̃]/dr = 1 is what the gradient of the sample mean estimates."""
    generator = torch.Generator().manual_seed(5)
    rate = torch.tensor(30.0, dtype=torch.float64, requires_grad=True)
    draws = noise.noisy_rates(rate.expand(100_000), kind, 0.05, DT, generator)
    (gradient,) = torch.autograd.grad(draws.mean(), rate)
    assert gradient.item() == pytest.approx(1.0, abs=0.03)
    assert draws.var().item() > 0  # the noise is on


def test_no_generator_or_zero_factor_is_noise_free():
    rates = torch.rand(5, 7) * 50
    assert torch.equal(noise.noisy_rates(rates, "gamma", 0.1, DT, None), rates)
    assert torch.equal(noise.noisy_rates(rates, "gamma", 0.0, DT, torch.Generator()), rates)
    with pytest.raises(ValueError):
        noise.noisy_rates(rates, "poisson", 0.1, DT, torch.Generator())


# ----------------------------------------------------------------------------- task


def test_positive_encoding_is_positive_angle_free_in_total_and_invertible():
    theta = np.linspace(-np.pi, np.pi, 721, endpoint=False)
    code = positive_encoding(theta)
    assert code.shape == (721, 3)
    assert code.min() > 0.18
    np.testing.assert_allclose(code.sum(axis=1), 3.0, atol=1e-12)
    np.testing.assert_allclose(circular.wrap(decode_positive(code) - theta), 0, atol=1e-12)


def test_task_batch_layout():
    task = build_task({"name": "vwm"})
    rng = np.random.default_rng(0)
    batch = task.sample(rng, 25)
    bounds = task.period_bounds
    assert bounds == {"init": (0, 2), "stimulus": (2, 52), "delay": (52, 152),
                      "decode": (152, 202)}
    assert batch.inputs.shape == (25, 202, 30)
    np.testing.assert_array_equal(np.bincount(batch.conditions["set_size"])[1:],
                                  split_evenly(25, 10))
    presence = batch.metadata["presence"]
    np.testing.assert_array_equal(presence.sum(1), batch.conditions["set_size"])
    stimulus = batch.inputs[:, 2:52]
    assert (batch.inputs[:, :2] == 0).all() and (batch.inputs[:, 52:] == 0).all()
    assert (stimulus == stimulus[:, :1]).all()  # constant during the stimulus
    code = stimulus[:, 0].reshape(25, 10, 3)
    # absent slots silent; shown slots sum to 3·S/M = 36
    np.testing.assert_allclose(code.sum(-1), presence * 36.0, rtol=1e-5)
    decoded = decode_positive(code)
    error = circular.wrap(decoded - batch.metadata["theta"])[presence.astype(bool)]
    assert np.abs(error).max() < 0.06  # item-location noise σ = 0.01 rad
    assert np.abs(error).max() > 0


# ----------------------------------------------------------------------------- circular stats


@pytest.mark.parametrize("kappa", [2.0, 8.0, 40.0])
def test_circular_statistics_of_von_mises_samples(kappa):
    rng = np.random.default_rng(1)
    errors = rng.vonmises(0.0, kappa, size=400_000)
    summary = circular.circular_summary(errors)
    variance, kurtosis = circular.von_mises_moments(kappa)
    assert summary.circular_variance == pytest.approx(variance, rel=0.02)
    assert summary.circular_kurtosis == pytest.approx(kurtosis, rel=0.03, abs=0.03)
    assert summary.circular_sd == pytest.approx(circular.von_mises_sd(kappa), rel=0.01)


def test_circular_statistics_of_uniform_and_point_mass():
    uniform = circular.circular_summary(np.random.default_rng(2).uniform(-np.pi, np.pi, 200_000))
    assert uniform.mean_resultant_length < 0.01
    assert uniform.circular_variance > 9  # −2 ln R̄ → ∞
    assert circular.von_mises_moments(1e-3)[1] == pytest.approx(0.0, abs=1e-2)
    # large κ: close to a wrapped normal of variance 1/κ, kurtosis → 3·... (Gaussian limit)
    variance, _ = circular.von_mises_moments(1e4)
    assert variance == pytest.approx(1e-4, rel=1e-3)


# ----------------------------------------------------------------------------- mixtures


def mixture_sample(rng, n, guess, draw):
    guessing = rng.random(n) < guess
    return np.where(guessing, rng.uniform(-np.pi, np.pi, n), draw(n))


@pytest.mark.parametrize("guess,kappa", [(0.0, 20.0), (0.2, 8.0), (0.5, 4.0)])
def test_von_mises_mixture_recovers_guess_rate_and_width(guess, kappa):
    rng = np.random.default_rng(7)
    errors = mixture_sample(rng, 20_000, guess, lambda n: rng.vonmises(0, kappa, n))
    fit = circular.fit_mixture(errors, "von_mises")
    assert fit.guess_rate == pytest.approx(guess, abs=0.02)
    assert fit.width == pytest.approx(kappa, rel=0.1)
    assert fit.sd == pytest.approx(circular.von_mises_sd(kappa), rel=0.06)


@pytest.mark.parametrize("guess,sigma", [(0.05, 0.2), (0.3, 0.5), (0.1, 1.0)])
def test_gaussian_mixture_recovers_guess_rate_and_width(guess, sigma):
    rng = np.random.default_rng(8)
    errors = mixture_sample(rng, 20_000, guess, lambda n: circular.wrap(sigma * rng.standard_normal(n)))
    fit = circular.fit_mixture(errors, "gaussian")
    assert fit.guess_rate == pytest.approx(guess, abs=0.03)
    assert fit.width == pytest.approx(sigma, rel=0.08)


def test_mixture_densities_integrate_to_one():
    grid = np.linspace(-np.pi, np.pi, 20001)
    for model, width in (("von_mises", 5.0), ("gaussian", 2.0)):
        density = np.exp(circular.mixture_log_density(grid, model, 0.3, width))
        assert np.trapezoid(density, grid) == pytest.approx(1.0, abs=1e-4)
    with pytest.raises(ValueError):
        circular.fit_mixture(np.zeros(10), "cauchy")


# ----------------------------------------------------------------------------- losses


def test_losses_are_zero_at_the_target_and_rank_errors():
    theta = torch.tensor([[0.3, -2.0]], dtype=torch.float64)
    exact = torch.stack([torch.cos(theta), torch.sin(theta)], dim=-1)
    off = torch.stack([torch.cos(theta + 0.5), torch.sin(theta + 0.5)], dim=-1)
    for kind in ("l2", "sqrtl2", "rad", "exp"):
        assert item_errors(exact, theta, kind).abs().max() < 1e-5
        assert (item_errors(off, theta, kind) > 0.1).all()
    np.testing.assert_allclose(item_errors(off, theta, "rad").numpy(), 0.5, atol=1e-12)
    readout = torch.zeros(1, 4, 4, dtype=torch.float64)
    readout[:, 2:, :] = exact.reshape(1, 1, 4)
    presence = torch.tensor([[1.0, 0.0]], dtype=torch.float64)
    parts = memory_loss(readout, torch.ones(1, 4, 3), theta, presence, (2, 4), "rad", 1.0, 0.5)
    assert parts.error.item() == pytest.approx(0.0, abs=1e-6)
    assert parts.total.item() == pytest.approx(0.5)  # λ_reg · mean|r|


# ----------------------------------------------------------------------------- network


def small_network(seed=0, **model):
    torch.manual_seed(seed)
    task = build_task({"name": "vwm", "max_items": 2, "set_sizes": [1, 2], "stimulus_ms": 50.0,
                       "delay_ms": 50.0, "decode_ms": 50.0})
    return build_model({"hidden_size": 12, **model}, task).double(), task


def test_network_dale_signs_time_constants_and_step():
    model, task = small_network()
    assert model.n_excitatory == 6
    effective = model.effective_recurrent()
    assert (effective[:, :6] >= 0).all() and (effective[:, 6:] <= 0).all()
    assert sign_violations(model) == {"E": 0, "I": 0}
    assert (model.tau >= 50).all() and (model.tau <= 300).all()
    assert (torch.diff(model.tau[:6]) >= 0).all() and (torch.diff(model.tau[6:]) >= 0).all()
    # the noise-free forward pass is the map iterated
    inputs = torch.from_numpy(task.sample(np.random.default_rng(0), 3).inputs).double()
    rates = model(inputs)
    h = torch.zeros(3, 12, dtype=torch.float64)
    for t in range(inputs.shape[1]):
        h = model.step(h, inputs[:, t] @ torch.eye(inputs.shape[2], dtype=torch.float64))
    torch.testing.assert_close(rates[:, -1], h)
    with torch.no_grad():
        model.W[0, 0] = -0.1  # a planted sign violation is counted
    assert sign_violations(model) == {"E": 1, "I": 0}


@pytest.mark.parametrize("activation", ["saturating", "power_law"])
def test_step_jacobian_matches_autograd(activation):
    model, task = small_network(activation=activation)
    h = torch.rand(2, 12, dtype=torch.float64) * 40
    u = torch.rand(2, task.input_size, dtype=torch.float64) * 10
    analytic = model.step_jacobian(h, u)
    for k in range(2):
        numeric = torch.autograd.functional.jacobian(lambda x: model.step(x[None], u[k:k + 1])[0], h[k])
        torch.testing.assert_close(analytic[k], numeric)


def test_saturating_activation_values():
    model, _ = small_network()
    x = torch.tensor([-100.0, 30.0, 200.0], dtype=torch.float64)
    values = model.activation(x)
    assert values[0].item() == pytest.approx(0.0, abs=1e-3)
    assert values[1].item() == pytest.approx(30.0)  # 0.14·30 − 4.2 = 0: half of r_sat
    assert values[2].item() == pytest.approx(60.0, abs=1e-3)
