"""Tests for the task-performance analyses (rnnlab.analysis.performance)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binom, norm

from rnnlab.analysis.performance import (
    cddm_choices,
    fit_psychometric,
    masked_mse,
    psychometric_curves,
    psychometric_surface,
    validation_score,
)
from rnnlab.studies.ctrnn_zoo.tasks import CDDM_COHERENCES, make_task

COHERENCES = np.asarray(CDDM_COHERENCES)


# ----------------------------------------------------------------------------- scores


def test_masked_mse_and_validation_score():
    rng = np.random.default_rng(0)
    targets = rng.normal(size=(8, 20, 3))
    mask = rng.random((8, 20)) < 0.7
    garbage = targets + 100.0 * ~mask[:, :, None]  # wrong only on unmasked steps
    assert masked_mse(garbage, targets, mask) == 0.0
    assert validation_score(garbage, targets, mask) == 1.0

    mean = targets[mask].mean(axis=0)  # per-channel mean of the masked targets
    mean_prediction = np.broadcast_to(mean, targets.shape)
    assert validation_score(mean_prediction, targets, mask) == pytest.approx(0.0, abs=1e-12)

    outputs = targets + 0.5
    assert masked_mse(outputs, targets, mask) == pytest.approx(0.25)
    expected = 1 - 0.25 / np.mean((targets[mask] - mean) ** 2)
    assert validation_score(outputs, targets, mask) == pytest.approx(expected)
    assert validation_score(-targets, targets, mask) < 0


def test_validation_score_edge_cases():
    targets = np.ones((2, 5, 1))
    assert np.isnan(validation_score(targets, targets, np.ones((2, 5), bool)))
    with pytest.raises(ValueError, match="no step"):
        masked_mse(targets, targets, np.zeros((2, 5), bool))
    with pytest.raises(ValueError):
        masked_mse(targets, targets[:, :4], np.ones((2, 5), bool))
    with pytest.raises(ValueError, match="loss_mask"):
        validation_score(targets, targets, np.ones((2, 4), bool))


def test_perfect_cddm_outputs():
    task = make_task("cddm")
    batch = task.sample_conditions(task.condition_table(), np.random.default_rng(0))
    assert validation_score(batch.targets, batch.targets, batch.loss_mask) == 1.0
    choices = cddm_choices(batch.targets, batch.decision_mask)
    np.testing.assert_array_equal(choices, batch.conditions["correct_choice"])


# ----------------------------------------------------------------------------- choices


def test_cddm_choices_use_last_decision_step():
    outputs = np.zeros((3, 6, 2))
    decision = np.zeros((3, 6), bool)
    decision[:, 2:5] = True  # last decision step is t = 4
    outputs[0, 4] = [1.0, 0.2]  # right
    outputs[1, 4] = [0.1, 0.9]  # left
    outputs[1, 5] = [5.0, 0.0]  # after the decision period: ignored
    outputs[2, 2] = [9.0, 0.0]  # earlier decision step: ignored; tie at t = 4
    choices = cddm_choices(outputs, decision)
    assert choices.dtype == np.int64
    np.testing.assert_array_equal(choices, [1, -1, 0])
    decision[1, 4] = False  # a trial with its own, earlier last step
    outputs[1, 3] = [2.0, 1.0]
    assert cddm_choices(outputs, decision)[1] == 1
    with pytest.raises(ValueError, match="decision step"):
        cddm_choices(outputs, np.zeros((3, 6), bool))
    with pytest.raises(ValueError):
        cddm_choices(np.zeros((3, 6, 3)), decision)


def test_psychometric_surface_counts():
    table = make_task("cddm").condition_table()
    conditions = pd.concat([table] * 4, ignore_index=True)
    # 3 of 4 repeats choose the correct side (ties → right), one chooses left.
    correct = np.where(conditions["correct_choice"] >= 0, 1, -1)
    choices = np.concatenate([correct[: 3 * 450], -np.ones(450, dtype=int)])
    surface = psychometric_surface(conditions, choices)
    assert list(surface.columns) == [
        "context", "relevant_coherence", "irrelevant_coherence", "n", "n_right", "fraction_right",
    ]  # fmt: skip
    assert len(surface) == 450 and (surface["n"] == 4).all() and surface["n"].sum() == 1800
    right = surface["relevant_coherence"] >= 0
    np.testing.assert_array_equal(surface["n_right"], np.where(right, 3, 0))
    np.testing.assert_allclose(surface["fraction_right"], np.where(right, 0.75, 0.0))
    with pytest.raises(ValueError, match="choices"):
        psychometric_surface(conditions, choices[:-1])


# ----------------------------------------------------------------------------- probit fits


@pytest.mark.parametrize("slope, bias", [(8.0, 0.05), (3.0, -0.1), (20.0, 0.0)])
def test_fit_recovers_slope_and_bias(slope, bias):
    rng = np.random.default_rng(11)
    n = np.full(COHERENCES.size, 2000)
    k = rng.binomial(n, norm.cdf(slope * (COHERENCES - bias)))
    fit = fit_psychometric(COHERENCES, k / n, n)
    assert fit["slope"] == pytest.approx(slope, rel=0.1)
    assert fit["bias"] == pytest.approx(bias, abs=0.02)
    assert fit["intercept"] == pytest.approx(-fit["slope"] * fit["bias"])
    assert fit["converged"] and not fit["at_bound"] and fit["lapse"] == 0.0
    assert fit["n"] == n.sum()

    # The reported log-likelihood is the binomial log-likelihood at the fit, and the maximum.
    def loglik(s, a):
        return binom.logpmf(k, n, norm.cdf(s * COHERENCES + a)).sum()

    assert fit["log_likelihood"] == pytest.approx(loglik(fit["slope"], fit["intercept"]), rel=1e-6)
    assert fit["log_likelihood"] >= loglik(slope, -slope * bias) - 1e-6


def test_fit_with_lapse():
    rng = np.random.default_rng(2)
    n = np.full(COHERENCES.size, 5000)
    k = rng.binomial(n, 0.1 + 0.8 * norm.cdf(8.0 * (COHERENCES - 0.05)))
    fit = fit_psychometric(COHERENCES, k / n, n, lapse=True)
    assert fit["lapse"] == pytest.approx(0.1, abs=0.02)
    assert fit["slope"] == pytest.approx(8.0, rel=0.15)
    assert fit["bias"] == pytest.approx(0.05, abs=0.02)
    no_lapse = fit_psychometric(COHERENCES, k / n, n)
    assert fit["log_likelihood"] > no_lapse["log_likelihood"]


def test_fit_robust_at_zero_and_one():
    n = np.full(COHERENCES.size, 10)
    step = fit_psychometric(COHERENCES, (COHERENCES > 0).astype(float), n)
    assert all(np.isfinite(step[key]) for key in ("slope", "bias", "log_likelihood"))
    assert step["slope"] > 100 and step["at_bound"]
    assert 0 < step["bias"] < 0.0125  # between the last left and the first right coherence
    assert step["log_likelihood"] == pytest.approx(0.0, abs=1e-3)
    flat = fit_psychometric(COHERENCES, np.full(COHERENCES.size, 0.5), n)
    assert abs(flat["slope"]) < 1e-6
    all_right = fit_psychometric(COHERENCES, np.ones(COHERENCES.size), n)
    assert np.isfinite(all_right["log_likelihood"])
    # Cells without trials are ignored; fewer than two distinct x cannot be fitted.
    with_empty = fit_psychometric(np.r_[COHERENCES, 5.0], np.r_[(COHERENCES > 0) * 1.0, 0.0],
                                  np.r_[n, 0])  # fmt: skip
    assert with_empty["n"] == n.sum()
    with pytest.raises(ValueError, match="two or more"):
        fit_psychometric([0.1, 0.1], [0.2, 0.3], [5, 5])
    with pytest.raises(ValueError, match="fraction_right"):
        fit_psychometric([0.1, 0.2], [0.2, 1.3], [5, 5])


def test_psychometric_curves_from_simulated_observer():
    # An observer with a probit on the relevant coherence only (slope 10, bias 0.02) on the
    # full cddm grid, 20 repeats.
    rng = np.random.default_rng(5)
    table = make_task("cddm").condition_table()
    conditions = pd.concat([table] * 20, ignore_index=True)
    p_right = norm.cdf(10.0 * (conditions["relevant_coherence"].to_numpy() - 0.02))
    choices = np.where(rng.random(len(conditions)) < p_right, 1, -1)
    curves = psychometric_curves(psychometric_surface(conditions, choices))
    assert list(curves[["context", "axis"]].itertuples(index=False, name=None)) == [
        ("colour", "relevant"), ("colour", "irrelevant"),
        ("motion", "relevant"), ("motion", "irrelevant"),
    ]  # fmt: skip
    assert {"slope", "bias", "intercept", "lapse", "log_likelihood", "n"} <= set(curves.columns)
    relevant = curves[curves["axis"] == "relevant"]
    irrelevant = curves[curves["axis"] == "irrelevant"]
    np.testing.assert_allclose(relevant["slope"], 10.0, rtol=0.15)
    np.testing.assert_allclose(relevant["bias"], 0.02, atol=0.02)
    assert np.all(np.abs(irrelevant["slope"]) < 1.0)
    assert (curves["n"] == 225 * 20).all()


# ---------------------------------------------------------------- logistic fit with two lapses


@pytest.mark.parametrize(
    "slope, bias, low, high",
    [(12.0, 0.0, 0.0, 0.0), (8.0, 0.05, 0.05, 0.0), (20.0, -0.03, 0.02, 0.08)],
)
def test_logistic_lapse_fit_recovers_known_parameters_from_synthetic_choices(slope, bias, low, high):
    from rnnlab.analysis.performance import fit_logistic_lapses, logistic_lapse_curve

    rng = np.random.default_rng(3)
    x = np.array([-0.4, -0.2, -0.1, -0.05, -0.02, 0.0, 0.02, 0.05, 0.1, 0.2, 0.4])
    n = np.full(x.size, 4000)
    n_right = rng.binomial(n, logistic_lapse_curve(x, slope, bias, low, high))
    fit = fit_logistic_lapses(x, n_right, n)
    assert fit["converged"] and not fit["at_bound"]
    assert fit["slope"] == pytest.approx(slope, rel=0.12)
    assert fit["bias"] == pytest.approx(bias, abs=0.006)
    assert fit["lapse_low"] == pytest.approx(low, abs=0.01)
    assert fit["lapse_high"] == pytest.approx(high, abs=0.01)
    # The fit is a maximum: moving a lapse away lowers the likelihood.
    worse = fit_logistic_lapses(x, n_right, n, max_lapse=max(low, high) / 4) if max(low, high) else None
    if worse is not None:
        assert worse["log_likelihood"] < fit["log_likelihood"] - 5


def test_logistic_lapse_fit_handles_separated_and_chance_data():
    from rnnlab.analysis.performance import fit_logistic_lapses

    x = np.array([-0.2, -0.1, 0.0, 0.1, 0.2])
    n = np.full(5, 100)
    separated = fit_logistic_lapses(x, np.array([0, 0, 50, 100, 100]), n)
    assert separated["at_bound"] and separated["slope"] > 0
    assert separated["lapse_low"] < 1e-3 and separated["lapse_high"] < 1e-3
    chance = fit_logistic_lapses(x, np.array([50, 50, 50, 50, 50]), n)
    assert abs(chance["slope"] * 0.2) < 0.5 or chance["lapse_low"] + chance["lapse_high"] > 0.9
    with pytest.raises(ValueError):
        fit_logistic_lapses(x, np.array([0, 0, 50, 100, 101]), n)
