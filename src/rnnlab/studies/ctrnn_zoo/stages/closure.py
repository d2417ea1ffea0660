"""Is the memory_anti_angle network's ring closed? (part of stage zoo_equilibria)

Per input condition ("hold": the delay; "recall": the recall period), two tests of
``rnnlab.analysis.manifold_topology``:

* the persistent homology (H0, H1) of the condition's slow points: one dominant loop that
  closes at the sampling scale;
* the held states ordered by the remembered angle: noise-free trials on a grid of
  ``closure_angles`` angles (default 72, 5°), the state at the end of the condition's period,
  held ``closure_relaxation_ms`` more under the condition's constant input (the fast modes
  decay, a point on the ring barely moves); consecutive angles must be neighbours on the
  manifold all the way round, the wrap-around included.

The ring counts as closed (``is_closed``) when both hold. The same held states also seed the
slow-point search (``grid_held_states``: every angle of the grid, as Sussillo & Barak seed from
visited states), so a slow stretch of the loop is not missed for want of an initial state.

How slow the loop is, all the way round (``loop_drift``): each held state is left
``closure_drift_ms`` more under the condition's input and its remembered angle read off the
loop itself (the nearest point of the polygon through the grid's held states, interpolated
between its two angles), so the drift is in degrees of the remembered angle per second whatever
the loop's shape; ``q_ratio`` = q / the slow tolerance at the held state (≤ 1: the state is
itself a slow point). Summary: ``drift_median_deg_per_s``, ``drift_max_deg_per_s``,
``drift_over_period_max_deg`` (the fastest drift over the longest period T, e.g. the 1200-ms
delay) and ``fraction_held_slow`` (of the grid's held states, q below the tolerance).

Rows are long-format ``attractor_analytics`` rows (analysis "closure"): per held state its
angle, neighbour rank, drift and q ratio (point = −2 − k for the k-th angle: these are not
equilibria; with its projection on the trials' principal components), per H1 bar its birth and
death (point = −1000 − k) and the summary (point = −1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from rnnlab.analysis.attractor_summaries import _long
from rnnlab.analysis.held_states import held_states, relax
from rnnlab.analysis.manifold_topology import loop_homology, ordered_neighbours

CLOSURE_SUMMARY = (
    "n_points", "loop_birth", "loop_death", "loop_persistence", "second_persistence",
    "second_loop_ratio", "loop_birth_fraction", "gap_fraction", "homology_closed",
    "n_angles", "fraction_ordered_neighbours", "worst_neighbour_rank", "wrap_neighbour_rank",
    "max_step_ratio", "wrap_step_ratio", "neighbours_closed", "drift_median_deg_per_s",
    "drift_max_deg_per_s", "drift_over_period_max_deg", "fraction_held_slow", "is_closed",
)  # fmt: skip
HELD_POINT_OFFSET = -2  # held state k is point −2 − k
BAR_POINT_OFFSET = -1000  # H1 bar k is point −1000 − k


def grid_held_states(model, task, condition: str, n_angles: int, relaxation_ms: float,
                     seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(angles (K,), states (K, N)): one noise-free trial per angle of a K-grid, the state at
    the end of ``condition``'s period, relaxed ``relaxation_ms`` under its constant input."""
    angles = 2.0 * np.pi * np.arange(n_angles) / n_angles
    quiet = task.without_noise()
    batch = quiet.sample_conditions(pd.DataFrame({"angle": angles}),
                                    np.random.default_rng(seed))
    with torch.no_grad():
        _, states = model(torch.from_numpy(batch.inputs))
    held = held_states(quiet, batch, states.double().numpy(), condition)
    relaxed = relax(model, quiet.fixed_point_inputs(condition), held, relaxation_ms,
                    quiet.dt_ms)
    return angles, relaxed.end


