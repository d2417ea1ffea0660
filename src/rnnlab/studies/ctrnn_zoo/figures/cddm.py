"""The cddm network (context-dependent decision making, Mante et al. 2013): its psychometric
curves in each context and the line attractor of each context input with its selection
vectors."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator
from scipy.special import ndtr

from rnnlab.plotting.style import NEUTRAL_COLOR, add_panel_letters, new_figure, no_data, select, styled
from rnnlab.studies.ctrnn_zoo.figures.shared import (
    first_seed,
    point_style,
    require,
    stability_handles,
    task_runs,
)

CONTEXTS = ("motion", "colour")
SELECTION_COLOR = "#009E73"
PROBIT_LABEL = "probit fit along the relevant coherence"
HALF_LABEL = "50% right choices"
COHERENCE_CMAP = colormaps["coolwarm"]
COURSE_LABEL = "the line's course (running mean along it)"
COURSE_FRACTION = 5  # the running mean is over a fifth of the line's points


@styled
def cddm_analysis(psychometric: pd.DataFrame, fits: pd.DataFrame, analytics: pd.DataFrame,
                  points: pd.DataFrame):
    """cddm: top (a, b), % right choices vs relevant coherence per context, one curve per
    irrelevant coherence (colour bar), the probit fit along the relevant axis in black; bottom
    (c, d), the slow and fixed points of each context input in PC1–PC2, the line's course
    and its selection vectors as arrows (all inside the axes).

    Tables ``psychometric``, ``psychometric_fits``, ``attractor_analytics`` and ``equilibria``
    (the first seed of run "cddm", or of the first run with a psychometric table).
    """
    require(psychometric, ("run", "seed", "context", "relevant_coherence",
                           "irrelevant_coherence", "fraction_right"), "cddm_analysis")
    run = "cddm" if "cddm" in set(psychometric.get("run", [])) else (
        task_runs(psychometric)[0] if not psychometric.empty else "cddm")
    surface = first_seed(psychometric, run)
    figure = new_figure(8.0, 6.6)
    axes = figure.subplots(2, 2)
    limit = max(float(np.abs(surface["irrelevant_coherence"]).max()), 1e-9) if (
        not surface.empty) else 1.0
    norm = Normalize(-limit, limit)
    for ax, context in zip(axes[0], CONTEXTS):
        _draw_psychometric(ax, select(surface, context=context),
                           select(first_seed(fits, run), context=context, axis="relevant"), norm)
        ax.set_title(f"{context} context")
        ax.set_xlabel(f"relevant ({context}) coherence")
    axes[0, 0].set_ylabel("right choices (%)")
    # The keys of a and b above them: inside, a legend covers curves wherever they run.
    keys = {}
    for ax in axes[0]:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            keys.setdefault(label, handle)
    if keys:
        figure.legend(keys.values(), keys.keys(), loc="outside upper center", ncol=len(keys),
                      title="a, b: one curve per irrelevant coherence (colour bar)")
    if not surface.empty:
        colorbar = figure.colorbar(ScalarMappable(norm=norm, cmap=COHERENCE_CMAP),
                                   ax=axes[0, :], shrink=0.85, aspect=22, pad=0.02)
        colorbar.set_label("irrelevant coherence")
    shown = []
    for ax, context in zip(axes[1], CONTEXTS):
        condition = f"{context}_context"
        line = select(first_seed(analytics, run), input_condition=condition, analysis="line")
        of_input = select(first_seed(points, run), input_condition=condition)
        has_line = _draw_line_attractor(ax, line, of_input)
        shown.append((of_input, has_line))
        ax.set_title(f"{context} context input: {_line_verdict(line)}", fontsize=8)
        ax.set_xlabel("PC1 (a.u.)")
    axes[1, 0].set_ylabel("PC2 (a.u.)")
    handles = stability_handles(pd.concat([p for p, _ in shown]))
    if any(has_line for _, has_line in shown):
        handles += [
            Line2D([], [], color=NEUTRAL_COLOR, linewidth=1.0, label=COURSE_LABEL),
            Line2D([], [], color=SELECTION_COLOR, marker=r"$\rightarrow$", linestyle="none",
                   markersize=8, label="selection vector"),
        ]
    if handles:
        figure.legend(handles=handles, loc="outside lower center", ncol=min(len(handles), 4),
                      title="c, d: points of the context input (colour = stability)")
    add_panel_letters(axes.ravel())
    return figure


def _line_verdict(line: pd.DataFrame) -> str:
    """Title of a line panel from the summary rows: found or not, and the evidence."""
    summary = line[line["point"] < 0] if not line.empty else line
    values = dict(zip(summary.get("quantity", []), summary.get("value", [])))
    if "is_line_attractor" not in values:
        return "slow points"
    verdict = "line attractor" if values["is_line_attractor"] == 1 else "no line attractor"
    held = values.get("held_coverage", np.nan)
    tau = values.get("marginal_time_constant_ms", np.nan)
    evidence = []  # only what was measured (too few points: no line, no coverage, no mode)
    if np.isfinite(held):
        evidence.append(f"trial states on it {held:.0%}")
    if np.isfinite(tau):
        evidence.append(f"slowest mode τ {tau / 1000:.2g} s")
    relevant = values.get("selection_cosine_relevant_mean", np.nan)
    irrelevant = values.get("selection_cosine_irrelevant_mean", np.nan)
    lines = [verdict] + ([", ".join(evidence)] if evidence else [])
    if np.isfinite(relevant) and np.isfinite(irrelevant):
        # |cos|: the sign is that of the line's orientation (its first principal axis), which
        # is arbitrary; the magnitudes carry the relevant-vs-irrelevant contrast.
        lines.append(f"selection |cos|: relevant {abs(relevant):.2f}, "
                     f"irrelevant {abs(irrelevant):.2f}")
    return "\n".join(lines)


def _draw_psychometric(ax, surface: pd.DataFrame, fit: pd.DataFrame, norm: Normalize) -> None:
    """% right vs relevant coherence, one curve per irrelevant coherence, plus the fit."""
    if surface.empty:
        no_data(ax)
        return
    for value in np.sort(surface["irrelevant_coherence"].unique()):
        curve = surface[surface["irrelevant_coherence"] == value].sort_values("relevant_coherence")
        ax.plot(curve["relevant_coherence"], 100 * curve["fraction_right"],
                color=COHERENCE_CMAP(norm(value)), linewidth=0.8, marker="o", markersize=2)
    if not fit.empty and np.isfinite(fit["slope"].iloc[0]) and np.isfinite(fit["bias"].iloc[0]):
        x = np.linspace(surface["relevant_coherence"].min(), surface["relevant_coherence"].max(),
                        200)
        slope, bias = float(fit["slope"].iloc[0]), float(fit["bias"].iloc[0])
        ax.plot(x, 100 * ndtr(slope * (x - bias)), color="k", linewidth=1.4,
                label=PROBIT_LABEL)
    ax.set_ylim(-3, 103)
    ax.axhline(50, color=NEUTRAL_COLOR, linewidth=0.6, linestyle=":", label=HALF_LABEL)


def _wide(analytics: pd.DataFrame) -> pd.DataFrame:
    """Per-point rows of a long analytics frame as one row per point, quantities as columns."""
    rows = analytics[analytics["point"] >= 0]
    return rows.pivot_table(index="point", columns="quantity", values="value", aggfunc="first")


def _draw_line_attractor(ax, analytics: pd.DataFrame, points: pd.DataFrame) -> bool:
    """Equilibria of one input in PC1–PC2 and selection-vector arrows at the line's points;
    the axes' limits take in the arrow tips. Returns whether a line was drawn."""
    for (stability, mode), group in points.groupby(["stability", "mode"]):
        ax.scatter(group["pc1"], group["pc2"], **point_style(str(stability), str(mode)))
    for axis in (ax.xaxis, ax.yaxis):  # few ticks: points close together have long labels
        axis.set_major_locator(MaxNLocator(nbins=4))
    line = _wide(analytics) if not analytics.empty else pd.DataFrame()
    if line.empty or "selection_pc1" not in line:
        no_data(ax, "too few slow points for a line" if not points.empty else "no data")
        return False
    line = line.sort_values("position")
    # The line's course: a running mean in its own order. Joining the points themselves zigzags
    # when, as here, 100+ slow points lie closer together than their scatter across the line.
    course = line[["pc1", "pc2"]].rolling(max(3, len(line) // COURSE_FRACTION), center=True,
                                          min_periods=1).mean()
    ax.plot(course["pc1"], course["pc2"], color=NEUTRAL_COLOR, linewidth=1.0, zorder=3)
    # Arrows of a common length: a tenth of the line's extent in the plane.
    extent = float(np.hypot(np.ptp(line["pc1"]), np.ptp(line["pc2"]))) or 1.0
    direction = line[["selection_pc1", "selection_pc2"]].to_numpy(dtype=float)
    norm = np.linalg.norm(direction, axis=1, keepdims=True)
    direction = np.where(norm > 0, direction / np.where(norm > 0, norm, 1.0), 0.0) * extent / 10
    every = max(1, len(line) // 12)
    start = line[["pc1", "pc2"]].to_numpy(dtype=float)[::every]
    direction = direction[::every]
    ax.quiver(start[:, 0], start[:, 1], direction[:, 0], direction[:, 1], angles="xy",
              scale_units="xy", scale=1, color=SELECTION_COLOR, width=0.006, zorder=5,
              label="selection vector")
    # quiver does not enter the data limits: the tips would be cut at the axes' edge.
    ax.update_datalim(start + direction)
    ax.autoscale_view()
    return True
