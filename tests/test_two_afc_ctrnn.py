"""rnnlab's CTRNN of the PsychRNN comparison (rnnlab.studies.two_afc.basic_ctrnn): PsychRNN
1.0.0's Basic model in torch — its equations step by step, its Dale signs (inhibitory units read
out negatively, as the 1.0.0 release does), its initialisation, and its training step (masked
MSE over every step, each parameter's gradient clipped on its own). tests/test_two_afc_psychrnn.py
compares it with the real PsychRNN on the same weights."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from rnnlab.studies.two_afc.basic_ctrnn import BasicConfig, BasicCTRNN, psychrnn_signs
from rnnlab.studies.two_afc.losses import psychrnn_mse
from rnnlab.studies.two_afc.tasks import PsychRNNDiscriminationTask
from rnnlab.studies.two_afc.training import StudyTraining, clip_gradients, train_decision_network


def _model(n=10, alpha=0.2, radius=1.1, seed=0) -> BasicCTRNN:
    torch.manual_seed(seed)
    return BasicCTRNN(BasicConfig(hidden_size=n, alpha=alpha, spectral_radius=radius))


def test_forward_is_psychrnns_current_based_step_with_its_noise_scaling():
    model = _model(n=10, alpha=0.2)
    with torch.no_grad():
        model.bias.normal_()
        model.bias_output.normal_()
    inputs = torch.randn(3, 7, 2).double()
    noise = torch.randn(3, 7, 10).double()
    model = model.double()
    with torch.no_grad():
        outputs, rates = model(inputs, noise=noise)
    w_in = model.weight_input.detach().abs()
    signs = psychrnn_signs(10, 0.8).double()
    w_rec = model.weight_recurrent.detach().abs() * signs[None, :]
    w_out = model.weight_output.detach().abs() * signs[None, :]
    x = model.initial_state.detach().expand(3, 10)
    for t in range(7):
        x = (0.8 * x + 0.2 * (torch.relu(x) @ w_rec.T + inputs[:, t] @ w_in.T + model.bias.detach())
             + math.sqrt(2 * 0.2) * noise[:, t])
        torch.testing.assert_close(rates[:, t], torch.relu(x))
        torch.testing.assert_close(outputs[:, t],
                                   torch.relu(x) @ w_out.T + model.bias_output.detach())
    # The noise-free step map is the forward pass without noise.
    with torch.no_grad():
        _, clean = model(inputs)
        state = model.initial_state.expand(3, 10)
        for t in range(7):
            state = model.step(state, inputs[:, t])
        torch.testing.assert_close(clean[:, -1], torch.relu(state))


def test_dale_signs_hold_by_construction_and_inhibitory_units_read_out_negatively():
    model = _model(n=20)
    signs = psychrnn_signs(20, 0.8)
    assert signs.tolist() == [1.0] * 16 + [-1.0] * 4
    with torch.no_grad():  # any raw weights: the effective ones keep the signs
        for parameter in (model.weight_input, model.weight_recurrent, model.weight_output):
            parameter.normal_()
    w_in, w_rec, w_out = (w.detach() for w in model.effective_weights())
    assert (w_in >= 0).all()
    assert ((w_rec * signs[None, :]) >= 0).all()
    # PsychRNN 1.0.0: Dale_out defaults to Dale_rec, so I units reach the outputs negatively.
    assert (w_out[:, :16] >= 0).all() and (w_out[:, 16:] <= 0).all()
    assert (w_out[:, 16:] < 0).any()


def test_initialisation_is_psychrnns_gaussian_spectral_radius():
    model = _model(n=200, radius=1.1, seed=3)
    raw = model.weight_recurrent.detach().double()
    assert float(torch.linalg.eigvals(raw).abs().max()) == pytest.approx(1.1, rel=1e-6)
    # Inhibitory columns are f/(1 − f) = 4 times wider than excitatory ones (E/I balancing).
    ratio = float(raw[:, 160:].std() / raw[:, :160].std())
    assert ratio == pytest.approx(4.0, rel=0.05)
    # The effective |W| diag(s) has zero mean input per row in expectation (balanced): its
    # excitatory part alone sums to ≈ 5 per row, the mean row sum is 0 ± 0.05 (1 σ).
    effective = model.effective_weights()[1].detach().double()
    assert float(effective[:, :160].sum(dim=1).mean()) > 4.0
    assert float(effective.sum(dim=1).mean()) == pytest.approx(0.0, abs=0.25)
    # Glorot-Gaussian W_in, W_out: std √(2/(N_in + N)); trained initial state near 0.1.
    expected = math.sqrt(2 / 202)
    assert float(model.weight_input.std()) == pytest.approx(expected, rel=0.1)
    assert float(model.weight_output.std()) == pytest.approx(expected, rel=0.1)
    assert float(model.initial_state.mean()) == pytest.approx(0.1, abs=0.005)
    assert model.initial_state.requires_grad


def test_psychrnn_mse_counts_unscored_steps_as_zeros():
    outputs = torch.tensor([[[1.0, 0.0], [0.5, 0.5]]])  # (B 1, T 2, O 2)
    targets = torch.tensor([[[0.0, 0.0], [1.0, 0.2]]])
    mask = torch.tensor([[0.0, 1.0]])
    parts = psychrnn_mse(outputs, targets, mask)
    # Only step 1 scored: (0.5² + 0.3²) over all 4 entries.
    assert float(parts.total) == pytest.approx((0.25 + 0.09) / 4)
    assert math.isnan(float(parts.cross_entropy))


def test_per_tensor_clipping_clips_each_parameter_on_its_own():
    first = torch.nn.Parameter(torch.zeros(3))
    second = torch.nn.Parameter(torch.zeros(2))
    first.grad = torch.tensor([3.0, 4.0, 0.0])  # norm 5
    second.grad = torch.tensor([0.3, 0.4])  # norm 0.5
    total = clip_gradients([first, second], 1.0, "per_tensor")
    assert total == pytest.approx(math.sqrt(25.25))
    torch.testing.assert_close(first.grad, torch.tensor([0.6, 0.8, 0.0]), atol=1e-5, rtol=0)
    torch.testing.assert_close(second.grad, torch.tensor([0.3, 0.4]))  # under the norm: kept
    first.grad = torch.tensor([3.0, 4.0, 0.0])
    second.grad = torch.tensor([0.3, 0.4])
    clip_gradients([first, second], 1.0, "global")  # jointly: both scaled by 1/√25.25
    torch.testing.assert_close(second.grad, torch.tensor([0.3, 0.4]) / math.sqrt(25.25),
                               atol=1e-5, rtol=0)


def test_the_ctrnn_learns_psychrnns_task_with_psychrnns_training_step():
    task = PsychRNNDiscriminationTask(T_ms=600.0, dt_ms=20.0, tau_ms=100.0)
    torch.manual_seed(2)
    model = BasicCTRNN(BasicConfig(hidden_size=24, alpha=0.2))
    config = StudyTraining(steps=120, batch_size=32, learning_rate=0.01, log_every=20,
                           objective="psychrnn_mse", clip="per_tensor")
    log = train_decision_network(model, task, config, seed=0, save_checkpoint=lambda *a: None)
    assert log["loss"].iloc[-1] < 0.5 * log["loss"].iloc[0]
    assert log["decision_cross_entropy"].isna().all()
    batch = task.sample(np.random.default_rng(5), 400, coherence=0.5)
    with torch.no_grad():
        outputs, _ = model(torch.from_numpy(batch.inputs))
    choices = (outputs.numpy() * batch.loss_mask[..., None]).mean(axis=1).argmax(axis=1)
    assert (choices == batch.conditions["label"].to_numpy()).mean() > 0.9
