"""What the CTRNN-zoo figures share: the tasks' order and names, how an equilibrium is drawn
(colour: stability; size: exact fixed point or slow point; shape: input condition) and helpers
for the tables."""

from __future__ import annotations

import pandas as pd
from matplotlib.lines import Line2D

from rnnlab.plotting.style import NEUTRAL_COLOR, select

TASK_ORDER = ("cddm", "dmts", "three_bit_flip_flop", "memory_anti_number", "memory_anti_angle")
TASK_LABELS = {
    "cddm": "CDDM",
    "dmts": "DMTS",
    "three_bit_flip_flop": "3-bit flip-flop",
    "memory_anti_number": "memory-anti number",
    "memory_anti_angle": "memory-anti angle",
}
STABILITIES = ("stable", "marginal", "unstable")
STABILITY_COLORS = {"stable": "#222222", "marginal": "#E69F00", "unstable": "#D55E00"}
CONDITION_MARKERS = ("o", "s", "^", "D", "v", "P")


def require(frame: pd.DataFrame, columns, name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name}: missing column(s) {missing}; got {list(frame.columns)}")


def task_runs(*frames: pd.DataFrame) -> list[str]:
    """Runs present in any frame: the zoo tasks in their fixed order, then the rest by name."""
    found = {str(r) for f in frames if "run" in f for r in f["run"].unique()}
    return [t for t in TASK_ORDER if t in found] + sorted(found - set(TASK_ORDER))


def first_seed(frame: pd.DataFrame, run: str) -> pd.DataFrame:
    """Rows of ``run`` with its smallest seed."""
    rows = select(frame, run=run)
    return rows if rows.empty else rows[rows["seed"] == rows["seed"].min()]


def task_label(run: str) -> str:
    return TASK_LABELS.get(run, run)


def point_style(stability: str, mode: str, marker: str = "o") -> dict:
    """Scatter style: stable/marginal filled, unstable hollow; exact points large with a black
    edge, slow points small; ``marker`` tells the input conditions apart."""
    color = STABILITY_COLORS.get(stability, NEUTRAL_COLOR)
    filled = stability != "unstable"
    exact = mode == "exact"
    return dict(
        s=40 if exact else 8,
        marker=marker,
        facecolors=color if filled else "none",
        edgecolors="k" if exact and filled else color,
        linewidths=1.0 if exact else 0.6,
        zorder=5 if exact else 4,
    )


def condition_markers(points: pd.DataFrame) -> dict[str, str]:
    """Input condition -> marker, in order of appearance."""
    if "input_condition" not in points:
        return {}
    conditions = list(dict.fromkeys(points["input_condition"].astype(str)))
    return {c: CONDITION_MARKERS[k % len(CONDITION_MARKERS)] for k, c in enumerate(conditions)}


def stability_handles(points: pd.DataFrame) -> list[Line2D]:
    """Legend keys of what ``points`` draws: each stability present (filled or hollow in its
    colour), then large = exact fixed point and small = slow point when both sizes are drawn
    (keys in grey: the size is what they show)."""
    present = set(points["stability"].astype(str)) if "stability" in points else set()
    handles = []
    for stability in [s for s in STABILITIES if s in present] + sorted(present - set(STABILITIES)):
        color = STABILITY_COLORS.get(stability, NEUTRAL_COLOR)
        filled = stability != "unstable"
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=5,
                              markerfacecolor=color if filled else "none",
                              markeredgecolor=color, label=stability))
    modes = set(points["mode"].astype(str)) if "mode" in points else set()
    if {"exact", "slow"} <= modes:
        exact = points[points["mode"] == "exact"]
        slow = points[points["mode"] == "slow"]
        handles.append(_size_handle(exact, 7, "exact fixed point (large)"))
        handles.append(_size_handle(slow, 3.5, "slow point (small)"))
    return handles


def _size_handle(points: pd.DataFrame, size: float, label: str) -> Line2D:
    """A grey circle of the given size, filled when a filled point of that size is drawn."""
    filled = (points["stability"].astype(str) != "unstable").any()
    return Line2D([], [], linestyle="none", marker="o", markersize=size,
                  markerfacecolor=NEUTRAL_COLOR if filled else "none",
                  markeredgecolor=NEUTRAL_COLOR, label=label)


def marker_handles(points: pd.DataFrame, markers: dict[str, str]) -> list[Line2D]:
    """Grey keys of the input conditions' marker shapes, filled when a filled point of that
    condition is drawn, hollow otherwise."""
    handles = []
    for condition, marker in markers.items():
        of_condition = points[points["input_condition"].astype(str) == condition]
        filled = (of_condition["stability"].astype(str) != "unstable").any()
        handles.append(Line2D([], [], linestyle="none", marker=marker, markersize=5,
                              markerfacecolor=NEUTRAL_COLOR if filled else "none",
                              markeredgecolor=NEUTRAL_COLOR, label=f"input: {condition}"))
    return handles
