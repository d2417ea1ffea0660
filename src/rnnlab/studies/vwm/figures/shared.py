"""What the vwm figures share: run colours, the first seed of a run, column checks."""

from __future__ import annotations

import pandas as pd

from rnnlab.plotting.style import cycle_colors, select


def require(frame: pd.DataFrame, columns, name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name}: missing column(s) {missing}; got {list(frame.columns)}")


def runs_of(*frames: pd.DataFrame) -> list[str]:
    found = {str(r) for f in frames if "run" in f for r in f["run"].unique()}
    return sorted(found)


def run_colors(runs) -> dict[str, str]:
    return cycle_colors(runs)


def first_seed(frame: pd.DataFrame, run: str) -> pd.DataFrame:
    """Rows of ``run`` with its smallest seed."""
    rows = select(frame, run=run)
    return rows if rows.empty else rows[rows["seed"] == rows["seed"].min()]


def run_label(run: str, multiple: bool) -> str:
    return f"model ({run})" if multiple else "model"
