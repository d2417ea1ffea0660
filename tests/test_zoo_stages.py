"""Stages zoo_performance and zoo_fixed_points on tiny networks trained for a few steps, and the
attractor analytics on flows with known line / ring / flip-flop equilibria."""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import pandas as pd
import pytest
import torch

from rnnlab.aggregation import aggregate
from rnnlab.analysis.fixed_points import FixedPointSettings, find_equilibria
from rnnlab.analysis.network_fixed_points import PrincipalComponents
from rnnlab.checkpoints import list_checkpoints
from rnnlab.experiment import load_model, train_run
from rnnlab.stages import zoo_fixed_points
from rnnlab.stages.zoo_fixed_points import ZooEquilibriumSettings, equilibria
from rnnlab.stages.zoo_performance import task_performance
from rnnlab.tasks import make_task
from rnnlab.tables import Provenance, check_frame, read_table, write_table

TASKS = ("cddm", "dmts", "three_bit_flip_flop", "memory_anti_number", "memory_anti_angle")
PERFORMANCE_KEYS = ["task_performance", "example_trials", "psychometric", "psychometric_fits"]
EQUILIBRIUM_KEYS = ["equilibria", "equilibrium_search", "equilibrium_trajectories",
                    "attractor_analytics"]
SETTINGS = dict(n_trials=16, n_initial_states=32, n_example_trials=2, seed=3,
                finder=dict(adam_steps=50, refine_steps=40))


def _run_config(task: str) -> dict:
    # dt 50 ms keeps T at 30–40 steps; τ = dt/leak = 100 ms as in the study.
    return {
        "study": "zoo_test",
        "run": task,
        "task": {"name": task, "dt_ms": 50.0},
        "model": {"hidden_size": 8, "dale": False, "leak": 0.5},
        "optimizer": {"name": "adam", "learning_rate": 0.01},
        "training": {"steps": 3, "batch_size": 8, "checkpoint_fractions": [0.0, 1.0],
                     "log_every": 1},
    }


@contextmanager
def _one_thread():
    # Module fixtures run outside conftest's per-test single-thread fixture; tiny ops on a
    # loaded machine are ~100× slower with two threads.
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory) -> dict[str, object]:
    directories = {}
    with _one_thread():
        for task in TASKS:
            directory = tmp_path_factory.mktemp(task)
            train_run(_run_config(task), seed=5, checkpoint_directory=directory)
            directories[task] = directory
    return directories


@pytest.fixture(scope="module")
def performance(checkpoints):
    with _one_thread():
        return {task: task_performance(d, n_trials=32, seed=1, psychometric_repeats=2,
                                       n_example_trials=3) for task, d in checkpoints.items()}


@pytest.fixture(scope="module")
def equilibrium_tables(checkpoints):
    with _one_thread():
        return {task: equilibria(d, SETTINGS) for task, d in checkpoints.items()}


def _round_trip(frame: pd.DataFrame, table: str, tmp_path) -> pd.DataFrame:
    path = tmp_path / f"{table}.parquet"
    write_table(frame, path, table, Provenance("zoo_test", "r", 5, "hash"))
    return read_table(path, table)


@pytest.mark.parametrize("task", TASKS)
def test_performance_tables_match_their_schemas(task, performance, tmp_path):
    tables = performance[task]
    assert list(tables) == PERFORMANCE_KEYS
    for name, frame in tables.items():
        check_frame(frame, name, f"{task} {name}")
        _round_trip(frame, name, tmp_path)
        if not frame.empty:
            assert (frame["run"] == task).all() and (frame["seed"] == 5).all()
    row = tables["task_performance"].iloc[0]
    assert row["task"] == task and row["n_trials"] == 32
    assert np.isfinite(row["mse"]) and row["validation_score"] <= 1
    trials = tables["example_trials"]
    assert trials["trial"].nunique() == 3
    assert not trials["in_loss"].all()  # the grace window is marked
    assert np.allclose(np.diff(np.sort(trials["time_ms"].unique())), 50.0)
    if task == "cddm":
        assert len(tables["psychometric"]) == 450
        assert (tables["psychometric"]["n"] == 2).all()
        assert len(tables["psychometric_fits"]) == 4
        assert set(tables["psychometric_fits"]["axis"]) == {"relevant", "irrelevant"}
    else:
        assert tables["psychometric"].empty and tables["psychometric_fits"].empty


