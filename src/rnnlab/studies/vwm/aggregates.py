"""Across-seed aggregates of the vwm study: ``statistic`` tables (mean, bootstrap 95% CI over
seeds, n seeds) of each network's per-set-size quantities."""

from __future__ import annotations

from rnnlab.analysis.statistics import summarise_over_seeds

ERROR_QUANTITIES = ["circular_variance", "circular_kurtosis", "circular_sd",
                    "mean_absolute_error"]


def error_statistics(tables, seed, n_resamples):
    """−2 ln R̄, circular kurtosis, circular SD and mean |ε| per run and set size."""
    return summarise_over_seeds(tables["error_statistics"], ["run", "set_size"],
                                ERROR_QUANTITIES, seed, n_resamples)


def mixture_fits(tables, seed, n_resamples):
    """Guess rate and memory SD of both mixture models per run and set size."""
    return summarise_over_seeds(tables["mixture_fits"], ["run", "model", "set_size"],
                                ["guess_rate", "sd"], seed, n_resamples)


def snr(tables, seed, n_resamples):
    """Per-step and time-averaged SNR (dB) per run and set size: a seed's value is the mean over
    its repeated stimuli."""
    frame = tables["snr"]
    per_seed = (frame.groupby(["run", "seed", "set_size"], as_index=False)
                [["snr_step_db", "snr_average_db"]].mean())
    return summarise_over_seeds(per_seed, ["run", "set_size"], ["snr_step_db", "snr_average_db"],
                                seed, n_resamples)
