"""Sign consistency and magnitudes of the recurrent weights, EG vs GD."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, NullLocator

from rnnlab.plotting.style import (
    POPULATION_LINESTYLES,
    POPULATIONS,
    add_panel_letters,
    has_ci,
    new_figure,
    no_data,
    plot_statistic,
    seeds_label,
    select,
    styled,
)
from rnnlab.studies.ei_modcog.figures.shared import (
    COMPARED_RUNS,
    STATISTIC_COLUMNS,
    STEP_AXIS_LABEL,
    count_label,
    final_step,
    interval_title,
    plain_steps,
    population_color,
    present_populations,
    require,
    run_colors,
    run_label,
    run_marker,
    run_order,
    signed,
)


# ----------------------------------------------------------------------------- (e)


def _stairs_with_band(ax, data: pd.DataFrame, color: str, label: str) -> None:
    """Step plot of mean counts on the bins [bin_left, bin_right), CI as a shaded step band."""
    data = data.sort_values("bin_left")
    left = data["bin_left"].to_numpy(dtype=float)
    right = data["bin_right"].to_numpy(dtype=float)
    mean = data["mean"].to_numpy(dtype=float)
    defined = has_ci(data)
    low = np.where(defined, data["ci_low"].to_numpy(dtype=float), mean)
    high = np.where(defined, data["ci_high"].to_numpy(dtype=float), mean)
    # Split at gaps between bins so a missing bin is not drawn as a flat step.
    breaks = np.flatnonzero(~np.isclose(left[1:], right[:-1])) + 1
    first = True
    for segment in np.split(np.arange(len(left)), breaks):
        if segment.size == 0:
            continue
        edges = np.append(left[segment], right[segment[-1]])
        if defined[segment].any():
            ax.stairs(
                high[segment],
                edges,
                baseline=low[segment],
                fill=True,
                color=color,
                alpha=0.22,
                linewidth=0,
            )
        ax.stairs(mean[segment], edges, color=color, linewidth=1.3, label=label if first else None)
        first = False


def _skew_text(statistics: pd.DataFrame, run: str, step: int, population: str) -> str:
    """'E: +0.06 [−0.02, +0.13]' (mean [95% CI] skewness of log10|w|), or 'E: n/a'."""
    row = select(
        statistics, run=run, checkpoint_step=step, population=population, quantity="log10_abs_skew"
    )
    if row.empty or not np.isfinite(row["mean"].iloc[0]):
        return f"{population}: n/a"
    text = f"{population}: {signed(row['mean'].iloc[0])}"
    if has_ci(row)[0]:
        text += f" [{signed(row['ci_low'].iloc[0])}, {signed(row['ci_high'].iloc[0])}]"
    return text


@styled
def weight_signs(statistics: pd.DataFrame, histograms: pd.DataFrame, *, runs=COMPARED_RUNS):
    """Sign consistency and magnitude distribution of the recurrent weights, EG vs GD.

    a: cumulative number of weight updates that crossed zero and were reflected back to the
    presynaptic sign (colour = run, line style = presynaptic population), on a log scale above
    1 (symmetric log, 0 at the bottom). GD needs such corrections to keep Dale's law; EG cannot
    change a sign, so its curve is exactly 0, which its legend entry says.
    b, c (one per run): histogram of log10|w| at the run's final checkpoint, E and I
    overlaid (mean counts per bin over seeds, CI shaded); the legend gives the skewness of
    log10|w| per population, mean [95% CI] over seeds (≈ 0 for log-normal magnitudes).
    Every legend sits under its panel: inside, it would cover the curves.

    ``statistics``: aggregate ``weight_statistics`` (run, checkpoint_step, population,
    quantity ∈ {n_sign_corrections, n_sign_flips, n_mixed_sign_columns, log10_abs_mean, log10_abs_std,
    log10_abs_skew}, ...). ``histograms``: aggregate ``weight_histograms`` (run,
    checkpoint_step, population, bin_left, bin_right, quantity "count", ...).
    """
    require(
        statistics,
        ("run", "checkpoint_step", "population") + STATISTIC_COLUMNS,
        "weight_signs statistics",
    )
    require(
        histograms,
        ("run", "checkpoint_step", "population", "bin_left", "bin_right") + STATISTIC_COLUMNS,
        "weight_signs histograms",
    )
    runs = run_order(runs)
    colors = run_colors(runs)
    populations = present_populations(statistics, histograms) or list(POPULATIONS)
    figure = new_figure(10.0, 4.1)
    grid = figure.add_gridspec(1, 1 + len(runs), width_ratios=[1.15] + [1.0] * len(runs))
    ax_flips = figure.add_subplot(grid[0, 0])
    histogram_axes = []
    for index in range(len(runs)):
        shared = histogram_axes[0] if histogram_axes else None
        histogram_axes.append(figure.add_subplot(grid[0, 1 + index], sharey=shared))
    _draw_corrections(ax_flips, select(statistics, quantity="n_sign_corrections"), runs, colors,
                      populations)

    counts = select(histograms, quantity="count")
    for ax, run in zip(histogram_axes, runs):
        of_run = counts[counts["run"] == run]
        step = final_step(of_run)
        ax.set_xlabel("log$_{10}$ |w| (recurrent weight)")
        if step is None:
            ax.set_title(run_label(run))
            no_data(ax, f"no weights for {run}")
            continue
        ax.set_title(f"{run_label(run)}, final checkpoint (step {step:,})")
        at_step = of_run[of_run["checkpoint_step"] == step]
        for population in populations:
            data = at_step[at_step["population"] == population]
            if not data.empty:
                _stairs_with_band(
                    ax,
                    data,
                    population_color(population),
                    _skew_text(statistics, run, step, population),
                )
        ax.set_ylim(bottom=0)
        skew = select(statistics, run=run, checkpoint_step=step, quantity="log10_abs_skew")
        title = interval_title(skew["n"] if not skew.empty else at_step["n"],
                               "mean [95% CI]")
        # Below the panel: inside, a legend covers the histogram.
        ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.2), alignment="left",
                  title=f"skewness of log$_{{10}}$|w| per population\n{title}")
    if histogram_axes:
        histogram_axes[0].set_ylabel("weights per bin (mean over seeds)")
        for ax in histogram_axes[1:]:
            ax.tick_params(labelleft=False)
    add_panel_letters([ax_flips] + histogram_axes)
    return figure


def _draw_corrections(ax, flips: pd.DataFrame, runs, colors, populations) -> None:
    """Panel a: cumulative sign corrections per run and presynaptic population, on a log scale
    above 1 (GD's counts span 10–10⁶; EG's are exactly 0, drawn at the bottom)."""
    run_handles = []
    for run in runs:
        of_run = flips[flips["run"] == run]
        for population in populations:
            plot_statistic(
                ax,
                of_run[of_run["population"] == population],
                "checkpoint_step",
                color=colors[run],
                linestyle=POPULATION_LINESTYLES.get(population, "-."),
                marker=run_marker(run),
            )
        if of_run.empty:
            continue
        label = f"{run_label(run)} ({seeds_label(of_run['n'])})"
        if (of_run["mean"] == 0).all():
            label += ": 0 at every checkpoint"
        run_handles.append(
            Line2D([], [], color=colors[run], marker=run_marker(run), label=label)
        )
    population_handles = [
        Line2D([], [], color="black", linestyle=POPULATION_LINESTYLES.get(p, "-."),
               label=f"presynaptic {p}")
        for p in populations
    ]
    if run_handles:
        ax.set_yscale("symlog", linthresh=1.0, linscale=0.4)
        ax.set_ylim(bottom=-0.5)  # EG's zeros above the spine, not on it
        ax.yaxis.set_minor_locator(NullLocator())
        ax.yaxis.set_major_formatter(FuncFormatter(count_label))
        # Below the panel: the curves fill the axes from 0 to the top.
        ax.legend(handles=run_handles + population_handles, loc="upper left",
                  bbox_to_anchor=(0.0, -0.2), title=interval_title(flips["n"], with_n=False),
                  alignment="left")
    else:
        no_data(ax)
    ax.set_xlabel(STEP_AXIS_LABEL)
    ax.set_ylabel("updates that crossed zero and were\nreflected (cumulative, log scale above 1)")
    plain_steps(ax)
