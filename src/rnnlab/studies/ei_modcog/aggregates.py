"""Across-seed aggregates of the E/I Mod-Cog study: each takes the per-seed tables it needs and
returns a ``statistic`` table (grouping columns, quantity, mean, bootstrap 95% CI, n seeds).

Every quantity is first reduced to one value per seed, so n counts seeds, never trials.
"""

from __future__ import annotations

import pandas as pd

from rnnlab.analysis.statistics import summarise_over_seeds

MOTIFS = ("stable", "continuous", "rotational", "saddle")


def learning_curves(tables, seed, n_resamples):
    log = tables["train_log"]
    return summarise_over_seeds(
        log, ["run", "step"], ["loss", "decision_accuracy"], seed, n_resamples
    )


def checkpoint_accuracy(tables, seed, n_resamples):
    evaluation = tables["evaluation"]
    per_seed = (
        evaluation.groupby(["run", "task", "seed", "checkpoint_step"], sort=True)["correct"]
        .mean()
        .rename("accuracy")
        .reset_index()
    )
    return summarise_over_seeds(
        per_seed, ["run", "task", "checkpoint_step"], ["accuracy"], seed, n_resamples
    )


def _present(frame, quantities):
    """The quantities ``frame`` has (tables written by the workflow have them all; hand-made
    tables may leave out the later gradient metrics)."""
    return [quantity for quantity in quantities if quantity in frame]


def gradient_timecourse(tables, seed, n_resamples):
    return summarise_over_seeds(
        tables["gradients"],
        ["run", "checkpoint_step", "population", "time_step"],
        _present(tables["gradients"], ["l2_norm", "rms", "mean_abs", "cosine", "gated_rms"]),
        seed,
        n_resamples,
    )


def gradient_metrics(tables, seed, n_resamples):
    return summarise_over_seeds(
        tables["gradient_metrics"],
        ["run", "checkpoint_step", "population"],
        _present(
            tables["gradient_metrics"],
            ["fisher_mean", "fisher_median", "gini", "cumulative_abs_mean"],
        ),
        seed,
        n_resamples,
    )


def weight_statistics(tables, seed, n_resamples):
    return summarise_over_seeds(
        tables["weight_statistics"],
        ["run", "checkpoint_step", "population"],
        ["n_sign_corrections", "n_sign_flips", "n_mixed_sign_columns", "log10_abs_mean", "log10_abs_std", "log10_abs_skew"],
        seed,
        n_resamples,
    )


def weight_histograms(tables, seed, n_resamples):
    return summarise_over_seeds(
        tables["weight_histograms"],
        ["run", "checkpoint_step", "population", "bin_left", "bin_right"],
        ["count"],
        seed,
        n_resamples,
    )


def fixed_point_counts(tables, seed, n_resamples, conditions=None):
    """Number of unique fixed points per motif, input condition and inhibitory fraction.

    The searches table lists every (run, seed, condition) searched, so a search that found no
    point of a motif counts as zero rather than being missing. Fixed and slow points count;
    local minima of q (``kind`` local_minimum: ghosts, not fixed points) do not. Only the
    ``conditions`` (all when None) count: the ring panels' own searches, run on one network per
    fraction, do not. The
    ``stimulus_<k>`` inputs (one per direction, alike by the ring's symmetry; the ring panels
    show them one by one) are pooled into one condition, "stimulus (mean over n θ)": each
    network's mean count over its n stimulus inputs.
    """
    points, searches = tables["fixed_points"], tables["fixed_point_search"]
    if conditions is not None:  # the conditions searched on every network
        points = points[points["input_condition"].isin(conditions)]
        searches = searches[searches["input_condition"].isin(conditions)]
    if "kind" in points:
        points = points[points["kind"] != "local_minimum"]
    keys = ["run", "seed", "inhibitory_fraction", "input_condition"]
    grid = searches[keys].drop_duplicates().merge(pd.DataFrame({"motif": MOTIFS}), how="cross")
    counts = points.groupby(keys + ["motif"]).size().rename("count").reset_index()
    per_seed = grid.merge(counts, on=keys + ["motif"], how="left").fillna({"count": 0})
    stimulus = per_seed["input_condition"].astype(str).str.fullmatch(r"stimulus_\d+")
    if stimulus.any():
        n = per_seed.loc[stimulus, "input_condition"].nunique()
        pooled = (
            per_seed[stimulus]
            .groupby(["run", "seed", "inhibitory_fraction", "motif"], sort=True)["count"]
            .mean()
            .reset_index()
            .assign(input_condition=f"stimulus (mean over {n} θ)")
        )
        per_seed = pd.concat([per_seed[~stimulus], pooled[per_seed.columns]], ignore_index=True)
    return summarise_over_seeds(
        per_seed, ["inhibitory_fraction", "input_condition", "motif"], ["count"], seed, n_resamples
    )
