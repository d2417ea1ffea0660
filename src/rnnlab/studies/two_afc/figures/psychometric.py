"""Psychometric curves with their logistic fits per regime, and the fitted slopes and lapse
rates with CIs across seeds."""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator

from rnnlab.plotting.style import (
    add_panel_letters,
    errorbar_statistic,
    new_figure,
    no_data,
    seeds_label,
    select,
    styled,
)
from rnnlab.studies.two_afc.figures.shared import (
    RUN_COLORS,
    RUN_LABELS,
    SHORT_LABELS,
    fit_values,
    fitted_curve,
)

PANELS = (("gated", "noisy", "curriculum"), ("ungated", "gated", "acg"))
FIT_RUNS = ("ungated", "gated", "noisy", "curriculum", "acg", "causal")


def draw_curves(ax, curves, fits, runs, offset_step=0.0):
    """Mean P(right) ± 95% CI per signed coherence (markers) and the logistic with the
    seed-mean parameters (line), per run; the y axis leaves headroom above P = 1 for the
    legend (upper left), so that it never covers a curve."""
    drawn = False
    for index, run in enumerate(runs):
        rows = select(curves, run=run, quantity="p_right").sort_values("signed_coherence")
        if rows.empty:
            continue
        drawn = True
        x = rows["signed_coherence"].to_numpy(dtype=float)
        errorbar_statistic(ax, x + offset_step * (index - 1), rows, color=RUN_COLORS[run],
                           label=RUN_LABELS[run], marker="o")
        values = fit_values(fits, run)
        if {"slope", "bias", "lapse_low", "lapse_high"} <= set(values):
            grid = np.linspace(x.min(), x.max(), 200)
            ax.plot(grid, fitted_curve(values, grid), color=RUN_COLORS[run], linewidth=1.0)
    if not drawn:
        no_data(ax)
    ax.set_xlabel("signed coherence (+ right)")
    ax.set_ylabel("P(right)")
    ax.set_ylim(-0.03, 1.55)
    ax.set_yticks([0.0, 0.25, 0.5, 0.75, 1.0])
    ax.xaxis.set_major_locator(MaxNLocator(5))
    return drawn


@styled
def psychometric(curves, fits):
    figure = new_figure(7.2, 5.4)
    grid = figure.add_gridspec(2, 2)
    top = [figure.add_subplot(grid[0, 0]), figure.add_subplot(grid[0, 1])]
    bottom = [figure.add_subplot(grid[1, 0]), figure.add_subplot(grid[1, 1])]
    titles = ("training regimes", "gating and ACG")
    for ax, runs, title in zip(top, PANELS, titles):
        draw_curves(ax, curves, fits, runs)
        # n of the runs drawn here (the table also holds the 2-seed library comparison).
        shown = curves[curves["run"].isin(runs)] if "run" in curves.columns else curves.iloc[0:0]
        n = seeds_label(shown["n"]) if not shown.empty else "n = 0 seeds"
        ax.set_title(f"{title}, {n}", loc="right")
        ax.legend(loc="upper left", fontsize=6.5)
    positions = np.arange(len(FIT_RUNS))
    slope_ax, lapse_ax = bottom
    for position, run in zip(positions, FIT_RUNS):
        rows = select(fits, run=run, quantity="slope")
        if not rows.empty:
            errorbar_statistic(slope_ax, np.array([position]), rows, color=RUN_COLORS[run])
        for shift, quantity, marker in ((-0.15, "lapse_low", "v"), (0.15, "lapse_high", "^")):
            rows = select(fits, run=run, quantity=quantity)
            if not rows.empty:
                errorbar_statistic(lapse_ax, np.array([position + shift]), rows,
                                   color=RUN_COLORS[run], marker=marker)
    for ax in bottom:
        ax.set_xticks(positions)
        ax.set_xticklabels([SHORT_LABELS[run] for run in FIT_RUNS], fontsize=6.5,
                           rotation=30, ha="right", rotation_mode="anchor")
        ax.set_xlim(-0.6, len(FIT_RUNS) - 0.4)
    slope_ax.set_ylabel("logistic slope β (1/coherence)")
    slope_ax.set_title("fitted slope, mean ± 95% CI over seeds", loc="right")
    lapse_ax.set_ylabel("lapse rate")
    lapse_ax.set_title("lapses: ▼ low (right on strong left), ▲ high", loc="right")
    if fits.empty:
        no_data(slope_ax)
        no_data(lapse_ax)
    add_panel_letters(top + bottom)
    return figure
