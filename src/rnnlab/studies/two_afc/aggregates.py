"""Across-seed aggregates of the 2AFC study: ``statistic`` tables (mean, bootstrap 95% CI over
seeds, n seeds). Every quantity is first reduced to one value per seed (random draws of units
averaged within a seed), so n counts seeds."""

from __future__ import annotations

from rnnlab.analysis.statistics import summarise_over_seeds

FIT_QUANTITIES = ["slope", "bias", "lapse_low", "lapse_high", "accuracy_top", "p_right_zero",
                  "p_right_zero_fit"]


def loss_curves(tables, seed, n_resamples):
    log = tables["train_log"]
    return summarise_over_seeds(log, ["run", "step"],
                                ["loss", "decision_cross_entropy", "decision_accuracy"], seed,
                                n_resamples)


def psychometric(tables, seed, n_resamples):
    return summarise_over_seeds(tables["afc_psychometric"], ["run", "signed_coherence"],
                                ["p_right"], seed, n_resamples)


def psychometric_fits(tables, seed, n_resamples):
    return summarise_over_seeds(tables["afc_psychometric_fit"], ["run"], FIT_QUANTITIES, seed,
                                n_resamples)


def centroids(tables, seed, n_resamples):
    return summarise_over_seeds(tables["afc_centroids"], ["run", "checkpoint_step"],
                                ["separation", "within_spread", "separation_ratio"], seed,
                                n_resamples)


def robustness(tables, seed, n_resamples):
    per_seed = (tables["afc_robustness"].groupby(["run", "seed", "fraction"], as_index=False)
                ["accuracy"].mean())
    return summarise_over_seeds(per_seed, ["run", "fraction"], ["accuracy"], seed, n_resamples)


def lesion(tables, seed, n_resamples):
    per_seed = (tables["afc_lesion"]
                .groupby(["run", "seed", "condition", "signed_coherence"], as_index=False)
                [["p_right", "accuracy"]].mean())
    return summarise_over_seeds(per_seed, ["run", "condition", "signed_coherence"],
                                ["p_right", "accuracy"], seed, n_resamples)


def clamp(tables, seed, n_resamples):
    per_seed = (tables["afc_clamp"].groupby(["run", "seed", "units", "clamp_value"],
                                            as_index=False)[["accuracy", "p_right"]].mean())
    return summarise_over_seeds(per_seed, ["run", "units", "clamp_value"],
                                ["accuracy", "p_right"], seed, n_resamples)
