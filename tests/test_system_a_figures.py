"""System A's stages, aggregates and figures on the tables of real (tiny) trained networks:
four seeds, one seed and no data; every figure free of layout defects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from rnnlab.plotting.checks import figure_defects
from rnnlab.studies.system_a import aggregates
from rnnlab.studies.system_a.experiment import train_run
from rnnlab.studies.system_a.figures import (
    performance,
    ratios,
    spectrum,
    training,
    trials,
    weights,
)
from rnnlab.studies.system_a.stages.dimensionality import dimensionality
from rnnlab.studies.system_a.stages.performance import performance as performance_stage
from rnnlab.tables import check_frame, empty_frame

SEEDS = (1, 2, 3, 4)
RUN = {"run": "model_a", "study": "system_a",
       "task": {"name": "pulse_duration", "dt_ms": 50.0, "pulse_end_inclusive": False},
       "model": {"hidden_size": 16},
       "training": {"epochs": 2, "n_trials": 32, "batch_size": 16, "checkpoint_epochs": [0, 2]}}
DIMENSIONALITY = dict(spontaneous_ms=2000.0, spontaneous_window_ms=[1000.0, 2000.0],
                      spontaneous_initial_state=0.1, spontaneous_pulse_ms=1.0,
                      memory_durations_ms=[50.0, 150.0, 300.0], memory_onset_ms=0.0,
                      memory_trial_ms=2000.0, memory_window_ms=[1000.0, 2000.0],
                      memory_initial_state=0.1, n_sign_flips=50, significance_tolerance=1e-6,
                      seed=0)
STAGE_TABLES = ("train_log", "duration_precision", "pulse_trials", "weight_alignment",
                "participation_ratios", "pc_projections", "sign_flip_ratios",
                "connectivity_spectrum")


@pytest.fixture(scope="module")
def seed_tables(tmp_path_factory) -> dict[str, pd.DataFrame]:
    """Every stage table of SEEDS, concatenated over seeds, as the workflow writes them."""
    frames = {name: [] for name in STAGE_TABLES}
    for seed in SEEDS:
        directory = tmp_path_factory.mktemp(f"seed{seed}")
        frames["train_log"].append(train_run(RUN, seed, directory))
        for name, frame in {**performance_stage(directory, example_trial_ms=8000.0),
                            **dimensionality(directory, **DIMENSIONALITY)}.items():
            frames[name].append(frame)
    tables = {name: pd.concat(parts, ignore_index=True) for name, parts in frames.items()}
    for name, frame in tables.items():
        if name != "train_log":
            check_frame(frame, name, f"stage table {name}")
    return tables


def with_aggregates(tables: dict) -> dict:
    tables = dict(tables)
    for name in ("precision_by_duration", "network_summary", "performance_correlations"):
        tables[name] = getattr(aggregates, name)(tables, seed=0, n_resamples=200)
    return tables


def first_seed(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["seed"] == frame["seed"].min()] if len(frame) else frame


def draw_all(tables: dict) -> dict[str, Figure]:
    t = with_aggregates(tables)
    return {
        "training_histories": training.training_histories(t["train_log"]),
        "example_trials": trials.example_trials(first_seed(t["pulse_trials"])),
        "precision": trials.precision(t["duration_precision"], t["precision_by_duration"],
                                      t["network_summary"]),
        "weight_alignment": weights.weight_alignment(t["weight_alignment"]),
        "participation_ratios": ratios.participation_ratios(
            t["participation_ratios"], first_seed(t["sign_flip_ratios"]),
            first_seed(t["pc_projections"])),
        "performance_scatter": performance.performance_scatter(
            t["duration_precision"], t["weight_alignment"], t["participation_ratios"],
            t["performance_correlations"]),
        "connectivity_spectrum": spectrum.connectivity_spectrum(
            first_seed(t["connectivity_spectrum"])),
    }


def assert_clean(figures: dict[str, Figure]) -> None:
    problems = {name: figure_defects(figure) for name, figure in figures.items()}
    assert all(not p for p in problems.values()), problems


def test_stage_tables_hold_what_the_thesis_measures(seed_tables):
    precision = seed_tables["duration_precision"]
    assert set(precision["checkpoint_step"]) == {0, 4}
    assert set(precision["duration_ms"]) == {50.0, 150.0, 300.0}
    alignment = seed_tables["weight_alignment"]
    initial = alignment[alignment["checkpoint_step"] == 0]
    np.testing.assert_allclose(initial["cosine_input_output"], 1.0, atol=1e-6)  # I = √N·w
    ratios_table = seed_tables["participation_ratios"]
    assert sorted(ratios_table["vector"].unique()) == ["input", "output"]
    assert (ratios_table["pr_aligned"] >= ratios_table["pr_thesis_eigh"] - 1e-9).all()
    assert (ratios_table["pr_invariant"] <= 16 + 1e-9).all()
    spectrum_table = seed_tables["connectivity_spectrum"]
    assert len(spectrum_table) == 16 * len(SEEDS)


def test_correlations_across_seeds_have_intervals_from_four_seeds(seed_tables):
    correlations = with_aggregates(seed_tables)["performance_correlations"]
    assert set(correlations["n"]) == {len(SEEDS)}
    # Fisher's z has no interval at |r| = 1 (a perfect rank order is likely with four seeds).
    finite = correlations["mean"].abs() < 1 - 1e-12
    assert finite.any()
    assert correlations.loc[finite, "ci_low"].notna().all()
    assert correlations.loc[~finite, "ci_low"].isna().all()
    inside = correlations[finite]
    assert ((inside["ci_low"] <= inside["mean"]) & (inside["mean"] <= inside["ci_high"])).all()


def test_figures_of_several_seeds_have_no_layout_defects(seed_tables):
    assert_clean(draw_all(seed_tables))


def test_figures_of_one_seed_have_no_layout_defects(seed_tables):
    assert_clean(draw_all({name: first_seed(frame) for name, frame in seed_tables.items()}))


def test_figures_without_data_have_no_layout_defects(seed_tables):
    empty = {name: (seed_tables[name].iloc[0:0] if name == "train_log" else empty_frame(name))
             for name in STAGE_TABLES}
    assert_clean(draw_all(empty))
