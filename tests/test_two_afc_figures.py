"""The 2AFC study's stage, aggregates and figures on tiny networks trained for a few steps: every
table matches its schema, every figure is free of layout defects with two seeds, one seed
and no data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from rnnlab.aggregation import aggregate
from rnnlab.plotting.checks import figure_defects
from rnnlab.studies.two_afc import study as plugin
from rnnlab.studies.two_afc.experiment import train_run
from rnnlab.studies.two_afc.stages.analysis import TABLES, analyse
from rnnlab.tables import check_frame, empty_frame

SEEDS = (1, 2)
TWO_CHANNEL = {"name": "two_channel", "n_steps": 8, "stimulus_onset": 1, "stimulus_offset": 6}
LIBRARY_TASK = {"name": "psychrnn_discrimination", "T_ms": 200.0, "dt_ms": 20.0,
                "tau_ms": 100.0}
MODELS = {
    "ungated": {"kind": "gated_dale", "hidden_size": 10, "gated": False},
    "gated": {"kind": "gated_dale", "hidden_size": 10},
    "noisy": {"kind": "gated_dale", "hidden_size": 10, "recurrent_noise_std": 0.1},
    "curriculum": {"kind": "gated_dale", "hidden_size": 10},
    "acg": {"kind": "gated_dale", "hidden_size": 10},
    "causal": {"kind": "vanilla", "hidden_size": 10},
    "ctrnn_baseline": {"kind": "ctrnn", "hidden_size": 8},
    "ctrnn_noisy": {"kind": "ctrnn", "hidden_size": 8, "recurrent_noise_std": 0.1},
}
ANALYSIS = dict(signed_coherences=[-0.4, -0.1, 0.0, 0.1, 0.4], trials_per_coherence=6, seed=7,
                robustness_fractions=[0.0, 0.5], robustness_draws=2,
                fixed_point_initial_states=6, fixed_point_finder={"refine_steps": 20},
                top_k=3, random_draws=2, clamp_values=[0.0, 0.5])


def run_config(run: str) -> dict:
    training = {"steps": 3, "batch_size": 8, "checkpoint_fractions": [0.0, 1.0], "log_every": 1}
    if run == "curriculum":
        training.update(validate_every=1, validation_trials=16,
                        curriculum={"enabled": True, "start_coherence": 0.9, "step": 0.1,
                                    "threshold": 0.0, "min_coherence": 0.1})
    if run == "acg":
        training["acg"] = {"weight": 1.0, "margin": 2.0}
    task = LIBRARY_TASK if run.startswith("ctrnn") else TWO_CHANNEL
    return {"study": "two_afc", "run": run, "task": dict(task), "model": MODELS[run],
            "training": training, "optimizer": {"learning_rate": 0.01}}


def settings(run: str) -> dict:
    analyses = []
    if run in plugin.ACG_COMPARISON:
        analyses += ["centroids", "robustness"]
    if run == "acg":
        analyses.append("fixed_points")
    if run == "causal":
        analyses.append("causal")
    grid = [-0.08, -0.02, 0.0, 0.02, 0.08] if run.startswith("ctrnn") else \
        ANALYSIS["signed_coherences"]
    # As the default config: fixed points of the first seed only (the one the figure draws).
    return dict(ANALYSIS, analyses=analyses, signed_coherences=grid,
                fixed_point_seeds=[SEEDS[0]])


@pytest.fixture(scope="module")
def per_seed(tmp_path_factory) -> dict[str, pd.DataFrame]:
    """Every per-seed table of every run and seed (PsychRNN's: the CTRNN's, renamed)."""
    root = tmp_path_factory.mktemp("two_afc")
    tables: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLES + ("train_log",)}
    for run in MODELS:
        for seed in SEEDS:
            directory = root / run / f"seed{seed}"
            log = train_run(run_config(run), seed, directory / "checkpoints")
            tables["train_log"].append(log)
            for name, frame in analyse(directory / "checkpoints", **settings(run)).items():
                check_frame(frame, name, f"{run} seed {seed}")
                tables[name].append(frame)
    joined = {name: pd.concat([f for f in frames if not f.empty], ignore_index=True)
              for name, frames in tables.items()}
    for name in ("afc_psychometric", "afc_psychometric_fit", "afc_trajectories"):
        frame = joined[name]
        library = frame[frame["run"].str.startswith("ctrnn")].copy()
        library["run"] = library["run"].str.replace("ctrnn", "psychrnn")
        joined[name] = pd.concat([frame, library], ignore_index=True)
    return joined


def test_stage_tables_cover_every_run_and_role(per_seed):
    assert set(per_seed["afc_psychometric"]["run"]) == set(MODELS) | {"psychrnn_baseline",
                                                                       "psychrnn_noisy"}
    assert set(per_seed["afc_centroids"]["run"]) == set(plugin.ACG_COMPARISON)
    assert sorted(per_seed["afc_centroids"]["checkpoint_step"].unique()) == [0, 3]
    assert set(per_seed["afc_fixed_points"]["run"]) <= {"acg"}
    assert set(per_seed["afc_fixed_points"]["seed"]) <= {SEEDS[0]}
    assert set(per_seed["afc_lesion"]["condition"]) == {"intact", "top_k", "random_k"}
    saliency = per_seed["afc_saliency"]
    assert (saliency.groupby(["run", "seed"])["top_k"].sum() == 3).all()
    log = per_seed["train_log"]
    curriculum = log[log["run"] == "curriculum"]
    assert curriculum["training_coherence"].iloc[0] == 0.9


def aggregates(per_seed: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    section = {"runs": {run: {} for run in plugin.REQUIRED_RUNS},
               "library_comparison": {"enabled": True}}
    out = {}
    for name, spec in plugin.STUDY.aggregates(section, set(MODELS)).items():
        inputs = {}
        for table in spec.tables:
            frame = per_seed[table]
            inputs[table] = frame[frame["run"].isin(spec.runs)] if not frame.empty else frame
        out[name] = aggregate(spec.function, inputs, seed=0, n_resamples=50)
    return out


def figure_inputs(per_seed: dict[str, pd.DataFrame]) -> dict[str, dict]:
    """Each figure's keyword arguments, as the figure rule hands them over."""
    summaries = aggregates(per_seed)
    first = min(per_seed["afc_psychometric"]["seed"]) if not per_seed[
        "afc_psychometric"].empty else None

    def first_seed(table, runs):
        frame = per_seed[table]
        return frame[frame["run"].isin(runs) & (frame["seed"] == first)]

    return {
        "loss_curves": dict(curves=summaries["loss_curves"]),
        "curriculum": dict(logs=per_seed["train_log"][per_seed["train_log"]["run"]
                                                       == "curriculum"], threshold=0.8),
        "psychometric": dict(curves=summaries["psychometric"],
                             fits=summaries["psychometric_fits"]),
        "pca_trajectories": dict(trajectories=first_seed(
            "afc_trajectories", ("ungated", "gated", "acg", "noisy"))),
        "centroid_separation": dict(centroids=summaries["centroids"]),
        "fixed_points": dict(points=first_seed("afc_fixed_points", ("acg",)),
                             trajectories=first_seed("afc_trajectories", ("acg",))),
        "robustness": dict(robustness=summaries["robustness"]),
        "lesion": dict(saliency=first_seed("afc_saliency", ("causal",)),
                       lesion=summaries["lesion"], top_k=3),
        "clamp": dict(clamp=summaries["clamp"], top_k=3),
        "library_comparison": dict(curves=summaries["psychometric"],
                                   fits=summaries["psychometric_fits"],
                                   trajectories=first_seed("afc_trajectories",
                                                           plugin.LIBRARY_RUNS)),
    }


