"""Line, ring and flip-flop attractor analyses of a set of slow or fixed points as long-format rows
(input_condition, analysis, point, quantity, value), with the verdict whether the points form
the attractor the task calls for.

A line (ring) counts as found (summary quantity ``is_line_attractor`` / ``is_ring_attractor``
= 1) when the states the trials hold lie on the slow points (``held_coverage``: at least
``HELD_MIN_COVERAGE`` of the end-of-period states within ``HELD_MAX_DISTANCE`` · L of a slow
point – with test trials covering every remembered value or angle this says the whole range of
memories sits on the manifold, whatever its shape), the mode closest to Re λ = 0 is slower than
the period (median 1/|Re λ| ≥ T) and, for a line, that mode points along the line (mean
|cos(right eigenvector, local tangent)| ≥ ``LINE_MIN_TANGENT_COSINE``). The geometric
descriptors – the line's range ``coverage`` along its first principal axis, the ring's angular
``coverage`` of 10° bins in its top-2 principal plane, radius CV – are reported but not
required: a ReLU network's ring can be a folded, non-circular closed curve whose top-2
projection covers only half the angles around its centre. The first axis's explained variance
is reported but not required: trained lines are curved (a ReLU network's line is piecewise
linear). A ring additionally needs a closed manifold when a closure test was run (``closed``
of ``ring_rows``). The geometry itself is computed by ``rnnlab.analysis.attractors`` (the
flip-flop's saddles by ``rnnlab.analysis.saddle_connections``); how much of a line or ring the
readout sees by ``rnnlab.analysis.readout_geometry`` (``output_rows``).
"""

from __future__ import annotations

import numpy as np

from rnnlab.analysis import attractors, readout_geometry, saddle_connections
from rnnlab.analysis.held_states import HeldStates

# Analyses need at least this many points; fewer give NaN summary rows.
MIN_POINTS = 3
# Criteria of a found line / ring attractor (module docstring).
LINE_MIN_TANGENT_COSINE = 0.7
HELD_MIN_COVERAGE = 0.75
HELD_MAX_DISTANCE = 0.25


def _long(condition: str, analysis: str, point: int, values: dict) -> list[dict]:
    """Rows (input_condition, analysis, point, quantity, value) of one point or summary."""
    return [
        dict(input_condition=condition, analysis=analysis, point=int(point), quantity=name,
             value=float(value))
        for name, value in values.items()
    ]


LINE_SUMMARY = ("n_points", "line_variance_explained", "length", "coverage", "held_distance",
                "held_coverage",
                "fraction_marginal", "marginal_time_constant_ms", "period_ms",
                "right_tangent_cosine_mean", "is_line_attractor")


def _held_distances(states: np.ndarray, held: HeldStates | None) -> np.ndarray:
    """Distance of each end-of-period state to the nearest of ``states`` (P, N), in units of L
    (empty without held states)."""
    if held is None or len(states) == 0 or not held.scale > 0:
        return np.zeros(0)
    distance = np.linalg.norm(held.end[:, None, :] - states[None, :, :], axis=-1).min(axis=1)
    return distance / held.scale


def _held_summary(states: np.ndarray, held: HeldStates | None) -> dict[str, float]:
    """held_distance (median distance, in L) and held_coverage (fraction of the trials' end
    states within HELD_MAX_DISTANCE·L of a slow point): whether the states the network holds
    lie on the slow points, whatever the manifold's shape (a ReLU ring need not be a circle)."""
    distance = _held_distances(states, held)
    if len(distance) == 0:
        return dict(held_distance=np.nan, held_coverage=np.nan)
    return dict(held_distance=float(np.median(distance)),
                held_coverage=float(np.mean(distance <= HELD_MAX_DISTANCE)))


def _time_constant_ms(eigenvalues_real: np.ndarray) -> float:
    """Median 1/|Re λ| (ms) of the marginal eigenvalues (1/ms) of a set of points."""
    with np.errstate(divide="ignore"):
        return float(np.median(1.0 / np.abs(np.asarray(eigenvalues_real, dtype=np.float64))))


