"""Tests for the batched fixed-point / equilibrium finder (rnnlab.analysis.fixed_points)."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pytest
import torch
from scipy.optimize import brentq

from rnnlab.analysis.fixed_points import (
    FixedPointResult,
    FixedPointSettings,
    classify_flow_stability,
    classify_map_motif,
    find_equilibria,
    find_fixed_points,
    find_roots,
)


def _sorted_by_magnitude(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values)
    return values[np.lexsort((-values.real, -values.imag, -np.abs(values)))]


def _linear_map(n: int, radius: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(n, n))
    a *= radius / np.abs(np.linalg.eigvals(a)).max()
    b = rng.normal(size=(n, 2))
    return a, b


def _check_eigenvectors(result: FixedPointResult) -> None:
    for p in range(result.n_unique):
        jac = result.jacobians[p]
        lam = result.eigenvalues[p, 0]
        v = result.leading_right_eigenvector[p]
        w = result.leading_left_eigenvector[p]
        np.testing.assert_allclose(jac @ v, lam * v, atol=1e-8)
        np.testing.assert_allclose(jac.T @ w, lam * w, atol=1e-8)
        assert np.linalg.norm(v) == pytest.approx(1.0)
        assert np.linalg.norm(w) == pytest.approx(1.0)


# ---------------------------------------------------------------------------------------------
# Maps


@pytest.mark.parametrize("n", [10, 200])  # 200: batched solves above the threading bug's size
def test_linear_map_finds_the_unique_stable_point(n):
    a, b = _linear_map(n, 0.5, seed=0)
    u = np.array([0.3, -0.7])
    a_t, b_t = torch.tensor(a), torch.tensor(b)

    def step(h, inputs):
        return h @ a_t.T + inputs @ b_t.T

    initial = np.random.default_rng(1).uniform(-1, 1, size=(64, n))
    result = find_fixed_points(step, initial, u)
    expected = np.linalg.solve(np.eye(n) - a, b @ u)

    assert result.time_kind == "map"
    assert result.n_unique == 1 and result.n_converged == 64
    assert result.n_failed == 0 and result.n_outliers == 0 and result.n_slow == 0
    np.testing.assert_allclose(result.states[0], expected, atol=1e-8)
    np.testing.assert_allclose(result.inputs[0], u)
    assert result.q[0] < 1e-12 and result.is_converged[0]
    assert list(result.labels) == ["stable"]
    np.testing.assert_allclose(result.jacobians[0], a, atol=1e-12)
    np.testing.assert_allclose(result.eigenvalues[0], _sorted_by_magnitude(np.linalg.eigvals(a)),
                               atol=1e-10)
    magnitudes = np.abs(result.eigenvalues[0])
    assert np.all(np.diff(magnitudes) <= 1e-12)
    _check_eigenvectors(result)

    # Inputs given per point (K, M) give the same answer as a broadcast (M,) input.
    per_point = find_fixed_points(step, initial, np.tile(u, (64, 1)))
    np.testing.assert_allclose(per_point.states, result.states, atol=1e-10)


def test_bistable_units_give_all_27_points_with_correct_motifs():
    x_star = brentq(lambda x: math.tanh(2 * x) - x, 0.5, 2.0)
    assert x_star == pytest.approx(0.9575, abs=1e-4)

    def step(h, u):
        return torch.tanh(2 * h)

    initial = np.random.default_rng(2).uniform(-2, 2, size=(1000, 3))
    result = find_fixed_points(step, initial, np.zeros(0))

    assert result.n_unique == 27
    assert np.all(result.q < 1e-12) and result.is_converged.all()
    levels = np.array([-x_star, 0.0, x_star])
    nearest = np.abs(result.states[..., None] - levels).argmin(axis=-1)
    np.testing.assert_allclose(result.states, levels[nearest], atol=1e-8)
    patterns = {tuple(row) for row in nearest}
    assert len(patterns) == 27

    all_nonzero = (nearest != 1).all(axis=1)
    labels = np.asarray(result.labels)
    assert np.all(labels[all_nonzero] == "stable")
    assert np.all(labels[~all_nonzero] == "saddle")
    assert (labels == "stable").sum() == 8 and (labels == "saddle").sum() == 19
    slope_at_star = 2 * (1 - x_star**2)
    for row, pattern in zip(result.eigenvalues, nearest):
        expected = np.where(pattern == 1, 2.0, slope_at_star)
        np.testing.assert_allclose(row, np.sort(expected)[::-1], atol=1e-8)
    _check_eigenvectors(result)


def test_rotational_and_continuous_motifs():
    theta, gain = 0.5, 1.2
    rotation = gain * torch.tensor([[math.cos(theta), -math.sin(theta)],
                                    [math.sin(theta), math.cos(theta)]], dtype=torch.float64)

    def spiral(h, u):
        return h @ rotation.T

    initial = np.random.default_rng(3).uniform(-1, 1, size=(16, 2))
    result = find_fixed_points(spiral, initial, np.zeros(0))
    assert result.n_unique == 1
    np.testing.assert_allclose(result.states[0], 0.0, atol=1e-10)
    assert list(result.labels) == ["rotational"]
    np.testing.assert_allclose(result.eigenvalues[0], gain * np.exp([1j * theta, -1j * theta]),
                               atol=1e-12)

    diagonal = torch.tensor([1.0, 0.5], dtype=torch.float64)

    def line(h, u):
        return h * diagonal

    result = find_fixed_points(line, initial, np.zeros(0))
    assert result.n_unique >= 10  # a line of fixed points: each start keeps its own x
    assert np.all(result.labels == "continuous")
    np.testing.assert_allclose(result.states[:, 1], 0.0, atol=1e-10)
    np.testing.assert_allclose(result.eigenvalues, np.tile([1.0, 0.5], (result.n_unique, 1)),
                               atol=1e-12)


def test_classifiers_follow_the_documented_thresholds():
    assert classify_map_motif([0.5, 0.3j]) == "stable"
    assert classify_map_motif([0.985, 0.2]) == "continuous"
    assert classify_map_motif([1.019, 0.2]) == "continuous"
    assert classify_map_motif([1.05, 0.2]) == "saddle"
    assert classify_map_motif([-1.5, 0.2]) == "saddle"
    assert classify_map_motif([1.1 + 0.3j, 1.1 - 0.3j, 0.5]) == "rotational"
    assert classify_map_motif([1.1 + 0.3j, 1.1 - 0.3j, 1.2]) == "saddle"
    assert classify_map_motif([0.97], tolerance=0.05) == "continuous"

    assert classify_flow_stability([-0.5, -1.0 + 2j, -1.0 - 2j]) == "stable"
    assert classify_flow_stability([1e-5, -1.0]) == "marginal"  # |1e-5| ≤ 1e-3 × 1
    assert classify_flow_stability([0.01, -1.0]) == "unstable"
    assert classify_flow_stability([-1e-4, -100.0]) == "marginal"  # relative to max |λ| = 100
    assert classify_flow_stability([0.0, 0.0]) == "marginal"


def _tanh_network(n: int, m: int, gain: float, seed: int):
    generator = torch.Generator().manual_seed(seed)
    w = gain * torch.randn(n, n, generator=generator, dtype=torch.float64) / math.sqrt(n)
    w_in = torch.randn(n, m, generator=generator, dtype=torch.float64)
    bias = 0.1 * torch.randn(n, generator=generator, dtype=torch.float64)
    return w, w_in, bias


def _match_points(first: FixedPointResult, second: FixedPointResult) -> np.ndarray:
    assert first.n_unique == second.n_unique
    distance = np.linalg.norm(first.states[:, None] - second.states[None], axis=-1)
    match = distance.argmin(axis=1)
    assert len(set(match)) == first.n_unique
    assert distance[np.arange(first.n_unique), match].max() < 1e-8
    return match


def test_analytic_and_autograd_jacobians_agree():
    n, m = 8, 2
    w, w_in, bias = _tanh_network(n, m, gain=2.0, seed=4)
    u = np.array([0.2, -0.1])

    def step(h, inputs):
        return torch.tanh(h @ w.T + inputs @ w_in.T + bias)

    def step_jacobian(h, inputs):
        slope = 1 - step(h, inputs) ** 2
        return slope.unsqueeze(-1) * w

    initial = np.random.default_rng(5).uniform(-1, 1, size=(200, n))
    autograd = find_fixed_points(step, initial, u)
    analytic = find_fixed_points(step, initial, u, jacobian=step_jacobian)
    assert autograd.n_unique >= 3  # gain 2: several fixed points
    match = _match_points(autograd, analytic)
    np.testing.assert_allclose(autograd.eigenvalues, analytic.eigenvalues[match], atol=1e-8)
    np.testing.assert_array_equal(autograd.labels, analytic.labels[match])

    def rhs(x, inputs):
        return -x + torch.tanh(x) @ w.T + inputs @ w_in.T + bias

    def rhs_jacobian(x, inputs):
        return (1 - torch.tanh(x) ** 2).unsqueeze(-2) * w - torch.eye(n, dtype=torch.float64)

    # Every initial state is nearest the unstable root at |x| ≈ 0.6, where Newton takes them
    # all; the Adam warm start wanders off to the two stable roots 3–4 units away as well.
    local = find_equilibria(rhs, initial, u)
    assert local.n_unique == 1 and list(local.labels) == ["unstable"]
    wander = FixedPointSettings(adam_steps=300)
    autograd = find_equilibria(rhs, initial, u, settings=wander)
    analytic = find_equilibria(rhs, initial, u, jacobian=rhs_jacobian, settings=wander)
    assert autograd.time_kind == "flow" and autograd.n_unique == 3
    nearest = np.linalg.norm(initial[:, None] - autograd.states[None], axis=-1).argmin(axis=1)
    assert (autograd.states[nearest] == autograd.states[0]).all()  # the unstable root
    assert np.linalg.norm(local.states[0] - autograd.states[0]) < 1e-8
    match = _match_points(autograd, analytic)
    np.testing.assert_allclose(autograd.eigenvalues, analytic.eigenvalues[match], atol=1e-8)
    np.testing.assert_array_equal(autograd.labels, analytic.labels[match])
    for row in autograd.eigenvalues:
        assert np.all(np.diff(row.real) <= 1e-12)  # descending Re λ


# ---------------------------------------------------------------------------------------------
# Flows


@pytest.mark.parametrize(
    ("spectrum", "label"),
    [([-0.5, -1.0, -2.0, -3.0], "stable"), ([0.5, -1.0, -2.0, -3.0], "unstable")],
)
def test_linear_flow_equilibrium_and_stability(spectrum, label):
    rng = np.random.default_rng(6)
    basis = rng.normal(size=(4, 4))
    a = basis @ np.diag(spectrum) @ np.linalg.inv(basis)
    b = rng.normal(size=(4, 3))
    u = np.array([1.0, -0.5, 0.25])
    a_t, b_t = torch.tensor(a), torch.tensor(b)

    def rhs(x, inputs):
        return x @ a_t.T + inputs @ b_t.T

    initial = rng.uniform(-1, 1, size=(32, 4))
    result = find_equilibria(rhs, initial, u)
    assert result.n_unique == 1
    np.testing.assert_allclose(result.states[0], -np.linalg.solve(a, b @ u), atol=1e-8)
    assert list(result.labels) == [label]
    np.testing.assert_allclose(result.eigenvalues[0], np.sort(spectrum)[::-1], atol=1e-8)
    _check_eigenvectors(result)


def test_marginal_flow_line_of_equilibria():
    diagonal = torch.tensor([0.0, -1.0], dtype=torch.float64)

    def rhs(x, u):
        return x * diagonal

    initial = np.random.default_rng(7).uniform(-1, 1, size=(8, 2))
    result = find_equilibria(rhs, initial, np.zeros(0))
    assert result.n_unique == 8
    assert np.all(result.labels == "marginal")
    np.testing.assert_allclose(result.eigenvalues, np.tile([0.0, -1.0], (8, 1)), atol=1e-12)


# ---------------------------------------------------------------------------------------------
# Post-processing


def test_duplicates_keep_the_lowest_q_copy():
    centre = torch.tensor([1.0, 2.0], dtype=torch.float64)

    def residual(h, u):
        return h - centre - u

    offsets = np.array([[3e-7, 0.0], [0.0, 1e-7], [-2e-7, 2e-7], [0.0, -5e-8], [4e-7, 4e-7]])
    initial = np.concatenate([1.0 + offsets[:, :1], 2.0 + offsets[:, 1:]], axis=1)
    far = initial + np.array([0.5, 0.0])  # a second cluster, with its own input shift
    inputs = np.concatenate([np.zeros((5, 2)), np.tile([0.5, 0.0], (5, 1))])
    settings = FixedPointSettings(adam_steps=0, refine_steps=0, converged_q=1e-10)
    result = find_roots(residual, np.concatenate([initial, far]), inputs, settings=settings)

    assert result.n_iterations == 0
    assert result.n_converged == 10 and result.n_unique == 2
    q_all = 0.5 * (offsets**2).sum(axis=1)
    best = int(np.argmin(q_all))
    assert sorted(result.initial_index.tolist()) == [best, best + 5]
    np.testing.assert_allclose(result.q, q_all[best], rtol=1e-6)

    # A tolerance below the spread keeps every copy.
    fine = FixedPointSettings(adam_steps=0, refine_steps=0, converged_q=1e-10,
                              unique_tolerance=1e-9)
    assert find_roots(residual, np.concatenate([initial, far]), inputs,
                      settings=fine).n_unique == 10


def test_runaway_initial_state_is_not_returned():
    # q = ½ h² exp(−h²) → 0 as |h| → ∞: a start beyond the ridge at |h| = 1 runs away.
    def step(h, u):
        return h - h * torch.exp(-(h**2) / 2)

    initial = np.concatenate([np.linspace(-0.5, 0.5, 20), [3.0]])[:, None]
    result = find_fixed_points(step, initial, np.zeros(0))
    assert result.n_unique == 1
    np.testing.assert_allclose(result.states, 0.0, atol=1e-8)
    assert 20 not in result.initial_index
    assert result.n_outliers == 1  # it reached q < converged_q far out, at |h| ≈ 8.6
    assert result.n_converged + result.n_slow + result.n_failed == 21

    unfiltered = find_fixed_points(step, initial, np.zeros(0),
                                   settings=FixedPointSettings(outlier_distance_scale=math.inf))
    assert unfiltered.n_outliers == 0 and unfiltered.n_unique == 2
    assert np.abs(unfiltered.states).max() > 5


def test_slow_point_of_a_saddle_node_ghost():
    c = 1e-4

    def step(h, u):  # h' = h + c + h²: no fixed point, a bottleneck at h = 0 with q = c²/2
        return h + c + h**2

    initial = np.linspace(-0.4, 0.4, 8)[:, None]
    result = find_fixed_points(step, initial, np.zeros(0))
    assert result.n_converged == 0 and result.n_slow == 8
    assert result.n_unique == 1 and not result.is_converged.any()
    assert c**2 / 2 <= result.q[0] < 1.001 * c**2 / 2
    assert abs(result.states[0, 0]) < 1e-4
    assert list(result.labels) == ["continuous"]  # J = 1 + 2h ≈ 1

    hidden = find_fixed_points(step, initial, np.zeros(0),
                               settings=FixedPointSettings(keep_slow_points=False))
    assert hidden.n_unique == 0 and hidden.n_slow == 8
    assert hidden.states.shape == (0, 1) and hidden.eigenvalues.shape == (0, 1)
    assert len(hidden.to_frame()) == 0


def test_a_fast_ghost_is_a_local_minimum_not_a_slow_point():
    c = 0.1  # the same bottleneck, but too fast to be slow: q = c²/2 = 5e-3

    def step(h, u):
        return h + c + h**2

    initial = np.linspace(-0.4, 0.4, 8)[:, None]
    result = find_fixed_points(step, initial, np.zeros(0))
    assert result.n_converged == 0 and result.n_slow == 0
    assert result.n_failed == 8 and result.n_local_minima == 8
    assert result.n_unique == 1 and list(result.kind) == ["local_minimum"]  # reported
    assert abs(result.states[0, 0]) < 1e-3
    # Out of iterations while q still falls: failed, but not at a local minimum.
    stopped = find_fixed_points(step, initial, np.zeros(0),
                                settings=FixedPointSettings(adam_steps=0, refine_steps=1))
    assert stopped.n_failed == 8 and stopped.n_local_minima == 0


def test_newton_falls_back_to_float64_factors_on_an_ill_conditioned_jacobian():
    # A linear map with one eigenvalue 1 − 1e-9 (cond(J − I) ≈ 1e9 ≫ 1/eps32): its root is found
    # to float64 accuracy all the same.
    n = 6
    rng = np.random.default_rng(3)
    basis, _ = np.linalg.qr(rng.standard_normal((n, n)))
    eigenvalues = np.array([1 - 1e-9, 0.5, 0.3, -0.2, 0.1, 0.0])
    weight = torch.from_numpy(basis @ np.diag(eigenvalues) @ basis.T)
    bias = torch.from_numpy(rng.standard_normal(n) * 1e-9)
    root = np.linalg.solve(np.eye(n) - weight.numpy(), bias.numpy())

    def step(h, u):
        return h @ weight.T + bias

    initial = root + 0.1 * rng.standard_normal((4, n))
    result = find_fixed_points(step, initial, np.zeros(0), settings=FixedPointSettings(
        adam_steps=0, converged_q=1e-20, slow_point_q=1e-18))
    assert result.n_converged == 4 and result.n_unique == 1
    np.testing.assert_allclose(result.states[0], root, atol=1e-6)


# ---------------------------------------------------------------------------------------------
# Output and guards


def test_to_frame_is_tidy_and_arrow_friendly():
    def step(h, u):
        return torch.tanh(2 * h) + 0 * u.sum(-1, keepdim=True)

    initial = np.random.default_rng(8).uniform(-2, 2, size=(300, 2))
    result = find_fixed_points(step, initial, np.array([0.0]))
    frame = result.to_frame(n_eigenvalues=3)
    assert len(frame) == result.n_unique == 9
    expected = ["point", "q", "is_converged", "kind", "motif", "max_abs_eigenvalue",
                "max_real_eigenvalue"]
    for k in range(3):
        expected += [f"eigenvalue_{k}_real", f"eigenvalue_{k}_imag"]
    assert list(frame.columns) == expected + ["state", "input"]
    assert frame["point"].tolist() == list(range(9))
    assert frame["eigenvalue_2_real"].isna().all()  # N = 2 < 3
    np.testing.assert_allclose(frame["max_abs_eigenvalue"], np.abs(result.eigenvalues).max(1))
    assert frame["state"].iloc[0] == result.states[0].tolist()
    assert isinstance(frame["input"].iloc[0][0], float)
    schema = pa.Table.from_pandas(frame).schema
    assert schema.field("state").type == pa.list_(pa.float64())
    assert schema.field("input").type == pa.list_(pa.float64())


def test_thread_count_restored_and_inputs_checked():
    threads = torch.get_num_threads()

    def step(h, u):
        return 0.5 * h

    find_fixed_points(step, np.ones((3, 2)), np.zeros(1),
                      settings=FixedPointSettings(adam_steps=5))
    assert torch.get_num_threads() == threads
    with pytest.raises(ValueError):
        find_fixed_points(step, np.ones((3, 2)), np.zeros((4, 1)))
    with pytest.raises(ValueError):
        find_fixed_points(step, np.ones(3), np.zeros(1))
    with pytest.raises(ValueError):
        FixedPointSettings(converged_q=1e-3, slow_point_q=1e-6)


def test_slow_point_mode_stops_each_point_at_the_tolerance():
    # dx/dt = −diag(ε, 1, 1) x: roots only at 0; q = ½(ε²x1² + x2² + x3²).
    rates = torch.tensor([1e-4, 1.0, 1.0], dtype=torch.float64)

    def flow(x, u):
        return -rates * x

    initial = np.array([[1.0, 0.0, 0.0], [-2.0, 0.0, 0.0], [3.0, 0.5, -0.5]])
    tolerance = 1e-6
    settings = FixedPointSettings(slow_point_q=tolerance, converged_q=1e-12,
                                  stop_at_slow_point=True, unique_tolerance=1e-6)
    slow = find_equilibria(flow, initial, np.zeros(1), settings=settings)
    assert len(slow) == 3 and (slow.q < tolerance).all() and not slow.is_converged.any()
    order = np.argsort(slow.initial_index)
    # Already slow: not moved at all. Above the tolerance: moved off the fast directions only.
    np.testing.assert_array_equal(slow.states[order][:2], initial[:2])
    assert slow.states[order][2, 0] == pytest.approx(3.0, abs=0.05)
    assert np.abs(slow.states[order][2, 1:]).max() < np.sqrt(2 * tolerance)
    # The default (exact) mode takes every point to the only root.
    exact = find_equilibria(flow, initial, np.zeros(1), settings=FixedPointSettings(
        converged_q=1e-12, keep_slow_points=False))
    assert len(exact) == 1 and np.abs(exact.states).max() < 1e-5


# ---------------------------------------------------------------------------------------------
# Local minima of q (ghosts of saddle-node bifurcations)


def _lifted_saddle_node(c: float, n: int = 4, seed: int = 11):
    """z1' = z1 + z1² + c, z_rest' = z_rest / 2 in rotated, shifted coordinates z = Qᵀ(h − p):
    for c > 0 no fixed point but a ghost at h = p (q = c²/2), for c < 0 roots at
    h = p ± √−c·Q[:, 0]. Returns (step, jacobian, p, Q)."""
    rng = np.random.default_rng(seed)
    basis, _ = np.linalg.qr(rng.standard_normal((n, n)))
    centre = rng.uniform(-1, 1, n)
    q_t, p_t = torch.from_numpy(basis), torch.from_numpy(centre)
    rates = torch.full((n,), 0.5, dtype=torch.float64)
    rates[0] = 1.0

    def step(h, u):
        z = (h - p_t) @ q_t
        z_next = rates * z
        z_next[:, 0] = z[:, 0] + z[:, 0] ** 2 + c
        return z_next @ q_t.T + p_t

    def jacobian(h, u):
        z = (h - p_t) @ q_t
        diagonal = rates.expand_as(z).clone()
        diagonal[:, 0] = 1 + 2 * z[:, 0]
        return torch.einsum("ij,kj,lj->kil", q_t, diagonal, q_t)

    return step, jacobian, centre, basis


@pytest.mark.parametrize("analytic", [True, False])
def test_a_saddle_node_ghost_is_reported_as_a_local_minimum(analytic):
    c = 0.01  # q = c²/2 = 5e-5 at the ghost: ≥ slow_point_q (1e-6), so not a slow point
    step, jacobian, centre, basis = _lifted_saddle_node(c)
    initial = centre + np.random.default_rng(0).uniform(-0.3, 0.3, size=(16, 4))
    result = find_fixed_points(step, initial, np.zeros(0),
                               jacobian=jacobian if analytic else None)
    assert result.n_converged == 0 and result.n_slow == 0
    assert result.n_failed == 16 and result.n_local_minima == 16
    assert result.n_unique == 1 and list(result.kind) == ["local_minimum"]
    assert not result.is_converged.any()
    assert np.linalg.norm(result.states[0] - centre) < 1e-6  # polished onto the ghost
    assert result.q[0] == pytest.approx(c**2 / 2, rel=1e-9)
    # J = Q diag(1 + 2 z1, ½, ½, ½) Qᵀ: one eigenvalue ≈ 1 (the ghost's slow direction).
    np.testing.assert_allclose(np.abs(result.eigenvalues[0]), [1, 0.5, 0.5, 0.5], atol=2e-3)
    assert list(result.labels) == ["continuous"]
    frame = result.to_frame()
    assert frame["kind"].tolist() == ["local_minimum"] and not frame["is_converged"].any()

    hidden = find_fixed_points(step, initial, np.zeros(0),
                               settings=FixedPointSettings(keep_local_minima=False))
    assert hidden.n_unique == 0 and hidden.n_local_minima == 16


def test_past_the_bifurcation_the_roots_are_fixed_points():
    c = -0.01  # roots at z1 = ±0.1: stable (J = 0.8) and unstable (J = 1.2) along Q[:, 0]
    step, jacobian, centre, basis = _lifted_saddle_node(c)
    initial = centre + np.random.default_rng(0).uniform(-0.3, 0.3, size=(16, 4))
    result = find_fixed_points(step, initial, np.zeros(0), jacobian=jacobian)
    assert result.n_converged == 16 and result.n_local_minima == 0
    assert result.n_unique == 2 and list(result.kind) == ["fixed", "fixed"]
    assert result.is_converged.all()
    expected = np.stack([centre - 0.1 * basis[:, 0], centre + 0.1 * basis[:, 0]])
    order = np.argsort(result.states @ basis[:, 0])
    np.testing.assert_allclose(result.states[order], expected, atol=1e-8)
    assert sorted(result.labels) == ["saddle", "stable"]


def test_failures_that_did_not_stall_at_a_minimum_are_not_reported(monkeypatch):
    c = 0.01
    step, jacobian, centre, basis = _lifted_saddle_node(c)
    initial = centre + np.random.default_rng(0).uniform(-0.3, 0.3, size=(16, 4))
    # Out of iterations while q still falls: failed, not at a local minimum, not returned.
    short = find_fixed_points(step, initial, np.zeros(0), jacobian=jacobian,
                              settings=FixedPointSettings(refine_steps=1))
    assert short.n_failed == 16 and short.n_local_minima == 0 and short.n_unique == 0

    # The criterion itself, without polishing: at the ghost the Newton step on q is ~0, 0.05
    # off along the slow direction it is ≈ 0.05 (q(z1) ≈ ½(c + z1²)², minimum at z1 = 0).
    from rnnlab.analysis.fixed_points import local_minima
    from rnnlab.analysis.fixed_points.batched import ShiftedJacobian

    polish = local_minima.polish_local_minima

    def residual(h, u):
        return step(h, u) - h

    shifted = ShiftedJacobian(jacobian, -1.0)
    points = torch.from_numpy(np.stack([centre, centre + 0.05 * basis[:, 0]]))
    inputs = torch.zeros(2, 0, dtype=torch.float64)
    monkeypatch.setattr(local_minima, "POLISH_STEPS", 0)
    _, _, at_minimum = polish(residual, shifted, points, inputs, 1e-3)
    assert at_minimum.tolist() == [True, False]
    _, _, at_minimum = polish(residual, shifted, points, inputs, 0.1)
    assert at_minimum.tolist() == [True, True]
    # With polishing (the default) the second point is brought to the ghost.
    monkeypatch.undo()
    polished, q, at_minimum = polish(residual, shifted, points, inputs, 1e-3)
    assert at_minimum.tolist() == [True, True]
    np.testing.assert_allclose(polished.numpy(), [centre, centre], atol=1e-6)
    np.testing.assert_allclose(q.numpy(), c**2 / 2, rtol=1e-9)

    # Past the bifurcation (c < 0) z1 = 0 is a maximum of q between the two roots along the
    # slow direction (a saddle of q): ∇q = 0 there, but it is no minimum.
    step, jacobian, centre, basis = _lifted_saddle_node(-c)

    def residual_past(h, u):
        return step(h, u) - h

    _, _, at_minimum = polish(
        residual_past, ShiftedJacobian(jacobian, -1.0), torch.from_numpy(centre)[None],
        inputs[:1], 1e-3)
    assert not at_minimum.item()


def test_warm_start_follows_a_curved_slow_manifold_newton_alone_leaves():
    # An approximate ring (Euler map of a flow with the unit circle attracting and a slow drift
    # θ' = −1e-4 sin θ along it): roots at θ = 0 (stable) and π (unstable along the ring).
    def step(x, u):
        radius2 = (x[:, :2] ** 2).sum(dim=1, keepdim=True)
        angle = torch.atan2(x[:, 1:2], x[:, :1])
        tangent = torch.cat([-x[:, 1:2], x[:, :1]], dim=1)
        flow = torch.cat([x[:, :2] * (1 - radius2) - 1e-4 * torch.sin(angle) * tangent,
                          -x[:, 2:]], dim=1)
        return x + 0.5 * flow

    angles = np.linspace(-np.pi, np.pi, 72, endpoint=False)
    initial = np.column_stack([np.cos(angles), np.sin(angles), np.zeros(72)])
    initial += 0.05 * np.random.default_rng(3).standard_normal(initial.shape)

    def angles_found(adam_steps):
        result = find_fixed_points(step, initial, np.zeros(1), settings=FixedPointSettings(
            adam_steps=adam_steps, keep_slow_points=False, keep_local_minima=False))
        return np.degrees(np.abs(np.arctan2(result.states[:, 1], result.states[:, 0])))

    # Newton's straight steps leave the curved ring and crawl: no point near θ = π.
    assert np.abs(angles_found(0) - 180).min() > 5
    # Adam's small steps follow it: a point within 1° of π (q < converged_q, on the slow ring).
    assert np.abs(angles_found(300) - 180).min() < 1
