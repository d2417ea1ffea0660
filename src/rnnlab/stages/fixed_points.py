"""Stage fixed_points."""

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
from rnnlab.stages.tagging import tag


def fixed_points(
    checkpoint_directory: str | Path, settings: dict
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Fixed points of the final checkpoint → (points, searches, example trajectories).

    ``settings`` is the study's fixed_point_sweep section plus ``inhibitory_fraction``.
    """
    settings = dict(settings)
    fraction = float(settings.pop("inhibitory_fraction"))
    finder = FixedPointSettings(**{"adam_steps": TRAINED_NETWORK_ADAM_STEPS,
                                   **settings.pop("finder", {})})
    settings["input_conditions"] = tuple(settings.get("input_conditions", ()))
    network_settings = NetworkFixedPointSettings(finder=finder, **settings)
    model, task, payload = load_model(list_checkpoints(checkpoint_directory)[-1])
    frames = analyse_fixed_points(model, task, network_settings)
    run, seed = payload["run_config"]["run"], payload["seed"]
    tagged = []
    for frame in frames:
        frame = tag(frame, run, seed)
        frame.insert(2, "inhibitory_fraction", fraction)
        tagged.append(frame)
    return tuple(tagged)