def line_rows(result, points: np.ndarray, condition: str, pcs, directions: dict,
              held: HeldStates | None = None, first_index: int = 0) -> list[dict]:
    """Per-point and summary rows of a line attractor through ``points`` (indices into result,
    written as point numbers ``first_index + index``); ``held`` (the end-of-period states and
    the period) gives the coverage and the timescale the marginal mode is compared with."""
    names = list(directions)
    summary_names = LINE_SUMMARY + tuple(f"selection_cosine_{n}_mean" for n in names)
    period_ms = held.period_ms if held is not None else np.nan
    if len(points) < MIN_POINTS:
        summary = dict.fromkeys(summary_names, np.nan) | {
            "n_points": len(points), "period_ms": period_ms, "is_line_attractor": 0.0}
        return _long(condition, "line", -1, summary)
    line = attractors.line_attractor(
        result.states[points], result.eigenvalues[points],
        input_directions=directions, jacobians=result.jacobians[points], marginal_target=0.0,
    )
    selection = np.array(line["selection_vector"].tolist(), dtype=np.float64)  # (P, N)
    selection_pcs = selection @ pcs.components.T  # arrows: directions, no mean subtracted
    projected = pcs.project(result.states[points[line["point"].to_numpy()]])
    rows = []
    for k, row in enumerate(line.itertuples(index=False)):
        values = dict(
            position=row.position,
            pc1=projected[k, 0],
            pc2=projected[k, 1],
            pc3=projected[k, 2],
            eigenvalue_real=row.marginal_eigenvalue_real,
            right_tangent_cosine=row.right_tangent_cosine,
            selection_pc1=selection_pcs[k, 0],
            selection_pc2=selection_pcs[k, 1] if selection_pcs.shape[1] > 1 else 0.0,
        )
        values |= {f"selection_cosine_{n}": getattr(row, f"selection_cosine_{n}") for n in names}
        rows += _long(condition, "line", first_index + points[row.point], values)
    coverage = (attractors.line_coverage(result.states[points], held.end)
                if held is not None else np.nan)
    time_constant = _time_constant_ms(line["marginal_eigenvalue_real"])
    variance = line["line_variance_explained"].iloc[0]
    held_summary = _held_summary(result.states[points], held)
    summary = dict(
        n_points=len(points),
        line_variance_explained=variance,
        length=line["position"].max() - line["position"].min(),
        coverage=coverage,
        **held_summary,
        fraction_marginal=line["is_marginal"].mean(),
        marginal_time_constant_ms=time_constant,
        period_ms=period_ms,
        right_tangent_cosine_mean=line["right_tangent_cosine"].mean(),
        # Without trials (held None) coverage, distance and period are NaN: not a line.
        is_line_attractor=float(
            line["right_tangent_cosine"].mean() >= LINE_MIN_TANGENT_COSINE
            and held_summary["held_coverage"] >= HELD_MIN_COVERAGE
            and time_constant >= period_ms),
    )
    summary |= {f"selection_cosine_{n}_mean": line[f"selection_cosine_{n}"].mean() for n in names}
    return rows + _long(condition, "line", -1, summary)


RING_SUMMARY = ("n_points", "coverage", "largest_gap", "held_distance", "held_coverage",
                "radius_mean",
                "radius_cv", "plane_variance_explained", "tangent_cosine_mean",
                "marginal_time_constant_ms", "period_ms", "is_closed", "is_ring_attractor")


