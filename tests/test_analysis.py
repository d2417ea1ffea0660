import numpy as np
import pandas as pd
import pytest
import torch

from rnnlab.aggregation import aggregate
from rnnlab.analysis import credit
from rnnlab.analysis.evaluation import evaluate, make_test_set
from rnnlab.analysis.fixed_points import FixedPointSettings
from rnnlab.analysis.gradients import hidden_state_gradients
from rnnlab.analysis.network_fixed_points import (
    NetworkFixedPointSettings,
    PrincipalComponents,
    analyse_fixed_points,
)
from rnnlab.analysis.statistics import bootstrap_mean_ci, gini, summarise_over_seeds
from rnnlab.analysis.weights import skewness, weight_histograms, weight_statistics
from rnnlab.studies.ei_modcog.experiment import build_model, build_task
from rnnlab.training.losses import decision_loss
from rnnlab.training.trainer import batch_tensors


def model_and_task(task="dm1", **model):
    torch.manual_seed(0)
    task = build_task({"name": task})
    return build_model({"hidden_size": 12, "leak": 0.6, **model}, task), task


def test_state_gradients_are_total_derivatives():
    """∂L/∂h_t from the probe equals a finite difference of the loss in h_t."""
    model, task = model_and_task()
    batch = task.sample(np.random.default_rng(0), 3)
    _, grads = hidden_state_gradients(model, batch, label_smoothing=0.1, fixdown_weight=0.1)
    model.double()  # the finite difference needs double precision
    tensors = batch_tensors(batch)
    inputs = tensors["inputs"].double()

    def loss_with_kick(t, unit, epsilon):
        kick = torch.zeros(3, batch.n_steps, 12, dtype=torch.float64)
        kick[:, t, unit] = epsilon
        outputs, _ = model(inputs, state_perturbation=kick)
        return decision_loss(outputs, tensors["labels"], tensors["loss_mask"],
                             tensors["decision_mask"], 0.1, 0.1).total.item()

    for t, unit in [(2, 0), (5, 7), (batch.n_steps - 3, 11)]:
        numeric = (loss_with_kick(t, unit, 1e-6) - loss_with_kick(t, unit, -1e-6)) / 2e-6
        assert grads[:, t, unit].sum() == pytest.approx(numeric, rel=1e-3, abs=1e-9)


def test_gradient_timecourse_and_unit_statistics_on_known_arrays():
    grads = np.zeros((2, 3, 4))
    grads[:, :, 0] = 3.0
    grads[:, :, 1] = 4.0
    grads[:, :, 3] = 2.0
    states = np.ones((2, 3, 4))
    excitatory = np.array([True, True, True, False])
    running = np.array([[True, True, True], [True, True, False]])
    frame = credit.gradient_timecourse(states, grads, excitatory, running)
    e = frame[frame.population == "E"].set_index("time_step")
    assert e.loc[0, "l2_norm"] == pytest.approx(5.0)
    assert e.loc[0, "rms"] == pytest.approx(5.0 / np.sqrt(3))
    assert e.loc[0, "cosine"] == pytest.approx(7.0 / (np.sqrt(3) * 5.0))
    assert e.n_trials.tolist() == [2, 2, 1]
    units = credit.unit_statistics(grads, excitatory, running)
    assert units.fisher.tolist() == [9.0, 16.0, 0.0, 4.0]
    assert units.population.tolist() == ["E", "E", "E", "I"]
    metrics = credit.population_metrics(units).set_index("population")
    assert metrics.loc["E", "fisher_mean"] == pytest.approx(25 / 3)
    assert metrics.loc["I", "gini"] == 0.0


def test_gini_of_known_distributions():
    assert gini(np.ones(10)) == pytest.approx(0.0)
    assert gini(np.array([0, 0, 0, 1.0])) == pytest.approx(0.75)  # (n − 1)/n
    assert gini(np.array([1.0, 3.0])) == pytest.approx(0.25)


def test_bootstrap_interval_covers_the_mean_and_is_nan_for_one_seed():
    rng = np.random.default_rng(0)
    mean, low, high = bootstrap_mean_ci(np.array([1.0, 2.0, 3.0, 4.0]), rng)
    assert mean == 2.5 and 1.0 <= low < 2.5 < high <= 4.0
    mean, low, high = bootstrap_mean_ci(np.array([1.0]), rng)
    assert mean == 1.0 and np.isnan(low) and np.isnan(high)
    frame = pd.DataFrame(dict(run=["a", "a", "b"], x=[1.0, 3.0, 5.0]))
    summary = summarise_over_seeds(frame, ["run"], ["x"], seed=0)
    assert summary.n.tolist() == [2, 1] and summary["mean"].tolist() == [2.0, 5.0]


