"""Stages zoo_performance and zoo_equilibria on tiny networks trained for a few steps, and the
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
from rnnlab.analysis import attractor_summaries, held_states
from rnnlab.studies.ctrnn_zoo.stages import equilibria as zoo_equilibria
from rnnlab.studies.ctrnn_zoo.stages.equilibria import ZooEquilibriumSettings, equilibria
from rnnlab.studies.ctrnn_zoo.stages.performance import task_performance
from rnnlab.studies.ctrnn_zoo.tasks import make_task
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
        "study": "ctrnn_zoo",
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
        return {task: equilibria(d, **SETTINGS) for task, d in checkpoints.items()}


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
    summary = aggregate("rnnlab.studies.ctrnn_zoo.aggregates:zoo_performance", {"task_performance": table}, seed=0, n_resamples=50)
    check_frame(summary, "statistic")
    # Four continuous quantities (bootstrap) and the trained verdict (Clopper–Pearson) per task.
    assert len(summary) == 5 * len(TASKS)
    assert set(summary["quantity"]) == {"validation_score", "mse", "ideal_score",
                                        "score_fraction_of_ideal", "is_trained"}
    kinds = summary.set_index("quantity")["interval"]
    assert set(kinds[["is_trained"]]) == {"clopper_pearson"}
    assert set(kinds[["validation_score", "mse"]]) == {"bootstrap"}


@pytest.mark.parametrize("task", TASKS)
def test_equilibrium_tables_match_their_schemas(task, equilibrium_tables, tmp_path):
    tables = equilibrium_tables[task]
    assert list(tables) == EQUILIBRIUM_KEYS
    for name, frame in tables.items():
        check_frame(frame, name, f"{task} {name}")
        _round_trip(frame, name, tmp_path)
    search = tables["equilibrium_search"]
    conditions = list(_task(task).fixed_point_conditions)
    assert list(search["input_condition"]) == [c for c in conditions for _ in range(2)]
    assert list(search["mode"]) == ["exact", "slow"] * len(conditions)
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
    searches = equilibrium_tables[task]["equilibrium_search"]
    settings = ZooEquilibriumSettings.from_dict(SETTINGS).finder_settings()
    exact = points["mode"] == "exact"
    assert set(points["mode"]) <= {"exact", "slow"}
    assert (points.loc[exact, "rhs_squared_norm"] < 2 * settings.converged_q).all()
    # Slow points are below their condition's tolerance ½(f·L/T)², recorded in the search table.
    slow_searches = searches[searches["mode"] == "slow"].set_index("input_condition")
    for row in points[~exact].itertuples():
        assert row.rhs_squared_norm < 2 * slow_searches.loc[row.input_condition, "q_tolerance"]
    for row in slow_searches.itertuples():
        expected = 0.5 * (0.1 * row.manifold_scale / row.period_ms) ** 2
        assert row.q_tolerance == pytest.approx(max(expected, settings.converged_q))
        assert row.n_converged + row.n_slow + row.n_failed == row.n_initial
    # Point numbers are unique within a condition (exact first, then slow).
    assert not points.duplicated(["input_condition", "point"]).any()
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
        "cddm": {(c, a) for c in ("motion_context", "colour_context")
                 for a in ("line", "output")},
        "dmts": set(),
        "three_bit_flip_flop": {("no_input", "flip_flop")},
        "memory_anti_number": {(c, a) for c in ("hold", "recall") for a in ("line", "output")},
        "memory_anti_angle": {(c, a) for c in ("hold", "recall")
                              for a in ("ring", "closure", "output")},
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
    rows = attractor_summaries.line_rows(result, points, "c", pcs,
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
    summary = _summary(attractor_summaries.ring_rows(result, points, "hold"))
    assert summary["radius_mean"] == pytest.approx(1.0)
    assert summary["radius_cv"] < 1e-6 and summary["coverage"] > 0.7
    assert summary["tangent_cosine_mean"] == pytest.approx(1.0)


def test_flip_flop_rows_count_saddles_between_corners():
    result, _ = _solve(_bistable, 3)
    summary = _summary(attractor_summaries.flip_flop_rows(result, result.labels, "no_input", 1e-3))
    assert summary["n_stable"] >= 4
    assert summary["n_saddles_connecting_two_stable"] >= 1
    assert summary["n_points"] == len(result)


def test_too_few_points_give_nan_summaries():
    result, pcs = _solve(_bistable, 3)
    line = _summary(attractor_summaries.line_rows(result, np.arange(2), "c", pcs, {"relevant": 1}))
    ring = _summary(attractor_summaries.ring_rows(result, np.arange(1), "hold"))
    assert line["n_points"] == 2 and np.isnan(line["line_variance_explained"])
    assert ring["n_points"] == 1 and np.isnan(ring["coverage"])


def test_unknown_settings_are_rejected():
    with pytest.raises(ValueError, match="unknown equilibria setting"):
        ZooEquilibriumSettings.from_dict({"n_trial": 3})


# ----------------------------------------------------------------------------- slow manifolds


def _slow_line(x, u):  # an approximate line attractor: e1 decays with rate 1e-5 /ms, the rest 1
    return torch.cat([-1e-5 * x[:, :1], -x[:, 1:]], dim=1)


def test_slow_search_spreads_along_an_approximate_line_the_exact_search_collapses():
    rng = np.random.default_rng(1)
    initial = np.zeros((64, 4))
    initial[:, 0] = np.linspace(-2.0, 2.0, 64)
    initial[:, 1:] = 0.3 * rng.standard_normal((64, 3))
    exact = find_equilibria(_slow_line, initial, np.zeros(1), settings=_FINDER)
    assert len(exact) == 1  # only the origin is a root: the exact mode finds no line
    # Drift over a period T = 1000 ms below f = 0.1 of the spread L = 1 of the held states.
    on_line = initial * np.array([1.0, 0.0, 0.0, 0.0])  # the trials' end states
    held = held_states.HeldStates("delay", initial, on_line[::4], 1000.0, 1.0)
    tolerance = held.q_tolerance(0.1, 1e-12)
    assert tolerance == pytest.approx(0.5 * 1e-8)
    settings = ZooEquilibriumSettings.from_dict({}).slow_settings(tolerance, held.scale)
    slow = find_equilibria(_slow_line, initial, np.zeros(1), settings=settings)
    # q = ½(1e-5·x1)² + ½‖x⊥‖²: the whole segment |x1| ≤ 2 is slow, so the points only lose
    # their off-line components and stay spread along the line.
    assert len(slow) > 40
    assert (slow.q < tolerance).all()
    assert np.abs(slow.states[:, 1:]).max() < 1e-3
    assert np.ptp(slow.states[:, 0]) > 3.5
    rows = attractor_summaries.line_rows(slow, np.arange(len(slow)), "hold",
                                      PrincipalComponents.fit(initial),
                                      {"along": np.eye(4)[0], "across": np.eye(4)[1]}, held)
    summary = _summary(rows)
    assert summary["right_tangent_cosine_mean"] == pytest.approx(1.0, abs=1e-6)
    assert summary["selection_cosine_along_mean"] == pytest.approx(1.0, abs=1e-6)
    assert summary["selection_cosine_across_mean"] == pytest.approx(0.0, abs=1e-6)
    assert summary["marginal_time_constant_ms"] == pytest.approx(1e5)
    assert summary["held_distance"] < 0.05
    assert summary["is_line_attractor"] == 1.0
    # End states far off the line (the trials do not use it): not the network's line attractor.
    far = held_states.HeldStates("delay", initial, on_line[::4] + [0, 1, 0, 0], 1000.0, 1.0)
    summary = _summary(attractor_summaries.line_rows(
        slow, np.arange(len(slow)), "hold", PrincipalComponents.fit(initial), {}, far))
    assert summary["held_distance"] == pytest.approx(1.0, abs=1e-3)
    assert summary["is_line_attractor"] == 0.0


def test_fast_line_is_not_called_a_line_attractor():
    rng = np.random.default_rng(4)
    initial = np.zeros((64, 3))
    initial[:, 0] = np.linspace(-2.0, 2.0, 64)
    initial[:, 1:] = 0.3 * rng.standard_normal((64, 2))

    def flow(x, u):  # e1 decays with rate 1e-2 /ms: a 100 ms time constant
        return torch.cat([-1e-2 * x[:, :1], -x[:, 1:]], dim=1)

    held = held_states.HeldStates("delay", initial, initial, 1000.0, 1.0)
    tolerance = held.q_tolerance(0.1, 1e-12)
    settings = ZooEquilibriumSettings.from_dict({}).slow_settings(tolerance, held.scale)
    slow = find_equilibria(flow, initial, np.zeros(1), settings=settings)
    # Only |x1| < √(2·tol)/1e-2 = 0.01 is slow enough: the points gather at the root.
    assert np.abs(slow.states[:, 0]).max() < 0.011
    summary = _summary(attractor_summaries.line_rows(
        slow, np.arange(len(slow)), "hold", PrincipalComponents.fit(initial), {}, held))
    assert summary["is_line_attractor"] == 0.0
    assert summary["coverage"] < 0.01 or np.isnan(summary["coverage"])


def test_slow_points_cover_a_slow_line_and_the_criteria_call_it_a_line():
    rng = np.random.default_rng(2)
    initial = np.zeros((96, 3))
    initial[:, 0] = rng.uniform(-50.0, 50.0, 96)  # q = ½(1e-5 x1)² < ½(1e-3)² for |x1| < 100
    initial[:, 1:] = 0.5 * rng.standard_normal((96, 2))

    def flow(x, u):  # marginal rate 1e-5 /ms: a time constant of 100 s
        return torch.cat([-1e-5 * x[:, :1], -x[:, 1:]], dim=1)

    held = held_states.HeldStates("delay", initial, initial, 1000.0, 10.0)
    tolerance = held.q_tolerance(0.1, 1e-12)
    settings = ZooEquilibriumSettings.from_dict({}).slow_settings(tolerance, held.scale)
    slow = find_equilibria(flow, initial, np.zeros(1), settings=settings)
    summary = _summary(attractor_summaries.line_rows(
        slow, np.arange(len(slow)), "hold", PrincipalComponents.fit(initial), {}, held))
    assert summary["coverage"] > 0.95
    assert summary["marginal_time_constant_ms"] == pytest.approx(1e5)
    assert summary["is_line_attractor"] == 1.0
    # The same points judged against a period longer than their time constant: not a line.
    slow_held = held_states.HeldStates("delay", initial, initial, 1e6, 10.0)
    summary = _summary(attractor_summaries.line_rows(
        slow, np.arange(len(slow)), "hold", PrincipalComponents.fit(initial), {}, slow_held))
    assert summary["is_line_attractor"] == 0.0


def test_slow_search_covers_an_approximate_ring():
    def flow(x, u):  # unit circle in (x1, x2) with a slow angular drift θ' = −1e-4 sin θ
        radius2 = (x[:, :2] ** 2).sum(dim=1, keepdim=True)
        angle = torch.atan2(x[:, 1:2], x[:, :1])
        drift = -1e-4 * torch.sin(angle)
        tangent = torch.cat([-x[:, 1:2], x[:, :1]], dim=1)
        return torch.cat([x[:, :2] * (1 - radius2) + drift * tangent, -x[:, 2:]], dim=1)

    angles = np.linspace(-np.pi, np.pi, 72, endpoint=False)
    rng = np.random.default_rng(3)
    initial = np.column_stack([np.cos(angles), np.sin(angles), np.zeros(72)])
    initial += 0.05 * rng.standard_normal(initial.shape)
    exact = find_equilibria(flow, initial, np.zeros(1),
                            settings=ZooEquilibriumSettings.from_dict({}).finder_settings())
    on_ring = np.abs(np.linalg.norm(exact.states[:, :2], axis=1) - 1) < 1e-6
    assert on_ring.sum() == 2  # θ = 0 and π are the only roots on the ring
    held = held_states.HeldStates("delay", initial, initial, 1000.0, 1.0)
    tolerance = held.q_tolerance(0.1, 1e-12)
    settings = ZooEquilibriumSettings.from_dict({}).slow_settings(tolerance, held.scale)
    slow = find_equilibria(flow, initial, np.zeros(1), settings=settings)
    summary = _summary(attractor_summaries.ring_rows(slow, np.arange(len(slow)), "hold", held))
    assert summary["coverage"] > 0.9
    assert summary["radius_cv"] < 0.05
    assert summary["tangent_cosine_mean"] > 0.99
    assert summary["marginal_time_constant_ms"] > 1000.0
    assert summary["is_ring_attractor"] == 1.0


def test_held_states_follow_the_jittered_periods():
    task = make_task("memory_anti_number", dt_ms=20.0, duration_ms=2000.0, recall_on_ms=1000.0,
                     response_jitter_ms=600.0)
    batch = task.sample(np.random.default_rng(0), 32)
    states = np.arange(32 * batch.n_steps, dtype=np.float64).reshape(32, batch.n_steps, 1)
    held = held_states.held_states(task, batch, states, "hold")
    delay = batch.periods["delay"]
    assert held.period == "delay"
    assert held.period_ms == (delay[:, 1] - delay[:, 0]).max() * 20.0
    np.testing.assert_array_equal(held.end[:, 0], states[np.arange(32), delay[:, 1] - 1, 0])
    assert len(held.visited) == (delay[:, 1] - delay[:, 0]).sum()
    cddm = make_task("cddm", dt_ms=20.0)
    batch = cddm.sample(np.random.default_rng(0), 16)
    states = np.zeros((16, batch.n_steps, 2))
    held = held_states.held_states(cddm, batch, states, "colour_context")
    assert len(held.end) == (batch.conditions["context"] == "colour").sum()


def test_test_trials_cover_every_condition_when_they_can():
    angle = make_task("memory_anti_angle", dt_ms=20.0)
    batch = zoo_equilibria.test_trials(angle, 64, np.random.default_rng(0))
    counts = batch.conditions["angle"].round(9).value_counts()
    assert len(counts) == 36 and counts.min() == 1 and counts.max() == 2 and counts.sum() == 64
    cddm = make_task("cddm", dt_ms=20.0)  # 450 conditions > 64 trials: random ones
    assert zoo_equilibria.test_trials(cddm, 64, np.random.default_rng(0)).batch_size == 64


class _Rotation:
    """A toy model whose step turns (x1, x2) by ω·dt (rad/ms) and leaves the rest: a ring with a
    uniform drift of ω (the closure test's drift must read it back in degrees per second)."""

    def __init__(self, omega_per_ms: float, dt_ms: float):
        self.turn = omega_per_ms * dt_ms

    def step(self, state, u):
        c, s = np.cos(self.turn), np.sin(self.turn)
        x1, x2 = state[:, :1], state[:, 1:2]
        return torch.cat([c * x1 - s * x2, s * x1 + c * x2, state[:, 2:]], dim=1)


def test_loop_drift_reads_the_drift_off_the_loop_in_degrees_per_second():
    from rnnlab.studies.ctrnn_zoo.stages.closure import loop_angles, loop_drift

    angles = 2 * np.pi * np.arange(72) / 72
    # A non-circular closed loop (an ellipse tilted out of its plane): read by position.
    loop = np.column_stack([3 * np.cos(angles), np.sin(angles), 0.5 * np.cos(angles)])
    between = angles + np.radians(2.0)
    probes = np.column_stack([3 * np.cos(between), np.sin(between), 0.5 * np.cos(between)])
    read = np.degrees(np.angle(np.exp(1j * (loop_angles(probes, loop, angles) - between))))
    assert np.abs(read).max() < 0.3  # degrees: interpolated between 5° vertices
    assert np.allclose(loop_angles(loop, loop, angles), angles)
    # A circle turning at 20°/s: every angle drifts +20°/s (the wrap-around included).
    circle = np.column_stack([np.cos(angles), np.sin(angles), np.zeros(72)])
    drift = loop_drift(_Rotation(np.radians(20.0) / 1000.0, 20.0), np.zeros(1), angles,
                       circle, 1000.0, 20.0)
    assert drift == pytest.approx(np.full(72, 20.0), abs=0.05)
    still = loop_drift(_Rotation(0.0, 20.0), np.zeros(1), angles, circle, 1000.0, 20.0)
    assert np.abs(still).max() < 1e-9
