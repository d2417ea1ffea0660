"""Loss curves per regime and the curriculum's coherence schedule."""

from __future__ import annotations

import numpy as np

from rnnlab.plotting.style import (
    add_panel_letters,
    chance_line,
    new_figure,
    no_data,
    plot_statistic,
    seeds_label,
    select,
    styled,
)
from rnnlab.studies.two_afc.figures.shared import RUN_COLORS, RUN_LABELS

ORDER = ("ungated", "gated", "noisy", "curriculum", "acg", "causal")


@styled
def loss_curves(curves):
    """Decision cross-entropy and batch accuracy vs update, mean ± 95% CI over seeds, per
    run."""
    figure = new_figure(7.0, 2.8)
    axes = figure.subplots(1, 2)
    # Panel a: the cross-entropy every run minimises (the ACG run's total loss adds its
    # contrastive term, up to λ·m at the start, which would squash every other curve).
    for ax, quantity, label in zip(axes, ("decision_cross_entropy", "decision_accuracy"),
                                   ("decision cross-entropy (nats)", "training-batch accuracy")):
        rows = select(curves, quantity=quantity)
        if rows.empty:
            no_data(ax)
        for run in ORDER:
            run_rows = rows[rows["run"] == run]
            plot_statistic(ax, run_rows, "step", color=RUN_COLORS[run], label=RUN_LABELS[run],
                           linewidth=1.1)
        ax.set_xlabel("training update")
        ax.set_ylabel(label)
    chance_line(axes[1], 0.5)
    axes[1].set_ylim(0.3, 1.02)
    n = curves["n"] if not curves.empty else []
    axes[0].set_title(f"mean ± 95% CI, {seeds_label(n)}")
    axes[1].legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))
    add_panel_letters(axes)
    return figure


# Seeds' schedules often coincide step for step (the same checks pass): each seed's line is
# drawn over the previous ones thinner and with its own dash pattern, so coinciding lines
# show as a wide line with narrower dashes on it and every seed stays visible.
SEED_STYLES = (dict(linewidth=3.2, linestyle="-", alpha=0.55),
               dict(linewidth=1.9, linestyle=(0, (5, 2))),
               dict(linewidth=1.0, linestyle=(0, (1.5, 1.5))))
SEED_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">")
PALETTE = ("#009E73", "#0072B2", "#E69F00", "#CC79A7", "#666666", "#D55E00", "#56B4E9",
           "#000000", "#A6761D", "#F0E442")


@styled
def curriculum(logs, threshold: float = 0.8):
    """The curriculum run's training coherence vs update per seed, and its validation
    accuracy at each check (threshold dashed)."""
    figure = new_figure(7.0, 2.8)
    axes = figure.subplots(1, 2)
    if logs.empty:
        for ax in axes:
            no_data(ax)
    seeds = sorted(logs["seed"].unique()) if not logs.empty else []
    for index, seed in enumerate(seeds):
        rows = logs[logs["seed"] == seed].sort_values("step")
        color = PALETTE[index % len(PALETTE)]
        style = dict(SEED_STYLES[min(index, len(SEED_STYLES) - 1)])
        if index >= len(SEED_STYLES):
            style["linewidth"] = max(0.6, 1.0 - 0.1 * (index - len(SEED_STYLES) + 1))
        axes[0].step(rows["step"] + 1, rows["training_coherence"], where="post", color=color,
                     label=f"seed {seed}", zorder=2 + index, **style)
        checked = rows[np.isfinite(rows["validation_accuracy"])]
        axes[1].plot(checked["step"] + 1, checked["validation_accuracy"],
                     marker=SEED_MARKERS[index % len(SEED_MARKERS)],
                     markersize=max(2.5, 5.0 - 1.0 * index), color=color, label=f"seed {seed}",
                     linewidth=0.9, zorder=2 + index)
    axes[0].set_xlabel("training update")
    axes[0].set_ylabel("training coherence")
    axes[0].set_title("coherence schedule")
    if seeds:
        axes[0].legend(loc="upper right", fontsize=6.5, handlelength=3.0)
    axes[1].set_xlabel("training update")
    axes[1].set_ylabel("validation accuracy\nat the current coherence")
    axes[1].axhline(threshold, color="#888888", linestyle=(0, (4, 3)), linewidth=0.9,
                    label=f"threshold {threshold:g}")
    axes[1].set_ylim(0.4, 1.02)
    axes[1].legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))
    add_panel_letters(axes)
    return figure