def test_weight_statistics_count_flips_violations_and_corrections():
    signs = np.array([1.0, 1.0, -1.0])
    initial = np.array([[0.1, 0.2, -0.3], [0.4, 0.5, -0.6]])
    weight = initial.copy()
    weight[0, 0] = -0.1  # one excitatory weight flipped: a Dale violation
    frame = weight_statistics(weight, initial, signs, np.array([2, 0, 5])).set_index("population")
    assert frame.loc["E", "n_sign_flips"] == 1 and frame.loc["E", "n_mixed_sign_columns"] == 1
    assert frame.loc["I", "n_sign_flips"] == 0 and frame.loc["I", "n_sign_corrections"] == 5
    assert frame.loc["E", "n_sign_corrections"] == 2
    lognormal = np.exp(np.random.default_rng(0).normal(0, 1, 100_000))
    assert abs(skewness(np.log10(lognormal))) < 0.05
    histogram = weight_histograms(weight, signs, np.linspace(-2, 0, 5))
    assert histogram[histogram.population == "E"]["count"].sum() == 4


def test_fixed_point_counts_fill_zeros_for_motifs_not_found():
    searches = pd.DataFrame(dict(run=["r"] * 2, seed=[1, 2], inhibitory_fraction=[0.2] * 2,
                                 input_condition=["go"] * 2))
    points = pd.DataFrame(dict(run=["r"] * 4, seed=[1, 1, 2, 2], inhibitory_fraction=[0.2] * 4,
                               input_condition=["go"] * 4,
                               motif=["stable", "saddle", "stable", "continuous"],
                               kind=["fixed", "slow", "fixed", "local_minimum"]))
    counts = aggregate("rnnlab.studies.ei_modcog.aggregates:fixed_point_counts", {"fixed_points": points, "fixed_point_search": searches},
                       seed=0, n_resamples=100).set_index("motif")
    assert counts.loc["stable", "mean"] == 1.0 and counts.loc["saddle", "mean"] == 0.5
    assert counts.loc["continuous", "mean"] == 0.0 and (counts.n == 2).all()


def test_evaluation_is_trial_level_with_condition_columns():
    model, task = model_and_task()
    frame = evaluate(model, make_test_set(task, 20, seed=3))
    assert len(frame) == 20
    assert {"condition_signed_coherence_1", "condition_direction_1", "label", "choice", "correct"} <= set(frame.columns)
    assert (frame.correct == (frame.choice == frame.label)).all()
    again = evaluate(model, make_test_set(task, 20, seed=3))
    pd.testing.assert_frame_equal(frame, again)


def test_network_fixed_points_are_fixed_points_of_the_model():
    model, task = model_and_task("dlygo", nonlinearity="tanh", spectral_scaling="spectral_radius",
                                 spectral_value=1.3, balance_inhibition=True)
    settings = NetworkFixedPointSettings(n_trials=16, n_initial_states=64, seed=1,
                                         finder=FixedPointSettings(adam_steps=100, refine_steps=40))
    points, searches, trajectories = analyse_fixed_points(model, task, settings)
    assert set(searches.input_condition) == {"fixation", "go"}
    assert (searches.n_converged + searches.n_slow + searches.n_failed == 64).all()
    assert len(points) >= 2
    for _, row in points[points.is_converged].iterrows():
        h = torch.tensor([row.state], dtype=torch.float64)
        u = torch.from_numpy(task.fixed_point_inputs(row.input_condition)).double()[None]
        assert torch.linalg.norm(model.step(h, u) - h) < 1e-5
        assert row.q < 1e-12
    assert set(points.motif) <= {"stable", "continuous", "rotational", "saddle"}
    assert trajectories.trial.nunique() == settings.n_example_trials


def test_principal_components_are_deterministic_and_orthonormal():
    states = np.random.default_rng(0).normal(size=(200, 6)) * [5, 3, 1, 0.1, 0.1, 0.1]
    pcs = PrincipalComponents.fit(states)
    np.testing.assert_allclose(pcs.components @ pcs.components.T, np.eye(3), atol=1e-12)
    assert np.abs(pcs.components[0]).argmax() == 0
    assert (pcs.components[np.arange(3), np.abs(pcs.components).argmax(1)] > 0).all()
