"""Report errors of the trained networks: their distributions per set size with the fitted
mixtures, their circular statistics beside the human data and the thesis's models, and the
mixture parameters per set size."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from rnnlab.plotting.style import (
    errorbar_statistic,
    new_figure,
    no_data,
    plot_statistic,
    seeds_label,
    select,
    styled,
)
from rnnlab.studies.vwm.figures.shared import first_seed, require, run_colors, run_label, runs_of
from rnnlab.studies.vwm.reference import HUMAN, THESIS_MODELS

HISTOGRAM_COLOR = "#BBBBBB"
MIXTURE_STYLES = {"von_mises": ("#0072B2", "-", "von Mises + uniform"),
                  "gaussian": ("#D55E00", "--", "wrapped normal + uniform")}
HUMAN_COLOR = "#000000"
THESIS_STYLES = (("#009E73", (0, (4, 2))), ("#CC79A7", (0, (1, 1.5))))


@styled
def error_distributions(histograms: pd.DataFrame, densities: pd.DataFrame,
                        statistics: pd.DataFrame):
    """Per run (rows) and set size (columns): the density of the first seed's report errors
    (grey bars), the two fitted mixtures (lines), and −2 ln R̄ and the circular kurtosis in the
    panel title."""
    require(histograms, ("run", "seed", "set_size", "bin_left", "bin_right", "density"),
            "error_histograms")
    require(densities, ("run", "seed", "set_size", "model", "error", "density"),
            "mixture_densities")
    runs = runs_of(histograms)
    sizes = sorted(int(s) for s in histograms["set_size"].unique()) if len(histograms) else []
    rows, columns = max(1, len(runs)), max(1, len(sizes))
    figure = new_figure(1.9 * columns + 0.4, 1.9 * rows + 0.7)
    axes = np.atleast_2d(figure.subplots(rows, columns, squeeze=False, sharex=True))
    if not runs:
        no_data(axes[0, 0])
        axes[0, 0].set_xlabel("report error (deg)")
        return figure
    drawn_models = []
    for row, run in enumerate(runs):
        bars, curves = first_seed(histograms, run), first_seed(densities, run)
        stats = first_seed(statistics, run)
        seed = int(bars["seed"].min()) if len(bars) else None
        for column, size in enumerate(sizes):
            ax = axes[row, column]
            values = select(bars, set_size=size)
            if values.empty:
                no_data(ax)
                continue
            left = np.degrees(values["bin_left"].to_numpy())
            width = np.degrees(values["bin_right"].to_numpy()) - left
            ax.bar(left, values["density"].to_numpy(), width=width,
                   align="edge", color=HISTOGRAM_COLOR, linewidth=0)
            for model, (color, style, _) in MIXTURE_STYLES.items():
                curve = select(curves, set_size=size, model=model).sort_values("error")
                if curve.empty or not np.isfinite(curve["density"]).any():
                    continue
                ax.plot(np.degrees(curve["error"]), curve["density"], color=color,
                        linestyle=style, linewidth=1.1)
                if model not in drawn_models:
                    drawn_models.append(model)
            stat = select(stats, set_size=size)
            title = f"{size} item{'s' if size > 1 else ''}"
            if len(stat):
                title += (f"\n−2 ln R̄ {stat['circular_variance'].iloc[0]:.3g}, "
                          f"kurt. {stat['circular_kurtosis'].iloc[0]:.2f}")
            ax.set_title(title, fontsize=7.5)
            ax.set_xlim(-180, 180)
            ax.set_xticks([-180, -90, 0, 90, 180])
            if row == rows - 1:
                ax.set_xlabel("report error (deg)")
            if column == 0:
                label = f"{run}, seed {seed}\n" if len(runs) > 1 else ""
                ax.set_ylabel(f"{label}density (1/rad)")
    handles = [Patch(facecolor=HISTOGRAM_COLOR, label="errors of the network")]
    handles += [Line2D([], [], color=MIXTURE_STYLES[m][0], linestyle=MIXTURE_STYLES[m][1],
                       label=f"ML fit: {MIXTURE_STYLES[m][2]}") for m in drawn_models]
    figure.legend(handles=handles, loc="outside lower center", ncol=len(handles))
    return figure


def _human_frame(index: int) -> pd.DataFrame:
    """HUMAN's column ``index`` (0: −2 ln R̄, 2: kurtosis) as mean ± SE rows."""
    sizes = sorted(HUMAN)
    mean = np.array([HUMAN[s][index] for s in sizes])
    se = np.array([HUMAN[s][index + 1] for s in sizes])
    return pd.DataFrame(dict(set_size=sizes, mean=mean, ci_low=mean - se, ci_high=mean + se))


