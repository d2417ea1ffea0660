"""Equilibrium structure of each zoo network: fixed and slow points with example trajectories in
principal-component space, and the eigenvalue spectra of the flow Jacobian at those points."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator
from scipy.spatial import cKDTree

from rnnlab.plotting.style import NEUTRAL_COLOR, new_figure, no_data, styled
from rnnlab.studies.ctrnn_zoo.figures.shared import (
    STABILITIES,
    STABILITY_COLORS,
    condition_markers,
    first_seed,
    marker_handles,
    point_style,
    require,
    stability_handles,
    task_label,
    task_runs,
)

PCS = ("pc1", "pc2", "pc3")
# What the trajectories' condition labels name, per task (legend titles).
CONDITION_TITLES = {
    "cddm": "trial: context, relevant coherence",
    "dmts": "trial: sample → test",
    "three_bit_flip_flop": "trial: final bits",
    "memory_anti_number": "trial: remembered value",
    "memory_anti_angle": "trial: remembered angle",
}
# A point farther than this fraction of the trajectories' extent from every trajectory sample
# and every other point is isolated: left out of the view (and counted in the panel title)
# instead of stretching the axes.
ISOLATED = 0.25


# ----------------------------------------------------------------------------- structure


@styled
def fixed_point_structure(points: pd.DataFrame, trajectories: pd.DataFrame):
    """Per task (rows) a PC1–PC2 panel, a 3-D PC1–PC2–PC3 panel and the task's legend:
    example trajectories (thin, colour = trial condition, every condition keyed) and equilibria
    (colour = stability, stable/marginal filled and unstable hollow; large = exact fixed point,
    small = slow point; shape = input condition). Isolated points far from everything else are
    left out of the view and counted in the title.

    ``points``: table ``equilibria``; ``trajectories``: table ``equilibrium_trajectories``.
    """
    require(points, ("run", "seed", "stability", "mode", "pc1", "pc2", "pc3"),
            "fixed_point_structure")
    require(trajectories, ("run", "seed", "trial", "time_step", "condition", "pc1", "pc2",
                           "pc3"), "fixed_point_structure")
    runs = task_runs(points, trajectories)
    n_rows = max(1, len(runs))
    figure = new_figure(9.0, 2.9 * n_rows + 0.5)
    if not runs:
        no_data(figure.add_subplot(1, 1, 1))
        return figure
    grid = figure.add_gridspec(n_rows, 3, width_ratios=[1.0, 1.0, 0.72])
    drawn = []
    for row, run in enumerate(runs):
        flat = figure.add_subplot(grid[row, 0])
        solid = figure.add_subplot(grid[row, 1], projection="3d")
        key = figure.add_subplot(grid[row, 2])
        key.set_axis_off()
        of_run = first_seed(points, run)
        shown, hidden = _in_view(of_run, first_seed(trajectories, run))
        _draw_structure(flat, solid, key, run, shown, first_seed(trajectories, run))
        drawn.append(shown)
        title = f"{task_label(run)}: PC1–PC2"
        if hidden:
            title += f"\n({hidden} isolated point{'s' if hidden > 1 else ''} beyond the view)"
        flat.set_title(title)
        solid.set_title(f"{task_label(run)}: PC1–PC2–PC3")
        flat.set_xlabel("PC1 (a.u.)")
        flat.set_ylabel("PC2 (a.u.)")
        _style_3d(solid)
    handles = stability_handles(pd.concat(drawn)) if drawn else []
    if handles:
        figure.legend(handles=handles, loc="outside upper center", ncol=len(handles),
                      title="equilibria: colour = stability (hollow: unstable)")
    return figure


def _in_view(points: pd.DataFrame, trajectories: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The points to draw and the number of isolated ones left out (see ``ISOLATED``)."""
    if points.empty or trajectories.empty:
        return points, 0
    samples = trajectories[list(PCS)].to_numpy(dtype=float)
    coordinates = points[list(PCS)].to_numpy(dtype=float)
    extent = float(np.linalg.norm(samples.max(axis=0) - samples.min(axis=0)))
    if extent == 0:
        return points, 0
    distances, _ = cKDTree(np.vstack([samples, coordinates])).query(coordinates, k=2)
    isolated = distances[:, 1] > ISOLATED * extent
    return points[~isolated], int(isolated.sum())


def _natural(label: str) -> list:
    """Sort key: text in order, signed numbers by value ('value -2.00' before 'value +0.32',
    'θ 90°' before 'θ 160°')."""
    parts = re.split(r"([+\-−]?\d+(?:\.\d+)?)", label)
    return [(0, float(p.replace("−", "-")), "") if re.fullmatch(r"[+\-−]?\d+(?:\.\d+)?", p)
            else (1, 0.0, p) for p in parts if p]


def _minus(label: str) -> str:
    """A typographic minus in the negative numbers of a label."""
    return re.sub(r"-(?=\d)", "\u2212", label)


