"""Accuracy of the fixed-point sweep's networks, per inhibitory fraction, against the accuracy
criterion: which networks' fixed points are those of a network that learned the task."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from rnnlab.plotting.style import chance_line, new_figure, no_data, plot_statistic, select, styled
from rnnlab.studies.ei_modcog.figures.shared import (
    CHANCE,
    STATISTIC_COLUMNS,
    chance_text,
    interval_title,
    require,
)

LINE_COLOR = "#0072B2"
BELOW_COLOR = "#D55E00"


@styled
def sweep_accuracy(accuracy: pd.DataFrame, networks: pd.DataFrame, *, criterion: float,
                   chance: float | None = CHANCE):
    """Final test accuracy vs inhibitory fraction: mean ± 95% CI over networks (line and band)
    and every network (dots; crosses below ``criterion``, the dotted line), with the number of
    networks reaching the criterion written above each fraction.

    ``accuracy`` / ``networks``: ``final_performance`` aggregates of the sweep's runs grouped by
    inhibitory_fraction (and seed, for ``networks``).
    """
    require(accuracy, ("inhibitory_fraction",) + STATISTIC_COLUMNS, "sweep_accuracy accuracy")
    require(networks, ("inhibitory_fraction", "seed") + STATISTIC_COLUMNS,
            "sweep_accuracy networks")
    figure = new_figure(5.0, 3.4)
    ax = figure.subplots()
    final = select(accuracy, quantity="final_accuracy")
    each = select(networks, quantity="final_accuracy")
    plot_statistic(ax, final, "inhibitory_fraction", color=LINE_COLOR, label="mean over networks")
    reached = each["mean"].to_numpy(float) >= criterion
    x = each["inhibitory_fraction"].to_numpy(float)
    y = each["mean"].to_numpy(float)
    ax.plot(x[reached], y[reached], linestyle="none", marker="o", color=LINE_COLOR,
            markersize=4, alpha=0.7, label="network ≥ criterion")
    ax.plot(x[~reached], y[~reached], linestyle="none", marker="x", color=BELOW_COLOR,
            markersize=5, label="network below criterion")
    ax.axhline(criterion, color="0.3", linestyle=":", linewidth=1.0,
               label=f"criterion {criterion:g}")
    if chance is not None:
        chance_line(ax, chance, label=chance_text(chance))
    fractions = np.sort(each["inhibitory_fraction"].unique())
    for fraction in fractions:
        at = each["inhibitory_fraction"].to_numpy(float) == fraction
        ax.annotate(f"{int(reached[at].sum())}/{int(at.sum())}", (fraction, 1.02),
                    xytext=(0, 2), textcoords="offset points", ha="center", va="bottom",
                    fontsize=7, annotation_clip=False)
    if final.empty and each.empty:
        no_data(ax)
    if 0 < len(fractions) <= 8:
        ax.set_xticks(fractions)
        pad = 0.5 * (np.diff(fractions).min() if len(fractions) > 1 else 0.1)
        ax.set_xlim(fractions[0] - pad, fractions[-1] + pad)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("inhibitory fraction")
    ax.set_ylabel("final test accuracy (fraction correct)")
    ax.set_title("networks at criterion per fraction", fontsize=8, pad=14)
    handles, labels = ax.get_legend_handles_labels()
    drawn = [(h, l) for h, l in zip(handles, labels)
             if not (isinstance(h, Line2D) and len(h.get_xdata()) == 0)]
    if drawn:
        figure.legend(*zip(*drawn), loc="outside right upper",
                      title=interval_title(accuracy["n"] if len(accuracy) else [], unit="networks"))
    return figure
