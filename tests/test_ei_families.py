"""The E/I study's families of runs (learning-rate sweep, ablations, network size): their runs,
plateau detection on constructed curves, the final-performance aggregate against hand
computations, and their figures on synthetic tables (several seeds, one seed, empty)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rnnlab.aggregation import aggregate
from rnnlab.plotting.checks import figure_defects
from rnnlab.studies.ei_modcog.families import family_runs
from rnnlab.studies.ei_modcog.figures import families as figures
from rnnlab.studies.ei_modcog.performance import final_performance, time_to_plateau
from rnnlab.tables import check_frame

sys.path.insert(0, str(Path(__file__).parent))
from test_workflow_helpers import pipeline, shipped  # noqa: E402


# ----------------------------------------------------------------------------- plateau


def test_plateau_at_first_window_gain_below_tolerance():
    # Gains over 2 points: 0.3, 0.2, 0.0015 (< 0.002 at t = 4).
    assert time_to_plateau([0.1, 0.3, 0.4, 0.5, 0.4015, 0.6], 2, 0.002) == 4
    # Flat from the start: plateau as soon as a window exists.
    assert time_to_plateau([0.5, 0.5, 0.5], 2, 0.002) == 2
    # A gain of exactly the tolerance is still rising; a falling curve has plateaued.
    assert time_to_plateau([0.0, 0.001, 0.002, 0.004], 2, 0.002) == 4
    assert time_to_plateau([0.9, 0.8, 0.7], 2, 0.002) == 2
    # Still rising at the end: the length; no window: the length.
    assert time_to_plateau([0.1, 0.2, 0.3, 0.4], 2, 0.002) == 4
    assert time_to_plateau([0.1, 0.2], 2, 0.002) == 2
    assert time_to_plateau([0.1, 0.2, 0.2], 1, 0.002) == 2


# ----------------------------------------------------------------------------- runs


def test_family_runs_in_the_default_config():
    config = shipped("config.yaml")
    resolved = pipeline(config).runs["ei_modcog"]
    section = config["studies"]["ei_modcog"]
    overrides, labels = family_runs(section, "lr_sweep")
    assert set(overrides) == {f"lr_{o}_{r:g}" for o in ("eg", "gd") for r in (0.01, 0.1, 1.0)}
    # EG: the rate is W_rec's EG step, the others keep the base GD rate; GD: every parameter.
    eg, gd = resolved["lr_eg_0.01"]["optimizer"], resolved["lr_gd_0.01"]["optimizer"]
    assert (eg["name"], eg["recurrent_learning_rate"], eg["learning_rate"]) == ("eg", 0.01, 0.1)
    assert (gd["name"], gd["recurrent_learning_rate"], gd["learning_rate"]) == ("gd", 0.01, 0.01)
    assert labels["lr_gd_1"] == {"optimizer": "gd", "learning_rate": 1.0}
    # Each ablation changes only its switch of the control.
    control = resolved["ablation_control"]
    for run, path, value in [
        ("ablation_leak_0_2", ("model", "leak"), 0.2),
        ("ablation_leak_0_9", ("model", "leak"), 0.9),
        ("ablation_leak_1", ("model", "leak"), 1.0),
        ("ablation_nonlinearity_tanh", ("model", "nonlinearity"), "tanh"),
        ("ablation_readout_e_only", ("model", "readout"), "excitatory"),
        ("ablation_row_sum_0", ("training", "row_sum_penalty"), 0.0),
    ]:
        variant = resolved[run]
        assert variant[path[0]][path[1]] == value != control[path[0]].get(path[1])
        for key in ("model", "optimizer", "training", "task"):
            differing = {
                k for k in set(variant[key]) | set(control[key])
                if variant[key].get(k) != control[key].get(k)
            }
            assert differing == ({path[1]} if key == path[0] else set()), (run, key, differing)
    # The thesis' model_perf grid at this scale: its single-task set t_1 (dm1) × H 128 / 256.
    sizes = {r for r in resolved if r.startswith("size_")}
    assert sizes == {"size_t_1_h128", "size_t_1_h256"}
    assert resolved["size_t_1_h256"]["model"]["hidden_size"] == 256
    assert resolved["size_t_1_h128"]["task"]["name"] == "dm1"
    assert "round_robin" not in resolved["size_t_1_h128"]["task"]
    study = pipeline(config)
    settings = study.aggregate("ei_modcog", "ablations").settings
    assert settings["control"] == "ablation_control"
    assert settings["runs"]["ablation_leak_0_2"] == {"variant": "leak_0_2"}
    assert study.aggregate("ei_modcog", "lr_sweep").settings["plateau_window"] == 2


def test_disabled_families_add_no_runs_and_existing_aggregates_keep_no_settings():
    config = shipped("config.yaml")
    for family in ("lr_sweep", "ablations", "size_sweep"):
        config["studies"]["ei_modcog"][family]["enabled"] = False
    study = pipeline(config)
    assert not any(r.startswith(("lr_", "ablation_", "size_")) for r in study.runs["ei_modcog"])
    assert study.aggregate("ei_modcog", "learning_curves").settings == {}


def test_a_run_named_like_a_family_run_is_rejected():
    config = shipped("config.yaml")
    config["studies"]["ei_modcog"]["runs"]["ablation_control"] = {}
    with pytest.raises(Exception, match="ablations family"):
        pipeline(config)


# ----------------------------------------------------------------------------- aggregate


def evaluation_table(accuracies: dict[tuple[str, int], list[float]], steps) -> pd.DataFrame:
    """Per-trial ``correct`` giving exactly ``accuracies[(run, seed)][i]`` at ``steps[i]``
    (100 trials each)."""
    rows = []
    for (run, seed), values in accuracies.items():
        for step, value in zip(steps, values):
            n_correct = int(round(value * 100))
            for trial in range(100):
                rows.append(dict(run=run, seed=seed, checkpoint_step=step, task="dm1",
                                 trial=trial, correct=trial < n_correct))
    return pd.DataFrame(rows)


def test_final_performance_against_hand_computation():
    steps = [0, 10, 20, 30, 40]
    table = evaluation_table(
        {
            ("a", 1): [0.0, 0.5, 0.5, 0.5, 0.5],   # plateau at the 2nd trained point after the first: step 30
            ("a", 2): [0.0, 0.2, 0.4, 0.6, 0.8],   # still rising: final step, not plateaued
            ("b", 1): [0.0, 0.1, 0.1, 0.1, 0.2],   # plateau at step 30
            ("b", 2): [0.0, 0.1, 0.1, 0.1, 0.4],
        },
        steps,
    )
    runs = {"a": {"variant": "control"}, "b": {"variant": "leak_1"}}
    result = aggregate(
        "rnnlab.studies.ei_modcog.performance:final_performance",
        {"evaluation": table}, 0, 200,
        runs=runs, plateau_window=2, plateau_tolerance=0.002, control="a",
    )
    check_frame(result, "statistic")
    value = result.set_index(["variant", "quantity"])["mean"]
    assert value[("control", "final_accuracy")] == pytest.approx(0.65)
    assert value[("leak_1", "final_accuracy")] == pytest.approx(0.3)
    assert value[("control", "best_accuracy")] == pytest.approx(0.65)
    assert value[("control", "plateau_step")] == pytest.approx(35.0)
    assert value[("control", "plateaued")] == pytest.approx(0.5)
    assert value[("leak_1", "plateau_step")] == pytest.approx(30.0)
    # Paired by seed: (0.2 − 0.5 + 0.4 − 0.8) / 2.
    assert value[("leak_1", "difference_from_control")] == pytest.approx(-0.35)
    assert value[("control", "difference_from_control")] == 0
    assert set(result["n"]) == {2}
    # Runs outside the family are left out.
    only_a = final_performance({"evaluation": table}, 0, 50, runs={"a": runs["a"]})
    assert set(only_a["run"]) == {"a"}
    assert set(only_a["quantity"]) == {"final_accuracy", "best_accuracy"}


# ----------------------------------------------------------------------------- figures


def statistic(groups: list[dict], quantities: dict[str, float], n: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    for group in groups:
        for quantity, scale in quantities.items():
            mean = float(rng.uniform(0.2, 0.9) * scale)
            spread = 0.05 * scale if n > 1 else np.nan
            rows.append(dict(group, quantity=quantity, mean=mean, ci_low=mean - spread,
                             ci_high=mean + spread, n=n))
    return pd.DataFrame(rows)


def lr_table(n):
    groups = [dict(run=f"lr_{o}_{r:g}", optimizer=o, learning_rate=r)
              for o in ("eg", "gd") for r in (0.005, 0.01, 0.05, 0.1, 0.5, 1.0)]
    frame = statistic(groups, {"final_accuracy": 1, "best_accuracy": 1, "plateau_step": 1000,
                               "plateaued": 1}, n)
    plateaued = frame["quantity"] == "plateaued"
    frame.loc[plateaued, "mean"] = np.where(np.arange(plateaued.sum()) % 3 == 0, 0.5, 1.0)
    return frame


def ablation_table(n):
    variants = ["control", "leak_0_2", "leak_0_5", "leak_1", "nonlinearity_tanh",
                "readout_e_only", "row_sum_0_5"]
    groups = [dict(run=f"ablation_{v}", variant=v) for v in variants]
    frame = statistic(groups, {"final_accuracy": 1, "difference_from_control": 1}, n)
    difference = frame["quantity"] == "difference_from_control"
    frame.loc[difference, ["mean", "ci_low", "ci_high"]] -= 0.5
    return frame


def size_table(n):
    return statistic([dict(run=f"size_h{h}", hidden_size=h) for h in (128, 256)],
                     {"final_accuracy": 1}, n)


def size_set_table(n):
    sets = {"t_1": "dm1", "t_5": "dm1, dm2, dms, dnms, ctxdlydm1"}
    return statistic([dict(run=f"size_{s}_h{h}", hidden_size=h, task_set=s, tasks=tasks)
                      for s, tasks in sets.items() for h in (128, 256)], {"final_accuracy": 1}, n)


CASES = {
    "lr_sweep": (figures.lr_sweep, lr_table),
    "ablations": (figures.ablations, ablation_table),
    "size_sweep": (figures.size_sweep, size_table),
    "size_sweep with task sets": (figures.size_sweep, size_set_table),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("n", [3, 1, 0])
def test_family_figures_have_no_layout_defects(name, n):
    function, table = CASES[name]
    frame = table(max(n, 1))
    if n == 0:
        frame = frame.iloc[0:0]
    figure = function(frame)
    assert figure_defects(figure) == []


def test_size_sweep_draws_one_series_per_task_set_side_by_side():
    figure = figures.size_sweep(size_set_table(3))
    ax = figure.axes[0]
    series = [c for c in ax.containers]
    assert len(series) == 2
    x = [sorted(c.lines[0].get_xdata()) for c in series]
    assert x[0][0] < x[1][0] < x[0][1] < x[1][1]  # t_1, t_5 at H 128, then at H 256
    labels = [t.get_text() for t in figure.legends[0].get_texts()]
    assert "t_5: dm1, dm2, dms, dnms, ctxdlydm1" in labels


def test_lr_sweep_marks_runs_still_rising_with_open_markers():
    figure = figures.lr_sweep(lr_table(3))
    # On both panels: (b) draws a run still rising at the final step, which is not a plateau.
    for ax in figure.axes[:2]:
        open_markers = [line for line in ax.lines if line.get_linestyle() == "None"
                        and line.get_markerfacecolor() == "white"]
        # Every third (optimizer, rate) has plateaued in only half of its seeds: 2 per optimizer.
        assert sum(len(line.get_xdata()) for line in open_markers) == 4
    # The final step (1000 here) is inside panel (b), not on its top edge.
    assert figure.axes[1].get_ylim()[1] > 1000


def test_size_sweep_says_mean_over_tasks_only_for_a_set_of_several():
    several = figures.size_sweep(size_set_table(2)).axes[0].get_ylabel()
    single = size_set_table(2)
    single = single[single["task_set"] == "t_1"]
    assert "mean over" in several
    assert "mean over" not in figures.size_sweep(single).axes[0].get_ylabel()


def test_ablation_figure_puts_control_on_top_and_no_difference_for_it():
    figure = figures.ablations(ablation_table(3))
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert labels[-1] == "control" or labels[0] == "control"
    positions = dict(zip(labels, figure.axes[0].get_yticks()))
    assert positions["control"] == max(positions.values())
    differences = figure.axes[1].containers[0]
    assert len(differences.lines[0].get_ydata()) == 6


# ----------------------------------------------------------------------------- thesis configs


def test_thesis_config_reproduces_the_thesis_config_files_value_by_value():
    from rnnlab.studies.ei_modcog.thesis_configs import CORRESPONDENCE, lookup
    from rnnlab.workflow.config import deep_merge

    config = deep_merge(shipped("config.yaml"), shipped("thesis.yaml"))
    resolved = pipeline(config)
    section = resolved.section("ei_modcog")
    wrong = [
        (file, key, where, value, lookup(resolved.runs["ei_modcog"], section, where))
        for file, key, where, value in CORRESPONDENCE
        if lookup(resolved.runs["ei_modcog"], section, where) != value
    ]
    assert wrong == []
    assert len(CORRESPONDENCE) > 150
    # A planted difference is found.
    section["lr_sweep"]["plateau"]["window"] = 3
    assert lookup(resolved.runs["ei_modcog"], section, "section lr_sweep.plateau.window") == 3


# ----------------------------------------------------------------------------- sweep accuracy


def sweep_tables(n_seeds: int):
    steps = [0, 100]
    accuracies = {}
    for fraction, level in ((0.1, 0.17), (0.2, 0.72), (0.3, 0.88), (0.4, 0.92)):
        for seed in range(1, n_seeds + 1):
            accuracies[(f"inhibition_{fraction:g}", seed)] = [0.06, min(level + 0.03 * seed, 1.0)]
    table = evaluation_table(accuracies, steps)
    runs = {f"inhibition_{f:g}": {"inhibitory_fraction": f} for f in (0.1, 0.2, 0.3, 0.4)}
    pooled = final_performance({"evaluation": table}, 0, 100, runs=runs)
    each = final_performance({"evaluation": table}, 0, 100, runs=runs, per_network=True)
    return pooled, each


def test_per_network_rows_are_single_networks():
    pooled, each = sweep_tables(3)
    final = each[each.quantity == "final_accuracy"]
    assert len(final) == 12 and set(final["n"]) == {1}
    row = final[(final.inhibitory_fraction == 0.2) & (final.seed == 2)]
    assert row["mean"].item() == pytest.approx(0.78)
    assert set(pooled[pooled.quantity == "final_accuracy"]["n"]) == {3}


@pytest.mark.parametrize("n_seeds", [3, 1, 0])
def test_sweep_accuracy_figure_marks_networks_below_criterion(n_seeds):
    from rnnlab.studies.ei_modcog.figures.sweep_accuracy import sweep_accuracy

    pooled, each = sweep_tables(max(n_seeds, 1))
    if n_seeds == 0:
        pooled, each = pooled.iloc[0:0], each.iloc[0:0]
    figure = sweep_accuracy(pooled, each, criterion=0.8)
    assert figure_defects(figure) == []
    if n_seeds == 3:
        ax = figure.axes[0]
        crosses = [line for line in ax.lines if line.get_marker() == "x"]
        # Below 0.8: fraction 0.1 (0.20, 0.23, 0.26) and 0.2 (0.75, 0.78): 5 networks.
        assert len(crosses[0].get_xdata()) == 5
        assert "1/3" in [t.get_text() for t in ax.texts]