def test_performance_is_deterministic_and_uses_the_final_checkpoint(checkpoints, performance):
    again = task_performance(checkpoints["dmts"], n_trials=32, seed=1, psychometric_repeats=2,
                             n_example_trials=3)
    pd.testing.assert_frame_equal(again["example_trials"], performance["dmts"]["example_trials"])
    assert len(list_checkpoints(checkpoints["dmts"])) == 2


def test_aggregate_zoo_performance(performance):
    table = pd.concat([performance[t]["task_performance"] for t in TASKS], ignore_index=True)
    summary = aggregate("zoo_performance", {"task_performance": table}, seed=0, n_resamples=50)
    check_frame(summary, "statistic")
    assert len(summary) == 2 * len(TASKS)
    assert set(summary["quantity"]) == {"validation_score", "mse"}


@pytest.mark.parametrize("task", TASKS)
def test_equilibrium_tables_match_their_schemas(task, equilibrium_tables, tmp_path):
    tables = equilibrium_tables[task]
    assert list(tables) == EQUILIBRIUM_KEYS
    for name, frame in tables.items():
        check_frame(frame, name, f"{task} {name}")
        _round_trip(frame, name, tmp_path)
    search = tables["equilibrium_search"]
    assert list(search["input_condition"]) == list(_task(task).fixed_point_conditions)
    assert (search[["n_converged", "n_slow", "n_failed"]].sum(axis=1) == search["n_initial"]).all()
    points = tables["equilibria"]
    assert len(points) == search["n_unique"].sum() >= 1
    trajectories = tables["equilibrium_trajectories"]
    assert trajectories["trial"].nunique() == 2
    assert (trajectories["condition"] != "").all()


def _task(name: str):
    return make_task(name)


@pytest.mark.parametrize("task", TASKS)
def test_equilibria_modes_and_flow_agree(task, checkpoints, equilibrium_tables):
    points = equilibrium_tables[task]["equilibria"]
    settings = ZooEquilibriumSettings.from_dict(SETTINGS).finder_settings()
    exact = points["mode"] == "exact"
    assert (points.loc[exact, "rhs_squared_norm"] < 2 * settings.converged_q).all()
    slow = points.loc[~exact, "rhs_squared_norm"]
    assert ((slow >= 2 * settings.converged_q) & (slow < 2 * settings.slow_point_q)).all()
    # Recompute dx/dt through the model at every exact point.
    model, task_object, _ = load_model(list_checkpoints(checkpoints[task])[-1])
    for row in points[exact].itertuples():
        state = torch.tensor([row.state], dtype=torch.float64)
        inputs = torch.from_numpy(task_object.fixed_point_inputs(row.input_condition)).double()
        speed = model.flow(state, inputs[None]).norm().item()
        assert speed**2 == pytest.approx(row.rhs_squared_norm, abs=1e-14)
        assert speed < 2e-6  # 1/ms
    # All N eigenvalues stored, sorted by descending Re λ, and consistent with the stability.
    for row in points.itertuples():
        real = np.asarray(row.eigenvalues_real)
        assert len(real) == 8 == len(row.state) == len(row.eigenvalues_imag)
        assert np.all(np.diff(real) <= 1e-12)
        assert row.max_real_eigenvalue == pytest.approx(real[0])
        assert (row.stability == "unstable") == (row.n_unstable > 0)


def test_analytics_rows_for_each_task(equilibrium_tables):
    expected = {
        "cddm": {("motion_context", "line"), ("colour_context", "line")},
        "dmts": set(),
        "three_bit_flip_flop": {("no_input", "flip_flop")},
        "memory_anti_number": {("hold", "line")},
        "memory_anti_angle": {("hold", "ring"), ("recall", "ring")},
    }
    for task, pairs in expected.items():
        analytics = equilibrium_tables[task]["attractor_analytics"]
        found = set(zip(analytics["input_condition"], analytics["analysis"]))
        assert found == pairs, task
        summary = analytics[analytics["point"] == -1]
        assert set(zip(summary["input_condition"], summary["analysis"])) == pairs
        assert (analytics["task"] == task).all()


