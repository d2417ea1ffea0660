"""Closure of ring manifolds (persistent homology, ordered neighbours), how much of a line or
ring the readout sees, and the line verdict per context of a two-context system – each on
constructed manifolds and networks whose answer is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from rnnlab.analysis import attractor_summaries, held_states, manifold_topology, readout_geometry
from rnnlab.analysis.fixed_points import find_equilibria
from rnnlab.analysis.network_fixed_points import PrincipalComponents
from rnnlab.models.leaky_rnn import LeakyRNN, ModelConfig
from rnnlab.studies.ctrnn_zoo.stages.equilibria import ZooEquilibriumSettings

N = 12
RNG = np.random.default_rng(7)
PLANE = np.linalg.qr(RNG.standard_normal((N, 2)))[0].T  # (2, N) orthonormal


def _curve(angles: np.ndarray, radius: float = 3.0, noise: float = 0.02,
           seed: int = 0) -> np.ndarray:
    """Points (P, N) at ``angles`` on a circle embedded in N dimensions, with a little noise."""
    rng = np.random.default_rng(seed)
    flat = radius * np.column_stack([np.cos(angles), np.sin(angles)])
    return flat @ PLANE + noise * rng.standard_normal((len(angles), N))


def _degrees(a: float, b: float, n: int) -> np.ndarray:
    return np.radians(np.linspace(a, b, n))


CIRCLE = _curve(np.linspace(0, 2 * np.pi, 150, endpoint=False))
SHAPES = {
    # An open arc of 300°, an arc of 330° (only 30° missing), a straight line, two disjoint
    # arcs of 150° with 30° gaps between them.
    "arc": _curve(_degrees(0, 300, 125)),
    "nearly_closed_arc": _curve(_degrees(0, 330, 140)),
    "line": np.linspace(-3, 3, 120)[:, None] * PLANE[0] + 0.02 * RNG.standard_normal((120, N)),
    "two_arcs": np.vstack([_curve(_degrees(0, 150, 60), seed=1),
                           _curve(_degrees(180, 330, 60), seed=2)]),
}


# ----------------------------------------------------------------------------- homology


def test_a_sampled_circle_has_one_dominant_loop_that_closes_at_the_sampling_scale():
    loop = manifold_topology.loop_homology(CIRCLE)
    assert loop.is_closed
    assert loop.loop_death == pytest.approx(np.sqrt(3) * 3.0, rel=0.05)  # inscribed triangle
    assert loop.loop_birth_fraction < 0.1
    assert loop.second_loop_ratio <= manifold_topology.MAX_SECOND_LOOP_RATIO
    assert loop.gap_fraction < 0.1


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_arcs_lines_and_broken_rings_are_not_closed(shape):
    loop = manifold_topology.loop_homology(SHAPES[shape])
    assert not loop.is_closed
    if shape in ("arc", "nearly_closed_arc", "two_arcs"):
        # A loop exists only once the gap is bridged: it closes late.
        assert loop.loop_birth_fraction > manifold_topology.LOOP_MAX_BIRTH_FRACTION


def test_a_second_loop_of_similar_size_is_not_one_dominant_loop():
    figure_eight = np.vstack([CIRCLE, _curve(np.linspace(0, 2 * np.pi, 150, endpoint=False),
                                             seed=3) + 6.0 * PLANE[0]])
    loop = manifold_topology.loop_homology(figure_eight)
    assert loop.second_loop_ratio > 0.5 and not loop.is_closed


def test_homology_subsamples_large_clouds_deterministically():
    dense = _curve(np.linspace(0, 2 * np.pi, 1200, endpoint=False))
    first = manifold_topology.loop_homology(dense, max_points=200)
    second = manifold_topology.loop_homology(dense, max_points=200)
    assert first.n_points == 200 and first.is_closed
    assert first.summary() == second.summary()


def test_too_few_points_are_not_a_loop():
    loop = manifold_topology.loop_homology(CIRCLE[:2])
    assert not loop.is_closed and np.isnan(loop.loop_persistence)


# ----------------------------------------------------------------------------- ordered states

ANGLES = np.linspace(0, 2 * np.pi, 72, endpoint=False)


def test_held_states_on_a_ring_are_neighbours_all_the_way_round():
    # Uneven speed round the ring (steps vary 5-fold), still closed.
    warped = ANGLES + 0.6 * np.sin(ANGLES)
    order = manifold_topology.ordered_neighbours(_curve(warped, noise=0.0), ANGLES)
    assert order.is_closed
    assert order.fraction_ordered_neighbours == 1.0
    assert order.wrap_neighbour_rank <= 2
    # Shuffling the rows does not matter: the states are ordered by their angles.
    shuffle = np.random.default_rng(0).permutation(len(ANGLES))
    again = manifold_topology.ordered_neighbours(_curve(warped, noise=0.0)[shuffle],
                                                 ANGLES[shuffle])
    assert again.summary() == order.summary()


@pytest.mark.parametrize("held", ["open_arc", "line", "two_arcs"])
def test_an_open_manifold_fails_at_the_wrap_around(held):
    if held == "open_arc":  # angles 0..355° held on an arc of 300°: the ends are far apart
        states = _curve(ANGLES * 300 / 360, noise=0.0)
    elif held == "line":
        states = np.linspace(-3, 3, len(ANGLES))[:, None] * PLANE[0]
    else:  # the two halves of the angles on two separate arcs
        half = len(ANGLES) // 2
        states = np.vstack([_curve(_degrees(0, 150, half), noise=0.0),
                            _curve(_degrees(200, 350, half), noise=0.0) + 4.0 * PLANE[0]])
    order = manifold_topology.ordered_neighbours(states, ANGLES)
    assert not order.is_closed
    assert order.wrap_neighbour_rank > manifold_topology.NEIGHBOUR_MAX_RANK
    assert order.wrap_step_ratio > 5


# ----------------------------------------------------------------------------- readout


def _network(weight_output: np.ndarray) -> LeakyRNN:
    model = LeakyRNN(ModelConfig(input_size=1, output_size=len(weight_output), hidden_size=N,
                                 dale=False, nonlinearity="relu", leak=0.2))
    with torch.no_grad():
        model.weight_output.copy_(torch.as_tensor(weight_output, dtype=torch.float32))
    return model


def test_readout_sees_a_line_in_its_row_space_and_not_one_in_its_null_space():
    basis = np.linalg.qr(np.random.default_rng(1).standard_normal((N, N)))[0].T  # (N, N)
    weight_output = np.vstack([2.0 * basis[0], -0.5 * basis[1]])  # rows span basis 0, 1
    model = _network(weight_output)
    readout = model.effective_output_weight().detach().double().numpy()
    along = np.linspace(-1.0, 1.0, 21)[:, None]
    seen = readout_geometry.readout_geometry(along * basis[0], readout, 1)
    hidden = readout_geometry.readout_geometry(along * basis[5], readout, 1)
    assert seen["readout_alignment"] == pytest.approx(1.0, abs=1e-6)
    assert seen["output_range"] == pytest.approx(2.0 * 2.0, rel=1e-5)  # 2 state units × gain 2
    assert seen["output_gain"] == pytest.approx(2.0, rel=1e-5)
    assert hidden["readout_alignment"] == pytest.approx(0.0, abs=1e-6)
    assert hidden["output_range"] == pytest.approx(0.0, abs=1e-6)
    # A line at 60° to the row space: alignment cos 60° = 0.5, whatever the row norms.
    tilted = np.cos(np.pi / 3) * basis[1] + np.sin(np.pi / 3) * basis[7]
    assert readout_geometry.readout_geometry(along * tilted, readout, 1)[
        "readout_alignment"] == pytest.approx(0.5, abs=1e-6)


def test_readout_alignment_of_a_ring_plane():
    basis = np.linalg.qr(np.random.default_rng(2).standard_normal((N, N)))[0].T
    readout = np.vstack([basis[0], basis[1]])
    circle = np.column_stack([np.cos(ANGLES), np.sin(ANGLES)])
    in_plane = circle @ basis[:2]
    half = circle @ np.vstack([basis[0], basis[4]])  # one axis seen, one in the null space
    null = circle @ basis[3:5]
    assert readout_geometry.readout_geometry(in_plane, readout, 2)[
        "readout_alignment"] == pytest.approx(1.0, abs=1e-6)
    assert readout_geometry.readout_geometry(half, readout, 2)[
        "readout_alignment"] == pytest.approx(np.sqrt(0.5), abs=1e-6)
    assert readout_geometry.readout_geometry(null, readout, 2)[
        "readout_alignment"] == pytest.approx(0.0, abs=1e-6)
    # Rank-deficient readout (two equal rows): the row space is one line.
    assert readout_geometry.readout_alignment(basis[:1], np.vstack([basis[0], basis[0]])) == (
        pytest.approx(1.0))


def test_output_rows_are_summary_rows():
    rows = attractor_summaries.output_rows(np.outer(np.linspace(0, 1, 5), np.eye(N)[0]),
                                           np.eye(N)[:1], "recall", 1)
    values = {r["quantity"]: r["value"] for r in rows}
    assert {r["analysis"] for r in rows} == {"output"} and {r["point"] for r in rows} == {-1}
    assert values["readout_alignment"] == pytest.approx(1.0)
    assert values["output_range"] == pytest.approx(1.0)
    assert values["manifold_dimension"] == 1.0


# ----------------------------------------------------------------------------- two contexts


def _two_context_flow(colour_rate: float):
    """A flow with input u = (motion cue, colour cue): under the motion cue e1 is marginal (a
    line along e1), under the colour cue e2 decays at ``colour_rate`` (0: a line along e2);
    every other direction decays at 1/ms."""

    def flow(x, u):  # x (K, 4), u (K, 2)
        motion = u[:, :1].to(x.dtype)
        rates = torch.cat([1.0 - motion, motion + (1.0 - motion) * colour_rate,
                           torch.ones_like(x[:, 2:])], dim=1)
        return -rates * x

    return flow


def _context_summary(flow, context: str):
    inputs = np.array([1.0, 0.0]) if context == "motion" else np.array([0.0, 1.0])
    rng = np.random.default_rng(5)
    axis = 0 if context == "motion" else 1
    initial = 0.3 * rng.standard_normal((64, 4))
    initial[:, axis] = np.linspace(-2.0, 2.0, 64)
    ends = np.zeros((16, 4))
    ends[:, axis] = np.linspace(-2.0, 2.0, 16)  # where the trials' integration ends
    held = held_states.HeldStates("stimulus", initial, ends, 500.0, 1.0)
    tolerance = held.q_tolerance(0.1, 1e-12)
    settings = ZooEquilibriumSettings.from_dict({}).slow_settings(tolerance, held.scale)
    slow = find_equilibria(flow, initial, inputs, settings=settings)
    relevant, irrelevant = np.eye(4)[axis], np.eye(4)[1 - axis]
    rows = attractor_summaries.line_rows(
        slow, np.arange(len(slow)), f"{context}_context", PrincipalComponents.fit(initial),
        {"relevant": relevant, "irrelevant": irrelevant}, held)
    frame = pd.DataFrame(rows)
    summary = frame[frame["point"] == -1]
    return dict(zip(summary["quantity"], summary["value"]))


def test_line_verdict_per_context_of_a_two_context_system():
    both = _two_context_flow(0.0)
    for context in ("motion", "colour"):
        summary = _context_summary(both, context)
        assert summary["is_line_attractor"] == 1.0, context
        assert summary["selection_cosine_relevant_mean"] == pytest.approx(1.0, abs=1e-6)
        assert summary["selection_cosine_irrelevant_mean"] == pytest.approx(0.0, abs=1e-6)
    # The colour direction decays with a 100 ms time constant: a line in one context only.
    one = _two_context_flow(1e-2)
    assert _context_summary(one, "motion")["is_line_attractor"] == 1.0
    colour = _context_summary(one, "colour")
    assert colour["is_line_attractor"] == 0.0
    assert colour["held_coverage"] < 0.5
