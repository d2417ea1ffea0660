"""Stage evaluate_checkpoints (shared by every study): each checkpoint's choices on one seeded
test set."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from rnnlab.analysis.evaluation import evaluate, make_test_set
from rnnlab.checkpoints import list_checkpoints
from rnnlab.experiment import load_model
from rnnlab.stages.tagging import tag
from rnnlab.tasks.schedule import tasks_of


def evaluate_checkpoints(checkpoints: str | Path, n_trials: int, seed: int) -> dict[str, pd.DataFrame]:
    """{"evaluation": every checkpoint on the same seeded test set, one row per (checkpoint,
    task, trial)}. A network trained on several tasks (``rnnlab.tasks.schedule``) is tested on
    ``n_trials`` trials of each, in the schedule's order."""
    frames = []
    for path in list_checkpoints(checkpoints):
        model, task, payload = load_model(path)
        for component in tasks_of(task):
            frame = evaluate(model, make_test_set(component, n_trials, seed))
            frame.insert(0, "task", component.name)
            frames.append(
                tag(frame, payload["run_config"]["run"], payload["seed"], payload["step"])
            )
    return {"evaluation": pd.concat(frames, ignore_index=True)}
