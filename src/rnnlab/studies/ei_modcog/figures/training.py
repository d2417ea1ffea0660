"""Training progress of the E/I Mod-Cog runs: learning curves and checkpoint accuracy."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from rnnlab.plotting.style import (
    add_panel_letters,
    chance_line,
    errorbar_statistic,
    new_figure,
    no_data,
    plot_statistic,
    seeds_label,
    select,
    styled,
)
from rnnlab.studies.ei_modcog.figures.shared import (
    CHANCE,
    COMPARED_RUNS,
    STATISTIC_COLUMNS,
    STEP_AXIS_LABEL,
    chance_text,
    log_if_positive,
    plain_steps,
    interval_title,
    require,
    run_colors,
    run_label,
    run_marker,
    run_order,
)


# ----------------------------------------------------------------------------- (a)


@styled
def learning_curves(curves: pd.DataFrame, *, chance: float | None = CHANCE):
    """Training loss and decision accuracy vs training step, mean ± 95% CI over seeds.

    ``curves``: aggregate ``learning_curves`` (run, step, quantity ∈ {loss,
    decision_accuracy}, mean, ci_low, ci_high, n). Every run is drawn, eg and gd first in
    their fixed colours; the legend gives the number of seeds of each run. ``chance``: level
    of the dashed chance line on the accuracy panel (None: no line).
    """
    require(curves, ("run", "step") + STATISTIC_COLUMNS, "learning_curves")
    figure = new_figure(8.0, 3.1)
    ax_loss, ax_accuracy = figure.subplots(1, 2)
    runs = run_order(curves["run"].unique())
    colors = run_colors(runs)
    for run in runs:
        of_run = select(curves, run=run)
        label = f"{run_label(run)} ({seeds_label(of_run['n'])})"
        for quantity, ax in (("loss", ax_loss), ("decision_accuracy", ax_accuracy)):
            plot_statistic(
                ax,
                select(of_run, quantity=quantity),
                "step",
                color=colors[run],
                label=label,
                linewidth=1.2,
            )
    loss = select(curves, quantity="loss")
    logarithmic = False
    if loss.empty:
        no_data(ax_loss)
    else:
        logarithmic = log_if_positive(ax_loss, loss)
    if select(curves, quantity="decision_accuracy").empty:
        no_data(ax_accuracy)
    if chance is not None:
        chance_line(ax_accuracy, chance, label=chance_text(chance))
    # Over less than a decade the log axis shows plain numbers (1, 2): say it is logarithmic.
    ax_loss.set_ylabel("training loss (MSE + cross-entropy)"
                       + ("\nlog scale" if logarithmic else ""))
    ax_accuracy.set_ylabel("decision accuracy (fraction correct)")
    ax_accuracy.set_ylim(0, 1.02)
    for ax in (ax_loss, ax_accuracy):
        ax.set_xlabel("training step")
        plain_steps(ax)
    handles, labels = ax_accuracy.get_legend_handles_labels()
    if handles:
        figure.legend(
            handles,
            labels,
            loc="outside upper center",
            ncol=len(handles),
            title=interval_title(curves["n"], with_n=False),
        )
    add_panel_letters((ax_loss, ax_accuracy))
    return figure


# ----------------------------------------------------------------------------- (b)


@styled
def checkpoint_accuracy(
    accuracy: pd.DataFrame, *, runs=COMPARED_RUNS, chance: float | None = CHANCE
):
    """Test accuracy at each checkpoint, EG vs GD: mean ± 95% CI over seeds, one panel per task.

    ``accuracy``: aggregate ``checkpoint_accuracy`` (run, task, checkpoint_step, quantity
    "accuracy", mean, ci_low, ci_high, n). Only ``runs`` are drawn (other runs, e.g. the
    inhibitory-fraction sweep, are ignored). The x axis is the training step (linear, from 0),
    every run at its own checkpoint steps: no run is shifted sideways; the later run of
    ``runs`` is drawn under the earlier one.
    """
    require(
        accuracy, ("run", "task", "checkpoint_step") + STATISTIC_COLUMNS, "checkpoint_accuracy"
    )
    runs = run_order(runs)
    data = accuracy[(accuracy["quantity"] == "accuracy") & accuracy["run"].isin(runs)]
    tasks = sorted(data["task"].astype(str).unique())
    n_panels = max(len(tasks), 1)
    n_columns = min(n_panels, 3)
    n_rows = math.ceil(n_panels / n_columns)
    width = 7.0 if n_columns == 1 else min(10.0, 3.4 * n_columns)
    figure = new_figure(width, 0.4 + 2.9 * n_rows)
    axes = np.atleast_1d(figure.subplots(n_rows, n_columns, sharey=True, squeeze=False)).ravel()
    colors = run_colors(runs)
    for ax, task in zip(axes, tasks):
        of_task = data[data["task"].astype(str) == task]
        steps = np.sort(of_task["checkpoint_step"].unique()).astype(float)
        present = [r for r in runs if r in set(of_task["run"])]
        for order, run in enumerate(present):
            of_run = of_task[of_task["run"] == run].sort_values("checkpoint_step")
            errorbar_statistic(
                ax,
                of_run["checkpoint_step"].to_numpy(dtype=float),
                of_run,
                color=colors[run],
                marker=run_marker(run),
                linestyle="-",
                label=f"{run_label(run)} ({seeds_label(of_run['n'])})",
                zorder=3 + len(present) - order,
            )
        if chance is not None:
            chance_line(ax, chance, label=chance_text(chance))
        _step_axis(ax, steps)
        if len(tasks) > 1:
            ax.set_title(f"task: {task}")
    if not tasks:
        no_data(axes[0], "no eg/gd checkpoint accuracy")
    for ax in axes[len(tasks) :]:
        if tasks:
            ax.set_visible(False)
    for index, ax in enumerate(axes[: max(len(tasks), 1)]):
        ax.set_ylim(0, 1.0)
        if index % n_columns == 0:
            ax.set_ylabel("test accuracy (fraction correct)")
        if index // n_columns == n_rows - 1 or index + n_columns >= len(tasks):
            ax.set_xlabel(STEP_AXIS_LABEL)
    if tasks:
        handles = {}
        for ax in axes[: len(tasks)]:
            for handle, label in zip(*ax.get_legend_handles_labels()):
                handles.setdefault(label, handle)
        figure.legend(
            handles.values(),
            handles.keys(),
            loc="outside upper center",
            ncol=len(handles),
            title=interval_title(data["n"], with_n=False),
        )
    if len(tasks) > 1:
        add_panel_letters(axes[: len(tasks)])
    return figure


def _step_axis(ax, steps: np.ndarray) -> None:
    """A linear training-step axis from step 0 to the last checkpoint: the checkpoints as
    ticks (up to 8 of them), a margin of 4% so the markers at the ends are whole, and the
    axis line drawn from 0 only (no negative steps)."""
    if steps.size == 0:
        return
    low, high = min(0.0, float(steps.min())), float(steps.max())
    margin = 0.04 * (high - low) if high > low else 1.0
    ax.set_xlim(low - margin, high + margin)
    ax.spines["bottom"].set_bounds(low, high)
    if steps.size <= 8:
        ax.set_xticks(steps)
    plain_steps(ax)
