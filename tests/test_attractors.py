"""Attractor geometry on systems whose structure is known analytically."""

import numpy as np
import pytest
import torch

from rnnlab.analysis.attractors import eigenvector_for, line_attractor, ring_attractor
from rnnlab.analysis.fixed_points import FixedPointSettings, classify_flow_stability, find_equilibria
from rnnlab.analysis.saddle_connections import flip_flop_structure

N = 5


def random_basis(n, seed):
    """(n, n) well-conditioned, non-orthogonal basis (columns), so left ≠ right eigenvectors."""
    rng = np.random.default_rng(seed)
    return np.eye(n) + 0.3 * rng.standard_normal((n, n))


def line_system(seed=0):
    """Linear flow dx/dt = J (x − c), J = S diag(0, −1, …, −4) S⁻¹: a line attractor c + s·S[:, 0].

    Returns J (N, N), c (N,), the line direction v = S[:, 0] and the selection vector
    w = S⁻¹[0, :] (the left eigenvector of λ = 0), both unnormalised.
    """
    basis = random_basis(N, seed)
    inverse = np.linalg.inv(basis)
    jacobian = basis @ np.diag(-np.arange(N, dtype=float)) @ inverse
    center = np.random.default_rng(seed + 1).standard_normal(N)
    return jacobian, center, basis[:, 0], inverse[0], basis


def sorted_eigenvalues(jacobian, n_points):
    values = np.linalg.eigvals(jacobian)
    values = values[np.argsort(-values.real)]
    return np.tile(values, (n_points, 1))


def unit(v):
    return v / np.linalg.norm(v)


def test_eigenvector_for_returns_the_requested_pair():
    jacobian, _, right, left, _ = line_system()
    value, v, w = eigenvector_for(jacobian, -2.1)
    assert value == pytest.approx(-2.0)
    np.testing.assert_allclose(jacobian @ v, value * v, atol=1e-10)
    np.testing.assert_allclose(w @ jacobian, value * w, atol=1e-10)
    assert np.linalg.norm(v) == pytest.approx(1) and np.linalg.norm(w) == pytest.approx(1)
    assert (w @ v).real > 0 and abs((w @ v).imag) < 1e-12
    value, v, w = eigenvector_for(jacobian, 0.0)
    assert abs(value) < 1e-10
    assert abs(abs(unit(right) @ v.real) - 1) < 1e-10 and abs(abs(unit(left) @ w.real) - 1) < 1e-10


@pytest.mark.parametrize("use_jacobians", [True, False])
def test_line_attractor_finds_the_marginal_mode_and_selection_vector(use_jacobians):
    jacobian, center, right, left, basis = line_system()
    positions = np.linspace(-2, 2, 9)
    rng = np.random.default_rng(5)
    order = rng.permutation(9)
    states = center + positions[order, None] * right  # shuffled along the line
    eigenvalues = sorted_eigenvalues(jacobian, 9)
    _, v, w = eigenvector_for(jacobian, 0.0)
    kwargs = (
        dict(jacobians=np.tile(jacobian, (9, 1, 1)))
        if use_jacobians
        else dict(right_vectors=np.tile(v, (9, 1)), left_vectors=np.tile(w, (9, 1)))
    )
    directions = {"on_line": right, "decaying_mode": basis[:, 1], "selection": left,
                  "random": rng.standard_normal(N)}
    frame = line_attractor(states, eigenvalues, input_directions=directions, **kwargs)

    assert frame["order"].tolist() == list(range(9))
    assert np.all(np.diff(frame["position"]) > 0)
    along = states[frame["point"]] @ unit(right)  # the order follows the line (either sense)
    assert np.all(np.diff(along) > 0) or np.all(np.diff(along) < 0)
    assert frame["line_variance_explained"].iloc[0] == pytest.approx(1.0)
    np.testing.assert_allclose(frame["marginal_eigenvalue_real"], 0.0, atol=1e-10)
    assert frame["is_marginal"].all() and frame["marginal_is_leading"].all()
    np.testing.assert_allclose(frame["right_tangent_cosine"], 1.0, atol=1e-10)

    # Selection vector = ±S⁻¹[0, :], signed so that wᵀ v > 0 with v along increasing position.
    tangent = unit(states[frame["point"].iloc[-1]] - states[frame["point"].iloc[0]])
    expected = unit(left) * np.sign(left @ tangent * (right @ tangent))
    expected *= np.sign(expected @ right) * np.sign(right @ tangent)
    for selection in frame["selection_vector"]:
        np.testing.assert_allclose(selection, expected, atol=1e-10)
    # wᵀ S[:, k] = δ_0k: blind to the decaying mode, positive along the line (the v sense).
    np.testing.assert_allclose(frame["selection_cosine_decaying_mode"], 0.0, atol=1e-10)
    np.testing.assert_allclose(np.abs(frame["selection_cosine_selection"]), 1.0, atol=1e-10)
    sense = np.sign(right @ tangent)
    np.testing.assert_allclose(frame["selection_cosine_on_line"],
                               sense * unit(left) @ unit(right), atol=1e-10)
    np.testing.assert_allclose(frame["selection_cosine_random"],
                               expected @ unit(directions["random"]), atol=1e-10)