def ring_rows(result, points: np.ndarray, condition: str,
              held: HeldStates | None = None, first_index: int = 0,
              closed: bool | None = None) -> list[dict]:
    """Per-point and summary rows of a ring attractor through ``points`` (numbered as in
    ``line_rows``). ``closed``: the verdict of a closure test of the manifold
    (``rnnlab.analysis.manifold_topology``), required for ``is_ring_attractor`` when given
    (summary ``is_closed``, NaN when not tested): without it an open arc whose ends the
    readout maps to neighbouring angles passes as a ring."""
    tested_closed = np.nan if closed is None else float(bool(closed))
    period_ms = held.period_ms if held is not None else np.nan
    if len(points) < MIN_POINTS:
        summary = dict.fromkeys(RING_SUMMARY, np.nan) | {
            "n_points": len(points), "period_ms": period_ms, "is_closed": tested_closed,
            "is_ring_attractor": 0.0}
        return _long(condition, "ring", -1, summary)
    ring = attractors.ring_attractor(result.states[points], result.eigenvalues[points],
                                     jacobians=result.jacobians[points], marginal_target=0.0)
    rows = []
    for row in ring.points.itertuples(index=False):
        rows += _long(condition, "ring", first_index + points[row.point], dict(
            angle=row.angle, radius=row.radius, eigenvalue_real=row.marginal_eigenvalue_real,
            tangent_cosine=row.tangent_cosine,
        ))
    time_constant = _time_constant_ms(ring.points["marginal_eigenvalue_real"])
    held_summary = _held_summary(result.states[points], held)
    summary = dict(
        n_points=len(points), coverage=ring.coverage, largest_gap=ring.largest_gap,
        **held_summary, radius_mean=ring.radius_mean, radius_cv=ring.radius_cv,
        plane_variance_explained=ring.plane_variance_explained,
        tangent_cosine_mean=ring.mean_tangent_cosine,
        marginal_time_constant_ms=time_constant, period_ms=period_ms, is_closed=tested_closed,
        is_ring_attractor=float(held_summary["held_coverage"] >= HELD_MIN_COVERAGE
                                and time_constant >= period_ms
                                and (closed is None or bool(closed))),
    )
    return rows + _long(condition, "ring", -1, summary)


OUTPUT_SUMMARY = ("readout_alignment", "output_range", "output_gain")


def output_rows(states: np.ndarray, weight_output: np.ndarray, condition: str,
                dimension: int) -> list[dict]:
    """Summary rows (analysis "output") of how much of a line (dimension 1) or ring (2)
    through the points (P, N) the readout W_out (O, N) sees
    (``rnnlab.analysis.readout_geometry``)."""
    values = readout_geometry.readout_geometry(states, weight_output, dimension)
    values["manifold_dimension"] = float(dimension)
    return _long(condition, "output", -1, values)


def flip_flop_rows(result, labels: np.ndarray, condition: str, tolerance: float,
                   n_bits: int | None = None) -> list[dict]:
    """Saddle rows and counts of the flip-flop structure of all points of ``result``. With
    ``n_bits``, the verdict ``is_flip_flop``: the 2^n_bits stable corners of the hypercube and
    at least its n_bits·2^(n_bits−1) edges as saddles, each joining two stable points (the
    3-bit cube: 8 stable points, 12 saddles)."""
    if len(result) == 0:
        summary = dict(n_points=0, n_stable=0, n_saddles=0, n_unstable=0,
                       n_saddles_connecting_two_stable=0, n_unstable_other=0, n_other=0)
        if n_bits is not None:
            summary["is_flip_flop"] = 0.0
        return _long(condition, "flip_flop", -1, summary)
    structure = saddle_connections.flip_flop_structure(
        result.states, labels, result.eigenvalues, result.leading_right_eigenvector,
        time_kind="flow", tolerance=tolerance,
    )
    rows = []
    unstable = structure.unstable
    for row in unstable.itertuples(index=False):
        rows += _long(condition, "flip_flop", row.point, dict(
            n_unstable=row.n_unstable, is_saddle=row.is_saddle, connects_two=row.connects_two,
            plus_point=row.plus_point, minus_point=row.minus_point,
            plus_cosine=row.plus_cosine, minus_cosine=row.minus_cosine,
        ))
    connecting = unstable["is_saddle"] & unstable["connects_two"] if len(unstable) else []
    summary = dict(structure.counts())
    summary |= dict(n_unstable=len(unstable),
                    n_saddles_connecting_two_stable=int(np.sum(connecting)))
    if n_bits is not None:
        summary["is_flip_flop"] = float(
            summary["n_stable"] == 2**n_bits
            and summary["n_saddles_connecting_two_stable"] >= n_bits * 2 ** (n_bits - 1))
    return rows + _long(condition, "flip_flop", -1, summary)
