"""The thesis's performance scatter: precision against cosine(I, w) and the participation
ratios (both formulas), one dot per seed, with the correlation across seeds."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from rnnlab.plotting.style import add_panel_letters, new_figure, no_data, styled
from rnnlab.studies.system_a.figures.shared import (
    THESIS_COLOR,
    log_ticks_125,
    require,
    run_colors,
    run_label,
    runs_of,
    thesis_band,
)
from rnnlab.studies.system_a.summary import MEASURES, seed_summary

THESIS_KEYS = {"cosine_input_output": "cosine_input_output",
               "input_pr_thesis_eig": "input_pr", "output_pr_thesis_eig": "output_pr"}


def _statistic_text(correlations: pd.DataFrame, run: str, measure: str) -> str:
    parts = []
    for method, symbol in (("pearson", "r"), ("spearman", "ρ")):
        row = correlations[(correlations["run"] == run) & (correlations["measure"] == measure)
                           & (correlations["method"] == method)]
        if row.empty or not math.isfinite(float(row["mean"].iloc[0])):
            parts.append(f"{symbol} n/a")
            continue
        row = row.iloc[0]
        text = f"{symbol} = {row['mean']:+.2f}"
        if math.isfinite(row["ci_low"]):
            text += f" [{row['ci_low']:+.2f}, {row['ci_high']:+.2f}]"
        parts.append(text)
    n = correlations.loc[(correlations["run"] == run) & (correlations["measure"] == measure), "n"]
    return "\n".join(parts) + (f"; n = {int(n.iloc[0])}" if len(n) else "")


@styled
def performance_scatter(precision: pd.DataFrame, alignment: pd.DataFrame,
                        ratios: pd.DataFrame, correlations: pd.DataFrame):
    """One panel per measure (cosine(I, w); I-PR and w-PR, thesis formula and invariant):
    the measure against the precision of each seed's final network (log x), the thesis's range
    of the measure where it reported one, and above each panel Pearson r and Spearman ρ across
    seeds with 95% CIs (Fisher z; Bonett–Wright for ρ) and n.

    ``precision``, ``alignment``, ``ratios``: tables ``duration_precision``,
    ``weight_alignment``, ``participation_ratios`` of every seed; ``correlations``: aggregate
    ``performance_correlations``.
    """
    require(correlations, ("run", "measure", "method", "mean", "ci_low", "ci_high", "n"),
            "performance correlations")
    summary = seed_summary(precision, alignment, ratios)
    runs = runs_of(summary)
    colors = run_colors(runs)
    figure = new_figure(7.4, 6.0)
    axes = figure.subplots(2, 3).ravel()
    handles = []
    for ax, (measure, label) in zip(axes, MEASURES.items()):
        ax.set_xlabel("precision (MSE)")
        ax.set_ylabel(label)
        if not runs or measure not in summary or "precision" not in summary:
            no_data(ax)
            continue
        titles = []
        for run in runs:
            rows = summary[summary["run"] == run].dropna(subset=["precision", measure])
            ax.scatter(rows["precision"], rows[measure], s=14, color=colors[run], alpha=0.85,
                       linewidths=0, zorder=3)
            titles.append(_statistic_text(correlations, run, measure))
        if measure in THESIS_KEYS:
            band = thesis_band(ax, THESIS_KEYS[measure])
            values = summary[measure].to_numpy(float)
            low, high = np.nanmin(values), np.nanmax(values)
            thesis_low, thesis_high = band.get_label().split(": ")[-1].split("–")
            if high < float(thesis_low) / 3 or low > float(thesis_high) * 3:
                ax.set_yscale("log")
        ax.set_xscale("log")
        log_ticks_125(ax.xaxis)  # precisions often span less than a decade
        ax.set_title("\n".join(titles), fontsize=6.5, loc="right")
    axes[-1].set_axis_off()
    for run in runs:
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=4,
                              color=colors[run], label=f"{run_label(run)}: one dot per seed"))
    if runs:
        handles.append(Patch(facecolor=THESIS_COLOR, alpha=0.45,
                             label="thesis range of the measure (20 seeds)"))
        axes[-1].legend(handles=handles, loc="center", title="coefficients above each panel:\n"
                        "Pearson r, Spearman ρ [95% CI]")
    add_panel_letters(axes[:5])
    return figure
