"""Fixed points of a trained network, searched from states its own trajectories visit.

For each named constant input (``task.fixed_point_inputs``) the noise-free map F(h, u) of the
model is searched with ``find_fixed_points`` and the model's analytic Jacobian, from initial
states sampled (with small Gaussian noise) from test trajectories. Points and example
trajectories are projected on the top principal components of those trajectories.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from rnnlab.analysis.principal_components import PrincipalComponents  # noqa: F401  (re-exported)

from rnnlab.analysis.fixed_points import (
    FixedPointSettings,
    classify_map_motif,
    find_fixed_points,
)


# Trained networks keep a 300-step Adam warm start (the library's default is none): on an
# approximate line or ring attractor the slow manifold is curved, Newton's straight steps leave
# it and crawl, and Newton alone misses roots on it that Adam's small steps reach (a map with an
# approximate ring: the unstable root at θ = π, tests/test_fixed_points.py).
TRAINED_NETWORK_ADAM_STEPS = 300


@dataclass(frozen=True)
class NetworkFixedPointSettings:
    input_conditions: tuple[str, ...] = ("fixation", "go")
    n_trials: int = 128
    n_initial_states: int = 256
    initial_state_noise: float = 0.01
    n_example_trials: int = 8
    motif_tolerance: float = 0.02
    n_eigenvalues: int = 10
    seed: int = 0
    finder: FixedPointSettings = FixedPointSettings(adam_steps=TRAINED_NETWORK_ADAM_STEPS)


def search_summary(result, condition: str) -> dict:
    """What happened to the initial states of one search (a row of a search table)."""
    return dict(
        input_condition=condition,
        n_initial=result.n_initial,
        n_converged=result.n_converged,
        n_slow=result.n_slow,
        n_failed=result.n_failed,
        n_local_minima=result.n_local_minima,
        n_outliers=result.n_outliers,
        n_unique=result.n_unique,
    )


def _period_names(batch) -> np.ndarray:
    """(B, T) name of the period each step belongs to ("" in padding)."""
    names = np.full(batch.inputs.shape[:2], "", dtype=object)
    steps = np.arange(batch.n_steps)
    for period, bounds in batch.periods.items():
        inside = (steps[None, :] >= bounds[:, :1]) & (steps[None, :] < bounds[:, 1:])
        names[inside] = period
    return names


def analyse_fixed_points(model, task, settings: NetworkFixedPointSettings):
    """Returns (points, searches, trajectories) DataFrames (schemas ``fixed_points``,
    ``fixed_point_search``, ``fixed_point_trajectories`` without the run columns)."""
    rng = np.random.default_rng(settings.seed)
    batch = task.sample(rng, settings.n_trials)
    model.requires_grad_(False)
    with torch.no_grad():
        _, states = model(torch.from_numpy(batch.inputs))
    states = states.double().numpy()
    visited = states[batch.loss_mask]  # (visited steps, N)
    pcs = PrincipalComponents.fit(visited)

    points, searches = [], []
    for condition in settings.input_conditions:
        chosen = rng.choice(len(visited), size=settings.n_initial_states, replace=True)
        initial = visited[chosen] + settings.initial_state_noise * rng.standard_normal(
            (settings.n_initial_states, visited.shape[1])
        )
        inputs = task.fixed_point_inputs(condition).astype(np.float64)
        result = find_fixed_points(
            model.step, initial, inputs, jacobian=model.step_jacobian, settings=settings.finder
        )
        projected = pcs.project(result.states) if len(result) else np.zeros((0, 3))
        for index in range(len(result)):
            eigenvalues = result.eigenvalues[index]
            top = eigenvalues[: settings.n_eigenvalues]
            points.append(
                dict(
                    input_condition=condition,
                    point=index,
                    q=float(result.q[index]),
                    is_converged=bool(result.is_converged[index]),
                    kind=str(result.kind[index]),
                    motif=classify_map_motif(eigenvalues, settings.motif_tolerance),
                    max_abs_eigenvalue=float(np.abs(eigenvalues).max()),
                    n_unstable=int((np.abs(eigenvalues) > 1 + settings.motif_tolerance).sum()),
                    eigenvalues_real=top.real.tolist(),
                    eigenvalues_imag=top.imag.tolist(),
                    state=result.states[index].tolist(),
                    pc1=float(projected[index, 0]),
                    pc2=float(projected[index, 1]),
                    pc3=float(projected[index, 2]),
                )
            )
        searches.append(search_summary(result, condition))

    periods = _period_names(batch)
    direction = batch.conditions.get("direction", batch.conditions.get("target_direction"))
    trajectory_rows = []
    for trial in range(min(settings.n_example_trials, batch.batch_size)):
        running = batch.loss_mask[trial]
        projected = pcs.project(states[trial, running])
        for t, (pc1, pc2, pc3) in zip(np.flatnonzero(running), projected):
            trajectory_rows.append(
                dict(
                    trial=trial,
                    time_step=int(t),
                    period=str(periods[trial, t]),
                    condition_direction=float(direction.iloc[trial]),
                    pc1=float(pc1),
                    pc2=float(pc2),
                    pc3=float(pc3),
                )
            )
    point_columns = [
        "input_condition", "point", "q", "is_converged", "kind", "motif", "max_abs_eigenvalue",
        "n_unstable", "eigenvalues_real", "eigenvalues_imag", "state", "pc1", "pc2", "pc3",
    ]
    return (
        pd.DataFrame(points, columns=point_columns),
        pd.DataFrame(searches),
        pd.DataFrame(trajectory_rows),
    )
