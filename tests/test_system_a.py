"""System A (seed 001): the task's masks and no-pulse trials, the participation-ratio formulas
on constructed vectors, the covariance and PCA against direct computations, the network's
initialisation, and that training leaves G untouched while it learns."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from rnnlab.studies.system_a import activity
from rnnlab.studies.system_a.dimensionality import (
    aligned_pr,
    covariance,
    invariant_pr,
    principal_components,
    project,
    sign_flipped_prs,
    thesis_eigenvectors,
    thesis_pr,
)
from rnnlab.studies.system_a.evaluation import per_trial_mse, trial_mse
from rnnlab.studies.system_a.experiment import (
    build_model,
    build_task,
    checkpoint_steps,
    train_run,
    training_steps,
    with_training_steps,
)
from rnnlab.studies.system_a.model import SystemAConfig, SystemANetwork
from rnnlab.studies.system_a.tasks import PulseDurationTask
from rnnlab.studies.system_a.training import EpochSettings, precision_of, train_epochs


# ----------------------------------------------------------------------------------- the task
def test_thesis_task_masks_pulse_and_target_step_by_step():
    """dt 1 ms: pulse onset ≤ t ≤ onset + duration (inclusive, as the thesis), silent steps
    before the onset scored against 0, onset … cost onset unscored, the rest scored against
    0.007 × duration; the precision scores only steps with a positive target."""
    task = PulseDurationTask()
    batch = task.trials(np.array([2500, 3700]), np.array([120, 60]), np.array([True, True]))
    assert batch.inputs.shape == (2, 7000, 1) and batch.targets.shape == (2, 7000, 1)
    for index, (onset, duration) in enumerate(((2500, 120), (3700, 60))):
        pulse = np.flatnonzero(batch.inputs[index, :, 0])
        assert pulse[0] == onset and pulse[-1] == onset + duration  # duration + 1 steps
        assert np.all(batch.inputs[index, pulse, 0] == 2.0)
        loss = batch.loss_mask[index]
        assert loss[:onset].all() and not loss[onset:4500].any() and loss[4500:].all()
        target = batch.targets[index, :, 0]
        assert np.all(target[:4500] == 0)
        np.testing.assert_allclose(target[4500:], 0.007 * duration, rtol=1e-6)
        assert np.array_equal(batch.decision_mask[index], np.arange(7000) >= 4500)
    assert list(batch.conditions["duration_ms"]) == [120.0, 60.0]


def test_exclusive_pulse_at_a_coarse_dt_has_the_duration_s_area():
    task = PulseDurationTask(dt_ms=50.0, pulse_end_inclusive=False)
    batch = task.trials(np.array([60]), np.array([3]), np.array([True]))
    assert task.n_steps == 140
    assert batch.inputs[0, :, 0].sum() * task.dt_ms == pytest.approx(2.0 * 150.0)
    assert batch.targets[0, -1, 0] == pytest.approx(0.007 * 150.0)
    assert not batch.loss_mask[0, 60:90].any() and batch.loss_mask[0, 90:].all()


def test_no_pulse_trials_are_silent_fully_scored_and_about_a_tenth():
    task = PulseDurationTask(dt_ms=10.0)
    batch = task.sample(np.random.default_rng(0), 4000)
    silent = ~batch.conditions["has_pulse"].to_numpy()
    assert 0.08 < silent.mean() < 0.12  # Binomial(4000, 0.1): ± 4.2 standard deviations
    assert np.all(batch.inputs[silent] == 0) and np.all(batch.targets[silent] == 0)
    assert batch.loss_mask[silent].all() and not batch.decision_mask[silent].any()
    assert np.all(batch.conditions["duration_ms"][silent] == 0)
    pulsed = batch.conditions[~silent]
    # Onset 3000 + dt·U{−100 … 99}, duration 150 + dt·U{−10 … 9} (numpy's half-open randint).
    assert pulsed["onset_ms"].min() == 2000 and pulsed["onset_ms"].max() == 3990
    assert pulsed["duration_ms"].min() == 50 and pulsed["duration_ms"].max() == 240
    np.testing.assert_allclose(pulsed["target"], 0.007 * pulsed["duration_ms"])


def test_sampling_is_seeded_and_times_must_lie_on_the_dt_grid():
    task = PulseDurationTask(dt_ms=50.0)
    first = task.sample(np.random.default_rng(3), 16)
    again = task.sample(np.random.default_rng(3), 16)
    assert np.array_equal(first.inputs, again.inputs)
    with pytest.raises(ValueError, match="not a multiple"):
        PulseDurationTask(dt_ms=50.0, onset_ms=3010.0)


def test_precision_batch_is_one_unjittered_trial_per_duration():
    task = PulseDurationTask(dt_ms=50.0, pulse_end_inclusive=False)
    batch = task.precision_batch(10000.0)
    assert batch.inputs.shape == (3, 200, 1)
    assert list(batch.conditions["duration_ms"]) == [50.0, 150.0, 300.0]
    assert list(batch.conditions["onset_ms"]) == [3000.0] * 3


def test_losses_normalise_each_trial_by_its_own_masked_steps():
    outputs = torch.tensor([[[1.0], [1.0], [3.0]], [[0.0], [2.0], [0.0]]])
    targets = torch.zeros_like(outputs)
    mask = torch.tensor([[True, True, False], [False, True, True]])
    # trial 0: (1 + 1) / 2 = 1; trial 1: (4 + 0) / 2 = 2
    assert trial_mse(outputs, targets, mask).item() == pytest.approx(1.5)
    np.testing.assert_allclose(per_trial_mse(outputs.numpy(), targets.numpy(), mask.numpy()),
                               [1.0, 2.0])


# ------------------------------------------------------------------ participation ratios
def test_both_pr_formulas_on_constructed_vectors():
    n = 50
    even = np.ones(n)  # v spread evenly over every PC
    assert invariant_pr(even) == pytest.approx(n) and thesis_pr(even) == pytest.approx(n)
    single = np.zeros(n)
    single[7] = 3.0  # v on one PC
    assert invariant_pr(single) == pytest.approx(1) and thesis_pr(single) == pytest.approx(1)
    half = np.r_[np.ones(10), np.zeros(n - 10)]
    assert invariant_pr(half) == pytest.approx(10)


def test_one_flipped_eigenvector_changes_only_the_thesis_formula():
    """Flipping the sign of one eigenvector flips its coefficient: the thesis's (Σc)²/Σc²
    drops from N to (N − 2)²/N, the invariant (Σc²)²/Σc⁴ does not move."""
    n = 50
    c = np.ones(n)
    flipped = c.copy()
    flipped[0] = -1
    assert thesis_pr(flipped) == pytest.approx((n - 2) ** 2 / n)
    assert invariant_pr(flipped) == invariant_pr(c) == pytest.approx(n)
    balanced = np.r_[np.ones(n // 2), -np.ones(n // 2)]  # half the signs flipped: 0
    assert thesis_pr(balanced) == pytest.approx(0, abs=1e-12)
    assert aligned_pr(balanced) == pytest.approx(n) and invariant_pr(balanced) == pytest.approx(n)


def test_flipping_an_eigenvector_of_a_real_covariance_changes_the_thesis_pr():
    rng = np.random.default_rng(1)
    matrix = covariance(rng.standard_normal((400, 12)) @ rng.standard_normal((12, 12)), ddof=1)
    _, vectors = principal_components(matrix)
    weight = rng.standard_normal(12)
    flipped = vectors.copy()
    flipped[:, 0] *= -1  # still an orthonormal eigenbasis of the same matrix
    np.testing.assert_allclose(matrix @ flipped[:, 0], (flipped[:, 0] @ matrix @ flipped[:, 0])
                               * flipped[:, 0], atol=1e-10)
    c, c_flipped = vectors.T @ weight, flipped.T @ weight
    assert thesis_pr(c) != pytest.approx(thesis_pr(c_flipped), rel=1e-3)
    assert invariant_pr(c) == pytest.approx(invariant_pr(c_flipped), rel=1e-12)


def test_random_sign_flips_average_one_and_never_exceed_the_aligned_maximum():
    rng = np.random.default_rng(2)
    c = rng.standard_normal(200)
    draws = sign_flipped_prs(c, np.random.default_rng(3), 20000)
    assert draws.mean() == pytest.approx(1.0, abs=0.03)  # E[(Σ s c)²] = Σ c²
    assert draws.max() <= aligned_pr(c) + 1e-9
    assert thesis_pr(np.abs(c)) == pytest.approx(aligned_pr(c))


def test_project_reports_every_formula_and_the_significant_pcs():
    rng = np.random.default_rng(4)
    n, rank = 30, 5
    rates = rng.standard_normal((500, rank)) @ rng.standard_normal((rank, n))  # rank 5
    weight = rng.standard_normal(n)
    summary, arrays = project(covariance(rates, ddof=1), weight, np.random.default_rng(5), 100,
                              1e-9)
    assert summary.n_significant == rank
    c = arrays["coefficients"]
    np.testing.assert_allclose(np.sum(c**2), np.sum(weight**2))  # an orthonormal basis
    assert summary.pr_invariant == pytest.approx(invariant_pr(c))
    assert summary.pr_aligned >= summary.pr_thesis_eigh
    assert summary.pr_invariant_significant == pytest.approx(invariant_pr(c[:rank]))
    assert summary.significant_fraction == pytest.approx(np.sum(c[:rank] ** 2) / np.sum(c**2))
    assert summary.activity_dimension <= rank + 1e-6
    assert np.all(np.diff(arrays["eigenvalues"]) <= 1e-12)


# ------------------------------------------------------------------- covariance and PCA
def test_covariance_equals_the_thesis_s_loop_and_numpy():
    rng = np.random.default_rng(6)
    rates = np.tanh(rng.standard_normal((40, 6))).astype(np.float32)
    for ddof in (0, 1):
        direct = np.empty((6, 6))
        values = rates.astype(np.float64)
        for i in range(6):  # the thesis's N² loop over pairs of units
            for j in range(6):
                a, b = values[:, i], values[:, j]
                direct[i, j] = np.sum((a - a.mean()) * (b - b.mean())) / (len(a) - ddof)
        np.testing.assert_allclose(covariance(rates, ddof), direct, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(covariance(rates, ddof), np.cov(values.T, ddof=ddof),
                                   rtol=1e-12, atol=1e-15)
        assert np.array_equal(covariance(rates, ddof), covariance(rates, ddof).T)


def test_principal_components_are_the_sorted_orthonormal_eigenvectors():
    rng = np.random.default_rng(7)
    matrix = covariance(rng.standard_normal((200, 8)) @ rng.standard_normal((8, 8)), ddof=1)
    values, vectors = principal_components(matrix)
    assert np.all(np.diff(values) <= 0)
    np.testing.assert_allclose(vectors.T @ vectors, np.eye(8), atol=1e-12)
    np.testing.assert_allclose(matrix @ vectors, vectors * values, atol=1e-10)
    eig_values, eig_vectors, _ = thesis_eigenvectors(matrix)
    np.testing.assert_allclose(np.sort(eig_values)[::-1], values, rtol=1e-10)
    # Same eigenvectors up to sign (distinct eigenvalues).
    order = np.argsort(eig_values)[::-1]
    np.testing.assert_allclose(np.abs(np.sum(eig_vectors[:, order] * vectors, axis=0)), 1,
                               atol=1e-9)


def test_memory_covariance_averages_the_trials_population_covariances():
    rng = np.random.default_rng(8)
    rates = rng.standard_normal((3, 20, 4))
    window = slice(5, 20)
    expected = np.mean([np.cov(trial[5:20].T, ddof=0) for trial in rates], axis=0)
    np.testing.assert_allclose(activity.memory_covariance(rates, window), expected, atol=1e-14)


# ------------------------------------------------------------------ network and training
TINY_TASK = dict(name="pulse_duration", dt_ms=50.0, pulse_end_inclusive=False)


def test_thesis_initialisation_shares_one_stream_and_one_g():
    config = SystemAConfig(hidden_size=40, dt_ms=50.0)
    first, second = SystemANetwork(config, 3), SystemANetwork(config, 4)
    i, w = first.input_weights.detach().ravel(), first.output_weights.detach().ravel()
    torch.testing.assert_close(i, math.sqrt(40) * w)  # I = √N·w: cosine 1 before training
    assert torch.equal(first.connectivity, second.connectivity)  # G from seed 1 for every model
    assert not torch.equal(first.input_weights, second.input_weights)
    own = SystemAConfig(hidden_size=40, dt_ms=50.0, connectivity_seed=None,
                        weight_init="independent")
    a, b = SystemANetwork(own, 3), SystemANetwork(own, 4)
    assert not torch.equal(a.connectivity, b.connectivity)
    cosine = torch.nn.functional.cosine_similarity(a.input_weights.ravel(),
                                                   a.output_weights.ravel(), dim=0)
    assert abs(cosine) < 4 / math.sqrt(40)
    assert [name for name, _ in first.named_parameters()] == ["input_weights", "output_weights"]


def test_network_forward_equals_the_plain_loop():
    task = build_task(TINY_TASK)
    model = build_model({"hidden_size": 24}, task, seed=5).double()  # chaotic: compare in float64
    inputs = torch.from_numpy(task.sample(np.random.default_rng(0), 3).inputs).double()
    outputs, states = model(inputs)
    reference_outputs, reference_states = model.forward_reference(inputs)
    torch.testing.assert_close(outputs, reference_outputs, rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(states, reference_states, rtol=1e-10, atol=1e-12)


def test_training_leaves_g_untouched_and_learns_the_task():
    """A small System A (N 60, dt 50 ms) trained 30 epochs: G is bit-identical afterwards, I
    and w moved, and the thesis's precision falls well below the untrained network's."""
    task = build_task(TINY_TASK)
    model = build_model({"hidden_size": 60}, task, seed=2)
    g_before = model.connectivity.clone()
    i_before = model.input_weights.detach().clone()
    untrained = precision_of(model, task)
    saved = []
    settings = EpochSettings(epochs=30, n_trials=64, batch_size=16, checkpoint_epochs=(0, 30),
                             log_every=4)
    log = train_epochs(model, task, 1e-2, settings, 2,
                       lambda step, state, extras: saved.append((step, state)))
    assert torch.equal(model.connectivity, g_before)
    assert torch.equal(saved[-1][1]["connectivity"], g_before)
    assert not torch.equal(model.input_weights.detach(), i_before)
    assert [step for step, _ in saved] == [0, 120]
    trained = precision_of(model, task)
    assert trained < 0.25 * untrained, (untrained, trained)
    assert log["loss"].iloc[-1] < log["loss"].iloc[0]
    assert np.isfinite(log["precision"].dropna()).all() and log["precision"].notna().sum() == 30


def test_train_run_is_reproducible_and_its_step_count_is_priced(tmp_path):
    config = {"run": "model_a", "study": "system_a", "task": TINY_TASK,
              "model": {"hidden_size": 12},
              "training": {"epochs": 2, "n_trials": 20, "batch_size": 8,
                           "checkpoint_epochs": [0, 2]}}
    first = train_run(config, 7, tmp_path / "a")
    again = train_run(config, 7, tmp_path / "b")
    assert first.equals(again)
    assert training_steps(config) == 4 and checkpoint_steps(config) == [0, 4]
    assert training_steps(with_training_steps(config, 3)) == 3
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["step_000000.pt",
                                                                 "step_000004.pt"]
