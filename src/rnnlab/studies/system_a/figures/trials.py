"""What System A's networks do: example trials (output, target, input) at the thesis's test
durations, and the precision per duration and seed."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from rnnlab.plotting.style import (
    NEUTRAL_COLOR,
    add_panel_letters,
    errorbar_statistic,
    new_figure,
    no_data,
    select,
    styled,
)
from rnnlab.studies.system_a.figures.shared import (
    jitter,
    require,
    run_colors,
    run_label,
    runs_of,
    seeds_text,
    thesis_band,
)

INPUT_COLOR = "#009E73"
BEYOND_SHADE = "#EEEEEE"


@styled
def example_trials(trials: pd.DataFrame):
    """One panel per test duration (rows: runs, first seed): the network's output (solid), its
    target (dashed, from the cost onset on) and the input pulse; time in ms; the part of the
    trial beyond the training trial length is shaded.

    ``trials``: table ``pulse_trials`` of each run's first seed.
    """
    require(trials, ("run", "seed", "duration_ms", "time_ms", "input", "output", "target",
                     "trained_length"), "example_trials")
    runs = runs_of(trials)
    durations = sorted(trials["duration_ms"].unique())
    n_rows, n_columns = max(1, len(runs)), max(1, len(durations))
    figure = new_figure(7.2, 1.9 * n_rows + 0.7)
    axes = np.atleast_2d(figure.subplots(n_rows, n_columns, squeeze=False, sharey=True))
    if not runs:
        no_data(axes[0, 0])
        return figure
    shaded = False
    for row, run in enumerate(runs):
        frame = select(trials, run=run)
        seed = int(frame["seed"].min())
        frame = frame[frame["seed"] == seed]
        for column, duration in enumerate(durations):
            ax = axes[row, column]
            rows = frame[frame["duration_ms"] == duration].sort_values("time_ms")
            if rows.empty:
                no_data(ax)
                continue
            time = rows["time_ms"].to_numpy(float)
            beyond = ~rows["trained_length"].to_numpy(bool)
            if beyond.any():
                ax.axvspan(time[beyond][0], time[-1], color=BEYOND_SHADE, linewidth=0, zorder=0)
                shaded = True
            ax.plot(time, rows["input"], color=INPUT_COLOR, linewidth=0.9)
            target = rows["target"].to_numpy(float)
            on = target > 0
            ax.plot(time[on], target[on], color="k", linestyle="--", linewidth=1.0)
            ax.plot(time, rows["output"], color=run_colors(runs)[run], linewidth=1.2)
            ax.set_title(f"pulse {duration:g} ms", fontsize=8)
            ax.set_xlabel("time (ms)")
            if column == 0:
                ax.set_ylabel(f"{run_label(run)}, seed {seed}\nsignal (a.u.)", fontsize=7)
    handles = [Line2D([], [], color=run_colors(runs)[run], label=f"output, {run_label(run)}")
               for run in runs]
    handles += [Line2D([], [], color="k", linestyle="--", label="target (0.007 × duration)"),
                Line2D([], [], color=INPUT_COLOR, label="input pulse (amplitude 2)")]
    if shaded:
        handles.append(Patch(facecolor=BEYOND_SHADE, edgecolor=NEUTRAL_COLOR, linewidth=0.5,
                             label="beyond the training trial length"))
    figure.legend(handles=handles, loc="outside upper center", ncol=min(len(handles), 3))
    return figure


@styled
def precision(precision: pd.DataFrame, summary: pd.DataFrame, network: pd.DataFrame):
    """(a) MSE per test duration of the final networks: one dot per seed, mean ± bootstrap 95%
    CI over seeds, the initial networks' mean for reference; (b) the thesis's precision (the
    mean over the durations) per seed against the thesis's range; log y axes.

    ``precision``: table ``duration_precision`` of every seed; ``summary``: aggregate
    ``precision_by_duration``.
    """
    require(precision, ("run", "seed", "checkpoint_step", "duration_ms", "mse"), "precision")
    require(summary, ("run", "checkpoint_step", "duration_ms", "mean", "ci_low", "ci_high", "n"),
            "precision summary")
    require(network, ("run", "quantity", "mean", "ci_low", "ci_high", "n"), "network summary")
    runs = runs_of(precision, summary)
    colors = run_colors(runs)
    figure = new_figure(7.2, 3.0)
    ax_duration, ax_total = figure.subplots(1, 2, width_ratios=[1.6, 1.0])
    ax_duration.set_xlabel("pulse duration of the test trial (ms)")
    ax_duration.set_ylabel("MSE from the cost onset on")
    ax_total.set_ylabel("precision (mean MSE over durations)")
    if not runs or precision.empty:
        no_data(ax_duration)
        no_data(ax_total)
        return figure
    durations = sorted(precision["duration_ms"].unique())
    positions = {d: i for i, d in enumerate(durations)}
    offsets = np.linspace(-0.15, 0.15, len(runs)) if len(runs) > 1 else [0.0]
    handles = []
    last = precision.groupby(["run", "seed"])["checkpoint_step"].transform("max")
    final = precision[precision["checkpoint_step"] == last]
    first_step = precision.groupby(["run", "seed"])["checkpoint_step"].transform("min")
    initial_available = (first_step < last).any()
    for offset, run in zip(offsets, runs):
        rows = final[final["run"] == run]
        n = rows["seed"].nunique()
        x = rows["duration_ms"].map(positions).to_numpy(float) + offset
        ax_duration.scatter(x + jitter(len(x), 0.06), rows["mse"], s=9, color=colors[run],
                            alpha=0.5, linewidths=0, zorder=2)
        stats = summary[(summary["run"] == run) & (summary["quantity"] == "mse")]
        final_step = stats["checkpoint_step"].max()
        means = stats[stats["checkpoint_step"] == final_step].sort_values("duration_ms")
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=4, alpha=0.5,
                              markeredgewidth=0, color=colors[run],
                              label=f"{run_label(run)}: one dot per seed"))
        handles.append(errorbar_statistic(
            ax_duration, means["duration_ms"].map(positions).to_numpy(float) + offset + 0.22,
            means, color=colors[run], label=f"{run_label(run)}: mean ± 95% CI ({seeds_text(n)})"))
        initial = stats[stats["checkpoint_step"] == stats["checkpoint_step"].min()]
        if initial_available and not initial.empty and initial["checkpoint_step"].iloc[0] < final_step:
            ax_duration.scatter(initial["duration_ms"].map(positions).to_numpy(float) + offset
                                + 0.22, initial["mean"], marker="x", s=16, color=NEUTRAL_COLOR,
                                zorder=3)
        totals = rows.groupby("seed")["mse"].mean()
        position = runs.index(run)
        ax_total.scatter(position + jitter(len(totals), 0.12), totals, s=12, color=colors[run],
                         alpha=0.8, linewidths=0, zorder=2)
        overall = network[(network["run"] == run) & (network["quantity"] == "precision")]
        if not overall.empty:
            errorbar_statistic(ax_total, np.array([position + 0.3]), overall, color=colors[run])
    if initial_available:
        handles.append(Line2D([], [], linestyle="none", marker="x", color=NEUTRAL_COLOR,
                              label="untrained networks (step 0), mean"))
    handles.append(thesis_band(ax_total, "precision"))
    ax_duration.set_xticks(range(len(durations)), [f"{d:g}" for d in durations])
    ax_total.set_xticks(range(len(runs)), [run_label(r) for r in runs], fontsize=7)
    ax_total.set_xlim(-0.6, len(runs) - 0.4)
    for ax in (ax_duration, ax_total):
        ax.set_yscale("log")
    figure.legend(handles=handles, loc="outside upper center", ncol=2)
    add_panel_letters([ax_duration, ax_total])
    return figure
