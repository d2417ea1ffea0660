"""What System A's figures share: run colours and names, the thesis's reported ranges, and
small helpers."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from rnnlab.plotting.style import cycle_colors

# The thesis's own results over its 20 seeds (results/performance/performance-analysis.md and
# model_results.txt of lorenapuhl/Backengineering-neural-networks, experiment-a).
THESIS_RANGES = {
    "precision": (0.013, 0.042),
    "cosine_input_output": (0.82, 0.89),
    "input_pr": (305.0, 342.0),
    "output_pr": (307.0, 331.0),
}
THESIS_SEEDS = 20
THESIS_COLOR = "#BBBBBB"
RUN_COLORS = {"model_a": "#0072B2", "independent_init": "#D55E00"}
RUN_LABELS = {"model_a": "model A (thesis init)", "independent_init": "independent I, w init"}
VECTOR_LABELS = {"input": "I (spontaneous PCs)", "output": "w (memory-period PCs)"}


def require(frame: pd.DataFrame, columns, name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name}: missing column(s) {missing}; got {list(frame.columns)}")


def runs_of(*frames: pd.DataFrame) -> list[str]:
    """Runs present in any frame: model_a first, then the rest by name."""
    found = {str(r) for f in frames if "run" in f for r in f["run"].unique()}
    return sorted(found, key=lambda run: (run != "model_a", run))


def run_colors(runs) -> dict[str, str]:
    return cycle_colors(runs, {r: c for r, c in RUN_COLORS.items() if r in set(runs)})


def run_label(run: str) -> str:
    return RUN_LABELS.get(run, run)


def thesis_band(ax, key: str, orientation: str = "horizontal", label: bool = True):
    """Shade the thesis's range of ``key``; returns its legend handle."""
    low, high = THESIS_RANGES[key]
    if orientation == "horizontal":
        ax.axhspan(low, high, color=THESIS_COLOR, alpha=0.45, linewidth=0, zorder=0)
    else:
        ax.axvspan(low, high, color=THESIS_COLOR, alpha=0.45, linewidth=0, zorder=0)
    return Patch(facecolor=THESIS_COLOR, alpha=0.45,
                 label=f"thesis, {THESIS_SEEDS} seeds: {low:g}–{high:g}" if label else None)


def jitter(n: int, width: float = 0.18, seed: int = 0) -> np.ndarray:
    """Deterministic horizontal offsets for a strip of n points."""
    if n <= 1:
        return np.zeros(n)
    return np.linspace(-width, width, n)[np.random.default_rng(seed).permutation(n)]


def seeds_text(n: int) -> str:
    return f"n = {n} seed{'s' if n != 1 else ''}"


def log_ticks_125(axis) -> None:
    """Label a log axis at 1, 2 and 5 × 10^k only, in plain numbers: ranges of less than a
    decade otherwise get crowded minor labels."""
    axis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    axis.set_minor_formatter(NullFormatter())