def scattered_curved_line(n_points=120, scatter=0.05, seed=7):
    """(P, N) points on the curve s·e0 + 0.1·s²·e1, s ∈ [−2, 2] (spacing ≈ 0.03), each
    displaced across it by N(0, scatter²) – as a slow-point search leaves them – and the
    curve's unit tangent (P, N) at each point's s."""
    rng = np.random.default_rng(seed)
    s = rng.uniform(-2, 2, n_points)
    e = np.eye(N)
    states = s[:, None] * e[0] + 0.1 * s[:, None] ** 2 * e[1]
    across = rng.standard_normal((n_points, N)) * scatter
    across[:, 0] = 0.0  # the scatter is across the line (its own sense along it is harmless)
    tangent = e[0] + 0.2 * s[:, None] * e[1]
    return states + across, tangent / np.linalg.norm(tangent, axis=1, keepdims=True)


@pytest.mark.parametrize("mode", ["along", "across"])
def test_line_tangent_of_a_dense_scattered_line(mode):
    """A curved line of 120 points scattered across it by more than their spacing: a slowest
    mode along the curve has |cos| ≈ 1 with the line's local direction, where neighbouring
    points' differences point across the line (|cos| ≈ 0.5); a mode across the line (the
    planted defect) is found to be across it."""
    states, tangent = scattered_curved_line()
    across = np.tile(np.eye(N)[2], (len(states), 1))
    right = tangent if mode == "along" else across
    eigenvalues = np.tile(-np.arange(N, dtype=complex), (len(states), 1))
    frame = line_attractor(states, eigenvalues, right_vectors=right, left_vectors=right)
    cosine = frame["right_tangent_cosine"].mean()
    if mode == "across":
        assert cosine < 0.2
        return
    assert cosine > 0.95
    ordered = states[frame["point"]]
    neighbours = np.diff(ordered, axis=0)
    naive = np.abs(np.sum(neighbours * tangent[frame["point"][1:]], axis=1)
                   / np.linalg.norm(neighbours, axis=1))
    assert naive.mean() < 0.8  # why the tangent is not taken from neighbouring points


def test_line_attractor_without_jacobians_flags_a_non_leading_marginal_mode():
    _, center, right, _, _ = line_system()
    basis = random_basis(N, 0)  # the same S, with one unstable mode above the marginal one
    shifted = basis @ np.diag([0.0, 1.0, -2.0, -3.0, -4.0]) @ np.linalg.inv(basis)
    states = center + np.linspace(-1, 1, 4)[:, None] * right
    eigenvalues = sorted_eigenvalues(shifted, 4)
    frame = line_attractor(states, eigenvalues, right_vectors=np.ones((4, N)),
                           left_vectors=np.ones((4, N)))
    assert not frame["marginal_is_leading"].any()
    assert frame["right_tangent_cosine"].isna().all()
    with_jacobians = line_attractor(states, eigenvalues, jacobians=np.tile(shifted, (4, 1, 1)))
    np.testing.assert_allclose(with_jacobians["right_tangent_cosine"], 1.0, atol=1e-10)