def loop_angles(states: np.ndarray, loop: np.ndarray, angles: np.ndarray) -> np.ndarray:
    """Remembered angle (K',) rad of states (K', N) read off a closed loop: the polygon through
    ``loop`` (K, N), its vertices at ``angles`` (K,) (ascending, an even grid round the circle),
    the nearest point of each segment k → k+1 (the wrap-around included) interpolated between
    θ_k and θ_{k+1}."""
    following = np.roll(loop, -1, axis=0)  # (K, N)
    edge = following - loop
    length2 = np.maximum(np.sum(edge**2, axis=1), np.finfo(float).tiny)  # (K,)
    offset = states[:, None, :] - loop[None, :, :]  # (K', K, N)
    t = np.clip(np.einsum("akn,kn->ak", offset, edge) / length2, 0.0, 1.0)  # (K', K)
    distance = np.linalg.norm(offset - t[..., None] * edge[None], axis=-1)
    segment = np.argmin(distance, axis=1)
    spacing = np.diff(np.append(angles, angles[0] + 2 * np.pi))  # (K,)
    chosen = t[np.arange(len(states)), segment]
    return np.mod(angles[segment] + chosen * spacing[segment], 2 * np.pi)


def loop_drift(model, inputs: np.ndarray, angles: np.ndarray, held: np.ndarray,
               duration_ms: float, dt_ms: float) -> np.ndarray:
    """Signed drift (K,) in degrees of remembered angle per second of the held states (K, N)
    left ``duration_ms`` more under the constant input (I,) (noise-free), read off the loop
    through the held states themselves (``loop_angles``)."""
    state = torch.from_numpy(held)
    u = torch.from_numpy(inputs.astype(np.float64)).expand(len(held), -1)
    with torch.no_grad():
        for _ in range(int(round(duration_ms / dt_ms))):
            state = model.step(state, u)
    moved = loop_angles(state.numpy(), held, angles) - angles
    moved = np.angle(np.exp(1j * moved))  # wrapped to (−π, π]
    return np.degrees(moved) / (duration_ms / 1000.0)


def closure_rows(model, task, condition: str, slow_states: np.ndarray,
                 grid: tuple[np.ndarray, np.ndarray], q_tolerance: float, period_ms: float,
                 drift_ms: float, pcs) -> list[dict]:
    """Long rows (analysis "closure") of both tests and the loop's drift at one input
    condition; slow_states (P, N); ``grid`` = (angles (K,), held states (K, N)) of
    ``grid_held_states``; ``q_tolerance`` (1/ms²) the slow search's and ``period_ms`` its T; the held
    states also projected on ``pcs`` (the trials' principal components)."""
    homology = loop_homology(slow_states)
    angles, held = grid
    inputs = task.fixed_point_inputs(condition)
    neighbours = ordered_neighbours(held, angles)
    drift = loop_drift(model, inputs, angles, held, drift_ms, task.dt_ms)
    with torch.no_grad():
        flow = model.flow(torch.from_numpy(held),
                          torch.from_numpy(inputs.astype(np.float64)).expand(len(held), -1))
    q_ratio = 0.5 * (flow**2).sum(dim=-1).numpy() / q_tolerance
    projected = pcs.project(held)
    rows = []
    for k, (angle, rank, step) in enumerate(zip(angles, neighbours.ranks, neighbours.steps)):
        rows += _long(condition, "closure", HELD_POINT_OFFSET - k,
                      dict(held_angle=angle, neighbour_rank=rank, step=step,
                           drift_deg_per_s=drift[k], q_ratio=q_ratio[k],
                           pc1=projected[k, 0], pc2=projected[k, 1], pc3=projected[k, 2]))
    for k, (birth, death) in enumerate(homology.h1):
        rows += _long(condition, "closure", BAR_POINT_OFFSET - k,
                      dict(h1_birth=birth, h1_death=death))
    summary = homology.summary()
    summary["homology_closed"] = summary.pop("is_closed")
    summary |= {"n_angles": float(len(angles))}
    order = neighbours.summary()
    order["neighbours_closed"] = order.pop("is_closed")
    summary |= order
    speed = np.abs(drift)
    summary |= dict(drift_median_deg_per_s=float(np.median(speed)),
                    drift_max_deg_per_s=float(speed.max()),
                    drift_over_period_max_deg=float(speed.max() * period_ms / 1000.0),
                    fraction_held_slow=float(np.mean(q_ratio <= 1.0)))
    summary["is_closed"] = float(summary["homology_closed"] == 1
                                 and summary["neighbours_closed"] == 1)
    return rows + _long(condition, "closure", -1, {k: summary[k] for k in CLOSURE_SUMMARY})
