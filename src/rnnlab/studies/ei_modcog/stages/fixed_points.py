"""Stage fixed_points: fixed points of the sweep networks' noise-free map at named constant inputs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from rnnlab.analysis.fixed_points import FixedPointSettings
from rnnlab.analysis.network_fixed_points import (
    TRAINED_NETWORK_ADAM_STEPS,
    NetworkFixedPointSettings,
    analyse_fixed_points,
)
from rnnlab.checkpoints import list_checkpoints
from rnnlab.experiment import load_model
import rnnlab.studies.ei_modcog.tables  # noqa: F401  (registers the study's tables)
from rnnlab.stages.tagging import tag


def fixed_points(
    checkpoints: str | Path, inhibitory_fraction: float, **settings
) -> dict[str, pd.DataFrame]:
    """Fixed points of the final checkpoint → {"fixed_points", "fixed_point_search",
    "fixed_point_trajectories"} (points, searches, example trajectories).

    ``settings`` are the study's fixed_point_sweep settings (``NetworkFixedPointSettings``
    fields; ``finder``: ``FixedPointSettings`` fields).
    """
    fraction = float(inhibitory_fraction)
    finder = FixedPointSettings(**{"adam_steps": TRAINED_NETWORK_ADAM_STEPS,
                                   **settings.pop("finder", {})})
    settings["input_conditions"] = tuple(settings.get("input_conditions", ()))
    network_settings = NetworkFixedPointSettings(finder=finder, **settings)
    model, task, payload = load_model(list_checkpoints(checkpoints)[-1])
    frames = analyse_fixed_points(model, task, network_settings)
    run, seed = payload["run_config"]["run"], payload["seed"]
    tagged = {}
    for name, frame in zip(("fixed_points", "fixed_point_search", "fixed_point_trajectories"), frames):
        frame = tag(frame, run, seed)
        frame.insert(2, "inhibitory_fraction", fraction)
        tagged[name] = frame
    return tagged