def _style_3d(ax) -> None:
    """Few ticks, tick labels close to the axis, axis labels clear of them."""
    for axis, name in ((ax.xaxis, "PC1"), (ax.yaxis, "PC2"), (ax.zaxis, "PC3")):
        axis.set_major_locator(MaxNLocator(nbins=4))
        axis.set_label_text(name)
        axis.labelpad = 2
    ax.tick_params(labelsize=6.5, pad=0)
    ax.set_box_aspect(None, zoom=0.95)


def _draw_structure(flat, solid, key, run: str, points: pd.DataFrame,
                    trajectories: pd.DataFrame) -> None:
    """Trajectories and points on a 2-D and a 3-D axes; the task's legend on ``key``."""
    conditions = sorted(dict.fromkeys(trajectories["condition"].astype(str)), key=_natural)
    palette = colormaps["tab10"]
    colors = {c: palette(i % 10) for i, c in enumerate(conditions)}
    handles = []
    for condition in conditions:
        of_condition = trajectories[trajectories["condition"].astype(str) == condition]
        for _, trial in of_condition.groupby("trial"):
            trial = trial.sort_values("time_step")
            flat.plot(trial["pc1"], trial["pc2"], color=colors[condition], linewidth=0.6,
                      alpha=0.7)
            solid.plot(trial["pc1"], trial["pc2"], trial["pc3"], color=colors[condition],
                       linewidth=0.6, alpha=0.7)
        handles.append(Line2D([], [], color=colors[condition], linewidth=1.0,
                              label=_minus(condition)))
    markers = condition_markers(points)
    keys = ["input_condition", "stability", "mode"] if markers else ["stability", "mode"]
    for group_key, group in points.groupby(keys):
        condition, stability, mode = group_key if markers else (None, *group_key)
        style = point_style(str(stability), str(mode), markers.get(condition, "o"))
        flat.scatter(group["pc1"], group["pc2"], **style)
        solid.scatter(group["pc1"], group["pc2"], group["pc3"], depthshade=False, **style)
    if points.empty and trajectories.empty:
        no_data(flat)
    # One legend beside the panels (inside, it would cover trajectories): every trajectory
    # condition, then the marker shape of each input condition.
    handles += marker_handles(points, markers)
    if handles:
        key.legend(handles=handles, loc="center left", bbox_to_anchor=(0.0, 0.5),
                   title=CONDITION_TITLES.get(run, "trial condition"), alignment="left",
                   borderaxespad=0.0)


# ----------------------------------------------------------------------------- spectra


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


@styled
def eigenvalue_spectra(points: pd.DataFrame):
    """Per task, Re λ vs Im λ of the flow Jacobian at every exact and slow point of the first
    seed, coloured by the point's stability; the dashed line Re λ = 0 marks the stability
    boundary. One legend for all panels, above them.

    ``points``: table ``equilibria``.
    """
    require(points, ("run", "seed", "stability", "eigenvalues_real", "eigenvalues_imag"),
            "eigenvalue_spectra")
    runs = task_runs(points)
    n_columns = min(3, max(1, len(runs)))
    n_rows = max(1, -(-len(runs) // n_columns))
    figure = new_figure(8.0, 2.6 * n_rows + 0.4)
    axes = np.atleast_1d(figure.subplots(n_rows, n_columns, squeeze=False)).ravel()
    if not runs:
        no_data(axes[0])
    drawn: set[str] = set()
    for ax, run in zip(axes, runs):
        frame = first_seed(points, run)
        order = {s: k for k, s in enumerate(STABILITIES)}
        for stability in sorted(frame["stability"].astype(str).unique(),
                                key=lambda s: (order.get(s, len(order)), s)):
            group = frame[frame["stability"].astype(str) == stability]
            real = np.concatenate([np.asarray(v, float) for v in group["eigenvalues_real"]])
            imag = np.concatenate([np.asarray(v, float) for v in group["eigenvalues_imag"]])
            ax.scatter(real, imag, s=5, alpha=0.6, linewidths=0,
                       color=STABILITY_COLORS.get(stability, NEUTRAL_COLOR))
            drawn.add(stability)
        ax.axvline(0.0, color=NEUTRAL_COLOR, linewidth=0.8, linestyle="--")
        ax.locator_params(axis="x", nbins=4)
        ax.set_title(task_label(run))
        ax.set_xlabel("Re λ (1/ms)")
        ax.set_ylabel("Im λ (1/ms)")
        if frame.empty:
            no_data(ax)
    for ax in axes[len(runs):] if runs else []:
        ax.set_axis_off()
    if drawn:
        handles = [
            Line2D([], [], linestyle="none", marker="o", markersize=5, markeredgewidth=0,
                   color=STABILITY_COLORS.get(s, NEUTRAL_COLOR), label=f"at {_article(s)} {s} point")
            for s in [s for s in STABILITIES if s in drawn] + sorted(drawn - set(STABILITIES))
        ]
        handles.append(Line2D([], [], color=NEUTRAL_COLOR, linewidth=0.8, linestyle="--",
                              label="Re λ = 0 (stability boundary)"))
        figure.legend(handles=handles, loc="outside upper center", ncol=len(handles),
                      title="eigenvalues of the flow Jacobian (colour: stability of the point)")
    return figure
