"""System A's input and output weights: cosine(I, w) over training and how far I and w moved
from their initial values."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from rnnlab.plotting.style import add_panel_letters, new_figure, no_data, styled
from rnnlab.studies.system_a.figures.shared import (
    jitter,
    require,
    run_colors,
    run_label,
    runs_of,
    seeds_text,
    thesis_band,
)

MOVED = (("cosine_input_initial", "cos(I, I₀)", "o"), ("cosine_output_initial", "cos(w, w₀)", "s"))


@styled
def weight_alignment(alignment: pd.DataFrame):
    """(a) cosine(I, w) at every checkpoint, one line per seed, against the thesis's range of
    its trained networks; (b) cosine of the final I with the initial I₀ and of the final w with
    w₀, one dot per seed with the mean.

    ``alignment``: table ``weight_alignment`` of every seed.
    """
    require(alignment, ("run", "seed", "checkpoint_step", "epoch", "cosine_input_output",
                        "cosine_input_initial", "cosine_output_initial"), "weight_alignment")
    runs = runs_of(alignment)
    colors = run_colors(runs)
    figure = new_figure(7.2, 3.0)
    ax_cosine, ax_moved = figure.subplots(1, 2)
    ax_cosine.set_xlabel("epoch")
    ax_cosine.set_ylabel("cosine(I, w)")
    ax_moved.set_ylabel("cosine with the initial vector")
    if not runs:
        no_data(ax_cosine)
        no_data(ax_moved)
        return figure
    handles = []
    for run in runs:
        rows = alignment[alignment["run"] == run]
        n = rows["seed"].nunique()
        for _, seed_rows in rows.groupby("seed"):
            seed_rows = seed_rows.sort_values("checkpoint_step")
            ax_cosine.plot(seed_rows["epoch"], seed_rows["cosine_input_output"], color=colors[run],
                           marker="o", markersize=3, linewidth=0.8, alpha=0.7)
        handles.append(Line2D([], [], color=colors[run], marker="o", markersize=3,
                              label=f"{run_label(run)}: one line per seed ({seeds_text(n)})"))
    handles.append(thesis_band(ax_cosine, "cosine_input_output"))
    handles[-1].set_label("thesis, trained, 20 seeds: 0.82–0.89")
    ax_cosine.set_ylim(min(-0.05, float(alignment["cosine_input_output"].min()) - 0.05), 1.05)
    last = alignment.groupby(["run", "seed"])["checkpoint_step"].transform("max")
    final = alignment[alignment["checkpoint_step"] == last]
    width = 0.7 / max(len(runs), 1)
    for index, run in enumerate(runs):
        rows = final[final["run"] == run]
        for position, (column, _, marker) in enumerate(MOVED):
            x = position + (index - (len(runs) - 1) / 2) * width
            values = rows[column].to_numpy(float)
            ax_moved.scatter(x + jitter(len(values), 0.08), values, s=12, marker=marker,
                             color=colors[run], alpha=0.8, linewidths=0)
            if len(values):
                ax_moved.plot([x - 0.12, x + 0.12], [values.mean()] * 2, color="k",
                              linewidth=1.2)
    handles.append(Line2D([], [], color="k", linewidth=1.2, label="mean over seeds"))
    ax_moved.set_xticks(range(len(MOVED)), [label for _, label, _ in MOVED])
    ax_moved.set_xlim(-0.6, len(MOVED) - 0.4)
    low = float(np.nanmin(final[[c for c, _, _ in MOVED]].to_numpy(float))) if len(final) else 0.0
    ax_moved.set_ylim(min(low - 0.05, 0.8), 1.02)
    figure.legend(handles=handles, loc="outside upper center", ncol=2)
    add_panel_letters([ax_cosine, ax_moved])
    return figure
