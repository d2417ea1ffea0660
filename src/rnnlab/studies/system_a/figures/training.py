"""Loss and per-parameter gradient-magnitude histories of every seed (the thesis's
``sys_A<seed>_err.png`` and ``sys_A<seed>_param.png``), with the precision after each epoch."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from rnnlab.plotting.style import add_panel_letters, new_figure, no_data, styled
from rnnlab.studies.system_a.figures.shared import (
    log_ticks_125,
    require,
    run_colors,
    run_label,
    runs_of,
    thesis_band,
)

PANELS = (
    ("loss", "training loss (per-trial masked MSE)", "training step"),
    ("grad_norm_input", "|∂L/∂I|", "training step"),
    ("grad_norm_output", "|∂L/∂w|", "training step"),
    ("precision", "precision (MSE, test durations)", "epoch"),
)


@styled
def training_histories(log: pd.DataFrame):
    """Four panels, one thin line per seed (colour = run): the training loss and the gradient
    magnitudes |∂L/∂I| and |∂L/∂w| at every logged step, and the thesis's precision after each
    epoch with the thesis's final range; log y axes.

    ``log``: table ``train_log`` of every seed (System A's columns ``grad_norm_input``,
    ``grad_norm_output``, ``epoch``, ``precision``).
    """
    require(log, ("run", "seed", "step", "loss", "grad_norm_input", "grad_norm_output",
                  "epoch", "precision"), "training_histories")
    runs = runs_of(log)
    colors = run_colors(runs)
    figure = new_figure(7.2, 5.0)
    axes = figure.subplots(2, 2).ravel()
    n_seeds = {run: log.loc[log["run"] == run, "seed"].nunique() for run in runs}
    for ax, (column, ylabel, xlabel) in zip(axes, PANELS):
        ax.set_ylabel(ylabel)
        ax.set_xlabel(xlabel)
        drawn = False
        for run in runs:
            for _, rows in log[log["run"] == run].groupby("seed", sort=True):
                rows = rows.dropna(subset=[column])
                values = rows[column].to_numpy(float)
                keep = np.isfinite(values) & (values > 0)
                if not keep.any():
                    continue
                x = (rows["epoch"].to_numpy(float) + 1 if column == "precision"
                     else rows["step"].to_numpy(float))
                ax.plot(x[keep], values[keep], color=colors[run], linewidth=0.7, alpha=0.7,
                        marker="o" if column == "precision" and keep.sum() < 4 else None,
                        markersize=3)
                drawn = True
        if drawn:
            ax.set_yscale("log")
            if column == "precision":
                log_ticks_125(ax.yaxis)
        else:
            no_data(ax)
    handles = [Line2D([], [], color=colors[run],
                      label=f"{run_label(run)}: one line per seed (n = {n_seeds[run]})")
               for run in runs]
    if runs:
        handles.append(thesis_band(axes[3], "precision"))
        handles[-1].set_label("thesis final precision, 20 seeds: 0.013–0.042")
        figure.legend(handles=handles, loc="outside upper center", ncol=min(len(handles), 2))
    add_panel_letters(axes)
    return figure