@styled
def circular_statistics(statistics: pd.DataFrame):
    """−2 ln R̄ (log scale) and circular kurtosis per set size: each run's networks (mean and
    bootstrap 95% CI over seeds), the human data (mean ± SE) and the thesis's two models."""
    require(statistics, ("run", "set_size", "quantity", "mean", "ci_low", "ci_high", "n"),
            "statistic")
    runs = runs_of(statistics)
    colors = run_colors(runs)
    figure = new_figure(7.2, 3.0)
    variance_ax, kurtosis_ax = figure.subplots(1, 2)
    sizes = sorted(HUMAN)
    for ax, quantity, index in ((variance_ax, "circular_variance", 0),
                                (kurtosis_ax, "circular_kurtosis", 2)):
        errorbar_statistic(ax, np.array(sizes, dtype=float), _human_frame(index),
                           color=HUMAN_COLOR, marker="s", linestyle="-", label="human (± SE)")
        for run in runs:
            rows = select(statistics, run=run, quantity=quantity)
            if quantity == "circular_variance":
                rows = rows[rows["mean"] > 0]
            plot_statistic(ax, rows, "set_size", color=colors[run], marker="o",
                           label=f"{run_label(run, len(runs) > 1)}, {seeds_label(rows['n'])}")
        ax.set_xlabel("set size (items)")
        ax.set_xticks(sizes)
    for (name, values), (color, style) in zip(THESIS_MODELS.items(), THESIS_STYLES):
        keys = sorted(values)
        variance_ax.plot(keys, [values[k] for k in keys], color=color, linestyle=style,
                         marker=".", label=name)
    variance_ax.set_yscale("log")
    variance_ax.set_ylabel("−2 ln R̄ (rad²)")
    variance_ax.set_title("circular variance (squared circular SD)")
    kurtosis_ax.set_ylabel("circular kurtosis")
    kurtosis_ax.set_title("circular kurtosis")
    handles, labels = variance_ax.get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncol=2)
    if not runs:
        kurtosis_ax.set_title("circular kurtosis (no model data)")
    return figure


@styled
def mixture_fits(fits: pd.DataFrame):
    """Guess rate g and SD of the memory component (deg) per set size, for both mixture models
    (colour: run; line style: model), mean and bootstrap 95% CI over seeds."""
    require(fits, ("run", "model", "set_size", "quantity", "mean", "ci_low", "ci_high", "n"),
            "statistic")
    runs = runs_of(fits)
    colors = run_colors(runs)
    figure = new_figure(7.2, 3.0)
    guess_ax, sd_ax = figure.subplots(1, 2)
    for ax, quantity, scale in ((guess_ax, "guess_rate", 1.0), (sd_ax, "sd", 180 / np.pi)):
        for run in runs:
            for model, (_, style, name) in MIXTURE_STYLES.items():
                rows = select(fits, run=run, model=model, quantity=quantity).copy()
                if rows.empty:
                    continue
                rows[["mean", "ci_low", "ci_high"]] *= scale
                marker = "o" if model == "von_mises" else "^"
                label = f"{name}, {seeds_label(rows['n'])}"
                if len(runs) > 1:
                    label = f"{run}: {label}"
                plot_statistic(ax, rows, "set_size", color=colors[run], linestyle=style,
                               marker=marker, label=label if ax is guess_ax else None)
        ax.set_xlabel("set size (items)")
        if len(fits):
            ax.set_xticks(sorted(int(s) for s in fits["set_size"].unique()))
    guess_ax.set_ylabel("guess rate g")
    guess_ax.set_ylim(bottom=0)
    guess_ax.set_title("weight of the uniform component")
    sd_ax.set_ylabel("SD of the memory component (deg)")
    sd_ax.set_title("precision of remembered items")
    if runs:
        figure.legend(*guess_ax.get_legend_handles_labels(), loc="outside lower center",
                      ncol=2)
    else:
        no_data(guess_ax)
        no_data(sd_ax)
    return figure
