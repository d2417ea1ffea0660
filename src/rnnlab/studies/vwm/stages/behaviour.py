"""Stage behaviour: how well the trained network reports orientations, per set size.

Report errors: ``n_trials`` test trials split evenly over ``set_sizes`` (the seed: 8000 trials
at 1, 2, 4, 8 items), run with spike noise; every shown item's error ε = wrap(θ̂ − θ) (θ the
shown orientation, before the item-location noise) is pooled per set size. Tables: circular
statistics, a histogram (``n_bins`` bins of [−π, π)), both mixture fits and their densities on
a grid (``rnnlab.studies.vwm.circular``).

SNR (the seed's snr_analysis): for each set size in ``snr_set_sizes``, ``snr_stimuli`` random
stimuli that show slot 0 (and set size − 1 other random slots), each repeated ``snr_repeats``
times without item-location noise, so that the repeats differ only by the spike noise. The
decoded point of slot 0, y_t = (F r̃_t) restricted to slot 0's (cos, sin) pair, at each decode
step: signal s = mean over repeats and steps; SNR per time step = |s|²/tr Cov(y_t − s) over
repeats × steps; time-averaged SNR = |s|²/tr Cov(ȳ − s) over repeats, ȳ the decode-window
mean — the quantity the report is read from. Both in dB.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import rnnlab.studies.vwm.tables  # noqa: F401  (registers the study's tables)
from rnnlab.stages.tagging import tag
from rnnlab.studies.vwm.circular import (
    MIXTURES,
    circular_summary,
    fit_mixture,
    mixture_log_density,
    wrap,
)
from rnnlab.studies.vwm.stages.common import (
    decoded_angles,
    decoded_readout,
    final_network,
    generators,
)
from rnnlab.studies.vwm.tasks import split_evenly

DENSITY_GRID = 181  # points of the fitted densities on [−π, π]


def report_errors(model, task, n_trials: int, set_sizes, rng, noise) -> dict[int, np.ndarray]:
    """Errors (rad) of every shown item, per set size."""
    counts = split_evenly(n_trials, len(set_sizes))
    set_size = np.repeat(np.asarray(set_sizes, dtype=np.int64), counts)
    batch = task.sample_set_sizes(rng, set_size)
    theta = batch.metadata["theta"]
    shown = batch.metadata["presence"].astype(bool)
    decoded = decoded_angles(decoded_readout(model, task, batch, noise))
    errors = wrap(decoded - theta)
    return {int(s): errors[(set_size == s)[:, None] & shown] for s in set_sizes}


def error_tables(errors: dict[int, np.ndarray], n_bins: int) -> dict[str, pd.DataFrame]:
    edges = np.linspace(-np.pi, np.pi, n_bins + 1)
    grid = np.linspace(-np.pi, np.pi, DENSITY_GRID)
    statistics, histograms, fits, densities = [], [], [], []
    for set_size, values in errors.items():
        summary = circular_summary(values)
        statistics.append(dict(
            set_size=set_size, n_errors=summary.n,
            mean_resultant_length=summary.mean_resultant_length,
            circular_variance=summary.circular_variance, circular_sd=summary.circular_sd,
            circular_kurtosis=summary.circular_kurtosis, linear_sd=summary.linear_sd,
            mean_absolute_error=summary.mean_absolute_error))
        counts, _ = np.histogram(values, bins=edges)
        density = counts / max(values.size, 1) / np.diff(edges)
        histograms.append(pd.DataFrame(dict(set_size=set_size, bin_left=edges[:-1],
                                            bin_right=edges[1:], density=density)))
        for model in MIXTURES:
            fit = fit_mixture(values, model)
            fits.append(dict(set_size=set_size, model=model, guess_rate=fit.guess_rate,
                             width=fit.width, sd=fit.sd, log_likelihood=fit.log_likelihood,
                             n_errors=fit.n, converged=fit.converged))
            curve = (np.exp(mixture_log_density(grid, model, fit.guess_rate, fit.width))
                     if np.isfinite(fit.guess_rate) else np.full(grid.shape, np.nan))
            densities.append(pd.DataFrame(dict(set_size=set_size, model=model, error=grid,
                                               density=curve)))
    return {
        "error_statistics": pd.DataFrame(statistics),
        "error_histograms": pd.concat(histograms, ignore_index=True),
        "mixture_fits": pd.DataFrame(fits),
        "mixture_densities": pd.concat(densities, ignore_index=True),
    }


def snr_table(model, task, set_sizes, n_stimuli: int, n_repeats: int, rng,
              noise) -> pd.DataFrame:
    rows = []
    for set_size in set_sizes:
        presence = np.zeros((n_stimuli, task.max_items), dtype=np.float32)
        presence[:, 0] = 1
        # set size − 1 of the other slots, uniformly
        order = np.argsort(np.argsort(rng.random((n_stimuli, task.max_items - 1)), axis=1), axis=1)
        presence[:, 1:] = order < set_size - 1
        theta = rng.uniform(-np.pi, np.pi, size=presence.shape)
        batch = task.trials(np.repeat(presence, n_repeats, axis=0),
                            np.repeat(theta, n_repeats, axis=0), rng, location_noise=0.0)
        readout = decoded_readout(model, task, batch, noise)[:, :, 0, :].double().numpy()
        readout = readout.reshape(n_stimuli, n_repeats, *readout.shape[1:])  # (S, R, T, 2)
        for stimulus in range(n_stimuli):
            points = readout[stimulus]
            signal = points.mean(axis=(0, 1))
            power = float(signal @ signal)
            step_noise = float(np.trace(np.cov(points.reshape(-1, 2), rowvar=False)))
            average_noise = float(np.trace(np.cov(points.mean(axis=1), rowvar=False)))
            rows.append(dict(set_size=int(set_size), stimulus=stimulus,
                             theta=float(theta[stimulus, 0]), signal_power=power,
                             noise_power_step=step_noise, noise_power_average=average_noise,
                             snr_step_db=_decibels(power, step_noise),
                             snr_average_db=_decibels(power, average_noise),
                             n_repeats=int(n_repeats)))
    return pd.DataFrame(rows)


def _decibels(signal: float, noise: float) -> float:
    if noise <= 0 or signal <= 0:
        return float("nan")
    return float(10 * np.log10(signal / noise))


def behaviour(checkpoints: str | Path, n_trials: int, set_sizes: list[int], n_bins: int,
              snr_set_sizes: list[int], snr_stimuli: int, snr_repeats: int,
              seed: int) -> dict[str, pd.DataFrame]:
    """The final network's report errors, their statistics and mixture fits, and its SNR."""
    model, task, payload = final_network(checkpoints)
    rng, noise = generators(seed)
    errors = report_errors(model, task, n_trials, set_sizes, rng, noise)
    tables = error_tables(errors, n_bins)
    tables["snr"] = snr_table(model, task, snr_set_sizes, snr_stimuli, snr_repeats, rng, noise)
    run, seed_ = payload["run_config"]["run"], payload["seed"]
    return {name: tag(frame, run, seed_) for name, frame in tables.items()}
