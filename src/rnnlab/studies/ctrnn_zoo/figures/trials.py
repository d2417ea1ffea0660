"""What the zoo networks do: example trials (outputs against targets) and the validation scores
of every task."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from rnnlab.plotting.style import new_figure, no_data, select, styled
from rnnlab.studies.ctrnn_zoo.figures.shared import first_seed, require, task_label, task_runs

CHANNEL_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")
MASK_SHADE = "#DDDDDD"
# What each output channel of a task means (the tasks' docstrings, rnnlab.studies.ctrnn_zoo.tasks).
OUTPUT_NAMES = {
    "cddm": ("choice right", "choice left"),
    "dmts": ("match", "non-match"),
    "three_bit_flip_flop": ("bit 1", "bit 2", "bit 3"),
    "memory_anti_number": ("−x (anti value)",),
    "memory_anti_angle": ("r·cos(θ + π)", "r·sin(θ + π)"),
}


def _channel_name(run: str, channel: int) -> str:
    names = OUTPUT_NAMES.get(run, ())
    return names[channel] if channel < len(names) else f"output {channel}"


def _channel_color(channel: int) -> str:
    return CHANNEL_COLORS[int(channel) % len(CHANNEL_COLORS)]


# ----------------------------------------------------------------------------- example trials


@styled
def example_trials(trials: pd.DataFrame, n_trials: int = 2):
    """One row per task: outputs (solid) vs targets (dashed) of ``n_trials`` trials of the first
    seed, time in ms, colour = output channel (named in the row's legend); steps out of the
    loss are shaded grey (keyed in the figure legend).

    ``trials``: table ``example_trials``.
    """
    require(trials, ("run", "seed", "trial", "time_ms", "channel", "output", "target",
                     "in_loss"), "example_trials")
    runs = task_runs(trials)
    figure = new_figure(8.0, 1.6 * max(1, len(runs)) + 0.8)
    axes = np.atleast_1d(figure.subplots(max(1, len(runs)), min(3, n_trials) or 1,
                                         squeeze=False))
    if not runs:
        no_data(axes[0, 0])
    shaded = False
    for row, run in enumerate(runs):
        frame = first_seed(trials, run)
        chosen = sorted(frame["trial"].unique())[: axes.shape[1]]
        for column, ax in enumerate(axes[row]):
            if column >= len(chosen):
                no_data(ax)
                continue
            shaded |= _draw_trial(ax, frame[frame["trial"] == chosen[column]])
            ax.set_title(f"{task_label(run)}, trial {chosen[column]}")
            if column == 0:
                ax.set_ylabel("output (a.u.)")
        channels = sorted(int(c) for c in frame["channel"].unique())
        axes[row, -1].legend(
            handles=[Line2D([], [], color=_channel_color(c), label=_channel_name(run, c))
                     for c in channels],
            loc="upper left", bbox_to_anchor=(1.02, 1.0), title="output channel",
            alignment="left",
        )
    for ax in axes[-1]:
        ax.set_xlabel("time (ms)")
    if runs:
        keys = [Line2D([], [], color="k", label="network output"),
                Line2D([], [], color="k", linestyle="--", label="target")]
        if shaded:
            keys.append(Patch(facecolor=MASK_SHADE, label="outside the loss (not trained)"))
        figure.legend(handles=keys, loc="outside upper center", ncol=len(keys))
    return figure


def _draw_trial(ax, frame: pd.DataFrame) -> bool:
    """Outputs and targets of one trial (rows per step and channel); whether a step is shaded."""
    first = frame[frame["channel"] == frame["channel"].min()].sort_values("time_ms")
    times = first["time_ms"].to_numpy(dtype=float)
    dt = float(np.diff(times).min()) if len(times) > 1 else 1.0
    shaded = _shade_masked(ax, times, first["in_loss"].to_numpy(dtype=bool), dt)
    for channel, rows in frame.groupby("channel", sort=True):
        rows = rows.sort_values("time_ms")
        color = _channel_color(int(channel))
        ax.plot(rows["time_ms"], rows["output"], color=color, linewidth=1.2)
        ax.plot(rows["time_ms"], rows["target"], color=color, linestyle="--", linewidth=1.0)
    return shaded


def _shade_masked(ax, times: np.ndarray, in_loss: np.ndarray, dt: float) -> bool:
    """Shade contiguous runs of steps that are out of the loss. times (T,), in_loss (T,)."""
    edges = np.flatnonzero(np.diff(np.r_[0, (~in_loss).astype(int), 0]))
    for start, stop in zip(edges[::2], edges[1::2]):
        ax.axvspan(times[start], times[stop - 1] + dt, color=MASK_SHADE, linewidth=0, zorder=0)
    return bool(edges.size)


# ----------------------------------------------------------------------------- table


def _value(row: pd.Series, form: str) -> str:
    """'0.950 [0.930, 0.970]' with its 95% CI where n ≥ 2 seeds, the mean alone otherwise."""
    text = format(row["mean"], form)
    if int(row["n"]) >= 2 and np.isfinite(row["ci_low"]) and np.isfinite(row["ci_high"]):
        text += f" [{format(row['ci_low'], form)}, {format(row['ci_high'], form)}]"
    return text


def _seeds(n: int) -> str:
    return "1 (no interval with 1 seed)" if n == 1 else str(n)


@styled
def validation_table(performance: pd.DataFrame):
    """Table of the mean validation score and MSE per task over seeds, with the bootstrap 95%
    CI where a task has n ≥ 2 seeds, the ideal observer's score on the same trials (the
    ceiling: 1 unless input noise limits it), and n per task.

    ``performance``: aggregate ``zoo_performance`` (run, task, quantity ∈ {validation_score,
    mse, ideal_score, …}, mean, ci_low, ci_high, n).
    """
    require(performance, ("run", "task", "quantity", "mean", "ci_low", "ci_high", "n"),
            "validation_table")
    runs = task_runs(performance)
    figure = new_figure(8.0, 0.3 * (len(runs) + 1) + 0.35)
    ax = figure.add_subplot(1, 1, 1)
    ax.set_axis_off()
    if not runs:
        no_data(ax)
        return figure
    cells, n_seeds = [], []
    for run in runs:
        score = select(performance, run=run, quantity="validation_score")
        mse = select(performance, run=run, quantity="mse")
        ideal = select(performance, run=run, quantity="ideal_score")
        n = int((score if not score.empty else mse)["n"].iloc[0])
        n_seeds.append(n)
        cells.append([
            task_label(run),
            _value(score.iloc[0], ".3f") if not score.empty else "–",
            format(ideal["mean"].iloc[0], ".3f") if not ideal.empty and np.isfinite(
                ideal["mean"].iloc[0]) else "–",
            _value(mse.iloc[0], ".3g") if not mse.empty else "–",  # 3 digits of small MSEs
            _seeds(n),
        ])
    interval = " [95% CI]" if max(n_seeds) >= 2 else ""
    table = ax.table(cellText=cells,
                     colLabels=["task", f"validation score{interval}", "ideal observer",
                                f"MSE{interval}", "seeds (n)"],
                     loc="center", cellLoc="center",
                     colWidths=[0.17, 0.25, 0.13, 0.27, 0.18])
    table.auto_set_font_size(False)
    table.set_fontsize(8)
    table.scale(1.0, 1.3)
    return figure
