"""Shared look of every rnnlab figure and the helpers the figure modules build on.

* ``style_context`` / ``styled``: the rcParams of all figures (small serif-free fonts, no top
  and right spines, frameless legends), applied while a figure is built and while it is saved.
* ``new_figure``: a matplotlib ``Figure`` with constrained layout on an Agg canvas. No pyplot:
  nothing global is touched, so figure functions are safe to call from any process.
* Colours: a colour cycle for named series (``cycle_colors``: a study fixes the colours of its
  own runs and the others follow the cycle), per population of a Dale network (E red-ish,
  I blue-ish, with line styles and markers for panels where colour encodes something else) and
  a cyclic colormap for directions. Nothing here names a study's runs: each study's figures
  hold their own run colours and labels.
* ``plot_statistic`` / ``errorbar_statistic``: draw the mean of a ``statistic`` table with its
  bootstrap 95% CI (no band or bar where the CI is NaN, i.e. n = 1 seed).
* ``save_figure``: bit-reproducible output (no software version or timestamp in the file, fixed
  dpi) written atomically (temporary file in the same directory, then ``os.replace``).
"""

from __future__ import annotations

import functools
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Sequence

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

DPI = 150

STYLE: dict[str, object] = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],  # bundled with matplotlib: same glyphs everywhere
    "font.size": 8.5,
    "axes.titlesize": 9,
    "axes.labelsize": 8.5,
    "xtick.labelsize": 7.5,
    "ytick.labelsize": 7.5,
    "legend.fontsize": 7.5,
    "legend.title_fontsize": 7.5,
    "legend.frameon": False,
    "legend.handlelength": 1.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.linewidth": 0.8,
    "axes.titlepad": 4.0,
    "lines.linewidth": 1.4,
    "lines.markersize": 4.0,
    "xtick.major.width": 0.8,
    "ytick.major.width": 0.8,
    "xtick.major.size": 3.0,
    "ytick.major.size": 3.0,
    "figure.dpi": 100,
    "figure.facecolor": "white",
    "savefig.dpi": DPI,
    "savefig.facecolor": "white",
    "figure.constrained_layout.h_pad": 0.04,
    "figure.constrained_layout.w_pad": 0.04,
    "svg.hashsalt": "rnnlab",  # deterministic SVG ids
    "pdf.fonttype": 42,
    "axes.unicode_minus": True,
}


@contextmanager
def style_context():
    """rcParams of rnnlab figures, restored on exit."""
    with matplotlib.rc_context(STYLE):
        yield


def styled(function):
    """Decorator: build the figure inside ``style_context``."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with style_context():
            return function(*args, **kwargs)

    return wrapper


def new_figure(width: float, height: float) -> Figure:
    """A constrained-layout Figure (inches) on an Agg canvas, outside pyplot's registry."""
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


# ----------------------------------------------------------------------------- colours

# Okabe–Ito / Tol colours, distinguishable with the common colour-vision deficiencies: the
# colours of named series (runs, conditions) that have no fixed colour of their own.
COLOR_CYCLE = ("#56B4E9", "#E69F00", "#CC79A7", "#666666", "#A6761D", "#000000")

POPULATIONS = ("E", "I")
POPULATION_COLORS: dict[str, str] = {"E": "#D55E00", "I": "#0072B2"}  # vermillion, blue
POPULATION_LABELS: dict[str, str] = {"E": "excitatory (E)", "I": "inhibitory (I)"}
POPULATION_LINESTYLES: dict[str, str] = {"E": "-", "I": ":"}
POPULATION_MARKERS: dict[str, str] = {"E": "o", "I": "^"}

CHANCE_COLOR = "#888888"
NEUTRAL_COLOR = "#888888"

# Cyclic colormap for stimulus directions on the ring: hue wheel, darkened so that no
# direction is too light to see on white.
DIRECTION_CMAP = ListedColormap(
    matplotlib.colormaps["hsv"](np.linspace(0, 1, 256)) * np.array([0.85, 0.85, 0.85, 1.0]),
    name="rnnlab_direction",
)


def cycle_colors(names: Iterable[str], fixed: dict[str, str] | None = None) -> dict[str, str]:
    """A colour per name: ``fixed`` colours first (all of them), then ``COLOR_CYCLE`` for the
    other names in the order given."""
    colors = dict(fixed or {})
    others = [n for n in dict.fromkeys(names) if n not in colors]
    for index, name in enumerate(others):
        colors[name] = COLOR_CYCLE[index % len(COLOR_CYCLE)]
    return colors


def seeds_label(n: Sequence[int] | pd.Series | np.ndarray, unit: str = "seeds") -> str:
    """'n = 3 seeds', or 'n = 2–3 seeds' when the number of seeds varies along the curve."""
    values = pd.Series(n).dropna().astype(int)
    if values.empty:
        return f"n = 0 {unit}"
    low, high = int(values.min()), int(values.max())
    if low == high:
        return f"n = {low} {unit[:-1] if low == 1 and unit.endswith('s') else unit}"
    return f"n = {low}–{high} {unit}"


# ----------------------------------------------------------------------------- drawing


