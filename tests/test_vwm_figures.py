"""The vwm figures on synthetic tables (several seeds, one seed, no data): no layout defects,
and the aggregates feed them (rnnlab.studies.vwm.figures, aggregates)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rnnlab.plotting.checks import figure_defects
from rnnlab.plotting.style import close_figure
from rnnlab.studies.vwm import aggregates
from rnnlab.studies.vwm.circular import circular_summary, fit_mixture, mixture_log_density
from rnnlab.studies.vwm.figures import dynamics, errors, population
from rnnlab.studies.vwm.stages.behaviour import error_tables

SIZES = (1, 2, 4, 8)


def tag(frame, run, seed):
    frame = frame.copy()
    frame.insert(0, "seed", seed)
    frame.insert(0, "run", run)
    return frame


def behaviour_tables(seeds):
    """error_tables of synthetic errors whose dispersion rises with set size."""
    parts = {}
    for seed in seeds:
        rng = np.random.default_rng(seed)
        errors_by_size = {s: np.where(rng.random(400) < 0.05 * s, rng.uniform(-np.pi, np.pi, 400),
                                      rng.vonmises(0, 40 / s, 400)) for s in SIZES}
        tables = error_tables(errors_by_size, 24)
        snr = pd.DataFrame([dict(set_size=s, stimulus=k, theta=0.1, signal_power=1.0,
                                 noise_power_step=0.1 * s, noise_power_average=0.01 * s,
                                 snr_step_db=10 - s + k, snr_average_db=20 - s + k, n_repeats=10)
                            for s in SIZES for k in range(2)])
        tables["snr"] = snr
        for name, frame in tables.items():
            parts.setdefault(name, []).append(tag(frame, "gamma", seed))
    return {name: pd.concat(frames, ignore_index=True) for name, frames in parts.items()}


def population_tables(seeds):
    parts = {}
    n = 16
    for seed in seeds:
        rng = np.random.default_rng(seed)
        population_ = np.where(np.arange(n) < 8, "E", "I")
        inputs = pd.concat([pd.DataFrame(dict(unit=np.arange(n), population=population_,
                                              signal=signal, mean_value=rng.normal(m, 5, n),
                                              sd_value=np.ones(n)))
                            for signal, m in (("rate", 5), ("excitatory_input", 30),
                                              ("inhibitory_input", -30), ("recurrent_input", 0),
                                              ("external_input", 10))])
        units = pd.DataFrame(dict(unit=np.arange(n), population=population_,
                                  mean_rate_hz=rng.uniform(0, 10, n), ipr=rng.uniform(0.1, 1, n),
                                  active=rng.random(n) > 0.2))
        pairs = pd.DataFrame(dict(trial=np.arange(20), theta_1=rng.uniform(-3, 3, 20),
                                  theta_2=rng.uniform(-3, 3, 20), w1=rng.uniform(0, 1.2, 20),
                                  w2=rng.uniform(0, 1.2, 20), r_squared=np.full(20, 0.9)))
        pairs["in_region"] = (pairs["w1"] <= 1) & (pairs["w2"] <= 1)
        dale = pd.DataFrame(dict(population=["E", "I"], n_synapses=[128, 128],
                                 n_sign_violations=[0, 0], n_zero=[3, 4], n_clipped=[40, 70],
                                 projection=["clip", "clip"]))
        for name, frame in (("input_statistics", inputs), ("selectivity_units", units),
                            ("normalisation", pairs), ("dale_signs", dale)):
            parts.setdefault(name, []).append(tag(frame, "gamma", seed))
    return {name: pd.concat(frames, ignore_index=True) for name, frames in parts.items()}


def dynamics_tables(seeds):
    parts = {}
    for seed in seeds:
        angles = np.linspace(-np.pi, np.pi, 12, endpoint=False)
        points = pd.DataFrame(dict(
            period="decode", point=np.arange(12), q=1e-12, kind=["fixed", "slow"] * 6,
            motif=["stable", "continuous", "saddle", "stable"] * 3,
            max_abs_eigenvalue=np.linspace(0.9, 1.05, 12), n_unstable=0, n_marginal=1,
            pc1=10 * np.cos(angles), pc2=10 * np.sin(angles), pc3=0.0, decoded_angle=angles,
            readout_norm=1.0, mean_rate_hz=5.0))
        names = ["init"] + ["stimulus"] * 4 + ["delay"] * 6 + ["decode"] * 4
        trajectories = pd.concat([pd.DataFrame(dict(
            trial=k, theta=a, time_ms=np.arange(15) * 20.0 + 20, period=names,
            pc1=np.linspace(0, 10 * np.cos(a), 15), pc2=np.linspace(0, 10 * np.sin(a), 15),
            pc3=0.0, decoded_angle=a)) for k, a in enumerate(angles[::3])])
        search = pd.DataFrame(dict(period=["decode"], input_norm=[0.0], n_initial=[64],
                                   n_converged=[6], n_slow=[6], n_failed=[52], n_local_minima=[0],
                                   n_outliers=[0], n_unique=[12]))
        for name, frame in (("vwm_fixed_points", points), ("vwm_trajectories", trajectories),
                            ("vwm_fixed_point_search", search)):
            parts.setdefault(name, []).append(tag(frame, "gamma", seed))
    return {name: pd.concat(frames, ignore_index=True) for name, frames in parts.items()}


def first(frame):
    return frame[frame["seed"] == frame["seed"].min()]


def draw_all(seeds):
    b, p, d = behaviour_tables(seeds), population_tables(seeds), dynamics_tables(seeds)
    return [
        errors.error_distributions(first(b["error_histograms"]), first(b["mixture_densities"]),
                                   first(b["error_statistics"])),
        errors.circular_statistics(aggregates.error_statistics(b, 0, 200)),
        errors.mixture_fits(aggregates.mixture_fits(b, 0, 200)),
        population.snr(aggregates.snr(b, 0, 200)),
        population.population_code(first(p["input_statistics"]), first(p["selectivity_units"]),
                                   first(p["normalisation"]), p["dale_signs"]),
        dynamics.fixed_points(first(d["vwm_fixed_points"]), first(d["vwm_trajectories"]),
                              first(d["vwm_fixed_point_search"])),
    ]


@pytest.mark.parametrize("seeds", [(1, 2), (1,)])
def test_figures_have_no_defects(seeds):
    for figure in draw_all(seeds):
        assert figure_defects(figure) == []
        close_figure(figure)


def test_figures_with_no_data():
    b, p, d = behaviour_tables((1,)), population_tables((1,)), dynamics_tables((1,))
    empty = {name: frame.iloc[0:0] for name, frame in {**b, **p, **d}.items()}
    statistic = pd.DataFrame(columns=["run", "set_size", "model", "quantity", "mean", "ci_low",
                                      "ci_high", "n"])
    figures = [
        errors.error_distributions(empty["error_histograms"], empty["mixture_densities"],
                                   empty["error_statistics"]),
        errors.circular_statistics(statistic),
        errors.mixture_fits(statistic),
        population.snr(statistic),
        population.population_code(empty["input_statistics"], empty["selectivity_units"],
                                   empty["normalisation"], empty["dale_signs"]),
        dynamics.fixed_points(empty["vwm_fixed_points"], empty["vwm_trajectories"],
                              empty["vwm_fixed_point_search"]),
    ]
    for figure in figures:
        assert figure_defects(figure) == []
        close_figure(figure)


def test_error_tables_statistics_and_fits_agree_with_the_library():
    rng = np.random.default_rng(3)
    values = rng.vonmises(0, 10, 1000)
    tables = error_tables({1: values}, 12)
    statistics = tables["error_statistics"].iloc[0]
    assert statistics["circular_variance"] == pytest.approx(
        circular_summary(values).circular_variance)
    fit = tables["mixture_fits"].set_index("model").loc["von_mises"]
    assert fit["guess_rate"] == pytest.approx(fit_mixture(values, "von_mises").guess_rate)
    density = tables["mixture_densities"]
    vm = density[density["model"] == "von_mises"]
    np.testing.assert_allclose(
        vm["density"], np.exp(mixture_log_density(vm["error"].to_numpy(), "von_mises",
                                                  fit["guess_rate"], fit["width"])))
    histogram = tables["error_histograms"]
    widths = histogram["bin_right"] - histogram["bin_left"]
    assert (histogram["density"] * widths).sum() == pytest.approx(1.0)


def test_aggregates_summarise_over_seeds():
    b = behaviour_tables((1, 2, 3))
    summary = aggregates.error_statistics(b, 0, 200)
    variance = summary[summary["quantity"] == "circular_variance"].set_index("set_size")
    assert (variance["n"] == 3).all()
    assert variance["mean"].is_monotonic_increasing  # the synthetic dispersion rises
    snr = aggregates.snr(b, 0, 200)
    average = snr[snr["quantity"] == "snr_average_db"].set_index("set_size")["mean"]
    assert average.loc[1] == pytest.approx(19.5)  # the mean over the two stimuli


def test_figures_of_two_runs_have_no_defects():
    """The thesis config has two runs: one row of error distributions per run, one colour each."""
    b = behaviour_tables((1, 2))
    two = {name: pd.concat([frame, frame.assign(run="n64_gamma02_l2")], ignore_index=True)
           for name, frame in b.items()}
    figures = [
        errors.error_distributions(first(two["error_histograms"]),
                                   first(two["mixture_densities"]), first(two["error_statistics"])),
        errors.circular_statistics(aggregates.error_statistics(two, 0, 100)),
        errors.mixture_fits(aggregates.mixture_fits(two, 0, 100)),
        population.snr(aggregates.snr(two, 0, 100)),
    ]
    assert len(figures[0].axes) == 2 * len(SIZES)
    for figure in figures:
        assert figure_defects(figure) == []
        close_figure(figure)