def test_line_attractor_from_the_fixed_point_finder():
    jacobian, center, right, left, _ = line_system(seed=3)
    J = torch.from_numpy(jacobian)
    c = torch.from_numpy(center)

    def rhs(x, u):
        return (x - c) @ J.T

    def rhs_jacobian(x, u):  # analytic: the autograd default is slow on its first call
        return J.expand(len(x), N, N)

    rng = np.random.default_rng(0)
    initial = center + rng.standard_normal((40, N))
    result = find_equilibria(rhs, initial, np.zeros(1), jacobian=rhs_jacobian,
                             settings=FixedPointSettings(adam_steps=0, refine_steps=40))
    assert len(result) >= 10 and (result.labels == "marginal").all()
    frame = line_attractor(result.states, result.eigenvalues, result.leading_right_eigenvector,
                           result.leading_left_eigenvector, {"w": left})
    np.testing.assert_allclose(frame["right_tangent_cosine"], 1.0, atol=1e-6)
    np.testing.assert_allclose(np.abs(frame["selection_cosine_w"]), 1.0, atol=1e-8)
    assert frame["is_marginal"].all()


def ring_points(angles, seed=0, n=6, radius=2.0):
    """Points c + r(cos θ a + sin θ b) on a circle in a random 2-plane of R^n, and at each the
    Jacobian −(I − t tᵀ) of a ring attractor (eigenvalue 0 along the tangent t, −1 elsewhere)."""
    rng = np.random.default_rng(seed)
    plane, _ = np.linalg.qr(rng.standard_normal((n, 2)))
    center = rng.standard_normal(n)
    states = center + radius * (np.cos(angles)[:, None] * plane[:, 0] +
                                np.sin(angles)[:, None] * plane[:, 1])
    tangents = -np.sin(angles)[:, None] * plane[:, 0] + np.cos(angles)[:, None] * plane[:, 1]
    jacobians = np.stack([-(np.eye(n) - np.outer(t, t)) for t in tangents])
    return states, jacobians


def test_ring_attractor_full_circle():
    angles = np.linspace(0, 2 * np.pi, 72, endpoint=False) + 0.01
    states, jacobians = ring_points(angles)
    eigenvalues = np.stack([sorted_eigenvalues(j, 1)[0] for j in jacobians])
    ring = ring_attractor(states, eigenvalues, jacobians=jacobians)
    assert ring.coverage == 1.0
    assert ring.largest_gap == pytest.approx(2 * np.pi / 72)
    assert ring.radius_mean == pytest.approx(2.0) and ring.radius_cv < 1e-10
    assert ring.plane_variance_explained == pytest.approx(1.0)
    np.testing.assert_allclose(ring.points["tangent_cosine"], 1.0, atol=1e-10)
    assert ring.mean_tangent_cosine == pytest.approx(1.0)
    assert ring.points["is_marginal"].all()
    assert set(ring.summary()) == {"coverage", "largest_gap", "radius_mean", "radius_std",
                                   "radius_cv", "plane_variance_explained", "mean_tangent_cosine"}


def test_ring_attractor_half_circle_has_half_coverage_and_a_gap_of_pi():
    angles = np.linspace(0, np.pi, 37)[:-1] + 0.01  # 36 points 5° apart on [0, π)
    states, _ = ring_points(angles)
    ring = ring_attractor(states)
    # The arc spans 175°: 18 bins of 10°, or 19 when the PC frame puts it across a bin edge.
    assert 18 / 36 <= ring.coverage <= 19 / 36
    assert ring.largest_gap == pytest.approx(np.pi + np.pi / 36)
    assert ring.radius_mean == pytest.approx(2.0) and ring.radius_cv < 1e-10  # fitted centre
    assert np.isnan(ring.mean_tangent_cosine)