def draw(name: str, arguments: dict) -> Figure:
    module = __import__(f"{plugin.FIGURES}.{plugin.FIGURE_MODULES[name]}",
                        fromlist=[name])
    return getattr(module, name)(**arguments)


def one_seed(per_seed):
    return {name: frame[frame["seed"] == SEEDS[0]] if "seed" in frame else frame
            for name, frame in per_seed.items()}


def no_data(per_seed):
    return {name: empty_frame(name) if name != "train_log" else frame.iloc[:0]
            for name, frame in per_seed.items()}


@pytest.mark.parametrize("data", ["two seeds", "one seed", "empty"])
@pytest.mark.parametrize("name", sorted(plugin.FIGURE_MODULES))
def test_figures_have_no_layout_defects(per_seed, data, name):
    tables = {"two seeds": per_seed, "one seed": one_seed(per_seed),
              "empty": no_data(per_seed)}[data]
    figure = draw(name, figure_inputs(tables)[name])
    assert isinstance(figure, Figure)
    assert figure_defects(figure) == []


def test_a_planted_overlap_is_caught(per_seed):
    figure = draw("psychometric", figure_inputs(per_seed)["psychometric"])
    ax = figure.axes[0]
    ax.text(0.5, 0.5, "OVERLAPPING LABEL", transform=ax.transAxes, fontsize=12)
    ax.text(0.5, 0.5, "OVERLAPPING LABEL", transform=ax.transAxes, fontsize=12)
    assert figure_defects(figure) != []


def test_psychometric_aggregate_has_a_ci_over_the_seeds(per_seed):
    summary = aggregates(per_seed)["psychometric_fits"]
    slopes = summary[(summary["run"] == "gated") & (summary["quantity"] == "slope")]
    assert len(slopes) == 1 and int(slopes["n"].iloc[0]) == len(SEEDS)
    values = per_seed["afc_psychometric_fit"]
    values = values[values["run"] == "gated"]["slope"]
    assert slopes["mean"].iloc[0] == pytest.approx(values.mean())
    assert np.isfinite(slopes[["ci_low", "ci_high"]].to_numpy()).all() or values.nunique() == 1


@pytest.mark.parametrize("overlay, expected", [(None, [1]), ("thesis.yaml", None)])
def test_fixed_points_are_searched_for_the_first_seed_or_every_seed(overlay, expected):
    """Default config: only the first seed's (the figure's network); thesis: every seed."""
    import yaml

    from rnnlab.workflow.config import deep_merge
    from rnnlab.workflow.pipeline import Pipeline, included_studies, load_study

    root = Path(__file__).resolve().parents[1]
    config = yaml.safe_load((root / "config" / "config.yaml").read_text())
    if overlay:
        config = deep_merge(config, yaml.safe_load((root / "config" / overlay).read_text()))
    pipeline = Pipeline(config, [load_study(s) for s in included_studies(root)], root)
    seeds = sorted(pipeline.seeds_of("two_afc", "acg"))
    found = pipeline.stage_settings("two_afc", "analysis", "acg")
    assert "fixed_points" in found["analyses"]
    assert found["fixed_point_seeds"] == (expected or seeds)
    assert len(seeds) >= 3
