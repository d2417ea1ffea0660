"""Identify rows of a stage's output: run, seed and checkpoint step in front."""

from __future__ import annotations

import numpy as np
import pandas as pd


def tag(frame: pd.DataFrame, run: str, seed: int, step: int | None = None) -> pd.DataFrame:
    frame = frame.copy()
    if step is not None:
        frame.insert(0, "checkpoint_step", np.int64(step))
    frame.insert(0, "seed", np.int64(seed))
    frame.insert(0, "run", run)
    return frame
