"""Figures of the CTRNN-zoo study (rnnlab.studies.ctrnn_zoo.figures) on synthetic tables with the
schemas of ``rnnlab.tables``."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from scipy.special import ndtr

from rnnlab.aggregation import aggregate
from rnnlab.plotting.checks import figure_defects
from rnnlab.studies.ctrnn_zoo.figures import cddm, structure, trials
from rnnlab.studies.ctrnn_zoo.figures.shared import TASK_LABELS
from rnnlab.plotting.style import save_figure
from rnnlab.tables import check_frame, empty_frame
from rnnlab.studies.ctrnn_zoo.tasks import CDDM_COHERENCES

RUNS = ("cddm", "three_bit_flip_flop", "memory_anti_number")
SEEDS = (0, 1)
N_STATES = 8
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _frame(rows: list[dict], table: str) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    check_frame(frame, table, f"synthetic {table}")
    return frame


def _example_trials(rng) -> pd.DataFrame:
    rows = []
    for run, n_channels in zip(RUNS, (2, 3, 1)):
        for seed in SEEDS:
            for trial in (4, 9, 17):
                for t in range(30):
                    for channel in range(n_channels):
                        target = float(t >= 20) * (channel == 0)
                        rows.append(dict(run=run, seed=seed, task=run, trial=trial, time_step=t,
                                         time_ms=50.0 * t, channel=channel,
                                         output=target + 0.1 * rng.standard_normal(),
                                         target=target, in_loss=not 20 <= t < 22))
    return _frame(rows, "example_trials")


CONDITIONS = {  # trajectory conditions per task: cddm has 7 (one more than a legend of 6)
    "cddm": ("colour -0.05", "colour -0.80", "motion +0.01", "motion +0.03", "motion +0.05",
             "motion +0.20", "motion -0.20"),
    "three_bit_flip_flop": ("final ++−", "final +−−", "final −+−", "final −−−"),
    "memory_anti_number": tuple(f"value {v:+.2f}" for v in (-2, -0.84, 0.32, 2)),
}


def _equilibria(rng) -> pd.DataFrame:
    rows = []
    conditions = {"cddm": ("motion_context", "colour_context", "no_input"),
                  "three_bit_flip_flop": ("no_input",), "memory_anti_number": ("hold", "recall")}
    for run in RUNS:
        for seed in SEEDS:
            for condition in conditions[run]:
                for point in range(6):
                    real = np.sort(rng.normal(-0.01, 0.01, N_STATES))[::-1]
                    stability = ("stable", "marginal", "unstable")[point % 3]
                    rows.append(dict(
                        run=run, seed=seed, task=run, input_condition=condition, point=point,
                        mode="exact" if point < 4 else "slow",
                        rhs_squared_norm=1e-20 if point < 4 else 1e-10, stability=stability,
                        max_real_eigenvalue=float(real[0]), n_unstable=int(stability == "unstable"),
                        eigenvalues_real=real.tolist(),
                        eigenvalues_imag=rng.normal(0, 0.005, N_STATES).tolist(),
                        state=rng.standard_normal(N_STATES).tolist(),
                        pc1=float(point), pc2=float(0.3 * point), pc3=float(rng.normal()),
                    ))
            # Two isolated stable points far from everything else (as in the real
            # memory-anti-number network): they must not stretch the axes.
            if run == "memory_anti_number":
                for point, (pc1, pc2) in enumerate(((-23.0, 22.0), (25.0, 18.0)), start=6):
                    rows.append(dict(rows[-1], input_condition="hold", point=point,
                                     mode="exact", stability="stable", n_unstable=0,
                                     pc1=pc1, pc2=pc2, pc3=0.5))
    return _frame(rows, "equilibria")


def _trajectories(rng) -> pd.DataFrame:
    rows = []
    for run in RUNS:
        for seed in SEEDS:
            conditions = CONDITIONS[run]
            for trial in range(len(conditions) + 1):
                walk = 2.0 * np.cumsum(rng.normal(0, 0.2, (30, 3)), axis=0)
                for t in range(30):
                    rows.append(dict(run=run, seed=seed, trial=trial, time_step=t,
                                     period="stimulus" if t < 20 else "decision",
                                     condition=conditions[trial % len(conditions)],
                                     pc1=walk[t, 0], pc2=walk[t, 1], pc3=walk[t, 2]))
    return _frame(rows, "equilibrium_trajectories")


def _psychometric() -> tuple[pd.DataFrame, pd.DataFrame]:
    rows, fits = [], []
    for seed in SEEDS:
        for context in ("motion", "colour"):
            for relevant in CDDM_COHERENCES:
                for irrelevant in CDDM_COHERENCES:
                    rows.append(dict(run="cddm", seed=seed, context=context,
                                     relevant_coherence=relevant,
                                     irrelevant_coherence=irrelevant,
                                     fraction_right=float(ndtr(8 * relevant + irrelevant)), n=4))
            for axis, slope in (("relevant", 8.0), ("irrelevant", 1.0)):
                fits.append(dict(run="cddm", seed=seed, context=context, axis=axis, slope=slope,
                                 bias=0.0, log_likelihood=-100.0, n=900))
    return _frame(rows, "psychometric"), _frame(fits, "psychometric_fits")


def _analytics() -> pd.DataFrame:
    rows = []
    for seed in SEEDS:
        for condition in ("motion_context", "colour_context"):
            base = dict(run="cddm", seed=seed, task="cddm", input_condition=condition,
                        analysis="line")
            for point in range(6):
                # Selection vectors along +PC1: at the line's right end they point out of it.
                for quantity, value in dict(position=point - 2.5, pc1=float(point),
                                            pc2=0.3 * point, selection_pc1=1.0,
                                            selection_pc2=0.2).items():
                    rows.append(dict(base, point=point, quantity=quantity, value=value))
            rows.append(dict(base, point=-1, quantity="n_points", value=6.0))
    return _frame(rows, "attractor_analytics")


def _performance_per_seed(rng) -> pd.DataFrame:
    rows = [dict(run=run, seed=seed, task=run, validation_score=float(rng.uniform(0.8, 1.0)),
                 mse=float(rng.uniform(0.001, 0.01)), ideal_score=0.7 if run == "cddm" else 1.0,
                 n_trials=256)
            for run in RUNS for seed in SEEDS]
    for row in rows:
        row["score_fraction_of_ideal"] = row["validation_score"] / row["ideal_score"]
    return _frame(rows, "task_performance")


def _performance(table: pd.DataFrame) -> pd.DataFrame:
    return aggregate("rnnlab.studies.ctrnn_zoo.aggregates:zoo_performance",
                     {"task_performance": table}, seed=0, n_resamples=100)


@pytest.fixture(scope="module")
def per_seed():
    rng = np.random.default_rng(0)
    psychometric, fits = _psychometric()
    return dict(trials=_example_trials(rng), points=_equilibria(rng),
                trajectories=_trajectories(rng), psychometric=psychometric, fits=fits,
                analytics=_analytics(), performance=_performance_per_seed(rng))


@pytest.fixture(scope="module")
def tables(per_seed):
    """Every seed: the structure figures show the first, the table the mean [95% CI]."""
    return dict(per_seed, performance=_performance(per_seed["performance"]))


@pytest.fixture(scope="module")
def one_seed(per_seed):
    """Seed 1 alone (the default configuration trains one seed): no interval anywhere."""
    first = {name: frame[frame["seed"] == 1].reset_index(drop=True)
             for name, frame in per_seed.items()}
    return dict(first, performance=_performance(first["performance"]))


FIGURES = {
    "example_trials": lambda t: trials.example_trials(t["trials"]),
    "fixed_point_structure": lambda t: structure.fixed_point_structure(t["points"],
                                                                       t["trajectories"]),
    "cddm_analysis": lambda t: cddm.cddm_analysis(t["psychometric"], t["fits"],
                                                       t["analytics"], t["points"]),
    "eigenvalue_spectra": lambda t: structure.eigenvalue_spectra(t["points"]),
    "validation_table": lambda t: trials.validation_table(t["performance"]),
}


def _empty(name: str):
    return {
        "example_trials": lambda: trials.example_trials(empty_frame("example_trials")),
        "fixed_point_structure": lambda: structure.fixed_point_structure(
            empty_frame("equilibria"), empty_frame("equilibrium_trajectories")),
        "cddm_analysis": lambda: cddm.cddm_analysis(
            empty_frame("psychometric"), empty_frame("psychometric_fits"),
            empty_frame("attractor_analytics"), empty_frame("equilibria")),
        "eigenvalue_spectra": lambda: structure.eigenvalue_spectra(empty_frame("equilibria")),
        "validation_table": lambda: trials.validation_table(pd.DataFrame(
            columns=["run", "task", "quantity", "mean", "ci_low", "ci_high", "n"])),
    }[name]()


def _only(runs, tables):
    return {k: v[v["run"].isin(runs)] for k, v in tables.items()}


def _assert_clean(figure: Figure) -> None:
    defects = figure_defects(figure)
    assert defects == [], "\n".join(defects)


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_figure_has_no_layout_defects(name, tables):
    _assert_clean(FIGURES[name](tables))


def test_one_seed_table_has_no_layout_defects(one_seed):
    # The other figures draw each run's first seed: with one seed they are drawn alike.
    _assert_clean(FIGURES["validation_table"](one_seed))


# One task: one row or one panel (cddm_analysis always draws the cddm run alone).
@pytest.mark.parametrize("name", sorted(set(FIGURES) - {"cddm_analysis"}))
def test_one_task_figure_has_no_layout_defects(name, tables):
    _assert_clean(FIGURES[name](_only(("cddm",), tables)))


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_empty_figure_has_no_layout_defects(name):
    _assert_clean(_empty(name))


def test_cddm_without_fits_or_line_has_no_layout_defects(tables):
    _assert_clean(cddm.cddm_analysis(tables["psychometric"], tables["fits"].iloc[0:0],
                                          tables["analytics"].iloc[0:0], tables["points"]))


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_figure_saves_to_png(name, tables, tmp_path):
    figure = FIGURES[name](tables)
    assert isinstance(figure, Figure)
    path = save_figure(figure, tmp_path / f"{name}.png")
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE) and len(data) > 5_000


def _legend_texts(legend) -> list[str]:
    return [t.get_text() for t in legend.get_texts()]


def test_structure_figure_has_a_3d_panel_and_a_full_legend_per_run(tables):
    figure = structure.fixed_point_structure(tables["points"], tables["trajectories"])
    names = [ax.name for ax in figure.axes]
    assert names.count("3d") == len(RUNS)
    flat = [ax for ax in figure.axes if ax.name == "rectilinear" and ax.axison]
    keys = [ax for ax in figure.axes if ax.name == "rectilinear" and not ax.axison]
    assert len(flat) == len(keys) == len(RUNS)
    # Every trajectory condition keyed (cddm has 7), in order of value, minus signs typeset.
    cddm_key = _legend_texts(keys[0].get_legend())
    assert cddm_key[:7] == ["colour −0.80", "colour −0.05", "motion −0.20", "motion +0.01",
                            "motion +0.03", "motion +0.05", "motion +0.20"]
    assert "input: motion_context" in cddm_key
    # The two isolated memory-anti-number points are left out of the view and counted.
    number = flat[RUNS.index("memory_anti_number")]
    assert "2 isolated points beyond the view" in number.get_title()
    assert number.get_ylim()[1] < 18 and number.get_xlim()[1] < 25
    assert sum(len(c.get_offsets()) for c in number.collections) == 12  # 2 × 6, not 14
    stability = _legend_texts(figure.legends[0])
    assert stability[:3] == ["stable", "marginal", "unstable"]


def test_cddm_analysis_keys_the_irrelevant_coherence_and_keeps_arrows_inside(tables):
    figure = cddm.cddm_analysis(tables["psychometric"], tables["fits"], tables["analytics"],
                                tables["points"])
    colorbars = [ax for ax in figure.axes if hasattr(ax, "_colorbar")]
    assert [ax._colorbar.ax.get_ylabel() for ax in colorbars] == ["irrelevant coherence"]
    for ax in figure.axes[2:4]:
        (arrows,) = [c for c in ax.collections if type(c).__name__ == "Quiver"]
        tips = arrows.get_offsets() + np.column_stack([arrows.U, arrows.V])
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        assert ((tips[:, 0] <= x1) & (tips[:, 0] >= x0) & (tips[:, 1] <= y1)
                & (tips[:, 1] >= y0)).all()


def test_example_trials_name_the_channels_and_the_shading(tables):
    figure = trials.example_trials(tables["trials"])
    keys = [ax.get_legend() for ax in figure.axes if ax.get_legend() is not None]
    assert _legend_texts(keys[0]) == ["choice right", "choice left"]
    assert _legend_texts(keys[1]) == ["bit 1", "bit 2", "bit 3"]
    assert _legend_texts(figure.legends[0]) == ["network output", "target",
                                                "outside the loss (not trained)"]


def _cells(figure) -> list[str]:
    return [c.get_text().get_text() for c in figure.axes[0].tables[0].get_celld().values()]


def test_validation_table_shows_every_task_with_its_ci(tables):
    texts = _cells(trials.validation_table(tables["performance"]))
    assert sum(t in TASK_LABELS.values() for t in texts) == len(RUNS)
    assert "validation score [95% CI]" in texts and "seeds (n)" in texts
    assert sum("[" in t for t in texts) == 2 * len(RUNS) + 2  # two intervals per row, headers
    assert texts.count("2") == len(RUNS)


def test_validation_table_says_no_interval_with_one_seed(one_seed):
    texts = _cells(trials.validation_table(one_seed["performance"]))
    assert not any("[" in t for t in texts)  # no empty bracket, no "[95% CI]" header
    assert texts.count("1 (no interval with 1 seed)") == len(RUNS)


def test_empty_tables_still_draw(tmp_path):
    figures = [
        trials.example_trials(empty_frame("example_trials")),
        structure.fixed_point_structure(empty_frame("equilibria"),
                                        empty_frame("equilibrium_trajectories")),
        cddm.cddm_analysis(empty_frame("psychometric"), empty_frame("psychometric_fits"),
                                empty_frame("attractor_analytics"), empty_frame("equilibria")),
        structure.eigenvalue_spectra(empty_frame("equilibria")),
    ]
    for index, figure in enumerate(figures):
        assert save_figure(figure, tmp_path / f"{index}.png").exists()


def test_missing_columns_are_named(tables):
    with pytest.raises(ValueError, match="in_loss"):
        trials.example_trials(tables["trials"].drop(columns="in_loss"))


def test_cddm_titles_give_only_measured_evidence(tables):
    # An untrained network: one slow point per input, no line, the measures NaN.
    summary = [dict(run="cddm", seed=seed, task="cddm", input_condition=condition,
                    analysis="line", point=-1, quantity=quantity, value=value)
               for seed in SEEDS for condition in ("motion_context", "colour_context")
               for quantity, value in (("is_line_attractor", 0.0), ("held_coverage", np.nan),
                                       ("marginal_time_constant_ms", np.nan))]
    analytics = _frame(summary, "attractor_analytics")
    figure = cddm.cddm_analysis(tables["psychometric"], tables["fits"], analytics,
                                tables["points"])
    titles = [ax.get_title() for ax in figure.axes[2:4]]
    assert titles == ["motion context input: no line attractor",
                      "colour context input: no line attractor"]
    _assert_clean(figure)
