"""Fixed points of the inhibitory-fraction sweep: motif counts per fraction and one example
network's fixed points with its trajectories."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from rnnlab.plotting.style import (
    DIRECTION_CMAP,
    NEUTRAL_COLOR,
    add_panel_letters,
    new_figure,
    no_data,
    plot_statistic,
    select,
    styled,
)
from rnnlab.studies.ei_modcog.figures.shared import (
    MOTIF_COLORS,
    MOTIFS,
    STATISTIC_COLUMNS,
    condition_order,
    interval_title,
    require,
)


# ----------------------------------------------------------------------------- (d)

_CONDITION_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "h", "*", "p")


def _direction_color(direction: float):
    if not np.isfinite(direction):
        return NEUTRAL_COLOR
    return DIRECTION_CMAP((direction % (2 * np.pi)) / (2 * np.pi))


def _example_title(points: pd.DataFrame, trajectories: pd.DataFrame) -> str:
    fractions = set()
    for frame in (points, trajectories):
        if "inhibitory_fraction" in frame:
            fractions.update(frame["inhibitory_fraction"].dropna().astype(float).round(6))
    if len(fractions) == 1:
        return f"example network (inhibitory fraction {fractions.pop():g})"
    return "example network"


@styled
def fixed_point_motifs(counts: pd.DataFrame, points: pd.DataFrame, trajectories: pd.DataFrame):
    """Fixed-point structure across inhibitory fractions, and one example network.

    Left, one panel per input condition: mean number of unique fixed points of each motif
    (stable / continuous / rotational / saddle) per network vs the inhibitory fraction, with
    95% CI bands over networks. ``counts``: aggregate ``fixed_point_counts``
    (inhibitory_fraction, input_condition, motif, quantity "count", ...).

    Right: the example network in the plane of its first two principal components — test
    trajectories as thin lines coloured by stimulus direction (cyclic colormap) and its fixed
    points coloured by motif, marker shape by input condition, slow points (not converged)
    hollow, local minima of q that are not fixed points (``kind`` local_minimum, ghosts) left
    out. One legend below: the motif colours (all panels), then grey keys of the input shapes
    and, only when one is drawn, of a hollow slow point; the legend title says filled = fixed
    point (a separate black "fixed point" key would look like the stable motif's). ``points`` / ``trajectories``: that network's ``fixed_points`` and
    ``fixed_point_trajectories`` tables; an empty ``points`` is reported in the panel.
    """
    require(
        counts,
        ("inhibitory_fraction", "input_condition", "motif") + STATISTIC_COLUMNS,
        "fixed_point_motifs counts",
    )
    require(
        points,
        ("input_condition", "motif", "pc1", "pc2", "is_converged", "kind"),
        "fixed_point_motifs points",
    )
    # Local minima of q (ghosts of saddle-node bifurcations) are not fixed points: not drawn.
    points = points[points["kind"] != "local_minimum"]
    require(
        trajectories,
        ("trial", "time_step", "condition_direction", "pc1", "pc2"),
        "fixed_point_motifs trajectories",
    )
    counts = select(counts, quantity="count")
    conditions = condition_order(counts["input_condition"].unique())
    if conditions:  # the example shows the counted conditions, not the ring panels' own
        pooled = any(c.startswith("stimulus (") for c in conditions)
        names = points["input_condition"].astype(str)
        points = points[names.isin(conditions) | (pooled & names.str.fullmatch(r"stimulus_\d+"))]
    n_left = max(len(conditions), 1)
    figure = new_figure(10.0, max(4.4, 2.0 * n_left + 0.6))
    grid = figure.add_gridspec(n_left, 2, width_ratios=[1.0, 1.35])
    left_axes = []
    for row in range(n_left):
        ax = figure.add_subplot(grid[row, 0])
        if left_axes:
            ax.sharex(left_axes[0])
            ax.sharey(left_axes[0])
        left_axes.append(ax)
    ax_example = figure.add_subplot(grid[:, 1])

    found = set(counts["motif"].astype(str)) | set(points["motif"].astype(str))
    motifs = list(MOTIFS) + sorted(found - set(MOTIFS))
    for ax, condition in zip(left_axes, conditions):
        of_condition = counts[counts["input_condition"] == condition]
        for motif in motifs:
            plot_statistic(
                ax,
                of_condition[of_condition["motif"] == motif],
                "inhibitory_fraction",
                color=MOTIF_COLORS.get(motif, NEUTRAL_COLOR),
                marker="o",
                label=motif,
            )
        ax.set_title(f"input: {condition}")
        ax.set_ylabel("fixed points\nper network")
    fractions = np.sort(counts["inhibitory_fraction"].unique())
    if 0 < len(fractions) <= 8:
        left_axes[0].set_xticks(fractions)
        left_axes[0].xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    if not conditions:
        no_data(left_axes[0], "no fixed-point searches")
    left_axes[0].set_ylim(bottom=0)
    for ax in left_axes[:-1]:
        ax.tick_params(labelbottom=False)
    left_axes[-1].set_xlabel("inhibitory fraction (I units / all units)")

    example_handles, has_slow = _draw_example(figure, ax_example, points, trajectories)
    handles = [
        Line2D(
            [],
            [],
            color=MOTIF_COLORS.get(m, NEUTRAL_COLOR),
            marker="o",
            markeredgecolor="white",
            markersize=6,
            label=m,
        )
        for m in motifs
        if m in found
    ] + example_handles
    if handles:
        parts = ["colour: motif"]
        if conditions:
            letters = f"a–{chr(ord('a') + len(conditions) - 1)}" if len(conditions) > 1 else "a"
            statistic = interval_title(counts["n"], unit="networks", per="per fraction")
            parts[0] += f" ({letters}: {statistic})"
        if example_handles:
            letter = chr(ord("a") + len(left_axes))
            parts.append(f"{letter}: shape = input, filled = fixed point"
                         + (", hollow = slow point" if has_slow else ""))
        figure.legend(
            handles=handles,
            loc="outside lower center",
            ncol=min(len(handles), 8),
            title="; ".join(parts),
            columnspacing=1.2,
            handletextpad=0.4,
        )
    add_panel_letters(left_axes + [ax_example])
    return figure


def _draw_example(figure, ax, points: pd.DataFrame, trajectories: pd.DataFrame):
    """Draw the example network; returns (legend handles for the marker shapes of the input
    conditions and, when one is drawn, the hollow slow point; whether a slow point is drawn)."""
    ax.set_title(_example_title(points, trajectories))
    ax.set_xlabel("PC 1 (a.u.)")
    ax.set_ylabel("PC 2 (a.u.)")
    ax.set_aspect("equal", adjustable="datalim")
    if not trajectories.empty:
        for _, trial in trajectories.sort_values(["trial", "time_step"]).groupby(
            "trial", sort=True
        ):
            direction = float(trial["condition_direction"].iloc[0])
            ax.plot(
                trial["pc1"],
                trial["pc2"],
                color=_direction_color(direction),
                linewidth=0.7,
                alpha=0.6,
                zorder=1,
            )
        mappable = ScalarMappable(norm=Normalize(0, 2 * np.pi), cmap=DIRECTION_CMAP)
        colorbar = figure.colorbar(mappable, ax=ax, shrink=0.6, pad=0.02, aspect=25)
        colorbar.set_label("stimulus direction (rad)")
        colorbar.set_ticks([0, np.pi / 2, np.pi, 3 * np.pi / 2, 2 * np.pi])
        colorbar.set_ticklabels(["0", "π/2", "π", "3π/2", "2π"])

    if points.empty:
        if trajectories.empty:
            no_data(ax, "no fixed points found")
        else:
            ax.text(
                0.5,
                0.97,
                "no fixed points found",
                transform=ax.transAxes,
                ha="center",
                va="top",
                color=NEUTRAL_COLOR,
                fontsize=9,
                style="italic",
            )
        return [], False

    conditions = condition_order(points["input_condition"].unique())
    markers = {c: _CONDITION_MARKERS[i % len(_CONDITION_MARKERS)] for i, c in enumerate(conditions)}
    converged = points["is_converged"].astype(bool)
    motifs = [m for m in MOTIFS if m in set(points["motif"])]
    motifs += sorted(set(points["motif"].astype(str)) - set(MOTIFS))
    for condition in conditions:
        for motif in motifs:
            color = MOTIF_COLORS.get(motif, NEUTRAL_COLOR)
            chosen = (points["input_condition"] == condition) & (points["motif"] == motif)
            for is_converged in (True, False):
                group = points[chosen & (converged == is_converged)]
                if group.empty:
                    continue
                ax.scatter(
                    group["pc1"],
                    group["pc2"],
                    s=34,
                    marker=markers[condition],
                    facecolors=color if is_converged else "none",
                    edgecolors="white" if is_converged else color,
                    linewidths=0.6 if is_converged else 1.3,
                    zorder=3 if is_converged else 4,
                )
    # Shape keys in grey, which no motif has; filled (fixed point) and hollow (slow point)
    # are said in the legend title, with a hollow key only when a slow point is drawn.
    handles = [
        Line2D(
            [],
            [],
            linestyle="none",
            marker=markers[c],
            markersize=6,
            markerfacecolor=NEUTRAL_COLOR,
            markeredgecolor="white",
            label=f"input: {c}",
        )
        for c in conditions
    ]
    has_slow = bool((~converged).any())
    if has_slow:
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker=markers[conditions[0]],
                markersize=6,
                markerfacecolor="none",
                markeredgecolor=NEUTRAL_COLOR,
                markeredgewidth=1.2,
                label="slow point",
            )
        )
    return handles, has_slow
