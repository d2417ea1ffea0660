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

The ring counts as closed (``is_closed``) when both hold. Rows are long-format
``attractor_analytics`` rows (analysis "closure"): per held state its angle and neighbour rank
(point = −2 − k for the k-th angle: these are not equilibria; with its projection on the
trials' principal components), per H1 bar its birth and death
(point = −1000 − k) and the summary (point = −1).
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
    "max_step_ratio", "wrap_step_ratio", "neighbours_closed", "is_closed",
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


def closure_rows(model, task, condition: str, slow_states: np.ndarray, n_angles: int,
                 relaxation_ms: float, seed: int, pcs) -> list[dict]:
    """Long rows (analysis "closure") of both tests at one input condition; slow_states (P, N);
    the held states also projected on ``pcs`` (the trials' principal components)."""
    homology = loop_homology(slow_states)
    angles, held = grid_held_states(model, task, condition, n_angles, relaxation_ms, seed)
    neighbours = ordered_neighbours(held, angles)
    projected = pcs.project(held)
    rows = []
    for k, (angle, rank, step) in enumerate(zip(angles, neighbours.ranks, neighbours.steps)):
        rows += _long(condition, "closure", HELD_POINT_OFFSET - k,
                      dict(held_angle=angle, neighbour_rank=rank, step=step,
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
    summary["is_closed"] = float(summary["homology_closed"] == 1
                                 and summary["neighbours_closed"] == 1)
    return rows + _long(condition, "closure", -1, {k: summary[k] for k in CLOSURE_SUMMARY})