def double_well_system(n=4, seed=0):
    """2-bit flip-flop flow in a rotated frame: dy_i/dt = y_i − y_i³ (i = 0, 1), dy_k/dt = −y_k.

    Fixed points y ∈ {−1, 0, 1}² × 0: 4 stable corners, 4 edge saddles, 1 source at 0.
    Returns the rotation Q (x = Q y), the fixed points (9, n) and the Jacobians (9, n, n).
    """
    rotation, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((n, n)))
    grid = np.array([(a, b) for a in (-1.0, 0.0, 1.0) for b in (-1.0, 0.0, 1.0)])
    y = np.hstack([grid, np.zeros((9, n - 2))])
    slopes = np.hstack([1 - 3 * grid**2, -np.ones((9, n - 2))])
    jacobians = np.stack([rotation @ np.diag(s) @ rotation.T for s in slopes])
    return rotation, y @ rotation.T, jacobians, grid


def eigen_arrays(jacobians):
    eigenvalues, right = [], []
    for j in jacobians:
        values = sorted_eigenvalues(j, 1)[0]
        _, v, _ = eigenvector_for(j, values[0])
        eigenvalues.append(values)
        right.append(v)
    return np.array(eigenvalues), np.array(right)


def test_flip_flop_saddles_point_at_the_two_neighbouring_stable_points():
    _, states, jacobians, grid = double_well_system()
    eigenvalues, right = eigen_arrays(jacobians)
    labels = np.array([classify_flow_stability(v) for v in eigenvalues])
    structure = flip_flop_structure(states, labels, eigenvalues, right)
    assert structure.counts() == dict(n_points=9, n_stable=4, n_saddles=4, n_unstable_other=1,
                                      n_other=0)
    saddles = structure.unstable[structure.unstable["is_saddle"]]
    assert len(saddles) == 4 and saddles["connects_two"].all()
    for row in saddles.itertuples():
        ends = {tuple(grid[row.plus_point]), tuple(grid[row.minus_point])}
        saddle = grid[row.point]
        moving = np.flatnonzero(saddle == 0)[0]  # the coordinate that is 0 on this edge
        expected = set()
        for value in (-1.0, 1.0):
            corner = saddle.copy()
            corner[moving] = value
            expected.add(tuple(corner))
        assert ends == expected
        assert row.plus_cosine == pytest.approx(1.0) and row.minus_cosine == pytest.approx(1.0)
        assert row.plus_distance == pytest.approx(1.0)
        assert row.unstable_eigenvalue_real == pytest.approx(1.0)
    source = structure.unstable[~structure.unstable["is_saddle"]]
    assert source["n_unstable"].tolist() == [2] and grid[source["point"].iloc[0]].tolist() == [0, 0]


def test_flip_flop_from_the_fixed_point_finder():
    rotation, _, _, _ = double_well_system()
    Q = torch.from_numpy(rotation)

    def rhs(x, u):
        y = x @ Q
        dy = torch.cat([y[:, :2] - y[:, :2] ** 3, -y[:, 2:]], dim=1)
        return dy @ Q.T

    def rhs_jacobian(x, u):
        y = x @ Q
        slopes = torch.cat([1 - 3 * y[:, :2] ** 2, -torch.ones_like(y[:, 2:])], dim=1)
        return Q @ torch.diag_embed(slopes) @ Q.T

    rng = np.random.default_rng(1)
    grid = np.array([(a, b) for a in (-1.0, 0.0, 1.0) for b in (-1.0, 0.0, 1.0)])
    y0 = np.repeat(np.hstack([grid, np.zeros((9, 2))]), 3, axis=0)
    initial = (y0 + 0.05 * rng.standard_normal(y0.shape)) @ rotation.T
    result = find_equilibria(rhs, initial, np.zeros(1), jacobian=rhs_jacobian,
                             settings=FixedPointSettings(adam_steps=0, refine_steps=50))
    structure = flip_flop_structure(result.states, result.labels, result.eigenvalues,
                                    result.leading_right_eigenvector)
    assert (structure.n_stable, structure.n_saddles, structure.n_unstable_other) == (4, 4, 1)
    assert structure.unstable.loc[structure.unstable["is_saddle"], "connects_two"].all()
