"""Ring panels of the fixed-point sweep (the thesis' dlygo ring panels and delay-period PCA):
for each inhibitory fraction's example network, (a) its fixed points under each stimulus input
coloured by that stimulus' direction and (b) its mean delay-period trajectory per direction with
the fixed points of the delay input, both in the top two PCs of its delay-period states."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.lines import Line2D

from rnnlab.plotting.style import DIRECTION_CMAP, NEUTRAL_COLOR, add_panel_letters, new_figure, no_data, styled
from rnnlab.studies.ei_modcog.figures.shared import require

RING_SIZE = 16  # the study's ring: stimulus_k is the bump at 2πk/16
MEMORY_INPUT = "fixation"  # the delay's input: fixation on, no stimulus
MOTIF_MARKERS = {"stable": "o", "saddle": "^", "continuous": "s", "rotational": "D"}
MOTIF_NAMES = {"stable": "stable fixed point", "saddle": "saddle", "continuous": "marginal (|λ|≈1)",
               "rotational": "rotational"}
TRACE_COLOR = "#BBBBBB"
MEMORY_COLOR = "#000000"


def stimulus_direction(condition: str) -> float:
    """Direction (rad) of the input condition ``stimulus_<k>``; NaN for any other condition."""
    match = re.fullmatch(r"stimulus_(\d+)", str(condition))
    return 2 * np.pi * int(match.group(1)) / RING_SIZE if match else np.nan


def _direction_color(direction: float):
    return DIRECTION_CMAP((direction % (2 * np.pi)) / (2 * np.pi))


def _network_title(fraction: float, seed, accuracy: pd.DataFrame, criterion: float | None) -> str:
    title = f"inhibitory fraction {fraction:g}"
    if seed is not None:
        title += f", seed {int(seed)}"
    row = accuracy[np.isclose(accuracy["inhibitory_fraction"].astype(float), fraction)]
    if seed is not None and "seed" in row:
        row = row[row["seed"] == seed]
    if len(row):
        value = float(row["mean"].iloc[0])
        below = criterion is not None and value < criterion
        title += f"\naccuracy {value:.2f}" + (f" < criterion {criterion:g}" if below else "")
    return title


def _draw_points(ax, points: pd.DataFrame, colors) -> set[tuple[str, bool]]:
    """Scatter ``points`` on (delay_pc1, delay_pc2), marker shape by motif, filled when
    converged (hollow: slow point); returns the (motif, converged) kinds drawn."""
    drawn = set()
    for (motif, converged), group in points.groupby(["motif", "is_converged"], sort=True):
        marker = MOTIF_MARKERS.get(str(motif), "X")
        color = colors(group)
        ax.scatter(group["delay_pc1"], group["delay_pc2"], s=30 if motif == "stable" else 26,
                   marker=marker, facecolors=color if converged else "none",
                   edgecolors="white" if converged else color,
                   linewidths=0.5 if converged else 1.2, zorder=4)
        drawn.add((str(motif), bool(converged)))
    return drawn


def _variance_label(delays: pd.DataFrame, k: int) -> str:
    column = f"variance_pc{k}"
    if column in delays and delays[column].notna().any():
        return f"delay PC {k} ({100 * float(delays[column].dropna().iloc[0]):.0f}% var.)"
    return f"delay PC {k} (a.u.)"


@styled
def fixed_point_rings(points: pd.DataFrame, delays: pd.DataFrame, networks: pd.DataFrame, *,
                      criterion: float | None = None):
    """Two rows, a column per inhibitory fraction (its first seed's network):

    (a) fixed points found under the inputs ``stimulus_<k>`` (a bump at 2πk/16 with fixation
    on), coloured by that direction (cyclic colour bar), marker shape by motif, hollow when only
    a slow point; the network's mean delay trajectories in light grey for reference;
    (b) the mean delay-period trajectory of each stimulus direction (ring-1 trials; open circle:
    delay start, dot: delay end) and, in black, the fixed points of the delay input (fixation
    only) — a ring attractor shows as delay ends ordered by direction around a closed loop of
    such points.

    Both rows are drawn in the top two PCs of the network's delay-period states (axis labels:
    the fraction of that variance). ``points``: ``fixed_points`` with ``delay_pc*``; ``delays``:
    ``delay_trajectories``; ``networks``: ``final_performance`` per network (inhibitory_fraction,
    seed, quantity final_accuracy); titles give each network's accuracy and whether it is below
    ``criterion``.
    """
    require(points, ("inhibitory_fraction", "input_condition", "motif", "is_converged", "kind",
                     "delay_pc1", "delay_pc2"), "fixed_point_rings points")
    require(delays, ("inhibitory_fraction", "direction", "modality", "period_step", "pc1", "pc2"),
            "fixed_point_rings delays")
    points = points[points["kind"] != "local_minimum"]
    accuracy = networks[networks["quantity"] == "final_accuracy"] if "quantity" in networks \
        else networks.iloc[0:0]
    fractions = sorted(set(points["inhibitory_fraction"].astype(float))
                       | set(delays["inhibitory_fraction"].astype(float)))
    n_columns = max(len(fractions), 1)
    figure = new_figure(max(2.55 * n_columns + 1.1, 6.0), 6.4)
    axes = np.array(figure.subplots(2, n_columns, squeeze=False))
    drawn: set[tuple[str, bool]] = set()
    for column, fraction in enumerate(fractions):
        ax_stimulus, ax_delay = axes[0, column], axes[1, column]
        of_points = points[np.isclose(points["inhibitory_fraction"].astype(float), fraction)]
        of_delays = delays[np.isclose(delays["inhibitory_fraction"].astype(float), fraction)]
        seeds = sorted(set(of_points.get("seed", pd.Series(dtype=int)))
                       | set(of_delays.get("seed", pd.Series(dtype=int))))
        seed = seeds[0] if seeds else None
        ax_stimulus.set_title(_network_title(fraction, seed, accuracy, criterion), fontsize=8)
        ring_one = of_delays[of_delays["modality"] == of_delays["modality"].min()] \
            if len(of_delays) else of_delays
        for ax in (ax_stimulus, ax_delay):
            for direction, trace in ring_one.groupby("direction", sort=True):
                trace = trace.sort_values("period_step")
                color = TRACE_COLOR if ax is ax_stimulus else _direction_color(direction)
                ax.plot(trace["pc1"], trace["pc2"], color=color, linewidth=1.0 if ax is ax_delay
                        else 0.7, zorder=2)
                if ax is ax_delay:
                    ax.plot(trace["pc1"].iloc[0], trace["pc2"].iloc[0], marker="o", markersize=3.5,
                            markerfacecolor="white", markeredgecolor=color, linestyle="none",
                            zorder=3)
                    ax.plot(trace["pc1"].iloc[-1], trace["pc2"].iloc[-1], marker="o",
                            markersize=4, color=color, linestyle="none", zorder=3)
            ax.set_xlabel(_variance_label(of_delays, 1))
            ax.set_ylabel(_variance_label(of_delays, 2))
            ax.set_aspect("equal", adjustable="datalim")
        stimulus = of_points.assign(
            direction=of_points["input_condition"].map(stimulus_direction))
        stimulus = stimulus[stimulus["direction"].notna() & stimulus["delay_pc1"].notna()]
        drawn |= _draw_points(
            ax_stimulus, stimulus,
            lambda group: [_direction_color(d) for d in group["direction"]])
        memory = of_points[(of_points["input_condition"] == MEMORY_INPUT)
                           & of_points["delay_pc1"].notna()]
        if len(memory):
            drawn |= _draw_points(ax_delay, memory, lambda group: MEMORY_COLOR)
        if stimulus.empty:
            if ring_one.empty:
                no_data(ax_stimulus, "no stimulus-input\nfixed points")
            else:  # the panel has traces: say it in the title, not over them
                ax_stimulus.set_title(ax_stimulus.get_title() + "\nno stimulus-input points",
                                      fontsize=8)
        if ring_one.empty and memory.empty:
            no_data(ax_delay, "no delay period")
    if not fractions:
        no_data(axes[0, 0], "no fixed-point searches")
        no_data(axes[1, 0], "no delay trajectories")
    top, bottom = _letters(0, n_columns), _letters(n_columns, n_columns)
    figure.suptitle(
        f"{top}: fixed points under a stimulus input at θ (colour); mean delay trajectories in "
        f"grey\n{bottom}: mean delay trajectory per θ (colour) and the fixed points of the "
        "delay input (black)", fontsize=8)
    colorbar = figure.colorbar(ScalarMappable(norm=Normalize(0, 360), cmap=DIRECTION_CMAP),
                               ax=axes[:, -1], shrink=0.5, aspect=22, pad=0.03)
    colorbar.set_label("stimulus direction θ (deg)")
    colorbar.set_ticks([0, 90, 180, 270, 360])
    handles = _legend_handles(drawn, bool(len(delays)))
    if handles:
        figure.legend(handles=handles, loc="outside lower center", ncol=min(len(handles), 4),
                      columnspacing=1.2, handletextpad=0.4)
    add_panel_letters(list(axes.ravel()))
    return figure


def _letters(first: int, count: int) -> str:
    """Panel letters first … first + count − 1, as "a" or "a–d"."""
    start, stop = chr(ord("a") + first), chr(ord("a") + first + count - 1)
    return start if count == 1 else f"{start}–{stop}"


def _legend_handles(drawn, trajectories: bool) -> list[Line2D]:
    handles = []
    for motif in list(MOTIF_MARKERS) + sorted({m for m, _ in drawn} - set(MOTIF_MARKERS)):
        if any(m == motif for m, _ in drawn):
            handles.append(Line2D([], [], linestyle="none", marker=MOTIF_MARKERS.get(motif, "X"),
                                  markersize=6, markerfacecolor=NEUTRAL_COLOR,
                                  markeredgecolor="white", label=MOTIF_NAMES.get(motif, motif)))
    hollow = [m for m, converged in drawn if not converged]
    if hollow:
        handles.append(Line2D([], [], linestyle="none", marker=MOTIF_MARKERS.get(hollow[0], "X"),
                              markersize=6, markerfacecolor="none", markeredgecolor=NEUTRAL_COLOR,
                              markeredgewidth=1.2, label="hollow: slow point"))
    if trajectories:
        handles.append(Line2D([], [], color=TRACE_COLOR, linewidth=1.0,
                              label="mean delay trajectory (a: grey)"))
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=4,
                              markerfacecolor="white", markeredgecolor=NEUTRAL_COLOR,
                              label="delay start"))
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=4,
                              color=NEUTRAL_COLOR, label="delay end"))
    return handles