def select(frame: pd.DataFrame, **equals) -> pd.DataFrame:
    """Rows of ``frame`` whose columns equal the given values (missing columns: no rows)."""
    mask = np.ones(len(frame), dtype=bool)
    for column, value in equals.items():
        if column not in frame.columns:
            return frame.iloc[0:0]
        mask &= (frame[column] == value).to_numpy()
    return frame[mask]


def has_ci(frame: pd.DataFrame) -> np.ndarray:
    """Rows whose CI is defined (both ends finite; NaN when n = 1)."""
    if frame.empty or "ci_low" not in frame or "ci_high" not in frame:
        return np.zeros(len(frame), dtype=bool)
    low = frame["ci_low"].to_numpy(dtype=float)
    high = frame["ci_high"].to_numpy(dtype=float)
    return np.isfinite(low) & np.isfinite(high)


def plot_statistic(
    ax,
    frame: pd.DataFrame,
    x: str,
    *,
    color: str,
    label: str | None = None,
    linestyle: str = "-",
    marker: str | None = None,
    linewidth: float | None = None,
    band_alpha: float = 0.2,
    zorder: float = 2,
):
    """Mean line of a ``statistic`` frame against column ``x`` with its 95% CI band.

    The band is drawn only where the CI exists (n ≥ 2 seeds). Returns the mean Line2D, or
    None when ``frame`` is empty.
    """
    if frame.empty:
        return None
    frame = frame.sort_values(x)
    xs = frame[x].to_numpy(dtype=float)
    mean = frame["mean"].to_numpy(dtype=float)
    (line,) = ax.plot(
        xs,
        mean,
        color=color,
        linestyle=linestyle,
        marker=marker,
        label=label,
        linewidth=linewidth,
        zorder=zorder,
    )
    defined = has_ci(frame)
    if defined.any():
        ax.fill_between(
            xs,
            frame["ci_low"].to_numpy(dtype=float),
            frame["ci_high"].to_numpy(dtype=float),
            where=defined,
            interpolate=False,
            color=color,
            alpha=band_alpha,
            linewidth=0,
            zorder=zorder - 0.5,
        )
    return line


def errorbar_statistic(
    ax,
    positions: np.ndarray,
    frame: pd.DataFrame,
    *,
    color: str,
    label: str | None = None,
    marker: str = "o",
    linestyle: str = "none",
    zorder: float = 3,
):
    """Means of ``frame`` at ``positions`` with 95% CI error bars (none where n = 1)."""
    mean = frame["mean"].to_numpy(dtype=float)
    defined = has_ci(frame)
    low = np.where(defined, mean - frame["ci_low"].to_numpy(dtype=float), 0.0)
    high = np.where(defined, frame["ci_high"].to_numpy(dtype=float) - mean, 0.0)
    return ax.errorbar(
        positions,
        mean,
        yerr=np.vstack([np.clip(low, 0, None), np.clip(high, 0, None)]),
        color=color,
        marker=marker,
        linestyle=linestyle,
        capsize=2.0,
        elinewidth=1.0,
        markersize=4.5,
        label=label,
        zorder=zorder,
    )


def chance_line(ax, level: float, label: str | None = "chance"):
    return ax.axhline(
        level, color=CHANCE_COLOR, linestyle=(0, (4, 3)), linewidth=0.9, label=label, zorder=1
    )


def add_panel_letters(axes: Iterable, start: str = "a", x: float = -0.02) -> None:
    """Bold lower-case panel letters at the top-left corner outside each axes (``x`` in axes
    fractions: further left where a wide title reaches the corner)."""
    for index, ax in enumerate(axes):
        ax.text(
            x,
            1.02,
            chr(ord(start) + index),
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=11,
            fontweight="bold",
        )


def no_data(ax, message: str = "no data") -> None:
    """Write ``message`` in the middle of an axes that has nothing to show."""
    ax.text(
        0.5,
        0.5,
        message,
        transform=ax.transAxes,
        ha="center",
        va="center",
        color=NEUTRAL_COLOR,
        fontsize=9,
        style="italic",
    )


# ----------------------------------------------------------------------------- saving

_METADATA: dict[str, dict[str, None]] = {
    # Keys matplotlib would otherwise fill with its version or the current time.
    "png": {"Software": None},
    "pdf": {"Creator": None, "Producer": None, "CreationDate": None},
    "svg": {"Creator": None, "Date": None},
}


def save_figure(figure: Figure, path: str | Path) -> Path:
    """Write ``figure`` to ``path`` (format from the suffix: png, pdf or svg) and close it.

    The file holds no software version or timestamp and is drawn at a fixed dpi, so the same
    data give identical bytes. It is written to a temporary file in the same directory and
    renamed, so an interrupted job never leaves a half-written figure.
    """
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in _METADATA:
        raise ValueError(
            f"{path}: unsupported figure format {fmt!r}; use one of {sorted(_METADATA)}"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        with style_context():
            figure.savefig(
                temporary, format=fmt, dpi=DPI, metadata=_METADATA[fmt], facecolor="white"
            )
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()
        close_figure(figure)
    return path


def close_figure(figure: Figure) -> None:
    """Release a figure: pyplot-managed figures are closed; bare Figures need nothing."""
    if getattr(figure.canvas, "manager", None) is not None:
        import matplotlib.pyplot as plt  # only reached for figures pyplot already manages

        plt.close(figure)
