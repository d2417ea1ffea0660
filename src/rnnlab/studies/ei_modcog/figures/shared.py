"""What the E/I Mod-Cog figures share: the study's runs and how each is drawn, the fixed-point
motif colours, and helpers for axes and tables.

Runs: ``eg`` (exponentiated gradient) and ``gd`` (gradient descent) always in the same colour,
line style and marker; any other run (e.g. ``inhibition_0.1`` of the fixed-point sweep) gets a
colour of ``rnnlab.plotting.style.COLOR_CYCLE`` by sorted name.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Iterable

import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

from rnnlab.plotting.style import (
    NEUTRAL_COLOR,
    POPULATION_COLORS,
    POPULATIONS,
    cycle_colors,
    seeds_label,
)
from rnnlab.studies.ei_modcog.aggregates import MOTIFS

COMPARED_RUNS = ("eg", "gd")
CHANCE = 1 / 16  # 16 ring directions to choose from
STATISTIC_COLUMNS = ("quantity", "mean", "ci_low", "ci_high", "n")
STEP_AXIS_LABEL = "training step (checkpoint)"

# Okabe–Ito / Tol colours, distinguishable with the common colour-vision deficiencies.
RUN_COLORS: dict[str, str] = {"eg": "#009E73", "gd": "#6A3D9A"}  # bluish green, purple
RUN_LABELS: dict[str, str] = {"eg": "EG", "gd": "GD"}
RUN_LINESTYLES: dict[str, str] = {"eg": "-", "gd": "--"}
RUN_MARKERS: dict[str, str] = {"eg": "o", "gd": "s"}

MOTIF_COLORS: dict[str, str] = {
    "stable": "#222222",
    "continuous": "#E69F00",
    "rotational": "#AA3377",
    "saddle": "#33BBEE",
}

__all__ = [
    "CHANCE", "COMPARED_RUNS", "MOTIFS", "MOTIF_COLORS", "RUN_COLORS", "RUN_LABELS",
    "RUN_LINESTYLES", "RUN_MARKERS", "STATISTIC_COLUMNS", "STEP_AXIS_LABEL",
]  # fmt: skip


# ----------------------------------------------------------------------------- runs


def run_order(runs: Iterable[str]) -> list[str]:
    """eg, gd first (when present), then the other runs sorted by name."""
    runs = list(dict.fromkeys(str(r) for r in runs))
    fixed = [r for r in RUN_COLORS if r in runs]
    return fixed + sorted(r for r in runs if r not in RUN_COLORS)


def run_colors(runs: Iterable[str]) -> dict[str, str]:
    """Colour of each run: eg and gd always the same; others by sorted name."""
    return cycle_colors(run_order(runs), fixed=RUN_COLORS)


def run_label(run: str) -> str:
    return RUN_LABELS.get(run, run)


def run_linestyle(run: str) -> str:
    return RUN_LINESTYLES.get(run, "-.")


def run_marker(run: str) -> str:
    return RUN_MARKERS.get(run, "D")


# ----------------------------------------------------------------------------- tables


def require(frame: pd.DataFrame, columns, name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name}: missing column(s) {missing}; got {list(frame.columns)}")


def present_populations(*frames: pd.DataFrame) -> list[str]:
    found = set()
    for frame in frames:
        if "population" in frame:
            found.update(frame["population"].dropna().astype(str))
    return [p for p in POPULATIONS if p in found] + sorted(found - set(POPULATIONS))


def population_color(population: str) -> str:
    return POPULATION_COLORS.get(population, NEUTRAL_COLOR)


def condition_order(conditions) -> list[str]:
    """fixation, go, then the others in natural order (stimulus_2 before stimulus_10)."""
    conditions = list(dict.fromkeys(str(c) for c in conditions))
    known = [c for c in ("fixation", "go") if c in conditions]

    def natural(name: str):
        return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]

    return known + sorted((c for c in conditions if c not in known), key=natural)


def interval_title(n, statistic: str = "mean ± 95% CI", unit: str = "seeds",
                   with_n: bool = True, per: str = "") -> str:
    """Legend title naming the statistic shown and n: 'mean ± 95% CI, n = 3 seeds' (or
    'mean ± 95% CI over seeds' without n, when the entries give it), and 'mean, n = 1 seed
    (no interval)' when no value has an interval (a single seed). ``per``: what n counts per,
    e.g. 'per fraction' ('n = 2 networks per fraction')."""
    values = pd.Series(n).dropna()
    count = seeds_label(values, unit) + (f" {per}" if per else "")
    if not values.empty and int(values.max()) < 2:
        return f"{statistic.split(' ')[0]}, {count} (no interval)"
    if not with_n:
        return f"{statistic} over {unit}"
    return f"{statistic}, {count}"


def count_label(value: float, _position=None) -> str:
    """Tick label of a count on a symmetric-log axis: 0, 1, 10, 100, then 10³, 10⁴, …"""
    if value == 0:
        return "0"
    if abs(value) < 1000:
        return f"{value:g}"
    exponent = math.log10(abs(value))
    if math.isclose(exponent, round(exponent)):
        return f"$10^{{{round(exponent)}}}$"
    return f"{value:,.0f}"


def final_step(frame: pd.DataFrame) -> int | None:
    if frame.empty:
        return None
    return int(frame["checkpoint_step"].max())


# ----------------------------------------------------------------------------- text and axes


def chance_text(level: float) -> str:
    fraction = Fraction(level).limit_denominator(100)
    if fraction.numerator == 1 and math.isclose(float(fraction), level):
        return f"chance (1/{fraction.denominator})"
    return f"chance ({level:.2g})"


def step_text(step: float) -> str:
    step = int(step)
    if step >= 1000 and step % 1000 == 0:
        return f"{step // 1000}k"
    return f"{step:,}"


def signed(value: float) -> str:
    """+0.06 / −0.02 with a typographic minus."""
    return f"{value:+.2f}".replace("-", "\u2212")


def plain_steps(ax) -> None:
    """Training steps as plain integers with thousands separators (no 1e4 offset)."""
    ax.xaxis.set_major_formatter(
        FuncFormatter(
            lambda value, _: f"{value:,.0f}" if float(value).is_integer() else f"{value:,g}"
        )
    )


def log_if_positive(ax, *frames: pd.DataFrame, axis: str = "y") -> bool:
    """Log scale on ``axis`` when every mean and CI low end of ``frames`` is positive.

    Returns whether the axis is now logarithmic: the caller says so in the axis label when the
    tick labels alone (plain numbers over a short range) do not show it.
    """
    values = np.concatenate(
        [f[c].to_numpy(dtype=float) for f in frames for c in ("mean", "ci_low") if c in f]
        or [np.array([])]
    )
    values = values[np.isfinite(values)]
    if not (values.size and (values > 0).all()):
        return False
    (ax.set_yscale if axis == "y" else ax.set_xscale)("log")
    low, high = values.min(), values.max()
    if 1e-3 <= low and high <= 1e4:
        # Plain numbers (0.2, 1, 2) read better than 2×10⁻¹ over a few decades; label the
        # 2s and 5s between decades when the range is too short to show several decades.
        target = ax.yaxis if axis == "y" else ax.xaxis
        target.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        if high / low < 100:
            mantissas = (2, 3, 5, 7) if high / low < 10 else (2, 5)
            target.set_minor_formatter(FuncFormatter(
                lambda value, _: mantissa_label(value, mantissas)))
    return True


def mantissa_label(value: float, mantissas=(2, 5)) -> str:
    """'0.2', '50', … for values whose mantissa is one of ``mantissas``; '' otherwise."""
    if value <= 0:
        return ""
    mantissa = value / 10 ** math.floor(math.log10(value) + 1e-9)
    labelled = any(math.isclose(mantissa, m, rel_tol=1e-6) for m in mantissas)
    return f"{value:g}" if labelled else ""
