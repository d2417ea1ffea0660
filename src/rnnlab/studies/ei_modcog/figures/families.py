"""Figures of the families of runs: the learning-rate sweep (EG vs GD), the ablations and the
network size — final test accuracy, mean ± 95% CI over seeds.

Each takes the family's aggregate (``rnnlab.studies.ei_modcog.performance.final_performance``:
the family's describing columns + quantity ∈ {final_accuracy, best_accuracy, …}, mean, ci_low,
ci_high, n).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from rnnlab.plotting.style import (
    add_panel_letters,
    chance_line,
    errorbar_statistic,
    has_ci,
    new_figure,
    no_data,
    plot_statistic,
    select,
    styled,
)
from rnnlab.studies.ei_modcog.figures.shared import (
    CHANCE,
    STATISTIC_COLUMNS,
    chance_text,
    interval_title,
    plain_steps,
    require,
    run_colors,
    run_label,
    run_marker,
)

ACCURACY_LABEL = "final test accuracy\n(fraction correct)"
VARIANT_LABELS = {
    "control": "control",
    "leak_0_2": "leak 0.2",
    "leak_0_5": "leak 0.5",
    "leak_0_9": "leak 0.9",
    "leak_1": "leak 1",
    "nonlinearity_tanh": "tanh",
    "nonlinearity_softplus": "softplus",
    "readout_e_only": "E-only readout",
    "readout_all": "readout all",
    "row_sum_0": "row-sum 0",
    "row_sum_0_5": "row-sum 0.5",
}


def variant_label(variant: str) -> str:
    return VARIANT_LABELS.get(variant, variant.replace("_", " "))


# ----------------------------------------------------------------------------- (f)


@styled
def lr_sweep(performance: pd.DataFrame, *, chance: float | None = CHANCE):
    """EG vs GD over one grid of learning rates: (a) final test accuracy, (b) the training step
    at which the checkpoint accuracy plateaued; mean ± 95% CI over seeds (bands).

    On both panels a filled marker means every seed's accuracy had plateaued by the end of
    training, an open marker that at least one seed was still rising (then (b) counts it at
    the final step, which the open marker flags as "not a plateau").
    """
    require(performance, ("optimizer", "learning_rate") + STATISTIC_COLUMNS, "lr_sweep")
    figure = new_figure(8.0, 3.1)
    ax_accuracy, ax_plateau = figure.subplots(1, 2)
    optimizers = [o for o in ("eg", "gd") if o in set(performance["optimizer"])]
    colors = run_colors(optimizers)
    for optimizer in optimizers:
        of_optimizer = select(performance, optimizer=optimizer)
        color, marker = colors[optimizer], run_marker(optimizer)
        final = select(of_optimizer, quantity="final_accuracy").sort_values("learning_rate")
        plot_statistic(ax_accuracy, final, "learning_rate", color=color,
                       label=run_label(optimizer))
        plateaued = select(of_optimizer, quantity="plateaued").set_index("learning_rate")["mean"]
        steps = select(of_optimizer, quantity="plateau_step").sort_values("learning_rate")
        plot_statistic(ax_plateau, steps, "learning_rate", color=color,
                       label=run_label(optimizer))
        for ax, frame in ((ax_accuracy, final), (ax_plateau, steps)):
            plateau_markers(ax, frame, plateaued, color, marker)
    for ax in (ax_accuracy, ax_plateau):
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        ax.set_xlabel("learning rate of W_rec (log scale)")
    if select(performance, quantity="final_accuracy").empty:
        no_data(ax_accuracy)
    if select(performance, quantity="plateau_step").empty:
        no_data(ax_plateau)
    if chance is not None:
        chance_line(ax_accuracy, chance, label=chance_text(chance))
    ax_accuracy.set_ylabel(ACCURACY_LABEL)
    ax_accuracy.set_ylim(0, 1.02)
    ax_plateau.set_ylabel("training step at which\ntest accuracy plateaued")
    plain_steps(ax_plateau)
    ax_plateau.set_ylim(bottom=0)
    steps = select(performance, quantity="plateau_step")
    if not steps.empty:  # room above the final step, where runs still rising are drawn
        top = np.nanmax(steps[["mean", "ci_high"]].to_numpy(float))
        if np.isfinite(top) and top > 0:
            ax_plateau.set_ylim(0, 1.08 * top)
    handles, labels = ax_accuracy.get_legend_handles_labels()
    if optimizers:
        handles += [
            Line2D([], [], linestyle="none", marker="o", color="0.3", markersize=5),
            Line2D([], [], linestyle="none", marker="o", color="0.3", markerfacecolor="white",
                   markersize=5),
        ]
        labels += ["plateaued (all seeds)", "still rising (≥ 1 seed)"]
    if handles:
        figure.legend(handles, labels, loc="outside upper center", ncol=len(handles),
                      title=interval_title(performance["n"]))
    add_panel_letters((ax_accuracy, ax_plateau))
    return figure


def plateau_markers(ax, frame: pd.DataFrame, plateaued: pd.Series, color: str, marker: str):
    """Markers on a learning-rate curve: filled where every seed had plateaued (``plateaued``:
    learning rate → fraction of seeds), open where at least one was still rising."""
    if frame.empty:
        return
    done = frame["learning_rate"].map(plateaued).fillna(0).to_numpy() >= 1
    x, y = frame["learning_rate"].to_numpy(float), frame["mean"].to_numpy(float)
    ax.plot(x[done], y[done], linestyle="none", marker=marker, color=color, markersize=5,
            zorder=4)
    ax.plot(x[~done], y[~done], linestyle="none", marker=marker, color=color,
            markerfacecolor="white", markersize=5, zorder=4)


# ----------------------------------------------------------------------------- (g)


@styled
def ablations(performance: pd.DataFrame, *, chance: float | None = CHANCE):
    """(a) Final test accuracy of the control and of each ablated variant; (b) each variant's
    paired difference from the control (same seeds); mean ± 95% CI over seeds."""
    require(performance, ("variant",) + STATISTIC_COLUMNS, "ablations")
    variants = list(performance["variant"].astype(str).unique())
    variants = ["control"] * ("control" in variants) + sorted(v for v in variants if v != "control")
    figure = new_figure(8.0, 0.9 + 0.32 * max(len(variants), 3))
    ax_accuracy, ax_difference = figure.subplots(1, 2, sharey=True)
    positions = np.arange(len(variants))[::-1].astype(float)
    where = dict(zip(variants, positions))
    final = select(performance, quantity="final_accuracy")
    difference = select(performance, quantity="difference_from_control")
    difference = difference[difference["variant"] != "control"]
    for frame, ax, color in ((final, ax_accuracy, "#009E73"), (difference, ax_difference, "#0072B2")):
        if frame.empty:
            no_data(ax)
            continue
        frame = frame.assign(y=frame["variant"].astype(str).map(where))
        mean = frame["mean"].to_numpy(float)
        defined = has_ci(frame)
        low = np.where(defined, mean - frame["ci_low"].to_numpy(float), 0)
        high = np.where(defined, frame["ci_high"].to_numpy(float) - mean, 0)
        ax.errorbar(mean, frame["y"].to_numpy(float), xerr=np.vstack([low.clip(0), high.clip(0)]),
                    linestyle="none", marker="o", color=color, capsize=2.0, markersize=4.5)
    ax_accuracy.set_yticks(positions, [variant_label(v) for v in variants])
    ax_accuracy.set_ylim(-0.7, len(variants) - 0.3)
    ax_accuracy.set_xlim(0, 1.02)
    ax_accuracy.set_xlabel("final test accuracy (fraction correct)")
    if chance is not None:
        ax_accuracy.axvline(chance, color="0.5", linestyle=(0, (4, 3)), linewidth=0.9)
    ax_difference.axvline(0, color="0.5", linewidth=0.8)
    ax_difference.set_xlabel("accuracy − control's (same seed)")
    n = performance["n"]
    figure.suptitle(interval_title(n) + (f"; dashed: {chance_text(chance)}" if chance else ""),
                    fontsize=8)
    add_panel_letters((ax_accuracy, ax_difference))
    return figure


# ----------------------------------------------------------------------------- (h)


@styled
def size_sweep(performance: pd.DataFrame, *, chance: float | None = CHANCE):
    """Final test accuracy vs hidden size H, mean ± 95% CI over seeds; with task sets
    (columns ``task_set`` and ``tasks``: the thesis' t_1 and t_5), one series per set, side by
    side at each H, a set of several tasks scored by its mean accuracy over them."""
    require(performance, ("hidden_size",) + STATISTIC_COLUMNS, "size_sweep")
    figure = new_figure(4.6, 3.2)
    ax = figure.subplots()
    final = select(performance, quantity="final_accuracy").sort_values("hidden_size")
    sizes = np.sort(final["hidden_size"].astype(int).unique())
    positions = {size: float(i) for i, size in enumerate(sizes)}
    if "task_set" in final and final["task_set"].notna().any():
        sets = sorted(final["task_set"].dropna().astype(str).unique())
    else:
        sets = [None]
    width = 0.5 / max(len(sets), 1)
    for index, task_set in enumerate(sets):
        of_set = final if task_set is None else final[final["task_set"].astype(str) == task_set]
        if of_set.empty:
            continue
        offset = (index - (len(sets) - 1) / 2) * width
        x = of_set["hidden_size"].astype(int).map(positions).to_numpy(float) + offset
        if task_set is None:
            label, color = "final accuracy", "#009E73"
        else:
            tasks = of_set["tasks"].iloc[0] if "tasks" in of_set else ""
            label = f"{task_set}: {tasks}" if tasks else task_set
            color = SET_COLORS[index % len(SET_COLORS)]
        errorbar_statistic(ax, x, of_set, color=color, label=label)
    if final.empty:
        no_data(ax)
    ax.set_xticks(list(positions.values()), [str(s) for s in sizes])
    ax.set_xlim(-0.6, max(len(sizes), 1) - 0.4)
    ax.set_xlabel("hidden units H")
    several = "tasks" in final and final["tasks"].astype(str).str.contains(",").any()
    ax.set_ylabel(ACCURACY_LABEL + ("\n(mean over a set's tasks)" if several else ""))
    ax.set_ylim(0, 1.02)
    if chance is not None:
        chance_line(ax, chance, label=chance_text(chance))
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        figure.legend(handles, labels, loc="outside upper center", ncol=1 if sets != [None] else 2,
                      title=interval_title(performance["n"]))
    return figure


SET_COLORS = ("#009E73", "#D55E00", "#0072B2", "#CC79A7")
