"""PsychRNN (TensorFlow) vs rnnlab's CTRNN (the same model in torch) on PsychRNN's task
statistics: psychometric curves of both libraries overlaid per condition (baseline, recurrent
noise), and PCA trajectories of each library's first seed."""

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
from rnnlab.studies.two_afc.figures.shared import fit_values, fitted_curve
from rnnlab.studies.two_afc.figures.state_space import (
    coherence_colorbar,
    draw_trajectories,
    marker_handles,
)

LIBRARIES = (("psychrnn", "PsychRNN 1.0.0 Basic (TensorFlow)"),
             ("ctrnn", "rnnlab BasicCTRNN (torch)"))
LIBRARY_STYLE = {"psychrnn": dict(color="#D55E00", marker="o", linestyle="-"),
                 "ctrnn": dict(color="#0072B2", marker="s", linestyle=(0, (4, 2)))}
CONDITIONS = (("baseline", "baseline"), ("noisy", "recurrent noise in training"))


def draw_library_curves(ax, curves, fits, condition: str) -> None:
    """P(right) ± 95% CI per signed coherence and the seed-mean logistic of both libraries
    (offset horizontally by ±1.5 % of the grid's range so their bars stay apart)."""
    drawn = False
    for index, (library, name) in enumerate(LIBRARIES):
        run = f"{library}_{condition}"
        rows = select(curves, run=run, quantity="p_right").sort_values("signed_coherence")
        if rows.empty:
            continue
        drawn = True
        style = LIBRARY_STYLE[library]
        x = rows["signed_coherence"].to_numpy(dtype=float)
        offset = 0.015 * (x.max() - x.min()) * (index - 0.5)
        errorbar_statistic(ax, x + offset, rows, color=style["color"], marker=style["marker"],
                           label=name)
        values = fit_values(fits, run)
        if {"slope", "bias", "lapse_low", "lapse_high"} <= set(values):
            grid = np.linspace(x.min(), x.max(), 200)
            ax.plot(grid, fitted_curve(values, grid), color=style["color"],
                    linestyle=style["linestyle"], linewidth=1.0)
    if not drawn:
        no_data(ax)
    ax.set_xlabel("signed coherence (+ right)")
    ax.set_ylabel("P(right)")
    ax.set_ylim(-0.03, 1.45)
    ax.set_yticks([0.0, 0.25, 0.5, 0.75, 1.0])
    ax.xaxis.set_major_locator(MaxNLocator(5))
    if drawn:
        ax.legend(loc="upper left", fontsize=6.5)


@styled
def library_comparison(curves, fits, trajectories):
    figure = new_figure(7.4, 7.8)
    axes = figure.subplots(3, 2)
    library_rows = curves[curves["run"].str.contains("_")] if not curves.empty else curves
    n = seeds_label(library_rows["n"]) if not library_rows.empty else "n = 0 seeds"
    norm = None
    for column, (condition, title) in enumerate(CONDITIONS):
        ax = axes[0, column]
        draw_library_curves(ax, curves, fits, condition)
        ax.set_title(f"{title}\nmean ± 95% CI over seeds, {n}", loc="right", fontsize=7.5)
        for row, (library, name) in enumerate(LIBRARIES, start=1):
            run = f"{library}_{condition}"
            rows = trajectories[trajectories["run"] == run]
            seed = f", seed {int(rows['seed'].iloc[0])}" if not rows.empty else ""
            short = "PsychRNN" if library == "psychrnn" else "rnnlab"
            norm = draw_trajectories(axes[row, column], rows,
                                     f"{short}, {title}{seed}") or norm
    if norm is not None:
        coherence_colorbar(figure, list(axes[1:].ravel()), norm)
        figure.legend(handles=marker_handles(), loc="outside lower center", ncol=2)
    add_panel_letters(axes.ravel())
    return figure
