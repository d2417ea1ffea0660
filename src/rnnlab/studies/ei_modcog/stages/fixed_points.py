"""Stage fixed_points: fixed points of the sweep networks' noise-free map at named constant
inputs, and the geometry of their memory (delay) period."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from rnnlab.analysis.fixed_points import FixedPointSettings
from rnnlab.analysis.memory_period import memory_period as memory_period_geometry
from rnnlab.analysis.network_fixed_points import (
    TRAINED_NETWORK_ADAM_STEPS,
    NetworkFixedPointSettings,
    analyse_fixed_points,
)
from rnnlab.checkpoints import list_checkpoints
from rnnlab.experiment import load_model
import rnnlab.studies.ei_modcog.tables  # noqa: F401  (registers the study's tables)
from rnnlab.stages.tagging import tag

OUTPUTS = ("fixed_points", "fixed_point_search", "fixed_point_trajectories", "delay_trajectories")


def fixed_points(
    checkpoints: str | Path, inhibitory_fraction: float, memory_period: str = "delay",
    ring_conditions=(), ring_initial_states: int | None = None, ring_seed: int | None = None,
    **settings,
) -> dict[str, pd.DataFrame]:
    """Fixed points of the final checkpoint → {"fixed_points", "fixed_point_search",
    "fixed_point_trajectories", "delay_trajectories"} (points, searches, example trajectories,
    mean memory-period trajectory per stimulus direction).

    ``settings`` are the study's fixed_point_sweep settings (``NetworkFixedPointSettings``
    fields; ``finder``: ``FixedPointSettings`` fields). ``memory_period``: the task period
    whose states define the memory-period PCs (``rnnlab.analysis.memory_period``); every fixed
    point is projected on them too (``delay_pc*``, NaN when the task has no such period). ``ring_conditions``: further
    input conditions searched only on the network of seed ``ring_seed`` (the one the ring panels
    draw), from ``ring_initial_states`` initial states each (default ``n_initial_states``).
    """
    fraction = float(inhibitory_fraction)
    finder = FixedPointSettings(**{"adam_steps": TRAINED_NETWORK_ADAM_STEPS,
                                   **settings.pop("finder", {})})
    settings["input_conditions"] = tuple(settings.get("input_conditions", ()))
    network_settings = NetworkFixedPointSettings(finder=finder, **settings)
    model, task, payload = load_model(list_checkpoints(checkpoints)[-1])
    points, searches, trajectories = analyse_fixed_points(model, task, network_settings)
    extra = tuple(c for c in ring_conditions if c not in network_settings.input_conditions)
    if extra and payload["seed"] == ring_seed:
        ring = replace(network_settings, input_conditions=extra,
                       n_initial_states=ring_initial_states or network_settings.n_initial_states)
        ring_points, ring_searches, _ = analyse_fixed_points(model, task, ring)
        points = pd.concat([points, ring_points], ignore_index=True)
        searches = pd.concat([searches, ring_searches], ignore_index=True)

    # The same test trials as the search (its generator's first draw), for the memory period.
    batch = task.sample(np.random.default_rng(network_settings.seed), network_settings.n_trials)
    with torch.no_grad():
        _, states = model(torch.from_numpy(batch.inputs))
    memory = memory_period_geometry(batch, states.double().numpy(), memory_period)
    point_states = np.array(points["state"].tolist(), dtype=np.float64)
    located = memory.project(point_states) if len(points) else np.zeros((0, 3))
    for k in range(3):
        points[f"delay_pc{k + 1}"] = located[:, k]

    run, seed = payload["run_config"]["run"], payload["seed"]
    tagged = {}
    for name, frame in zip(OUTPUTS, (points, searches, trajectories, memory.trajectories)):
        frame = tag(frame, run, seed)
        frame.insert(2, "inhibitory_fraction", fraction)
        tagged[name] = frame
    return tagged
