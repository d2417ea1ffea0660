"""Figures of the CTRNN task-zoo study (one network per task: cddm, dmts, 3-bit flip-flop,
memory-anti number, memory-anti angle).

Each function takes the tables the workflow writes (``rnnlab.tables`` schemas, or the
``zoo_performance`` aggregate) and returns a matplotlib ``Figure``; save it with
``rnnlab.plotting.style.save_figure``. Tables may hold several runs (run name = task name) and
seeds: structure figures show the first seed of each run.

* ``example_trials``         outputs (solid) vs targets (dashed), masked-out steps shaded.
* ``fixed_point_structure``  equilibria and trajectories in PC1–PC2 and PC1–PC3 (3-D).
* ``cddm_analysis``          psychometric curves per context; line attractors with selection
                             vectors.
* ``eigenvalue_spectra``     eigenvalues of the flow Jacobian at the equilibria.
* ``validation_table``       validation score [95% CI] and MSE per task.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.lines import Line2D
from scipy.special import ndtr

from rnnlab.plotting.style import NEUTRAL_COLOR, new_figure, no_data, select, styled

TASK_ORDER = ("cddm", "dmts", "three_bit_flip_flop", "memory_anti_number", "memory_anti_angle")
TASK_LABELS = {
    "cddm": "CDDM",
    "dmts": "DMTS",
    "three_bit_flip_flop": "3-bit flip-flop",
    "memory_anti_number": "memory-anti number",
    "memory_anti_angle": "memory-anti angle",
}
STABILITY_COLORS = {"stable": "#222222", "marginal": "#E69F00", "unstable": "#D55E00"}
CHANNEL_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")
CONTEXTS = ("motion", "colour")
MASK_SHADE = "#DDDDDD"


# ----------------------------------------------------------------------------- helpers


def _require(frame: pd.DataFrame, columns, name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name}: missing column(s) {missing}; got {list(frame.columns)}")


def _runs(*frames: pd.DataFrame) -> list[str]:
    """Runs present in any frame: the zoo tasks in their fixed order, then the rest by name."""
    found = {str(r) for f in frames if "run" in f for r in f["run"].unique()}
    return [t for t in TASK_ORDER if t in found] + sorted(found - set(TASK_ORDER))


def _first_seed(frame: pd.DataFrame, run: str) -> pd.DataFrame:
    """Rows of ``run`` with its smallest seed."""
    rows = select(frame, run=run)
    return rows if rows.empty else rows[rows["seed"] == rows["seed"].min()]


def _label(run: str) -> str:
    return TASK_LABELS.get(run, run)


def _condition_colors(values) -> dict[str, tuple]:
    """A tab10 colour per distinct value, in sorted order."""
    palette = colormaps["tab10"]
    return {v: palette(i % 10) for i, v in enumerate(sorted(dict.fromkeys(values)))}


def _shade_masked(ax, times: np.ndarray, in_loss: np.ndarray, dt: float) -> None:
    """Shade contiguous runs of steps that are out of the loss. times (T,), in_loss (T,)."""
    edges = np.flatnonzero(np.diff(np.r_[0, (~in_loss).astype(int), 0]))
    for start, stop in zip(edges[::2], edges[1::2]):
        ax.axvspan(times[start], times[stop - 1] + dt, color=MASK_SHADE, linewidth=0, zorder=0)


CONDITION_MARKERS = ("o", "s", "^", "D", "v", "P")


def _point_style(stability: str, mode: str, marker: str = "o") -> dict:
    """Scatter style: stable/marginal filled, unstable hollow; exact points large with a black
    edge, slow points small; ``marker`` tells the input conditions apart."""
    color = STABILITY_COLORS.get(stability, NEUTRAL_COLOR)
    filled = stability != "unstable"
    exact = mode == "exact"
    return dict(
        s=40 if exact else 8,
        marker=marker,
        facecolors=color if filled else "none",
        edgecolors="k" if exact and filled else color,
        linewidths=1.0 if exact else 0.6,
        zorder=5 if exact else 4,
    )


def _condition_markers(points: pd.DataFrame) -> dict[str, str]:
    """Input condition -> marker, in order of appearance."""
    conditions = list(dict.fromkeys(points["input_condition"].astype(str))) if (
        "input_condition" in points) else []
    return {c: CONDITION_MARKERS[k % len(CONDITION_MARKERS)] for k, c in enumerate(conditions)}


def _stability_legend(markers: dict[str, str] | None = None) -> list[Line2D]:
    handles = []
    for stability, color in STABILITY_COLORS.items():
        filled = stability != "unstable"
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=5,
                              markerfacecolor=color if filled else "none",
                              markeredgecolor=color, label=stability))
    handles.append(Line2D([], [], linestyle="none", marker="o", markersize=6,
                          markerfacecolor="none", markeredgecolor="k", label="exact root"))
    handles.append(Line2D([], [], linestyle="none", marker="o", markersize=3,
                          color=NEUTRAL_COLOR, label="slow point"))
    for condition, marker in (markers or {}).items():
        handles.append(Line2D([], [], linestyle="none", marker=marker, markersize=5,
                              markerfacecolor="none", markeredgecolor=NEUTRAL_COLOR,
                              label=f"input: {condition}"))
    return handles


# ----------------------------------------------------------------------------- example trials


@styled
def example_trials(trials: pd.DataFrame, n_trials: int = 2):
    """One panel per task (rows): outputs (solid) vs targets (dashed) of ``n_trials`` trials of
    the first seed, time in ms; steps out of the loss are shaded.

    ``trials``: table ``example_trials``.
    """
    _require(trials, ("run", "seed", "trial", "time_ms", "channel", "output", "target",
                      "in_loss"), "example_trials")
    runs = _runs(trials)
    figure = new_figure(8.0, 1.6 * max(1, len(runs)) + 0.4)
    axes = np.atleast_1d(figure.subplots(max(1, len(runs)), min(3, n_trials) or 1,
                                         squeeze=False))
    if not runs:
        no_data(axes[0, 0])
    for row, run in enumerate(runs):
        frame = _first_seed(trials, run)
        chosen = sorted(frame["trial"].unique())[: axes.shape[1]]
        for column, ax in enumerate(axes[row]):
            if column >= len(chosen):
                no_data(ax)
                continue
            _draw_trial(ax, frame[frame["trial"] == chosen[column]])
            ax.set_title(f"{_label(run)}, trial {chosen[column]}")
            if column == 0:
                ax.set_ylabel("output")
        axes[row, -1].legend(handles=[
            Line2D([], [], color="k", label="output"),
            Line2D([], [], color="k", linestyle="--", label="target"),
        ], loc="upper left", bbox_to_anchor=(1.0, 1.0))
    for ax in axes[-1]:
        ax.set_xlabel("time (ms)")
    return figure


def _draw_trial(ax, frame: pd.DataFrame) -> None:
    """Outputs and targets of one trial (rows per step and channel)."""
    first = frame[frame["channel"] == frame["channel"].min()].sort_values("time_ms")
    times = first["time_ms"].to_numpy(dtype=float)
    dt = float(np.diff(times).min()) if len(times) > 1 else 1.0
    _shade_masked(ax, times, first["in_loss"].to_numpy(dtype=bool), dt)
    for channel, rows in frame.groupby("channel", sort=True):
        rows = rows.sort_values("time_ms")
        color = CHANNEL_COLORS[int(channel) % len(CHANNEL_COLORS)]
        ax.plot(rows["time_ms"], rows["output"], color=color, linewidth=1.2)
        ax.plot(rows["time_ms"], rows["target"], color=color, linestyle="--", linewidth=1.0)


# ----------------------------------------------------------------------------- structure


@styled
def fixed_point_structure(points: pd.DataFrame, trajectories: pd.DataFrame):
    """Per task (rows) a PC1–PC2 panel and a 3-D PC1–PC2–PC3 panel: example trajectories (thin,
    coloured by condition) and equilibria (stable filled, unstable hollow, slow points small).

    ``points``: table ``equilibria``; ``trajectories``: table ``equilibrium_trajectories``.
    """
    _require(points, ("run", "seed", "stability", "mode", "pc1", "pc2", "pc3"),
             "fixed_point_structure")
    _require(trajectories, ("run", "seed", "trial", "time_step", "condition", "pc1", "pc2",
                            "pc3"), "fixed_point_structure")
    runs = _runs(points, trajectories)
    n_rows = max(1, len(runs))
    figure = new_figure(8.0, 3.0 * n_rows)
    if not runs:
        no_data(figure.add_subplot(1, 1, 1))
        return figure
    for row, run in enumerate(runs):
        flat = figure.add_subplot(n_rows, 2, 2 * row + 1)
        solid = figure.add_subplot(n_rows, 2, 2 * row + 2, projection="3d")
        _draw_structure(flat, solid, _first_seed(points, run), _first_seed(trajectories, run))
        flat.set_title(f"{_label(run)}: PC1–PC2")
        solid.set_title(f"{_label(run)}: PC1–PC3", pad=0)
        flat.set_xlabel("PC1")
        flat.set_ylabel("PC2")
        for setter, name in ((solid.set_xlabel, "PC1"), (solid.set_ylabel, "PC2"),
                             (solid.set_zlabel, "PC3")):
            setter(name, labelpad=-8)
        solid.tick_params(labelsize=6, pad=-2)
    return figure


def _draw_structure(flat, solid, points: pd.DataFrame, trajectories: pd.DataFrame) -> None:
    """Trajectories and points on a 2-D and a 3-D axes."""
    colors = _condition_colors(trajectories["condition"].astype(str))
    handles = []
    for condition, color in colors.items():
        for _, trial in trajectories[trajectories["condition"] == condition].groupby("trial"):
            trial = trial.sort_values("time_step")
            flat.plot(trial["pc1"], trial["pc2"], color=color, linewidth=0.6, alpha=0.7)
            solid.plot(trial["pc1"], trial["pc2"], trial["pc3"], color=color, linewidth=0.6,
                       alpha=0.7)
        handles.append(Line2D([], [], color=color, linewidth=1.0, label=condition))
    markers = _condition_markers(points)
    keys = ["input_condition", "stability", "mode"] if markers else ["stability", "mode"]
    for key, group in points.groupby(keys):
        condition, stability, mode = key if markers else (None, *key)
        style = _point_style(str(stability), str(mode), markers.get(condition, "o"))
        flat.scatter(group["pc1"], group["pc2"], **style)
        solid.scatter(group["pc1"], group["pc2"], group["pc3"], depthshade=False, **style)
    if points.empty and trajectories.empty:
        no_data(flat)
    # At most 6 trajectory entries: more would hide the panel.
    flat.legend(handles=handles[:6] + _stability_legend(markers), fontsize=5, loc="best",
                ncol=2)


# ----------------------------------------------------------------------------- cddm


@styled
def cddm_analysis(psychometric: pd.DataFrame, fits: pd.DataFrame, analytics: pd.DataFrame,
                  points: pd.DataFrame):
    """cddm: top, % right vs relevant coherence per context (one curve per irrelevant
    coherence; the probit fit along the relevant axis in black); bottom, the line attractor
    of each context input in PC1–PC2 with its selection vectors as arrows.

    Tables ``psychometric``, ``psychometric_fits``, ``attractor_analytics`` and ``equilibria``
    (the first seed of run "cddm", or of the first run with a psychometric table).
    """
    _require(psychometric, ("run", "seed", "context", "relevant_coherence",
                            "irrelevant_coherence", "fraction_right"), "cddm_analysis")
    run = "cddm" if "cddm" in set(psychometric.get("run", [])) else (
        _runs(psychometric)[0] if not psychometric.empty else "cddm")
    surface = _first_seed(psychometric, run)
    figure = new_figure(8.0, 6.0)
    axes = figure.subplots(2, 2)
    for ax, context in zip(axes[0], CONTEXTS):
        _draw_psychometric(ax, select(surface, context=context),
                           select(_first_seed(fits, run), context=context, axis="relevant"))
        ax.set_title(f"{context} context")
        ax.set_xlabel("relevant coherence")
    axes[0, 0].set_ylabel("% right")
    for ax, context in zip(axes[1], CONTEXTS):
        condition = f"{context}_context"
        line = select(_first_seed(analytics, run), input_condition=condition, analysis="line")
        _draw_line_attractor(ax, line, select(_first_seed(points, run), input_condition=condition))
        ax.set_title(f"{context} input\n{_line_verdict(line)}", fontsize=8)
        ax.set_xlabel("PC1")
    axes[1, 0].set_ylabel("PC2")
    return figure


def _line_verdict(line: pd.DataFrame) -> str:
    """Title of a line panel from the summary rows: found or not, and the evidence."""
    summary = line[line["point"] < 0] if not line.empty else line
    values = dict(zip(summary.get("quantity", []), summary.get("value", [])))
    if "is_line_attractor" not in values:
        return "slow points"
    verdict = "line attractor" if values["is_line_attractor"] == 1 else "no line attractor"
    held = values.get("held_coverage", np.nan)
    tau = values.get("marginal_time_constant_ms", np.nan)
    return f"{verdict}: trial states on it {held:.0%}, slowest mode τ {tau / 1000:.2g} s"


def _draw_psychometric(ax, surface: pd.DataFrame, fit: pd.DataFrame) -> None:
    """% right vs relevant coherence, one curve per irrelevant coherence, plus the fit."""
    if surface.empty:
        no_data(ax)
        return
    irrelevant = np.sort(surface["irrelevant_coherence"].unique())
    limit = max(float(np.abs(irrelevant).max()), 1e-9)
    cmap = colormaps["coolwarm"]
    for value in irrelevant:
        curve = surface[surface["irrelevant_coherence"] == value].sort_values("relevant_coherence")
        ax.plot(curve["relevant_coherence"], 100 * curve["fraction_right"],
                color=cmap(0.5 + 0.5 * value / limit), linewidth=0.8, marker="o", markersize=2)
    if not fit.empty and np.isfinite(fit["slope"].iloc[0]) and np.isfinite(fit["bias"].iloc[0]):
        x = np.linspace(surface["relevant_coherence"].min(), surface["relevant_coherence"].max(),
                        200)
        slope, bias = float(fit["slope"].iloc[0]), float(fit["bias"].iloc[0])
        ax.plot(x, 100 * ndtr(slope * (x - bias)), color="k", linewidth=1.4, label="probit fit")
        ax.legend(loc="upper left")
    ax.set_ylim(-3, 103)
    ax.axhline(50, color=NEUTRAL_COLOR, linewidth=0.6, linestyle=":")


def _wide(analytics: pd.DataFrame) -> pd.DataFrame:
    """Per-point rows of a long analytics frame as one row per point, quantities as columns."""
    rows = analytics[analytics["point"] >= 0]
    return rows.pivot_table(index="point", columns="quantity", values="value", aggfunc="first")


def _draw_line_attractor(ax, analytics: pd.DataFrame, points: pd.DataFrame) -> None:
    """Equilibria of one input in PC1–PC2 and selection-vector arrows at the line's points."""
    for (stability, mode), group in points.groupby(["stability", "mode"]):
        ax.scatter(group["pc1"], group["pc2"], **_point_style(str(stability), str(mode)))
    line = _wide(analytics) if not analytics.empty else pd.DataFrame()
    if line.empty or "selection_pc1" not in line:
        no_data(ax, "too few slow points for a line" if not points.empty else "no data")
        return
    line = line.sort_values("position")
    ax.plot(line["pc1"], line["pc2"], color=NEUTRAL_COLOR, linewidth=0.8, zorder=3)
    # Arrows of a common length: a tenth of the line's extent in the plane.
    extent = float(np.hypot(np.ptp(line["pc1"]), np.ptp(line["pc2"]))) or 1.0
    direction = line[["selection_pc1", "selection_pc2"]].to_numpy(dtype=float)
    norm = np.linalg.norm(direction, axis=1, keepdims=True)
    direction = np.where(norm > 0, direction / np.where(norm > 0, norm, 1.0), 0.0) * extent / 10
    every = max(1, len(line) // 12)
    ax.quiver(line["pc1"][::every], line["pc2"][::every], direction[::every, 0],
              direction[::every, 1], angles="xy", scale_units="xy", scale=1, color="#009E73",
              width=0.006, zorder=5, label="selection vector")
    ax.legend(handles=_stability_legend()[:5] + [
        Line2D([], [], color="#009E73", marker=r"$\rightarrow$", linestyle="none",
               markersize=8, label="selection vector")], fontsize=6, loc="best")


# ----------------------------------------------------------------------------- spectra


@styled
def eigenvalue_spectra(points: pd.DataFrame):
    """Per task, Re λ vs Im λ of the flow Jacobian at every exact and slow point of the first seed,
    coloured by the point's stability; the line Re λ = 0 marks the stability boundary.

    ``points``: table ``equilibria``.
    """
    _require(points, ("run", "seed", "stability", "eigenvalues_real", "eigenvalues_imag"),
             "eigenvalue_spectra")
    runs = _runs(points)
    n_columns = min(3, max(1, len(runs)))
    n_rows = max(1, -(-len(runs) // n_columns))
    figure = new_figure(8.0, 2.6 * n_rows)
    axes = np.atleast_1d(figure.subplots(n_rows, n_columns, squeeze=False)).ravel()
    if not runs:
        no_data(axes[0])
    for ax, run in zip(axes, runs):
        frame = _first_seed(points, run)
        for stability, group in frame.groupby("stability"):
            real = np.concatenate([np.asarray(v, float) for v in group["eigenvalues_real"]])
            imag = np.concatenate([np.asarray(v, float) for v in group["eigenvalues_imag"]])
            ax.scatter(real, imag, s=5, alpha=0.6, linewidths=0,
                       color=STABILITY_COLORS.get(str(stability), NEUTRAL_COLOR),
                       label=str(stability))
        ax.axvline(0.0, color=NEUTRAL_COLOR, linewidth=0.8, linestyle="--")
        ax.locator_params(axis="x", nbins=4)
        ax.set_title(_label(run))
        ax.set_xlabel("Re λ (1/ms)")
        ax.set_ylabel("Im λ (1/ms)")
        if frame.empty:
            no_data(ax)
        else:
            ax.legend(loc="best", markerscale=2)
    for ax in axes[len(runs):] if runs else []:
        ax.set_axis_off()
    return figure


# ----------------------------------------------------------------------------- table


def _with_ci(row: pd.Series, digits: int) -> str:
    text = f"{row['mean']:.{digits}f}"
    if np.isfinite(row["ci_low"]) and np.isfinite(row["ci_high"]):
        text += f" [{row['ci_low']:.{digits}f}, {row['ci_high']:.{digits}f}]"
    return text


@styled
def validation_table(performance: pd.DataFrame):
    """Table of the mean validation score [95% CI] and MSE per task over seeds.

    ``performance``: aggregate ``zoo_performance`` (run, task, quantity ∈ {validation_score,
    mse}, mean, ci_low, ci_high, n).
    """
    _require(performance, ("run", "task", "quantity", "mean", "ci_low", "ci_high", "n"),
             "validation_table")
    runs = _runs(performance)
    figure = new_figure(8.0, 0.45 * (len(runs) + 1) + 0.4)
    ax = figure.add_subplot(1, 1, 1)
    ax.set_axis_off()
    if not runs:
        no_data(ax)
        return figure
    cells = []
    for run in runs:
        score = select(performance, run=run, quantity="validation_score")
        mse = select(performance, run=run, quantity="mse")
        cells.append([
            _label(run),
            _with_ci(score.iloc[0], 3) if not score.empty else "–",
            _with_ci(mse.iloc[0], 4) if not mse.empty else "–",
            str(int(score["n"].iloc[0])) if not score.empty else "–",
        ])
    table = ax.table(cellText=cells, colLabels=["task", "validation score [95% CI]",
                                                "MSE [95% CI]", "seeds"],
                     loc="center", cellLoc="center")
    table.auto_set_font_size(False)
    table.set_fontsize(8)
    table.scale(1.0, 1.3)
    return figure
