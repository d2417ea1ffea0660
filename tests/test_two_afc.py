"""The 2AFC study's building blocks (rnnlab.studies.two_afc): the tasks' channel statistics, the
gated Dale network's gate and Dale's law, the ACG loss against a hand computation, the lesion
and clamp hooks, the psychometric fit of a choice curve, and a short training that learns."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import torch

from rnnlab.studies.two_afc.curves import choice_curve, curve_fit
from rnnlab.studies.two_afc.losses import acg_penalty, centroid_distance, decision_loss
from rnnlab.studies.two_afc.models import (
    CausalConfig,
    GatedDaleConfig,
    RNNCausal,
    RNNWithGateDale,
    UnitPerturbation,
    mixed_sign_columns,
)
from rnnlab.studies.two_afc.tasks import (
    PsychRNNDiscriminationTask,
    TwoChannelTask,
    grid_batch,
    psychrnn_noise_std,
    signed_trials,
)
from rnnlab.tasks.mirror import mirror_paired_sample
from rnnlab.studies.two_afc.training import (
    Curriculum,
    LearningRateDecay,
    StudyTraining,
    train_decision_network,
)

# ---------------------------------------------------------------------------------- tasks


def test_two_channel_statistics():
    task = TwoChannelTask(n_steps=12, stimulus_onset=2, stimulus_offset=9, noise_std=0.5,
                          coherences=(0.3,))
    batch = task.sample(np.random.default_rng(0), 20000)
    inputs = batch.inputs.astype(np.float64)
    labels = batch.conditions["label"].to_numpy()
    assert inputs.shape == (20000, 12, 2) and batch.inputs.dtype == np.float32
    assert abs(labels.mean() - 0.5) < 0.02
    rows = np.arange(len(labels))
    correct, wrong = inputs[rows, :, labels], inputs[rows, :, 1 - labels]  # (B, T)
    # Noise on both channels on every step, std noise_std, independent of each other.
    assert np.std(wrong, axis=0) == pytest.approx(np.full(12, 0.5), rel=0.03)
    assert np.std(correct, axis=0) == pytest.approx(np.full(12, 0.5), rel=0.03)
    assert abs(np.corrcoef(correct[:, 4], wrong[:, 4])[0, 1]) < 0.03
    # The coherence is added to the correct channel during [onset, offset) only.
    expected = np.zeros(12)
    expected[2:9] = 0.3
    np.testing.assert_allclose(correct.mean(axis=0), expected, atol=0.015)
    np.testing.assert_allclose(wrong.mean(axis=0), 0.0, atol=0.015)
    # Cross-entropy at the decision step (the last) only.
    assert batch.loss_mask.sum(axis=1).tolist() == [1] * 20000
    assert batch.loss_mask[:, -1].all()
    np.testing.assert_array_equal(batch.conditions["signed_coherence"],
                                  np.where(labels == 1, 0.3, -0.3))


def test_two_channel_is_seeded_and_uses_only_the_callers_generator():
    task = TwoChannelTask()
    np.random.seed(1)
    first = task.sample(np.random.default_rng(5), 32)
    np.random.seed(2)
    second = task.sample(np.random.default_rng(5), 32)
    np.testing.assert_array_equal(first.inputs, second.inputs)
    pd.testing.assert_frame_equal(first.conditions, second.conditions)
    third = task.sample(np.random.default_rng(6), 32)
    assert not np.array_equal(first.inputs, third.inputs)


def test_psychometric_grid_holds_zero_and_both_signs():
    coherences = [-0.2, -0.05, 0.0, 0.05, 0.2]
    unsigned, labels = signed_trials(coherences, 10)
    assert (unsigned >= 0).all()
    signed = np.repeat(coherences, 10)
    np.testing.assert_array_equal(labels[signed > 0], 1)
    np.testing.assert_array_equal(labels[signed < 0], 0)
    assert labels[signed == 0].sum() == 5  # a fair split at zero coherence
    task = TwoChannelTask(n_steps=6, stimulus_onset=1, stimulus_offset=5, noise_std=0.0)
    batch, grid_signed = grid_batch(task, coherences, 10, seed=3)
    np.testing.assert_array_equal(grid_signed, signed)
    # Noise-free: the right channel minus the left one is the signed coherence in the stimulus.
    difference = batch.inputs[:, 2, 1] - batch.inputs[:, 2, 0]
    np.testing.assert_allclose(difference, signed, atol=1e-7)
    # Mirror-balanced with noise: −c is +c with the channels swapped, the second half of the
    # zero-coherence trials the first half swapped, so an ideal observer (the sign of the summed
    # channel difference) answers right at 0 exactly half the time and symmetrically at ±c.
    noisy = TwoChannelTask(n_steps=6, stimulus_onset=1, stimulus_offset=5, noise_std=0.5)
    batch, grid_signed = grid_batch(noisy, coherences, 10, seed=3)
    inputs = batch.inputs
    np.testing.assert_array_equal(inputs[grid_signed == -0.2], inputs[grid_signed == 0.2][..., ::-1])
    zero = inputs[grid_signed == 0]
    np.testing.assert_array_equal(zero[5:], zero[:5][..., ::-1])
    evidence = (inputs[:, :, 1] - inputs[:, :, 0]).sum(axis=1)
    assert (evidence[grid_signed == 0] > 0).mean() == 0.5
    assert (evidence[grid_signed == 0.05] > 0).mean() == (evidence[grid_signed == -0.05] < 0).mean()
    # The draw itself is the seeded task's: the +c trials are exactly what the task samples.
    unmirrored = noisy.sample(np.random.default_rng(3), len(labels), coherence=unsigned,
                              labels=labels)
    np.testing.assert_array_equal(inputs[grid_signed > 0], unmirrored.inputs[signed > 0])


def test_psychrnn_task_has_psychrnns_statistics():
    task = PsychRNNDiscriminationTask(T_ms=1000.0, dt_ms=10.0, tau_ms=100.0)
    assert task.n_steps == 100
    # PsychRNN's stimulus noise: sqrt(2 · 0.01 · sqrt(10) · sqrt(dt) · 0.1²).
    assert psychrnn_noise_std(10.0) == pytest.approx(math.sqrt(2 * 0.01 * math.sqrt(10)
                                                               * math.sqrt(10.0) * 0.01))
    rng = np.random.default_rng(0)
    batch = task.sample(rng, 4000, coherence=0.5, onset_ms=250.0, duration_ms=250.0)
    labels = batch.conditions["label"].to_numpy()
    rows = np.arange(len(labels))
    correct = batch.inputs[rows, :, labels].astype(np.float64)
    wrong = batch.inputs[rows, :, 1 - labels].astype(np.float64)
    t = np.arange(100) * 10.0
    on = (t > 250) & (t < 500)
    np.testing.assert_allclose(wrong.mean(0), on * 1.0, atol=0.01)
    np.testing.assert_allclose(correct.mean(0), on * 1.5, atol=0.01)
    assert wrong.std(0).mean() == pytest.approx(task.noise_std, rel=0.05)
    # Target hi towards the direction, lo away, from 20 ms after the offset; scored from it.
    responding = t > 520
    expected = np.broadcast_to(responding, (4000, 100)).astype(np.float64)
    np.testing.assert_allclose(batch.targets[rows, :, labels], expected)
    np.testing.assert_allclose(batch.targets[rows, :, 1 - labels], expected * 0.2, atol=1e-7)
    np.testing.assert_array_equal(batch.loss_mask, np.broadcast_to(t >= 500, (4000, 100)))
    # Drawn timing: onset ~ U(0, T/2), duration ~ U(T/8, 3T/8); coherences from PsychRNN's set.
    drawn = task.sample(np.random.default_rng(1), 4000)
    onset, duration = drawn.conditions["onset_ms"], drawn.conditions["duration_ms"]
    assert 0 <= onset.min() and onset.max() <= 500 and abs(onset.mean() - 250) < 10
    assert 125 <= duration.min() and duration.max() <= 375
    assert set(drawn.conditions["coherence"]) == {0.1, 0.3, 0.5, 0.7}


# ------------------------------------------------------------------------ gate and Dale


def _gated(n=10, gated=True, seed=0, **kwargs):
    torch.manual_seed(seed)
    return RNNWithGateDale(GatedDaleConfig(hidden_size=n, gated=gated, **kwargs))


def test_gate_follows_its_equation():
    model = _gated()
    with torch.no_grad():
        model.bias.normal_()
        model.gate_bias.normal_()
    rng = np.random.default_rng(0)
    state = torch.tensor(rng.normal(size=(5, 10)), dtype=torch.float64)
    inputs = torch.tensor(rng.normal(size=(5, 2)), dtype=torch.float64)
    p = {k: v.detach().double() for k, v in model.named_parameters()}
    r = torch.relu(state)
    gate = torch.sigmoid(inputs @ p["gate_input"].T + r @ p["gate_recurrent"].T + p["gate_bias"])
    drive = inputs @ p["weight_input"].T + r @ p["weight_recurrent"].T + p["bias"]
    expected = (1 - gate) * state + gate * drive
    with torch.no_grad():
        torch.testing.assert_close(model.step(state, inputs), expected)
        torch.testing.assert_close(model.gate(r, inputs), gate)
    # The ungated twin: g ≡ leak for every unit and state.
    twin = _gated(gated=False, leak=0.3)
    with torch.no_grad():
        g = twin.gate(r, inputs)
        assert torch.equal(g, torch.full_like(g, 0.3))


def test_forward_is_the_step_map_and_the_gate_starts_at_the_leak():
    model = _gated(leak=0.2)
    assert torch.sigmoid(model.gate_bias).detach().numpy() == pytest.approx(np.full(10, 0.2))
    inputs = torch.randn(3, 7, 2)
    with torch.no_grad():
        logits, rates = model(inputs)
        state = torch.zeros(3, 10)
        for t in range(7):
            state = model.step(state, inputs[:, t])
            torch.testing.assert_close(rates[:, t], torch.relu(state))
        torch.testing.assert_close(logits, model.readout(rates))


@pytest.mark.parametrize("gated", [True, False])
def test_closed_form_step_jacobian_is_autograds(gated):
    torch.manual_seed(3)
    model = RNNWithGateDale(GatedDaleConfig(hidden_size=12, gated=gated)).double()
    with torch.no_grad():  # trained-like: biases and gate weights away from their init
        for parameter in model.parameters():
            parameter.add_(0.3 * torch.randn_like(parameter))
    state = torch.randn(5, 12, dtype=torch.float64)  # about half the units below threshold
    inputs = torch.randn(5, 2, dtype=torch.float64)
    expected = torch.stack([
        torch.autograd.functional.jacobian(lambda h: model.step(h[None], u[None])[0], h)
        for h, u in zip(state, inputs)])
    found = model.step_jacobian(state, inputs)
    torch.testing.assert_close(found, expected, rtol=1e-12, atol=1e-12)
    assert (expected.abs() > 1e-3).sum() > 100  # not vacuous


def test_excitatory_readout_ignores_inhibitory_units():
    model = _gated(n=10)
    inhibitory = model.unit_signs < 0
    assert int(inhibitory.sum()) == 2
    rates = torch.rand(4, 10)
    changed = rates.clone()
    changed[:, inhibitory] += 5.0
    with torch.no_grad():
        torch.testing.assert_close(model.readout(rates), model.readout(changed))


def test_dale_signs_never_flip_during_training():
    model = _gated(n=20, spectral_radius=1.5)
    signs = model.unit_signs.clone()
    initial = model.weight_recurrent.detach().clone()
    assert mixed_sign_columns(model) == 0
    assert ((initial * signs[None, :]) >= 0).all()
    task = TwoChannelTask(n_steps=8, stimulus_onset=1, stimulus_offset=7)
    # A large learning rate pushes many weights across zero; the projection puts them back.
    config = StudyTraining(steps=30, batch_size=16, learning_rate=0.2, log_every=10)
    saved = {}
    train_decision_network(model, task, config, seed=0,
                           save_checkpoint=lambda step, state, extras: saved.update(
                               {step: (state, extras)}))
    weight = model.weight_recurrent.detach()
    assert ((weight * signs[None, :]) >= 0).all(), "a recurrent weight changed sign"
    assert mixed_sign_columns(model) == 0
    corrections = saved[30][1]["sign_corrections"]
    assert int(corrections.sum()) > 0, "the test should push weights across zero"
    assert not torch.equal(weight, initial)


def test_a_flipped_weight_is_detected_and_projected_back():
    model = _gated(n=10)
    with torch.no_grad():
        model.weight_recurrent[3, 9] = 0.7  # column 9 is inhibitory: a positive weight is wrong
    assert mixed_sign_columns(model) == 1
    counts = model.project_dale_()
    assert counts.tolist() == [0] * 9 + [1]
    assert mixed_sign_columns(model) == 0
    assert float(model.weight_recurrent.detach()[3, 9]) <= 0


# ------------------------------------------------------------------------------- ACG loss


def test_acg_loss_matches_a_hand_computation():
    rates = torch.tensor([[1.0, 0.0], [3.0, 0.0], [0.0, 2.0], [0.0, 4.0]], requires_grad=True)
    labels = torch.tensor([0, 0, 1, 1])
    # μ0 = (2, 0), μ1 = (0, 3): ‖μ0 − μ1‖ = √13.
    assert float(centroid_distance(rates, labels)) == pytest.approx(math.sqrt(13))
    logits = torch.tensor([[2.0, 0.0], [1.0, 1.0], [0.0, 1.0], [3.0, 0.0]])
    ce = -np.mean([np.log(np.exp(2) / (np.exp(2) + 1)), np.log(0.5),
                   np.log(np.e / (np.e + 1)), np.log(1 / (np.exp(3) + 1))])
    parts = decision_loss(logits, rates, labels, acg_weight=0.5, margin=5.0)
    assert float(parts.cross_entropy) == pytest.approx(ce, rel=1e-6)
    assert float(parts.acg_penalty) == pytest.approx(5.0 - math.sqrt(13), rel=1e-6)
    assert float(parts.total) == pytest.approx(ce + 0.5 * (5.0 - math.sqrt(13)), rel=1e-6)
    assert parts.centroid_distance == pytest.approx(math.sqrt(13), rel=1e-6)
    # Its gradient pushes the centroids apart: ∂/∂r of −λ‖μ0 − μ1‖.
    parts.total.backward()
    direction = np.array([2.0, -3.0]) / math.sqrt(13)  # (μ0 − μ1)/‖μ0 − μ1‖
    expected = np.array([-direction, -direction, direction, direction]) * 0.5 / 2
    np.testing.assert_allclose(rates.grad.numpy(), expected, rtol=1e-6)
    # Beyond the margin the term is zero.
    far = decision_loss(logits, rates.detach(), labels, acg_weight=0.5, margin=3.0)
    assert float(far.acg_penalty) == 0.0
    assert float(far.total) == pytest.approx(ce, rel=1e-6)


def test_a_one_class_batch_adds_nothing():
    rates = torch.tensor([[1.0, 0.0], [3.0, 0.5]], requires_grad=True)
    labels = torch.tensor([1, 1])
    penalty, distance = acg_penalty(rates, labels, margin=10.0)
    assert float(penalty) == 0.0 and math.isnan(distance)
    logits = torch.tensor([[0.0, 1.0], [2.0, 0.0]], requires_grad=True)
    with_acg = decision_loss(logits, rates, labels, acg_weight=3.0, margin=10.0)
    without = decision_loss(logits, rates, labels)
    assert float(with_acg.total) == float(without.total)
    with_acg.total.backward()
    assert rates.grad is None or torch.count_nonzero(rates.grad) == 0


# ------------------------------------------------------------------------ lesion and clamp


@pytest.mark.parametrize("kind", ["gated_dale", "vanilla"])
@pytest.mark.parametrize("hook", ["lesion", "clamp"])
def test_perturbation_hooks_change_exactly_the_units_they_name(kind, hook):
    torch.manual_seed(0)
    model = (_gated(n=12) if kind == "gated_dale" else RNNCausal(CausalConfig(hidden_size=12)))
    units = (1, 4, 10)
    value = 0.0 if hook == "lesion" else 0.37
    perturbation = (UnitPerturbation.lesion(units) if hook == "lesion"
                    else UnitPerturbation.clamp(units, value))
    inputs = torch.randn(6, 9, 2) + 1.0
    with torch.no_grad():
        _, intact = model(inputs)
        _, perturbed = model(inputs, perturbation=perturbation)
        named = torch.zeros(12, dtype=torch.bool)
        named[list(units)] = True
        assert torch.equal(perturbed[:, :, named], torch.full_like(perturbed[:, :, named], value))
        assert not torch.equal(intact[:, :, named], perturbed[:, :, named])
        # On the first step nothing has propagated yet: every other unit is untouched.
        assert torch.equal(intact[:, 0, ~named], perturbed[:, 0, ~named])
        # Without recurrence the perturbation reaches no other unit on any step.
        model.weight_recurrent.zero_()
        if kind == "gated_dale":
            model.gate_recurrent.zero_()
        _, intact = model(inputs)
        _, perturbed = model(inputs, perturbation=perturbation)
        assert torch.equal(intact[:, :, ~named], perturbed[:, :, ~named])
        assert torch.equal(perturbed[:, :, named], torch.full_like(perturbed[:, :, named], value))


def test_an_empty_perturbation_changes_nothing():
    model = _gated(n=8)
    inputs = torch.randn(3, 5, 2)
    with torch.no_grad():
        intact = model(inputs)[1]
        torch.testing.assert_close(model(inputs, perturbation=UnitPerturbation.lesion([]))[1],
                                   intact)


# ----------------------------------------------------------------------- psychometric fit


def test_curve_fit_recovers_a_simulated_observer_and_the_checks():
    rng = np.random.default_rng(0)
    grid = np.array([-0.4, -0.2, -0.1, -0.05, 0.0, 0.05, 0.1, 0.2, 0.4])
    signed = np.repeat(grid, 3000)
    p = 0.03 + (1 - 0.03 - 0.06) / (1 + np.exp(-15 * (signed - 0.02)))
    choices = (rng.random(signed.size) < p).astype(np.int64)
    curve = choice_curve(signed, choices)
    assert curve["n"].tolist() == [3000] * 9
    fit = curve_fit(curve)
    assert fit["slope"] == pytest.approx(15, rel=0.15)
    assert fit["bias"] == pytest.approx(0.02, abs=0.01)
    assert fit["lapse_low"] == pytest.approx(0.03, abs=0.015)
    assert fit["lapse_high"] == pytest.approx(0.06, abs=0.015)
    assert fit["top_coherence"] == 0.4
    top = np.abs(signed) == 0.4
    assert fit["accuracy_top"] == pytest.approx(float((choices[top] == (signed[top] > 0)).mean()))
    assert fit["p_right_zero"] == pytest.approx(float(choices[signed == 0].mean()))
    # The fitted curve at 0 (every trial of the grid): 0.03 + 0.91·σ(−0.3) = 0.417.
    assert fit["p_right_zero_fit"] == pytest.approx(0.417, abs=0.02)


# ---------------------------------------------------------------------- training learns


def test_gated_dale_network_learns_and_the_curriculum_lowers_the_coherence():
    torch.manual_seed(1)
    model = RNNWithGateDale(GatedDaleConfig(hidden_size=24))
    task = TwoChannelTask(n_steps=10, stimulus_onset=1, stimulus_offset=9, noise_std=0.5,
                          coherences=(0.4,))
    curriculum = Curriculum(enabled=True, start_coherence=0.9, step=0.1, threshold=0.8,
                            min_coherence=0.4)
    config = StudyTraining(steps=150, batch_size=32, learning_rate=0.01, log_every=10,
                           validate_every=25, validation_trials=128, curriculum=curriculum)
    log = train_decision_network(model, task, config, seed=0,
                                 save_checkpoint=lambda *args: None)
    validated = log.dropna(subset=["validation_accuracy"])
    assert validated["step"].tolist() == [24, 49, 74, 99, 124, 149]
    # The coherence only drops after a validation above threshold, by step, to the minimum.
    coherence = log["training_coherence"].to_numpy()
    assert coherence[0] == 0.9 and coherence.min() == pytest.approx(0.4)
    assert (np.diff(coherence) <= 1e-12).all()
    lowered = validated[validated["coherence_lowered"]]
    assert (lowered["validation_accuracy"] > 0.8).all() and len(lowered) >= 1
    # The trained network discriminates coherence 0.4 (ideal observer: ≈ 0.99 correct).
    batch = task.sample(np.random.default_rng(9), 1000, coherence=0.4)
    with torch.no_grad():
        logits, _ = model(torch.from_numpy(batch.inputs))
    accuracy = float((logits[:, -1].argmax(1).numpy() == batch.conditions["label"]).mean())
    assert accuracy > 0.9
    assert mixed_sign_columns(model) == 0


# ------------------------------------------------------- class balance and step-size decay


@pytest.mark.parametrize("task", [
    TwoChannelTask(n_steps=8, stimulus_onset=1, stimulus_offset=6),
    PsychRNNDiscriminationTask(T_ms=200.0, dt_ms=20.0),
])
def test_mirror_paired_batches_hold_each_trial_and_its_mirror_image(task):
    batch = mirror_paired_sample(task, np.random.default_rng(3), 12, coherence=None)
    first, second = slice(0, 6), slice(6, 12)
    assert batch.inputs.shape == (12, task.n_steps, 2) and batch.inputs.dtype == np.float32
    np.testing.assert_array_equal(batch.inputs[second], batch.inputs[first][..., ::-1])
    labels = batch.conditions["label"].to_numpy()
    np.testing.assert_array_equal(labels[second], 1 - labels[first])
    assert labels.sum() == 6  # exactly half the batch on each side
    signed = batch.conditions["signed_coherence"].to_numpy()
    np.testing.assert_array_equal(signed[second], -signed[first])
    np.testing.assert_array_equal(batch.loss_mask[second], batch.loss_mask[first])
    for bounds in batch.periods.values():
        np.testing.assert_array_equal(bounds[second], bounds[first])
    if batch.targets is not None:
        np.testing.assert_array_equal(batch.targets[second], batch.targets[first][..., ::-1])
    # The mirrored half is the task's own rule applied to the swapped trial: the correct side
    # carries the coherence.
    if task.name == "two_channel":
        stimulus = batch.inputs[:, task.stimulus_onset:task.stimulus_offset].mean(axis=1)
        mean_diff = stimulus[:, 1] - stimulus[:, 0]
        strong = batch.conditions["coherence"].to_numpy() >= 0.2
        assert (np.sign(mean_diff[strong]) == np.sign(signed[strong])).mean() > 0.7
    with pytest.raises(ValueError, match="even"):
        mirror_paired_sample(task, np.random.default_rng(3), 7)


def test_training_config_reads_class_balance_and_decay_and_rejects_bad_ones():
    run = {"training": {"steps": 8, "batch_size": 4, "class_balance": "mirror",
                        "learning_rate_decay": {"start_fraction": 0.5, "final_factor": 0.1}},
           "optimizer": {"learning_rate": 0.01}}
    config = StudyTraining.from_run(run)
    assert config.class_balance == "mirror"
    assert config.learning_rate_decay == LearningRateDecay(0.5, 0.1)
    with pytest.raises(ValueError, match="even"):
        StudyTraining.from_run({"training": {"batch_size": 5, "class_balance": "mirror"}})
    with pytest.raises(ValueError, match="class_balance"):
        StudyTraining.from_run({"training": {"class_balance": "shuffle"}})
    with pytest.raises(ValueError, match="final_factor"):
        LearningRateDecay(0.5, 0.0)


def test_step_size_decays_linearly_over_the_last_updates_and_only_there():
    decay = LearningRateDecay(start_fraction=0.5, final_factor=0.1)
    factors = [decay.factor(update, 10) for update in range(10)]
    assert factors[:5] == [1.0] * 5
    np.testing.assert_allclose(factors[5:], [1.0, 0.82, 0.64, 0.46, 0.28])
    assert [LearningRateDecay().factor(u, 10) for u in range(10)] == [1.0] * 10

    def trained(decaying: bool):
        torch.manual_seed(0)
        model = _gated(n=12)
        task = TwoChannelTask(n_steps=6, stimulus_onset=1, stimulus_offset=5)
        config = StudyTraining(
            steps=8, batch_size=8, learning_rate=0.05, log_every=1, class_balance="mirror",
            checkpoint_fractions=(0.5, 1.0),
            learning_rate_decay=LearningRateDecay(0.5, 0.01 if decaying else 1.0))
        saved = {}
        log = train_decision_network(model, task, config, seed=0,
                                     save_checkpoint=lambda step, state, extras: saved.update(
                                         {step: state}))
        return saved, log

    constant, constant_log = trained(False)
    decayed, decayed_log = trained(True)
    # The same updates until the decay starts, different ones after.
    for name, value in constant[4].items():
        torch.testing.assert_close(decayed[4][name], value, rtol=0, atol=0)
    assert not torch.equal(decayed[8]["weight_input"], constant[8]["weight_input"])
    # Adam moves each weight by about its step size: smaller steps, smaller moves.
    moved = {name: float((run[8]["weight_input"] - run[4]["weight_input"]).abs().mean())
             for name, run in (("constant", constant), ("decayed", decayed))}
    assert moved["decayed"] < 0.7 * moved["constant"]
    assert constant_log["learning_rate"].tolist() == [0.05] * 8
    np.testing.assert_allclose(decayed_log["learning_rate"],
                               [0.05 * decay for decay in (1, 1, 1, 1, 1, 0.7525, 0.505, 0.2575)])
