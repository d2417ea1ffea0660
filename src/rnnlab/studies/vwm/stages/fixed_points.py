"""Stage fixed_points: fixed and slow points of the trained network's noise-free map.

The map is the network without spike noise, h' = h + (dt/τ)(−h + Φ(W_eff h + B u))
(``VWMNetwork.step``, analytic Jacobian ``step_jacobian``), searched with the project's finder
(``rnnlab.analysis.fixed_points.find_fixed_points``) in float64.

``n_trials`` noise-free trials of set size 1 with the item in slot 0 at evenly spaced
orientations (no item-location noise) give the states the search starts from and the principal
components the points are drawn in (PCs of the decode-window states). For each period of
``periods`` the input held is the period's real input on those trials: in the decode period
(and the delay) the task's input is 0; in the stimulus period each trial's own stimulus. Initial
states are ``n_initial_states`` states visited in the period (each with its trial's input),
plus Gaussian noise of ``initial_state_noise`` Hz.

The seed's search differs twice: its network kept the spike noise on (q was stochastic), and a
name mismatch (``'stimuli'`` vs ``fpf_stimuli``) left the input at 0 for every period — the
decode period's real input, but not the stimulus period's.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import torch

import rnnlab.studies.vwm.tables  # noqa: F401  (registers the study's tables)
from rnnlab.analysis.fixed_points import (
    FixedPointSettings,
    classify_map_motif,
    find_fixed_points,
)
from rnnlab.analysis.network_fixed_points import PrincipalComponents, search_summary
from rnnlab.stages.tagging import tag
from rnnlab.studies.vwm.stages.common import final_network, run_trials

PERIODS = ("decode", "stimulus")


def probe_trials(task, n_trials: int, rng):
    """Set size 1, slot 0, orientations evenly spaced on the circle, no location noise."""
    presence = np.zeros((n_trials, task.max_items), dtype=np.float32)
    presence[:, 0] = 1
    theta = np.zeros((n_trials, task.max_items))
    theta[:, 0] = -np.pi + 2 * np.pi * (np.arange(n_trials) + 0.5) / n_trials
    return task.trials(presence, theta, rng, location_noise=0.0)


def slot_readout(model, states: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(angle, norm) of slot 0's noise-free readout F[0:2] h of states (K, N)."""
    pair = states @ model.F.detach().double().numpy()[:2].T
    return np.arctan2(pair[:, 1], pair[:, 0]), np.hypot(pair[:, 0], pair[:, 1])


def fixed_points(checkpoints: str | Path, n_trials: int, n_initial_states: int,
                 initial_state_noise: float, periods: list[str], motif_tolerance: float,
                 n_example_trials: int, seed: int, finder: dict) -> dict[str, pd.DataFrame]:
    """Points, searches and example trajectories of the final network's noise-free map."""
    model, task, payload = final_network(checkpoints)
    network = copy.deepcopy(model).double().requires_grad_(False)
    rng = np.random.default_rng(seed)
    batch = probe_trials(task, n_trials, rng)
    states = run_trials(network, batch, None).numpy()  # (B, T, N), noise-free
    bounds = task.period_bounds
    decode = slice(*bounds["decode"])
    pcs = PrincipalComponents.fit(states[:, decode].reshape(-1, states.shape[-1]))
    settings = FixedPointSettings(**finder)
    points, searches = [], []
    for period in periods:
        if period not in PERIODS:
            raise ValueError(f"unknown period {period!r}; expected one of {PERIODS}")
        window = slice(*bounds[period])
        visited = states[:, window].reshape(-1, states.shape[-1])
        held = batch.inputs[:, window].astype(np.float64).reshape(-1, batch.inputs.shape[-1])
        chosen = rng.choice(len(visited), size=n_initial_states, replace=True)
        initial = visited[chosen] + initial_state_noise * rng.standard_normal(
            (n_initial_states, visited.shape[1]))
        initial = np.maximum(initial, 0.0)  # rates are ≥ 0
        with torch.no_grad():
            result = find_fixed_points(network.step, initial, held[chosen],
                                       jacobian=network.step_jacobian, settings=settings)
        projected = pcs.project(result.states) if len(result) else np.zeros((0, 3))
        angle, norm = slot_readout(network, result.states)
        for index in range(len(result)):
            magnitude = np.abs(result.eigenvalues[index])
            points.append(dict(
                period=period, point=index, q=float(result.q[index]),
                kind=str(result.kind[index]),
                motif=classify_map_motif(result.eigenvalues[index], motif_tolerance),
                max_abs_eigenvalue=float(magnitude.max()),
                n_unstable=int((magnitude > 1 + motif_tolerance).sum()),
                n_marginal=int((np.abs(magnitude - 1) <= motif_tolerance).sum()),
                pc1=float(projected[index, 0]), pc2=float(projected[index, 1]),
                pc3=float(projected[index, 2]), decoded_angle=float(angle[index]),
                readout_norm=float(norm[index]),
                mean_rate_hz=float(result.states[index].mean())))
        summary = search_summary(result, period)
        summary.pop("input_condition")
        searches.append(dict(period=period,
                             input_norm=float(np.linalg.norm(held[chosen], axis=1).mean()),
                             **summary))
    trajectories = example_trajectories(network, task, batch, states, pcs, n_example_trials)
    point_columns = ["period", "point", "q", "kind", "motif", "max_abs_eigenvalue",
                     "n_unstable", "n_marginal", "pc1", "pc2", "pc3", "decoded_angle",
                     "readout_norm", "mean_rate_hz"]
    run, seed_ = payload["run_config"]["run"], payload["seed"]
    return {
        "vwm_fixed_points": tag(pd.DataFrame(points, columns=point_columns), run, seed_),
        "vwm_fixed_point_search": tag(pd.DataFrame(searches), run, seed_),
        "vwm_trajectories": tag(trajectories, run, seed_),
    }


def example_trajectories(network, task, batch, states, pcs, n_examples: int) -> pd.DataFrame:
    """Every ⌈B/n⌉-th probe trial (orientations spread over the circle) in PC space."""
    chosen = np.linspace(0, len(states), n_examples, endpoint=False).astype(int)
    names = np.empty(task.n_steps, dtype=object)
    for period, (start, stop) in task.period_bounds.items():
        names[start:stop] = period
    frames = []
    for trial in chosen:
        projected = pcs.project(states[trial])
        angle, _ = slot_readout(network, states[trial])
        frames.append(pd.DataFrame(dict(
            trial=int(trial), theta=float(batch.metadata["theta"][trial, 0]),
            time_ms=(np.arange(task.n_steps) + 1) * task.dt_ms, period=names,
            pc1=projected[:, 0], pc2=projected[:, 1], pc3=projected[:, 2],
            decoded_angle=angle)))
    return pd.concat(frames, ignore_index=True)
