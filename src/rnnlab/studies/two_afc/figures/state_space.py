"""State space: PCA trajectories per network, class-centroid separation over training, fixed
points of the ACG network."""

from __future__ import annotations

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import Normalize

from rnnlab.plotting.style import (
    add_panel_letters,
    new_figure,
    no_data,
    plot_statistic,
    seeds_label,
    select,
    styled,
)
from rnnlab.studies.two_afc.figures.shared import RUN_COLORS, RUN_LABELS

COHERENCE_CMAP = colormaps["coolwarm"]
TRAJECTORY_RUNS = ("ungated", "gated", "acg", "noisy")


def draw_trajectories(ax, rows, title: str):
    """Condition-averaged trajectories on PC1–PC2, coloured by signed coherence (blue left,
    red right), a dot at the start and a square at the decision step."""
    if rows.empty:
        no_data(ax)
        ax.set_title(title, loc="right", fontsize=7.5)
        return None
    values = np.sort(rows["signed_coherence"].unique())
    limit = max(abs(values).max(), 1e-9)
    norm = Normalize(-limit, limit)
    for value in values:
        path = rows[rows["signed_coherence"] == value].sort_values("time_step")
        color = COHERENCE_CMAP(norm(value))
        ax.plot(path["pc1"], path["pc2"], color=color, linewidth=1.0)
        ax.plot(path["pc1"].iloc[-1], path["pc2"].iloc[-1], marker="s", color=color,
                markersize=3.5, linestyle="none")
    first = rows[rows["time_step"] == 0]
    ax.plot(first["pc1"].mean(), first["pc2"].mean(), marker="o", color="black",
            markersize=3.5, linestyle="none")
    explained = rows[["explained_1", "explained_2"]].iloc[0].to_numpy() * 100
    ax.set_xlabel(f"PC 1 ({explained[0]:.0f}% var.)")
    ax.set_ylabel(f"PC 2 ({explained[1]:.0f}% var.)")
    ax.set_title(title, loc="right", fontsize=7.5)
    return norm


def marker_handles() -> list:
    """Legend entries of the trajectories' markers (the lines' colours are the colour bar)."""
    from matplotlib.lines import Line2D

    return [Line2D([], [], marker="o", color="black", markersize=3.5, linestyle="none",
                   label="trial start (mean over conditions)"),
            Line2D([], [], marker="s", color="#777777", markersize=3.5, linestyle="none",
                   label="decision step (last step), per condition")]


def coherence_colorbar(figure, axes, norm):
    from matplotlib.cm import ScalarMappable

    bar = figure.colorbar(ScalarMappable(norm=norm, cmap=COHERENCE_CMAP), ax=axes,
                          shrink=0.8, pad=0.02)
    bar.set_label("signed coherence (+ right)")


@styled
def pca_trajectories(trajectories):
    figure = new_figure(7.2, 5.6)
    axes = figure.subplots(2, 2).ravel()
    norm = None
    for ax, run in zip(axes, TRAJECTORY_RUNS):
        rows = trajectories[trajectories["run"] == run]
        seed = f", seed {int(rows['seed'].iloc[0])}" if not rows.empty else ""
        norm = draw_trajectories(ax, rows, f"{RUN_LABELS[run]}{seed}") or norm
    if norm is not None:
        coherence_colorbar(figure, list(axes), norm)
        figure.legend(handles=marker_handles(), loc="outside lower center", ncol=2)
    add_panel_letters(axes)
    return figure


CENTROID_PANELS = (
    ("separation", "‖μ_left − μ_right‖\n(decision-step rates)", "separation"),
    ("within_spread", "within-class spread\n(RMS distance to centroid)", "spread"),
    ("separation_ratio", "separation / spread", "d′-like ratio"),
)


@styled
def centroid_separation(centroids):
    """Separation ‖μ_left − μ_right‖, within-class spread and their ratio (a d′-like
    separation in units of the spread) of the decision-step rates over training, per run,
    mean ± 95% CI over seeds; one legend below the three panels."""
    figure = new_figure(7.2, 3.0)
    axes = figure.subplots(1, 3)
    for ax, (quantity, label, title) in zip(axes, CENTROID_PANELS):
        rows = select(centroids, quantity=quantity)
        if rows.empty:
            no_data(ax)
        for run in ("ungated", "gated", "acg"):
            plot_statistic(ax, rows[rows["run"] == run], "checkpoint_step",
                           color=RUN_COLORS[run], label=RUN_LABELS[run], marker="o",
                           linewidth=1.1)
        ax.set_xlabel("training update")
        ax.set_ylabel(label)
        ax.set_title(title, loc="right", fontsize=7.5)
    n = centroids["n"] if not centroids.empty else []
    handles, labels = axes[0].get_legend_handles_labels()
    if handles:
        figure.legend(handles, labels, loc="outside lower center",
                      ncol=len(handles), title=f"mean ± 95% CI over seeds, {seeds_label(n)}")
    add_panel_letters(axes)
    return figure


CONDITION_MARKERS = {"no stimulus": "o", "left evidence": "<", "right evidence": ">"}


@styled
def fixed_points(points, trajectories):
    figure = new_figure(5.6, 4.2)
    ax = figure.add_subplot()
    if trajectories.empty:
        no_data(ax)
        return figure
    run = trajectories["run"].iloc[0]
    seed = int(trajectories["seed"].iloc[0])
    norm = draw_trajectories(ax, trajectories, f"{RUN_LABELS.get(run, run)}, seed {seed}: "
                                               "fixed points at constant inputs")
    none_found = []
    for condition, marker in CONDITION_MARKERS.items():
        rows = points[points["input_condition"] == condition] if not points.empty else points
        if rows.empty:
            none_found.append(condition)
            continue
        stable = rows[rows["stable"]]
        unstable = rows[~rows["stable"]]
        if not stable.empty:
            ax.plot(stable["pc1"], stable["pc2"], marker=marker, markersize=8,
                    linestyle="none", color="black", label=f"{condition}: stable")
        if not unstable.empty:
            ax.plot(unstable["pc1"], unstable["pc2"], marker=marker, markersize=8,
                    linestyle="none", markerfacecolor="white", color="black",
                    label=f"{condition}: unstable")
    if norm is not None:
        coherence_colorbar(figure, [ax], norm)
    # the trajectories' start dot and decision squares are drawn too: they join the legend
    handles = ax.get_legend_handles_labels()[0] + marker_handles()
    # A searched input without any point is a result too: named, not silently absent.
    title = f"no fixed or slow point found at: {', '.join(none_found)}" if none_found else None
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, -0.18), ncol=2,
              fontsize=6.5, title=title, title_fontsize=6.5)
    return figure
