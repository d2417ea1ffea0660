"""The E/I thesis' gradient metrics the core left out: the gate-adjusted gradient g·φ′(u),
cumulative backprop per unit and time × unit saliency maps (rnnlab.analysis.credit and
rnnlab.analysis.gradients.preactivation_slopes)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnnlab.analysis import credit
from rnnlab.analysis.gradients import hidden_state_gradients, preactivation_slopes
from rnnlab.studies.ei_modcog.experiment import build_model, build_task


@pytest.mark.parametrize("nonlinearity", ["softplus", "tanh"])
def test_slopes_are_those_of_the_preactivation_that_made_each_state(nonlinearity):
    torch.manual_seed(0)
    task = build_task({"name": "dm1"})
    model = build_model({"hidden_size": 10, "leak": 0.6, "nonlinearity": nonlinearity}, task)
    batch = task.sample(np.random.default_rng(0), 3)
    states, _ = hidden_state_gradients(model, batch)
    slopes = preactivation_slopes(model, batch, states)
    assert slopes.shape == states.shape
    # Rebuild u_t from h_t (h_0 = 0) and check that it gives h_{t+1} = states[:, t]...
    previous = np.concatenate([np.zeros_like(states[:, :1]), states[:, :-1]], axis=1)
    inputs = torch.as_tensor(batch.inputs, dtype=torch.float64)
    model.double()
    with torch.no_grad():
        u = model.preactivation(torch.as_tensor(previous), inputs)
        stepped = (1 - model.alpha) * torch.as_tensor(previous) + model.alpha * model.nonlinearity.function(u)
        # ...and that the slopes are φ′ there, by a finite difference of φ.
        numeric = (model.nonlinearity.function(u + 1e-6) - model.nonlinearity.function(u - 1e-6)) / 2e-6
    np.testing.assert_allclose(stepped.numpy(), states, atol=1e-5)
    np.testing.assert_allclose(slopes, numeric.numpy(), atol=1e-6)
    if nonlinearity == "tanh":
        assert slopes.max() <= 1.0


def test_gated_gradient_cumulative_backprop_and_saliency_on_known_arrays():
    grads = np.zeros((2, 3, 4))
    grads[:, :, 0] = 3.0
    grads[:, :, 1] = -4.0
    grads[:, :, 3] = 2.0
    states = np.ones((2, 3, 4))
    slopes = np.full((2, 3, 4), 0.5)
    slopes[:, :, 1] = 0.0  # a silent unit passes no credit to its input current
    excitatory = np.array([True, True, True, False])
    running = np.array([[True, True, True], [True, True, False]])
    frame = credit.gradient_timecourse(states, grads, excitatory, running, slopes)
    e = frame[frame.population == "E"].set_index("time_step")
    i = frame[frame.population == "I"].set_index("time_step")
    assert e.loc[0, "gated_rms"] == pytest.approx(1.5 / np.sqrt(3))
    assert i.loc[2, "gated_rms"] == pytest.approx(1.0)
    assert "gated_rms" not in credit.gradient_timecourse(states, grads, excitatory, running)
    units = credit.unit_statistics(grads, excitatory, running)
    # Trial 1 runs 3 steps, trial 2 runs 2: Σ_t|g| = 3·|g| and 2·|g|, mean 2.5·|g|.
    assert units.cumulative_abs.tolist() == pytest.approx([7.5, 10.0, 0.0, 5.0])
    metrics = credit.population_metrics(units).set_index("population")
    assert metrics.loc["E", "cumulative_abs_mean"] == pytest.approx(17.5 / 3)
    saliency = credit.saliency_map(grads, excitatory, running)
    assert len(saliency) == 3 * 4
    assert saliency.set_index(["time_step", "unit"]).loc[(2, 1), "mean_abs"] == 4.0
    assert set(saliency.loc[saliency.unit == 3, "population"]) == {"I"}
    # Padding after a trial's end does not count: a huge gradient there changes nothing.
    grads[1, 2] = 1e6
    again = credit.saliency_map(grads, excitatory, running)
    assert again["mean_abs"].tolist() == saliency["mean_abs"].tolist()


# ----------------------------------------------------------------------------- figure


def synthetic_tables(n_seeds: int):
    from rnnlab.analysis.statistics import summarise_over_seeds

    rng = np.random.default_rng(1)
    excitatory = np.arange(12) < 9
    timecourses, units, maps = [], [], []
    for run in ("eg", "gd"):
        for seed in range(1, n_seeds + 1):
            for step in (0, 100):
                grads = rng.normal(size=(6, 8, 12)) * (1 + step / 100)
                states = rng.normal(size=(6, 8, 12))
                slopes = rng.uniform(0, 1, size=(6, 8, 12))
                running = np.ones((6, 8), dtype=bool)
                running[:3, 6:] = False
                tag = dict(run=run, seed=seed, checkpoint_step=step)
                timecourses.append(credit.gradient_timecourse(states, grads, excitatory, running, slopes).assign(**tag))
                units.append(credit.unit_statistics(grads, excitatory, running).assign(**tag))
                maps.append(credit.saliency_map(grads, excitatory, running).assign(**tag))
    timecourse = summarise_over_seeds(pd.concat(timecourses), ["run", "checkpoint_step", "population", "time_step"],
                                      ["cosine", "gated_rms"], 0, 100)
    per_seed_units = pd.concat(units)
    metrics = []
    for (run, seed, step), group in per_seed_units.groupby(["run", "seed", "checkpoint_step"]):
        metrics.append(credit.population_metrics(group).assign(run=run, seed=seed, checkpoint_step=step))
    metrics = summarise_over_seeds(pd.concat(metrics), ["run", "checkpoint_step", "population"],
                                   ["cumulative_abs_mean"], 0, 100)
    saliency = pd.concat(maps)
    return timecourse, metrics, saliency[(saliency.run == "eg") & (saliency.seed == 1)], saliency[(saliency.run == "gd") & (saliency.seed == 1)]


@pytest.mark.parametrize("n_seeds", [3, 1, 0])
def test_gradient_saliency_figure_has_no_layout_defects(n_seeds):
    from rnnlab.plotting.checks import figure_defects
    from rnnlab.studies.ei_modcog.figures.saliency import gradient_saliency

    tables = synthetic_tables(max(n_seeds, 1))
    if n_seeds == 0:
        tables = [t.iloc[0:0] for t in tables]
    figure = gradient_saliency(*tables)
    assert figure_defects(figure) == []
    if n_seeds:
        eg_map = figure.axes[3].images[0].get_array()
        assert eg_map.shape == (12, 8)  # units × time steps, E above I


import pandas as pd  # noqa: E402
