"""Perturbations: robustness to random silencing, saliency and lesions (top-k vs random k),
clamping."""

from __future__ import annotations

import numpy as np

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
from rnnlab.studies.two_afc.figures.shared import RUN_COLORS, RUN_LABELS

CONDITION_COLORS = {"intact": "#000000", "top_k": "#D55E00", "random_k": "#0072B2"}


def condition_label(condition: str, top_k: int) -> str:
    return {"intact": "intact", "top_k": f"top {top_k} salient lesioned",
            "random_k": f"{top_k} random lesioned"}[condition]


@styled
def robustness(robustness):
    figure = new_figure(4.4, 3.0)
    ax = figure.add_subplot()
    if robustness.empty:
        no_data(ax)
    for run in ("ungated", "gated", "acg"):
        plot_statistic(ax, robustness[robustness["run"] == run], "fraction",
                       color=RUN_COLORS[run], label=RUN_LABELS[run], marker="o")
    chance_line(ax, 0.5)
    ax.set_xlabel("fraction of units silenced at random")
    ax.set_ylabel("accuracy (coherence ≠ 0)")
    ax.set_ylim(0.4, 1.02)
    n = robustness["n"] if not robustness.empty else []
    ax.set_title(f"mean over draws, ± 95% CI over seeds ({seeds_label(n)})")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))
    return figure


@styled
def lesion(saliency, lesion, top_k: int = 8):
    figure = new_figure(7.2, 2.9)
    axes = figure.subplots(1, 2)
    ax = axes[0]
    if saliency.empty:
        no_data(ax)
    else:
        ordered = saliency.sort_values("rank")
        position = np.arange(len(ordered))
        chosen = ordered["top_k"].to_numpy(dtype=bool)
        ax.bar(position[chosen], ordered["saliency"][chosen], color=CONDITION_COLORS["top_k"],
               width=0.9, label=f"top {top_k} (lesioned)")
        ax.bar(position[~chosen], ordered["saliency"][~chosen], color="#999999", width=0.9,
               label="other units")
        ax.legend(loc="upper right")
        ax.set_title(f"saliency, seed {int(saliency['seed'].iloc[0])}", loc="right")
    ax.set_xlabel("unit (sorted by saliency)")
    ax.set_ylabel("mean |∂(logit_c − logit_w)/∂r_i,t|")
    ax = axes[1]
    rows = select(lesion, quantity="p_right")
    if rows.empty:
        no_data(ax)
    for offset, condition in zip((-0.007, 0.0, 0.007), ("intact", "top_k", "random_k")):
        curve = rows[rows["condition"] == condition].sort_values("signed_coherence")
        if curve.empty:
            continue
        x = curve["signed_coherence"].to_numpy(dtype=float)
        errorbar_statistic(ax, x + offset, curve, color=CONDITION_COLORS[condition],
                           label=condition_label(condition, top_k), linestyle="-")
    ax.set_xlabel("signed coherence (+ right)")
    ax.set_ylabel("P(right)")
    ax.set_ylim(-0.03, 1.03)
    n = rows["n"] if not rows.empty else []
    ax.set_title(f"psychometric curve\nmean ± 95% CI ({seeds_label(n)})", loc="right")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))
    add_panel_letters(axes)
    return figure


@styled
def clamp(clamp, top_k: int = 8):
    figure = new_figure(7.2, 2.9)
    axes = figure.subplots(1, 2)
    for ax, quantity, label in zip(axes, ("accuracy", "p_right"),
                                   ("accuracy (coherence ≠ 0)", "P(right)")):
        rows = select(clamp, quantity=quantity)
        if rows.empty:
            no_data(ax)
        for units in ("top_k", "random_k"):
            plot_statistic(ax, rows[rows["units"] == units], "clamp_value",
                           color=CONDITION_COLORS[units], marker="o",
                           label=f"top {top_k} salient clamped" if units == "top_k"
                           else f"{top_k} random clamped")
        if not rows.empty:  # (with no data the line would run through the "no data" note)
            chance_line(ax, 0.5)
        ax.set_xlabel("clamped rate of the units")
        ax.set_ylabel(label)
        ax.set_ylim(-0.03, 1.03)
    n = clamp["n"] if not clamp.empty else []
    axes[0].set_title(f"mean ± 95% CI ({seeds_label(n)})")
    axes[1].legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))
    add_panel_letters(axes)
    return figure
