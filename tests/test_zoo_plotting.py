"""Figures of the CTRNN-zoo study (rnnlab.plotting.ctrnn_zoo) on synthetic tables with the
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
from rnnlab.studies.ctrnn_zoo import figures as ctrnn_zoo
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


def _equilibria(rng) -> pd.DataFrame:
    rows = []
    conditions = {"cddm": ("motion_context", "colour_context"),
                  "three_bit_flip_flop": ("no_input",), "memory_anti_number": ("hold",)}
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
    return _frame(rows, "equilibria")


def _trajectories(rng) -> pd.DataFrame:
    rows = []
    for run in RUNS:
        for seed in SEEDS:
            for trial in range(4):
                walk = np.cumsum(rng.normal(0, 0.2, (30, 3)), axis=0)
                for t in range(30):
                    rows.append(dict(run=run, seed=seed, trial=trial, time_step=t,
                                     period="stimulus" if t < 20 else "decision",
                                     condition=f"motion {(-1) ** trial * 0.4:+.2f}",
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
                for quantity, value in dict(position=point - 2.5, pc1=float(point),
                                            pc2=0.3 * point, selection_pc1=0.2,
                                            selection_pc2=1.0).items():
                    rows.append(dict(base, point=point, quantity=quantity, value=value))
            rows.append(dict(base, point=-1, quantity="n_points", value=6.0))
    return _frame(rows, "attractor_analytics")


def _performance(rng) -> pd.DataFrame:
    rows = [dict(run=run, seed=seed, task=run, validation_score=float(rng.uniform(0.8, 1.0)),
                 mse=float(rng.uniform(0.001, 0.01)), n_trials=256)
            for run in RUNS for seed in SEEDS]
    table = _frame(rows, "task_performance")
    return aggregate("rnnlab.studies.ctrnn_zoo.aggregates:zoo_performance", {"task_performance": table}, seed=0, n_resamples=100)


@pytest.fixture(scope="module")
def tables():
    rng = np.random.default_rng(0)
    psychometric, fits = _psychometric()
    return dict(trials=_example_trials(rng), points=_equilibria(rng),
                trajectories=_trajectories(rng), psychometric=psychometric, fits=fits,
                analytics=_analytics(), performance=_performance(rng))


FIGURES = {
    "example_trials": lambda t: ctrnn_zoo.example_trials(t["trials"]),
    "fixed_point_structure": lambda t: ctrnn_zoo.fixed_point_structure(t["points"],
                                                                       t["trajectories"]),
    "cddm_analysis": lambda t: ctrnn_zoo.cddm_analysis(t["psychometric"], t["fits"],
                                                       t["analytics"], t["points"]),
    "eigenvalue_spectra": lambda t: ctrnn_zoo.eigenvalue_spectra(t["points"]),
    "validation_table": lambda t: ctrnn_zoo.validation_table(t["performance"]),
}


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_figure_saves_to_png(name, tables, tmp_path):
    figure = FIGURES[name](tables)
    assert isinstance(figure, Figure)
    path = save_figure(figure, tmp_path / f"{name}.png")
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE) and len(data) > 5_000


def test_structure_figure_has_a_3d_panel_per_run(tables):
    figure = ctrnn_zoo.fixed_point_structure(tables["points"], tables["trajectories"])
    names = [ax.name for ax in figure.axes]
    assert names.count("3d") == len(RUNS) and names.count("rectilinear") == len(RUNS)


def test_validation_table_shows_every_task_with_its_ci(tables):
    figure = ctrnn_zoo.validation_table(tables["performance"])
    texts = [c.get_text().get_text() for c in figure.axes[0].tables[0].get_celld().values()]
    assert sum(t in ctrnn_zoo.TASK_LABELS.values() for t in texts) == len(RUNS)
    assert any("[" in t for t in texts)


def test_empty_tables_still_draw(tmp_path):
    figures = [
        ctrnn_zoo.example_trials(empty_frame("example_trials")),
        ctrnn_zoo.fixed_point_structure(empty_frame("equilibria"),
                                        empty_frame("equilibrium_trajectories")),
        ctrnn_zoo.cddm_analysis(empty_frame("psychometric"), empty_frame("psychometric_fits"),
                                empty_frame("attractor_analytics"), empty_frame("equilibria")),
        ctrnn_zoo.eigenvalue_spectra(empty_frame("equilibria")),
    ]
    for index, figure in enumerate(figures):
        assert save_figure(figure, tmp_path / f"{index}.png").exists()


def test_missing_columns_are_named(tables):
    with pytest.raises(ValueError, match="in_loss"):
        ctrnn_zoo.example_trials(tables["trials"].drop(columns="in_loss"))
