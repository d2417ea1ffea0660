"""Stage two_afc_analysis: everything measured on one trained network, in one job (a job's
start-up costs more than most of these analyses).

Always: the psychometric curve on a fixed grid of signed coherences (``afc_psychometric``),
its logistic fit with two lapse rates (``afc_psychometric_fit``) and condition-averaged PCA
trajectories of the rates (``afc_trajectories``). Depending on the run's role
(``analyses``, given by the study's plug-in): ``centroids`` – class-centroid separation of the
decision-time rates at every checkpoint (``afc_centroids``); ``robustness`` – accuracy with
random units silenced (``afc_robustness``); ``fixed_points`` – fixed points of the noise-free
map at constant inputs, in the trajectories' PCA space (``afc_fixed_points``); ``causal`` –
saliency, lesions and clamps (``afc_saliency``, ``afc_lesion``, ``afc_clamp``). Tables a run
does not compute are written empty.

Networks of the PsychRNN-statistics task (kind ctrnn) choose by PsychRNN's rule (argmax of the
time-mean masked output) and are tested on trials of fixed timing (onset T/4, duration T/4),
the same trials the PsychRNN job draws.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import torch

import rnnlab.studies.two_afc.tables  # noqa: F401  (registers the study's tables)
from rnnlab.analysis.fixed_points import FixedPointSettings, find_fixed_points
from rnnlab.checkpoints import list_checkpoints
from rnnlab.experiment import load_model
from rnnlab.stages.tagging import tag
from rnnlab.studies.two_afc.stages.behaviour import (
    centroid_separation,
    choice_curve,
    curve_fit,
    decision_choices,
    grid_batch,
    mean_trajectories,
    robustness,
)
from rnnlab.studies.two_afc.stages.causal import causal_tables
from rnnlab.studies.two_afc.tables import empty
from rnnlab.studies.two_afc.tasks import psychrnn_choices

TABLES = ("afc_psychometric", "afc_psychometric_fit", "afc_trajectories", "afc_centroids",
          "afc_robustness", "afc_fixed_points", "afc_saliency", "afc_lesion", "afc_clamp")


def fixed_timing(task) -> dict:
    """Fixed onset and duration of the comparison's test trials (PsychRNN-statistics task)."""
    if task.name != "psychrnn_discrimination":
        return {}
    return dict(onset_ms=task.T_ms / 4, duration_ms=task.T_ms / 4)


def network_choices(model, task, batch) -> tuple[np.ndarray, np.ndarray]:
    """(choices (B,), rates (B, T, N)) by the task's own rule, noise off."""
    if task.name == "psychrnn_discrimination":
        with torch.no_grad():
            outputs, states = model(torch.from_numpy(batch.inputs))
        return psychrnn_choices(outputs.double().numpy(), batch.loss_mask), \
            states.double().numpy()
    return decision_choices(model, batch)


def fixed_points(model, rates: np.ndarray, components, conditions: dict, n_initial: int,
                 seed: int, finder: dict) -> pd.DataFrame:
    """Fixed points of h ↦ step(h, u) for each named constant input u, from ``n_initial``
    states visited on the test trials (h = rates there: the test rates are non-negative
    states), projected on the trajectories' principal components."""
    double = copy.deepcopy(model).double()
    rng = np.random.default_rng(seed)
    flat = rates.reshape(-1, rates.shape[-1])
    starts = flat[rng.choice(len(flat), size=min(n_initial, len(flat)), replace=False)]
    rows = []
    for name, inputs in conditions.items():
        result = find_fixed_points(lambda h, u: double.step(h, u), starts,
                                   np.asarray(inputs, dtype=np.float64),
                                   jacobian=getattr(double, "step_jacobian", None),
                                   settings=FixedPointSettings(**finder))
        projected = components.project(np.maximum(result.states, 0.0)) if len(result) else \
            np.zeros((0, 3))
        eigen = np.abs(result.eigenvalues).max(axis=1) if len(result) else np.zeros(0)
        for index in range(len(result)):
            rows.append(dict(input_condition=name, kind=str(result.kind[index]),
                             motif=str(result.labels[index]), q=float(result.q[index]),
                             max_abs_eigenvalue=float(eigen[index]),
                             stable=bool(eigen[index] < 1.0), pc1=projected[index, 0],
                             pc2=projected[index, 1], pc3=projected[index, 2]))
    return pd.DataFrame(rows, columns=["input_condition", "kind", "motif", "q",
                                       "max_abs_eigenvalue", "stable", "pc1", "pc2", "pc3"])


def analyse(checkpoints: str | Path, *, analyses: list[str], signed_coherences: list[float],
            trials_per_coherence: int, seed: int, robustness_fractions: list[float],
            robustness_draws: int, fixed_point_initial_states: int, fixed_point_finder: dict,
            top_k: int, random_draws: int, clamp_values: list[float],
            fixed_point_seeds: list[int] | None = None) -> dict[str, pd.DataFrame]:
    """Every table of ``TABLES`` for the final checkpoint (``centroids``: every checkpoint).
    ``fixed_point_seeds``: the training seeds whose fixed points are searched (None: every
    seed); the others' ``afc_fixed_points`` is empty."""
    paths = list_checkpoints(checkpoints)
    model, task, payload = load_model(paths[-1])
    run, run_seed = payload["run_config"]["run"], payload["seed"]
    grid, signed = grid_batch(task, signed_coherences, trials_per_coherence, seed,
                              **fixed_timing(task))
    labels = grid.conditions["label"].to_numpy()
    choices, rates = network_choices(model, task, grid)
    curve = choice_curve(signed, choices)
    tables = {name: empty(name) for name in TABLES}
    tables["afc_psychometric"] = tag(curve, run, run_seed)
    tables["afc_psychometric_fit"] = tag(pd.DataFrame([curve_fit(curve)]), run, run_seed)
    trajectories, components = mean_trajectories(rates, signed, signed_coherences)
    tables["afc_trajectories"] = tag(trajectories, run, run_seed)
    decided = signed != 0
    decided_batch, _ = grid_batch(task, [c for c in signed_coherences if c != 0],
                                  trials_per_coherence, seed + 1, **fixed_timing(task))
    decided_labels = decided_batch.conditions["label"].to_numpy()
    if "centroids" in analyses:
        rows = []
        for path in paths:
            network, _, checkpoint = load_model(path)
            _, states = network_choices(network, task, grid)
            rows.append(dict(checkpoint_step=int(checkpoint["step"]),
                             **centroid_separation(states[decided, -1], labels[decided])))
        tables["afc_centroids"] = tag(pd.DataFrame(rows), run, run_seed)
    if "robustness" in analyses:
        tables["afc_robustness"] = tag(
            robustness(model, decided_batch, decided_labels, robustness_fractions,
                       robustness_draws, seed), run, run_seed)
    if "fixed_points" in analyses and (fixed_point_seeds is None
                                       or int(run_seed) in fixed_point_seeds):
        top = max(abs(c) for c in signed_coherences)
        conditions = {"no stimulus": [0.0, 0.0], "left evidence": [top, 0.0],
                      "right evidence": [0.0, top]}
        tables["afc_fixed_points"] = tag(
            fixed_points(model, rates, components, conditions, fixed_point_initial_states, seed,
                         fixed_point_finder), run, run_seed)
    if "causal" in analyses:
        causal = causal_tables(model, grid, signed, signed_coherences, decided_batch,
                               decided_labels, top_k, random_draws, clamp_values, seed)
        for name, frame in causal.items():
            tables[name] = tag(frame, run, run_seed)
    return tables
