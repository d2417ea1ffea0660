"""Tests for the thesis figures (rnnlab.plotting).

Synthetic per-seed tables with the schemas of ``rnnlab.tables`` go through
``rnnlab.aggregation.aggregate`` and a Parquet round trip, so the figures are tested on exactly
what the workflow's aggregate jobs write.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.text import Text

from rnnlab.aggregation import aggregate
from rnnlab.plotting.checks import figure_defects
from rnnlab.studies.ei_modcog.aggregates import MOTIFS
from rnnlab.plotting.style import save_figure
from rnnlab.studies.ei_modcog.figures import credit, fixed_points, training, weights
from rnnlab.studies.ei_modcog.figures.shared import RUN_COLORS
from rnnlab.tables import Provenance, check_frame, read_table, write_table

SEEDS = (0, 1)
RUNS = ("eg", "gd")
STEPS = (0, 500, 1000)
POPULATIONS = {"E": 8, "I": 2}
N_BOOTSTRAP = 200
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _frame(rows: list[dict], table: str) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    check_frame(frame, table, f"synthetic {table}")
    return frame


def _train_log(rng) -> pd.DataFrame:
    rows = []
    # A third run with a single seed: its CI is NaN and must draw no band.
    for run, seeds in (("eg", SEEDS), ("gd", SEEDS), ("inhibition_0.1", (0,))):
        for seed in seeds:
            for step in range(0, 1001, 50):
                progress = step / 1000
                rows.append(
                    dict(
                        run=run,
                        seed=seed,
                        step=step,
                        loss=float(2.0 * np.exp(-3 * progress) + 0.05 * rng.random()),
                        fixation_mse=0.01,
                        decision_cross_entropy=1.0,
                        decision_accuracy=float(
                            min(1.0, 0.06 + 0.8 * progress + 0.05 * rng.random())
                        ),
                        learning_rate=1e-3,
                        grad_norm=1.0,
                    )
                )
    return _frame(rows, "train_log")


def _evaluation(rng) -> pd.DataFrame:
    rows = []
    for run in RUNS + ("inhibition_0.1",):
        for seed in SEEDS:
            for step in STEPS:
                for trial in range(20):
                    label = int(rng.integers(1, 17))
                    correct = bool(rng.random() < 0.1 + 0.8 * step / 1000)
                    rows.append(
                        dict(
                            run=run,
                            seed=seed,
                            checkpoint_step=step,
                            task="dlygo",
                            trial=trial,
                            label=label,
                            choice=label if correct else 0,
                            correct=correct,
                            condition_direction=float(2 * np.pi * (label - 1) / 16),
                        )
                    )
    return _frame(rows, "evaluation")


def _gradients(rng) -> tuple[pd.DataFrame, pd.DataFrame]:
    timecourse, metrics = [], []
    for run in RUNS:
        for seed in SEEDS:
            for step in STEPS:
                for population, n_units in POPULATIONS.items():
                    for t in range(30):
                        rms = float(np.exp(-(30 - t) / 10) * (1 + 0.1 * rng.random()))
                        timecourse.append(
                            dict(
                                run=run,
                                seed=seed,
                                checkpoint_step=step,
                                time_step=t,
                                population=population,
                                l2_norm=rms * np.sqrt(n_units),
                                rms=rms,
                                mean_abs=0.8 * rms,
                                cosine=float(rng.uniform(-0.2, 0.2)),
                                gated_rms=0.5 * rms,
                                n_trials=16,
                            )
                        )
                    fisher = float(10.0 ** rng.uniform(-6, -4))
                    metrics.append(
                        dict(
                            run=run,
                            seed=seed,
                            checkpoint_step=step,
                            population=population,
                            fisher_mean=fisher,
                            fisher_median=0.5 * fisher,
                            gini=float(rng.uniform(0.2, 0.6)),
                            cumulative_abs_mean=float(rng.uniform(1, 2)),
                            n_units=n_units,
                        )
                    )
    return _frame(timecourse, "gradients"), _frame(metrics, "gradient_metrics")


def _weights(rng) -> tuple[pd.DataFrame, pd.DataFrame]:
    statistics, histograms = [], []
    edges = np.linspace(-7, 1, 17)
    for run in RUNS:
        for seed in SEEDS:
            for step in STEPS:
                for population, n_units in POPULATIONS.items():
                    n_weights = 10 * n_units
                    # GD corrects hundreds of thousands of E updates and far fewer I ones (as
                    # in the real runs); EG none.
                    per_step = 400 if population == "E" else 25
                    flips = 0 if run == "eg" else int(step * per_step * (1 + 0.05 * seed))
                    log_w = rng.normal(-2.0, 0.5, n_weights)
                    statistics.append(
                        dict(
                            run=run,
                            seed=seed,
                            checkpoint_step=step,
                            population=population,
                            n_weights=n_weights,
                            n_sign_corrections=flips,
                            n_sign_flips=0,
                            n_mixed_sign_columns=0 if run == "eg" else 1,
                            log10_abs_mean=float(log_w.mean()),
                            log10_abs_std=float(log_w.std()),
                            log10_abs_skew=float(rng.normal(0, 0.1)),
                        )
                    )
                    counts, _ = np.histogram(log_w, bins=edges)
                    for left, right, count in zip(edges[:-1], edges[1:], counts):
                        histograms.append(
                            dict(
                                run=run,
                                seed=seed,
                                checkpoint_step=step,
                                population=population,
                                bin_left=float(left),
                                bin_right=float(right),
                                count=int(count),
                            )
                        )
    return _frame(statistics, "weight_statistics"), _frame(histograms, "weight_histograms")


def _fixed_points(rng) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    points, searches, trajectories = [], [], []
    for fraction in (0.1, 0.2, 0.3):
        run = f"inhibition_{fraction}"
        for seed in SEEDS:
            for condition in ("fixation", "go"):
                n_points = int(rng.integers(3, 6))  # point 2 of each is a slow point
                for point in range(n_points):
                    pcs = rng.normal(size=3)
                    points.append(
                        dict(
                            run=run,
                            seed=seed,
                            inhibitory_fraction=fraction,
                            input_condition=condition,
                            point=point,
                            q=1e-9,
                            is_converged=bool(point % 3 != 2),
                            kind="fixed" if point % 3 != 2 else "slow",
                            motif=MOTIFS[int(rng.integers(len(MOTIFS)))],
                            max_abs_eigenvalue=0.9,
                            n_unstable=0,
                            eigenvalues_real=[0.9, 0.5],
                            eigenvalues_imag=[0.0, 0.0],
                            state=[0.0] * 4,
                            pc1=float(pcs[0]),
                            pc2=float(pcs[1]),
                            pc3=float(pcs[2]),
                            delay_pc1=float(pcs[1]),
                            delay_pc2=float(pcs[2]),
                            delay_pc3=float(pcs[0]),
                        )
                    )
                searches.append(
                    dict(
                        run=run,
                        seed=seed,
                        inhibitory_fraction=fraction,
                        input_condition=condition,
                        n_initial=8,
                        n_converged=n_points,
                        n_slow=0,
                        n_failed=8 - n_points,
                        n_local_minima=0,
                        n_outliers=0,
                        n_unique=n_points,
                    )
                )
            for trial in range(4):
                direction = 2 * np.pi * trial / 4
                for t in range(20):
                    trajectories.append(
                        dict(
                            run=run,
                            seed=seed,
                            inhibitory_fraction=fraction,
                            trial=trial,
                            time_step=t,
                            period="stimulus" if t < 10 else "decision",
                            condition_direction=direction,
                            pc1=float(np.cos(direction) * t / 20),
                            pc2=float(np.sin(direction) * t / 20),
                            pc3=0.0,
                        )
                    )
    return (
        _frame(points, "fixed_points"),
        _frame(searches, "fixed_point_search"),
        _frame(trajectories, "fixed_point_trajectories"),
    )


@pytest.fixture(scope="module")
def per_seed() -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(3)
    gradients, gradient_metrics = _gradients(rng)
    weight_statistics, weight_histograms = _weights(rng)
    fixed_points, searches, trajectories = _fixed_points(rng)
    return dict(
        train_log=_train_log(rng),
        evaluation=_evaluation(rng),
        gradients=gradients,
        gradient_metrics=gradient_metrics,
        weight_statistics=weight_statistics,
        weight_histograms=weight_histograms,
        fixed_points=fixed_points,
        fixed_point_search=searches,
        fixed_point_trajectories=trajectories,
    )


def _aggregates(per_seed, directory) -> dict[str, pd.DataFrame]:
    """Every aggregate as the workflow writes it: aggregate(), then a Parquet round trip."""
    provenance = Provenance("ei_modcog", "all", "all", "0" * 16)
    result = {}
    for name in (
        "learning_curves",
        "checkpoint_accuracy",
        "gradient_timecourse",
        "gradient_metrics",
        "weight_statistics",
        "weight_histograms",
        "fixed_point_counts",
    ):
        frame = aggregate(f"rnnlab.studies.ei_modcog.aggregates:{name}", per_seed, seed=0,
                          n_resamples=N_BOOTSTRAP)
        write_table(frame, directory / f"{name}.parquet", "statistic", provenance)
        result[name] = read_table(directory / f"{name}.parquet", "statistic")
    return result


@pytest.fixture(scope="module")
def aggregates(per_seed, tmp_path_factory) -> dict[str, pd.DataFrame]:
    return _aggregates(per_seed, tmp_path_factory.mktemp("aggregate"))


@pytest.fixture(scope="module")
def one_seed(per_seed, tmp_path_factory) -> dict[str, pd.DataFrame]:
    """The aggregates of seed 0 alone: every CI is NaN (no band, no error bar, no interval)."""
    first = {name: frame[frame["seed"] == 0] for name, frame in per_seed.items()}
    return _aggregates(first, tmp_path_factory.mktemp("one_seed"))


def _example_network(per_seed, fraction: float = 0.2, seed: int = 0):
    def pick(frame):
        chosen = frame[(frame["inhibitory_fraction"] == fraction) & (frame["seed"] == seed)]
        return chosen.reset_index(drop=True)

    return pick(per_seed["fixed_points"]), pick(per_seed["fixed_point_trajectories"])


FIGURES = {
    "learning_curves": lambda a, p: training.learning_curves(a["learning_curves"]),
    "checkpoint_accuracy": lambda a, p: training.checkpoint_accuracy(a["checkpoint_accuracy"]),
    "gradient_credit": lambda a, p: credit.gradient_credit(
        a["gradient_timecourse"], a["gradient_metrics"]
    ),
    "fixed_point_motifs": lambda a, p: fixed_points.fixed_point_motifs(
        a["fixed_point_counts"], *_example_network(p)
    ),
    "weight_signs": lambda a, p: weights.weight_signs(
        a["weight_statistics"], a["weight_histograms"]
    ),
}


def _all_converged(a, p):
    """The example network without slow points (as in the default run): no hollow markers."""
    points, trajectories = _example_network(p)
    points = points.assign(is_converged=True, kind="fixed")
    return fixed_points.fixed_point_motifs(a["fixed_point_counts"], points, trajectories)


def _two_tasks(a, p):
    accuracy = a["checkpoint_accuracy"]
    return training.checkpoint_accuracy(pd.concat([accuracy, accuracy.assign(task="dm1")]))


def _runs_only(runs, build):
    def only(a, p):
        return build({k: v[v["run"].isin(runs)] if "run" in v else v for k, v in a.items()}, p)

    return only


# Every figure, and the edge cases the tests below build, as the checker must find them.
CASES = {
    **FIGURES,
    "checkpoint_accuracy, two tasks": _two_tasks,
    "fixed_point_motifs, no slow points": _all_converged,
    "fixed_point_motifs, no points": lambda a, p: fixed_points.fixed_point_motifs(
        a["fixed_point_counts"], _example_network(p)[0].iloc[0:0], _example_network(p)[1]
    ),
    "weight_signs, eg only": _runs_only(("eg",), FIGURES["weight_signs"]),
    "learning_curves, eg only": _runs_only(("eg",), FIGURES["learning_curves"]),
}


def _assert_clean(figure: Figure) -> None:
    defects = figure_defects(figure)
    assert defects == [], "\n".join(defects)


@pytest.mark.parametrize("name", sorted(CASES))
def test_figure_has_no_layout_defects(name, aggregates, per_seed):
    _assert_clean(CASES[name](aggregates, per_seed))


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_one_seed_figure_has_no_layout_defects(name, one_seed, per_seed):
    _assert_clean(FIGURES[name](one_seed, per_seed))


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_empty_figure_has_no_layout_defects(name, aggregates, per_seed):
    if name == "fixed_point_motifs":
        points, trajectories = _example_network(per_seed)
        figure = fixed_points.fixed_point_motifs(
            aggregates["fixed_point_counts"].iloc[0:0], points.iloc[0:0], trajectories.iloc[0:0]
        )
    else:
        figure = EMPTY_FIGURES[name](lambda key: aggregates[key].iloc[0:0])
    _assert_clean(figure)


def _texts(figure: Figure) -> list[str]:
    return [t.get_text() for t in figure.findobj(Text) if t.get_text()]


def _legend_texts(figure: Figure) -> list[str]:
    legends = [ax.get_legend() for ax in figure.axes] + list(figure.legends)
    return [t.get_text() for legend in legends if legend is not None for t in legend.get_texts()]


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_figure_saves_bit_reproducibly(name, aggregates, per_seed, tmp_path):
    first = FIGURES[name](aggregates, per_seed)
    assert isinstance(first, Figure)
    width, _ = first.get_size_inches()
    assert 7 <= width <= 10
    assert first.get_layout_engine() is not None  # constrained layout
    assert not first.get_suptitle()
    path = save_figure(first, tmp_path / f"{name}.png")
    again = save_figure(FIGURES[name](aggregates, per_seed), tmp_path / "again" / f"{name}.png")
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE) and len(data) > 10_000
    assert data == again.read_bytes()
    assert b"Matplotlib" not in data  # no software version in the metadata
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again", f"{name}.png"]  # no temp files


def test_save_figure_depends_on_data_and_rejects_unknown_formats(aggregates, tmp_path):
    curves = aggregates["learning_curves"]
    shifted = curves.assign(mean=curves["mean"] * 0.5)
    a = save_figure(training.learning_curves(curves), tmp_path / "a.png")
    b = save_figure(training.learning_curves(shifted), tmp_path / "b.png")
    assert a.read_bytes() != b.read_bytes()
    with pytest.raises(ValueError, match="unsupported figure format"):
        save_figure(training.learning_curves(curves), tmp_path / "c.jpeg")
    assert not list(tmp_path.glob(".*partial"))


def test_learning_curves_panels_legend_and_bands(aggregates):
    figure = training.learning_curves(aggregates["learning_curves"])
    ax_loss, ax_accuracy = figure.axes
    assert ax_loss.get_yscale() == "log"
    assert "step" in ax_loss.get_xlabel() and "accuracy" in ax_accuracy.get_ylabel()
    legend = _legend_texts(figure)
    assert "EG (n = 2 seeds)" in legend and "GD (n = 2 seeds)" in legend
    assert "inhibition_0.1 (n = 1 seed)" in legend
    assert any(t.startswith("chance (1/16)") for t in legend)
    # Bands for the two 2-seed runs in each panel; none for the single-seed run.
    for ax in (ax_loss, ax_accuracy):
        assert sum(isinstance(c, PolyCollection) for c in ax.collections) == 2
    lines = {line.get_label(): line for line in ax_loss.get_lines()}
    assert lines["EG (n = 2 seeds)"].get_color() == RUN_COLORS["eg"]
    assert lines["GD (n = 2 seeds)"].get_color() == RUN_COLORS["gd"]
    # One point per logged step, in step order.
    assert list(lines["EG (n = 2 seeds)"].get_xdata()) == list(range(0, 1001, 50))


def test_checkpoint_accuracy_only_eg_and_gd(aggregates):
    figure = training.checkpoint_accuracy(aggregates["checkpoint_accuracy"])
    (ax,) = figure.axes
    legend = _legend_texts(figure)
    assert any(t.startswith("EG") for t in legend) and any(t.startswith("GD") for t in legend)
    assert not any("inhibition" in t for t in legend)
    assert ax.get_ylim() == (0.0, 1.0)
    # A linear step axis: the checkpoints as ticks, every run at its true steps (no sideways
    # offset), nothing left of step 0 but a margin for the markers.
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "500", "1,000"]
    for container in ax.containers:
        assert list(container.lines[0].get_xdata()) == [0, 500, 1000]
    assert -50 <= ax.get_xlim()[0] < 0
    assert ax.spines["bottom"].get_bounds() == (0, 1000)
    chance = [line for line in ax.get_lines() if line.get_label().startswith("chance")]
    assert len(chance) == 1 and chance[0].get_ydata()[0] == pytest.approx(1 / 16)


def test_checkpoint_accuracy_one_panel_per_task(aggregates):
    accuracy = aggregates["checkpoint_accuracy"]
    figure = training.checkpoint_accuracy(pd.concat([accuracy, accuracy.assign(task="dm1")]))
    assert [ax.get_title() for ax in figure.axes] == ["task: dlygo", "task: dm1"]


EMPTY_FIGURES = {
    "learning_curves": lambda e: training.learning_curves(e("learning_curves")),
    "checkpoint_accuracy": lambda e: training.checkpoint_accuracy(e("checkpoint_accuracy")),
    "gradient_credit": lambda e: credit.gradient_credit(
        e("gradient_timecourse"), e("gradient_metrics")
    ),
    "weight_signs": lambda e: weights.weight_signs(
        e("weight_statistics"), e("weight_histograms")
    ),
}


@pytest.mark.parametrize("name", sorted(EMPTY_FIGURES))
def test_empty_aggregates_give_a_labelled_empty_figure(name, aggregates, tmp_path):
    figure = EMPTY_FIGURES[name](lambda key: aggregates[key].iloc[0:0])
    assert any(text.startswith("no ") for text in _texts(figure))
    assert save_figure(figure, tmp_path / f"{name}.png").stat().st_size > 0


def test_gradient_credit_uses_final_checkpoint(aggregates):
    figure = credit.gradient_credit(
        aggregates["gradient_timecourse"], aggregates["gradient_metrics"]
    )
    assert len(figure.axes) == 4
    eg_axis, gd_axis, fisher_axis, gini_axis = figure.axes
    assert eg_axis.get_title().startswith("EG") and "step 1,000" in eg_axis.get_title()
    assert gd_axis.get_title().startswith("GD")
    assert fisher_axis.get_yscale() == "log"
    assert gini_axis.get_ylim() == (0.0, 1.0)
    # E and I curves, one point per time step of the final checkpoint.
    assert [len(line.get_xdata()) for line in eg_axis.get_lines()] == [30, 30]
    # Fisher and Gini: 2 populations × 2 runs, one point per checkpoint.
    assert [len(line.get_xdata()) for line in fisher_axis.get_lines()] == [3] * 4
    legend = _legend_texts(figure)
    assert {"EG", "GD", "excitatory (E)", "inhibitory (I)"} <= set(legend)


def test_fixed_point_motifs_draws_counts_and_example(aggregates, per_seed):
    points, trajectories = _example_network(per_seed)
    # A local minimum of q (a ghost) far off: not a fixed point, not drawn.
    ghost = points.iloc[[0]].assign(kind="local_minimum", is_converged=False, point=99,
                                    pc1=50.0, pc2=50.0)
    figure = fixed_points.fixed_point_motifs(aggregates["fixed_point_counts"],
                                          pd.concat([points, ghost], ignore_index=True),
                                          trajectories)
    # Two input conditions on the left, the example on the right, and its colorbar.
    assert len(figure.axes) == 4
    fixation_axis, go_axis, example_axis, _ = figure.axes
    assert fixation_axis.get_title() == "input: fixation" and go_axis.get_title() == "input: go"
    assert [line.get_label() for line in fixation_axis.get_lines()] == list(MOTIFS)
    assert "inhibitory fraction 0.2" in example_axis.get_title()
    assert len(example_axis.get_lines()) == trajectories["trial"].nunique()
    drawn = sum(len(c.get_offsets()) for c in example_axis.collections)
    assert drawn == len(points)
    assert example_axis.get_xlim()[1] < 50
    assert "no fixed points found" not in _texts(figure)
    legend = _legend_texts(figure)
    assert set(MOTIFS) <= set(legend)
    # Shapes for the inputs; a hollow key only when a slow point is drawn; no "fixed point"
    # key that would look like the stable motif's.
    assert {"input: fixation", "input: go", "slow point"} <= set(legend)
    assert "fixed point" not in legend
    assert (~points["is_converged"]).any()
    converged = points.assign(is_converged=True, kind="fixed")
    figure = fixed_points.fixed_point_motifs(aggregates["fixed_point_counts"], converged,
                                             trajectories)
    assert "slow point" not in _legend_texts(figure)


def test_fixed_point_motifs_without_points(aggregates, per_seed, tmp_path):
    points, trajectories = _example_network(per_seed)
    figure = fixed_points.fixed_point_motifs(
        aggregates["fixed_point_counts"], points.iloc[0:0], trajectories
    )
    assert "no fixed points found" in _texts(figure)
    assert save_figure(figure, tmp_path / "empty.png").stat().st_size > 0
    figure = fixed_points.fixed_point_motifs(
        aggregates["fixed_point_counts"], points.iloc[0:0], trajectories.iloc[0:0]
    )
    assert "no fixed points found" in _texts(figure)
    assert save_figure(figure, tmp_path / "empty_all.png").stat().st_size > 0


def test_weight_signs_panels_and_annotations(aggregates):
    statistics = aggregates["weight_statistics"]
    figure = weights.weight_signs(statistics, aggregates["weight_histograms"])
    assert len(figure.axes) == 3
    flips_axis, eg_axis, gd_axis = figure.axes
    legend = [t for t in _legend_texts(figure)]
    # EG's zeros are said in its legend entry, not by a note in the panel.
    assert "EG (n = 2 seeds): 0 at every checkpoint" in legend and "GD (n = 2 seeds)" in legend
    assert {"presynaptic E", "presynaptic I"} <= set(legend)
    assert [t.get_text() for t in flips_axis.texts] == ["a"]  # the panel letter only
    assert flips_axis.get_yscale() == "symlog"
    # EG curves are exactly zero; GD curves grow.
    eg_color, gd_color = RUN_COLORS["eg"], RUN_COLORS["gd"]
    eg_lines = [l for l in flips_axis.get_lines() if l.get_color() == eg_color]
    gd_lines = [l for l in flips_axis.get_lines() if l.get_color() == gd_color]
    assert len(eg_lines) == len(gd_lines) == 2
    assert all((np.asarray(l.get_ydata()) == 0).all() for l in eg_lines)
    assert all(np.asarray(l.get_ydata())[-1] > 0 for l in gd_lines)
    # Histograms at the final checkpoint; the legend gives the skewness of log10|w|.
    for ax, run in ((eg_axis, "eg"), (gd_axis, "gd")):
        assert "step 1,000" in ax.get_title()
        legend = ax.get_legend()
        assert legend.get_title().get_text().startswith("skewness of log")
        entries = [t.get_text() for t in legend.get_texts()]
        assert len(entries) == 2
        for population, entry in zip(("E", "I"), entries):
            skew = statistics[
                (statistics["run"] == run)
                & (statistics["checkpoint_step"] == 1000)
                & (statistics["population"] == population)
                & (statistics["quantity"] == "log10_abs_skew")
            ]["mean"].iloc[0]
            expected = f"{population}: {skew:+.2f}".replace("-", "\u2212")
            assert entry.startswith(expected + " [")
        # E and I step plots (plus a CI band each): mean counts sum to the weights per seed.
        heights = [p.get_data().values for p in ax.patches if not p.get_fill()]
        assert [h.sum() for h in heights] == pytest.approx([80, 20])
    assert "log" in eg_axis.get_xlabel()


def test_weight_signs_without_gd(aggregates):
    statistics = aggregates["weight_statistics"]
    histograms = aggregates["weight_histograms"]
    figure = weights.weight_signs(
        statistics[statistics["run"] == "eg"], histograms[histograms["run"] == "eg"]
    )
    assert "no weights for gd" in _texts(figure)


def test_missing_columns_are_reported(aggregates):
    with pytest.raises(ValueError, match="learning_curves: missing column"):
        training.learning_curves(aggregates["learning_curves"].drop(columns="step"))