# ----------------------------------------------------------------------------- known flows

_FINDER = FixedPointSettings(adam_steps=0, refine_steps=50, converged_q=1e-12, slow_point_q=5e-9)


def _line(x, u):  # x1 free, the rest decays: a line attractor along e1
    return torch.cat([torch.zeros_like(x[:, :1]), -x[:, 1:]], dim=1)


def _ring(x, u):  # unit circle in (x1, x2), the rest decays
    radius2 = (x[:, :2] ** 2).sum(dim=1, keepdim=True)
    return torch.cat([x[:, :2] * (1 - radius2), -x[:, 2:]], dim=1)


def _bistable(x, u):  # x − x³ per unit: 8 stable corners and saddles between them
    return x - x**3


def _solve(flow, n_states):
    initial = np.random.default_rng(0).uniform(-1.5, 1.5, (64, n_states))
    result = find_equilibria(flow, initial, np.zeros(1), settings=_FINDER)
    return result, PrincipalComponents.fit(initial)


def _summary(rows) -> dict[str, float]:
    frame = pd.DataFrame(rows)
    return dict(zip(frame.loc[frame["point"] == -1, "quantity"],
                    frame.loc[frame["point"] == -1, "value"]))


def test_line_rows_find_the_line_and_its_selection_vector():
    result, pcs = _solve(_line, 4)
    points = np.flatnonzero(result.labels != "unstable")
    rows = zoo_fixed_points.line_rows(result, points, "c", pcs,
                                      {"relevant": np.eye(4)[0], "irrelevant": np.eye(4)[1]})
    summary = _summary(rows)
    assert summary["n_points"] > 10
    assert summary["line_variance_explained"] == pytest.approx(1.0)
    assert summary["right_tangent_cosine_mean"] == pytest.approx(1.0)
    assert summary["selection_cosine_relevant_mean"] == pytest.approx(1.0)
    assert summary["selection_cosine_irrelevant_mean"] == pytest.approx(0.0, abs=1e-9)
    per_point = pd.DataFrame(rows).query("point >= 0")
    assert {"pc1", "pc2", "selection_pc1", "selection_pc2", "eigenvalue_real"} <= set(
        per_point["quantity"])


def test_ring_rows_find_the_circle():
    result, _ = _solve(_ring, 4)
    points = np.flatnonzero(result.labels != "unstable")
    summary = _summary(zoo_fixed_points.ring_rows(result, points, "hold"))
    assert summary["radius_mean"] == pytest.approx(1.0)
    assert summary["radius_cv"] < 1e-6 and summary["coverage"] > 0.7
    assert summary["tangent_cosine_mean"] == pytest.approx(1.0)


def test_flip_flop_rows_count_saddles_between_corners():
    result, _ = _solve(_bistable, 3)
    summary = _summary(zoo_fixed_points.flip_flop_rows(result, result.labels, "no_input", 1e-3))
    assert summary["n_stable"] >= 4
    assert summary["n_saddles_connecting_two_stable"] >= 1
    assert summary["n_points"] == len(result)


def test_too_few_points_give_nan_summaries():
    result, pcs = _solve(_bistable, 3)
    line = _summary(zoo_fixed_points.line_rows(result, np.arange(2), "c", pcs, {"relevant": 1}))
    ring = _summary(zoo_fixed_points.ring_rows(result, np.arange(1), "hold"))
    assert line["n_points"] == 2 and np.isnan(line["line_variance_explained"])
    assert ring["n_points"] == 1 and np.isnan(ring["coverage"])


def test_unknown_settings_are_rejected():
    with pytest.raises(ValueError, match="unknown equilibria setting"):
        ZooEquilibriumSettings.from_dict({"n_trial": 3})
