"""Figures of the E/I-RNN Mod-Cog study (EG vs GD training of sign-constrained RNNs).

Each function takes the tables the workflow writes (aggregates are ``statistic`` tables from
``rnnlab.aggregation``: grouping columns + quantity, mean, ci_low, ci_high, n) and returns a
matplotlib ``Figure``; save it with ``rnnlab.plotting.style.save_figure``.

* ``learning_curves``      loss and decision accuracy vs training step, per run.
* ``checkpoint_accuracy``  test accuracy at each checkpoint, EG vs GD, per task.
* ``gradient_credit``      ∂L/∂h_t over the trial by population; Fisher information, Gini.
* ``fixed_point_motifs``   fixed-point motifs vs inhibitory fraction; one example network in PCs.
* ``weight_signs``         Dale-violating updates reflected back; log10|w| histograms and skew.

Means are drawn with their bootstrap 95% CI over seeds; where a CI is NaN (one seed) no band
or error bar is drawn.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

import numpy as np
import pandas as pd
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from rnnlab.plotting.style import (
    DIRECTION_CMAP,
    MOTIF_COLORS,
    MOTIFS,
    NEUTRAL_COLOR,
    POPULATION_COLORS,
    POPULATION_LABELS,
    POPULATION_LINESTYLES,
    POPULATIONS,
    RUN_LINESTYLES,
    RUN_MARKERS,
    add_panel_letters,
    chance_line,
    errorbar_statistic,
    has_ci,
    new_figure,
    no_data,
    plot_statistic,
    run_colors,
    run_label,
    run_order,
    seeds_label,
    select,
    styled,
)

COMPARED_RUNS = ("eg", "gd")
CHANCE = 1 / 16  # 16 ring directions to choose from
STATISTIC_COLUMNS = ("quantity", "mean", "ci_low", "ci_high", "n")

_STEP_AXIS_LABEL = "training step (checkpoint)"


# ----------------------------------------------------------------------------- helpers


def _require(frame: pd.DataFrame, columns, name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name}: missing column(s) {missing}; got {list(frame.columns)}")


def _chance_text(level: float) -> str:
    fraction = Fraction(level).limit_denominator(100)
    if fraction.numerator == 1 and math.isclose(float(fraction), level):
        return f"chance (1/{fraction.denominator})"
    return f"chance ({level:.2g})"


def _step_text(step: float) -> str:
    step = int(step)
    if step >= 1000 and step % 1000 == 0:
        return f"{step // 1000}k"
    return f"{step:,}"


def _plain_steps(ax) -> None:
    """Training steps as plain integers with thousands separators (no 1e4 offset)."""
    ax.xaxis.set_major_formatter(
        FuncFormatter(
            lambda value, _: f"{value:,.0f}" if float(value).is_integer() else f"{value:,g}"
        )
    )


def _log_if_positive(ax, *frames: pd.DataFrame, axis: str = "y") -> bool:
    values = np.concatenate(
        [f[c].to_numpy(dtype=float) for f in frames for c in ("mean", "ci_low") if c in f]
        or [np.array([])]
    )
    values = values[np.isfinite(values)]
    if not (values.size and (values > 0).all()):
        return False
    (ax.set_yscale if axis == "y" else ax.set_xscale)("log")
    low, high = values.min(), values.max()
    if 1e-3 <= low and high <= 1e4:
        # Plain numbers (0.2, 1, 2) read better than 2×10⁻¹ over a few decades; label the
        # 2s and 5s between decades when the range is too short to show several decades.
        target = ax.yaxis if axis == "y" else ax.xaxis
        target.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        if high / low < 100:
            target.set_minor_formatter(FuncFormatter(_two_five_label))
    return True


def _two_five_label(value: float, _position=None) -> str:
    if value <= 0:
        return ""
    mantissa = value / 10 ** math.floor(math.log10(value) + 1e-9)
    return f"{value:g}" if any(math.isclose(mantissa, m, rel_tol=1e-6) for m in (2, 5)) else ""


def _signed(value: float) -> str:
    """+0.06 / −0.02 with a typographic minus."""
    return f"{value:+.2f}".replace("-", "\u2212")


def _present_populations(*frames: pd.DataFrame) -> list[str]:
    found = set()
    for frame in frames:
        if "population" in frame:
            found.update(frame["population"].dropna().astype(str))
    return [p for p in POPULATIONS if p in found] + sorted(found - set(POPULATIONS))


def _population_color(population: str) -> str:
    return POPULATION_COLORS.get(population, NEUTRAL_COLOR)


def _condition_order(conditions) -> list[str]:
    """fixation, go, then the others in natural order (stimulus_2 before stimulus_10)."""
    conditions = list(dict.fromkeys(str(c) for c in conditions))
    known = [c for c in ("fixation", "go") if c in conditions]

    def natural(name: str):
        return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]

    return known + sorted((c for c in conditions if c not in known), key=natural)


def _final_step(frame: pd.DataFrame) -> int | None:
    if frame.empty:
        return None
    return int(frame["checkpoint_step"].max())


def _runs_shown(frame: pd.DataFrame, runs) -> list[str]:
    """``runs`` in the standard order; if None, every run of ``frame``."""
    if runs is None:
        return run_order(frame["run"].unique()) if "run" in frame else []
    return run_order(runs)


def _run_linestyle(run: str) -> str:
    return RUN_LINESTYLES.get(run, "-.")


def _run_marker(run: str) -> str:
    return RUN_MARKERS.get(run, "D")


# ----------------------------------------------------------------------------- (a)


@styled
def learning_curves(curves: pd.DataFrame, *, chance: float | None = CHANCE):
    """Training loss and decision accuracy vs training step, mean ± 95% CI over seeds.

    ``curves``: aggregate ``learning_curves`` (run, step, quantity ∈ {loss,
    decision_accuracy}, mean, ci_low, ci_high, n). Every run is drawn, eg and gd first in
    their fixed colours; the legend gives the number of seeds of each run. ``chance``: level
    of the dashed chance line on the accuracy panel (None: no line).
    """
    _require(curves, ("run", "step") + STATISTIC_COLUMNS, "learning_curves")
    figure = new_figure(8.0, 3.1)
    ax_loss, ax_accuracy = figure.subplots(1, 2)
    runs = run_order(curves["run"].unique())
    colors = run_colors(runs)
    for run in runs:
        of_run = select(curves, run=run)
        label = f"{run_label(run)} ({seeds_label(of_run['n'])})"
        for quantity, ax in (("loss", ax_loss), ("decision_accuracy", ax_accuracy)):
            plot_statistic(
                ax,
                select(of_run, quantity=quantity),
                "step",
                color=colors[run],
                label=label,
                linewidth=1.2,
            )
    loss = select(curves, quantity="loss")
    if loss.empty:
        no_data(ax_loss)
    else:
        _log_if_positive(ax_loss, loss)
    if select(curves, quantity="decision_accuracy").empty:
        no_data(ax_accuracy)
    if chance is not None:
        chance_line(ax_accuracy, chance, label=_chance_text(chance))
    ax_loss.set_ylabel("training loss (MSE + cross-entropy)")
    ax_accuracy.set_ylabel("decision accuracy (fraction correct)")
    ax_accuracy.set_ylim(0, 1.02)
    for ax in (ax_loss, ax_accuracy):
        ax.set_xlabel("training step")
        _plain_steps(ax)
    handles, labels = ax_accuracy.get_legend_handles_labels()
    if handles:
        figure.legend(
            handles,
            labels,
            loc="outside upper center",
            ncol=len(handles),
            title="mean ± 95% CI over seeds",
        )
    add_panel_letters((ax_loss, ax_accuracy))
    return figure


# ----------------------------------------------------------------------------- (b)


@styled
def checkpoint_accuracy(
    accuracy: pd.DataFrame, *, runs=COMPARED_RUNS, chance: float | None = CHANCE
):
    """Test accuracy at each checkpoint, EG vs GD: mean ± 95% CI over seeds, one panel per task.

    ``accuracy``: aggregate ``checkpoint_accuracy`` (run, task, checkpoint_step, quantity
    "accuracy", mean, ci_low, ci_high, n). Only ``runs`` are drawn (other runs, e.g. the
    inhibitory-fraction sweep, are ignored). Checkpoints are evenly spaced categories.
    """
    _require(
        accuracy, ("run", "task", "checkpoint_step") + STATISTIC_COLUMNS, "checkpoint_accuracy"
    )
    runs = run_order(runs)
    data = accuracy[(accuracy["quantity"] == "accuracy") & accuracy["run"].isin(runs)]
    tasks = sorted(data["task"].astype(str).unique())
    n_panels = max(len(tasks), 1)
    n_columns = min(n_panels, 3)
    n_rows = math.ceil(n_panels / n_columns)
    width = 7.0 if n_columns == 1 else min(10.0, 3.4 * n_columns)
    figure = new_figure(width, 0.4 + 2.9 * n_rows)
    axes = np.atleast_1d(figure.subplots(n_rows, n_columns, sharey=True, squeeze=False)).ravel()
    colors = run_colors(runs)
    spread = 0.24
    for ax, task in zip(axes, tasks):
        of_task = data[data["task"].astype(str) == task]
        steps = np.sort(of_task["checkpoint_step"].unique())
        position = {int(s): i for i, s in enumerate(steps)}
        present = [r for r in runs if r in set(of_task["run"])]
        for index, run in enumerate(present):
            of_run = of_task[of_task["run"] == run].sort_values("checkpoint_step")
            offset = (index - (len(present) - 1) / 2) * spread / max(len(present) - 1, 1)
            positions = np.array([position[int(s)] for s in of_run["checkpoint_step"]]) + offset
            errorbar_statistic(
                ax,
                positions,
                of_run,
                color=colors[run],
                marker=_run_marker(run),
                linestyle="-",
                label=f"{run_label(run)} ({seeds_label(of_run['n'])})",
            )
        if chance is not None:
            chance_line(ax, chance, label=_chance_text(chance))
        ax.set_xticks(range(len(steps)))
        ax.set_xticklabels([_step_text(s) for s in steps], rotation=45 if len(steps) > 8 else 0)
        ax.set_xlim(-0.6, len(steps) - 0.4)
        if len(tasks) > 1:
            ax.set_title(f"task: {task}")
    if not tasks:
        no_data(axes[0], "no eg/gd checkpoint accuracy")
    for ax in axes[len(tasks) :]:
        if tasks:
            ax.set_visible(False)
    for index, ax in enumerate(axes[: max(len(tasks), 1)]):
        ax.set_ylim(0, 1.0)
        if index % n_columns == 0:
            ax.set_ylabel("test accuracy (fraction correct)")
        if index // n_columns == n_rows - 1 or index + n_columns >= len(tasks):
            ax.set_xlabel(_STEP_AXIS_LABEL)
    if tasks:
        handles = {}
        for ax in axes[: len(tasks)]:
            for handle, label in zip(*ax.get_legend_handles_labels()):
                handles.setdefault(label, handle)
        figure.legend(
            handles.values(),
            handles.keys(),
            loc="outside upper center",
            ncol=len(handles),
            title="mean ± 95% CI over seeds",
        )
    if len(tasks) > 1:
        add_panel_letters(axes[: len(tasks)])
    return figure


# ----------------------------------------------------------------------------- (c)


def _population_run_legend(ax, populations, runs, **kwargs):
    handles = [
        Line2D([], [], color=_population_color(p), label=POPULATION_LABELS.get(p, p))
        for p in populations
    ] + [
        Line2D(
            [],
            [],
            color="black",
            linestyle=_run_linestyle(r),
            marker=_run_marker(r),
            label=run_label(r),
        )
        for r in runs
    ]
    return ax.legend(handles=handles, **kwargs)


@styled
def gradient_credit(timecourse: pd.DataFrame, metrics: pd.DataFrame, *, runs=COMPARED_RUNS):
    """Credit assignment by population: where the gradient flows and how it is shared.

    Top row, one panel per optimiser (``runs``): per-unit gradient norm (``rms`` of
    ∂L/∂h_t) vs time step in the trial for E and I, at the run's final checkpoint.
    Bottom row: mean Fisher information per unit (log scale) and the Gini coefficient of the
    Fisher information across units vs checkpoint step, colour = population, line style = run.

    ``timecourse``: aggregate ``gradient_timecourse`` (run, checkpoint_step, population,
    time_step, quantity ∈ {l2_norm, rms, mean_abs, cosine}, ...). ``metrics``: aggregate
    ``gradient_metrics`` (run, checkpoint_step, population, quantity ∈ {fisher_mean,
    fisher_median, gini}, ...).
    """
    _require(
        timecourse,
        ("run", "checkpoint_step", "population", "time_step") + STATISTIC_COLUMNS,
        "gradient_credit timecourse",
    )
    _require(
        metrics,
        ("run", "checkpoint_step", "population") + STATISTIC_COLUMNS,
        "gradient_credit metrics",
    )
    runs = run_order(runs)
    populations = _present_populations(timecourse, metrics) or list(POPULATIONS)
    figure = new_figure(8.5, 6.0)
    grid = figure.add_gridspec(2, 1)
    top = grid[0].subgridspec(1, len(runs))
    bottom = grid[1].subgridspec(1, 2)
    time_axes = [figure.add_subplot(top[0, i]) for i in range(len(runs))]
    for ax in time_axes[1:]:
        ax.sharey(time_axes[0])
    ax_fisher = figure.add_subplot(bottom[0, 0])
    ax_gini = figure.add_subplot(bottom[0, 1])

    rms = select(timecourse, quantity="rms")
    shown = []
    for ax, run in zip(time_axes, runs):
        of_run = rms[rms["run"] == run]
        step = _final_step(of_run)
        if step is None:
            ax.set_title(run_label(run))
            no_data(ax, f"no gradients for {run}")
        else:
            ax.set_title(f"{run_label(run)}, final checkpoint (step {step:,})")
            at_step = of_run[of_run["checkpoint_step"] == step]
            for population in populations:
                data = at_step[at_step["population"] == population]
                plot_statistic(
                    ax,
                    data,
                    "time_step",
                    color=_population_color(population),
                    label=(
                        f"{POPULATION_LABELS.get(population, population)} "
                        f"({seeds_label(data['n'])})"
                        if not data.empty
                        else None
                    ),
                )
                shown.append(data)
            if ax.get_legend_handles_labels()[0]:
                ax.legend(loc="best")
        ax.set_xlabel("time step in trial")
    if shown:
        _log_if_positive(time_axes[0], *shown)
    time_axes[0].set_ylabel("per-unit gradient norm\n‖∂L/∂h$_t$‖/√n (a.u.)")

    for quantity, ax in (("fisher_mean", ax_fisher), ("gini", ax_gini)):
        data = select(metrics, quantity=quantity)
        for population in populations:
            for run in runs:
                plot_statistic(
                    ax,
                    data[(data["population"] == population) & (data["run"] == run)],
                    "checkpoint_step",
                    color=_population_color(population),
                    linestyle=_run_linestyle(run),
                    marker=_run_marker(run),
                )
        if data[data["run"].isin(runs)].empty:
            no_data(ax)
        ax.set_xlabel(_STEP_AXIS_LABEL)
        _plain_steps(ax)
    _log_if_positive(ax_fisher, select(metrics, quantity="fisher_mean"))
    ax_fisher.set_ylabel("Fisher information per unit\nmean ⟨(∂L/∂h$_i$)²⟩ (a.u.)")
    ax_gini.set_ylabel("Gini of Fisher information\nacross units")
    ax_gini.set_ylim(0, 1)
    n_seeds = select(metrics, quantity="gini")
    _population_run_legend(
        ax_gini,
        populations,
        runs,
        loc="center left",
        bbox_to_anchor=(1.02, 0.5),
        title=f"mean ± 95% CI\n({seeds_label(n_seeds['n'])})",
    )
    add_panel_letters(time_axes + [ax_fisher, ax_gini])
    return figure


# ----------------------------------------------------------------------------- (d)

_CONDITION_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "h", "*", "p")


def _direction_color(direction: float):
    if not np.isfinite(direction):
        return NEUTRAL_COLOR
    return DIRECTION_CMAP((direction % (2 * np.pi)) / (2 * np.pi))


def _example_title(points: pd.DataFrame, trajectories: pd.DataFrame) -> str:
    fractions = set()
    for frame in (points, trajectories):
        if "inhibitory_fraction" in frame:
            fractions.update(frame["inhibitory_fraction"].dropna().astype(float).round(6))
    if len(fractions) == 1:
        return f"example network (inhibitory fraction {fractions.pop():g})"
    return "example network"


@styled
def fixed_point_motifs(counts: pd.DataFrame, points: pd.DataFrame, trajectories: pd.DataFrame):
    """Fixed-point structure across inhibitory fractions, and one example network.

    Left, one panel per input condition: mean number of unique fixed points of each motif
    (stable / continuous / rotational / saddle) per network vs the inhibitory fraction, with
    95% CI bands over networks. ``counts``: aggregate ``fixed_point_counts``
    (inhibitory_fraction, input_condition, motif, quantity "count", ...).

    Right: the example network in the plane of its first two principal components — test
    trajectories as thin lines coloured by stimulus direction (cyclic colormap) and its fixed
    points coloured by motif, marker shape by input condition, slow points (not converged)
    hollow, local minima of q that are not fixed points (``kind`` local_minimum, ghosts) left
    out. ``points`` / ``trajectories``: that network's ``fixed_points`` and
    ``fixed_point_trajectories`` tables; an empty ``points`` is reported in the panel.
    """
    _require(
        counts,
        ("inhibitory_fraction", "input_condition", "motif") + STATISTIC_COLUMNS,
        "fixed_point_motifs counts",
    )
    _require(
        points,
        ("input_condition", "motif", "pc1", "pc2", "is_converged", "kind"),
        "fixed_point_motifs points",
    )
    # Local minima of q (ghosts of saddle-node bifurcations) are not fixed points: not drawn.
    points = points[points["kind"] != "local_minimum"]
    _require(
        trajectories,
        ("trial", "time_step", "condition_direction", "pc1", "pc2"),
        "fixed_point_motifs trajectories",
    )
    counts = select(counts, quantity="count")
    conditions = _condition_order(counts["input_condition"].unique())
    n_left = max(len(conditions), 1)
    figure = new_figure(10.0, max(4.4, 2.0 * n_left + 0.6))
    grid = figure.add_gridspec(n_left, 2, width_ratios=[1.0, 1.35])
    left_axes = []
    for row in range(n_left):
        ax = figure.add_subplot(grid[row, 0])
        if left_axes:
            ax.sharex(left_axes[0])
            ax.sharey(left_axes[0])
        left_axes.append(ax)
    ax_example = figure.add_subplot(grid[:, 1])

    found = set(counts["motif"].astype(str)) | set(points["motif"].astype(str))
    motifs = list(MOTIFS) + sorted(found - set(MOTIFS))
    for ax, condition in zip(left_axes, conditions):
        of_condition = counts[counts["input_condition"] == condition]
        for motif in motifs:
            plot_statistic(
                ax,
                of_condition[of_condition["motif"] == motif],
                "inhibitory_fraction",
                color=MOTIF_COLORS.get(motif, NEUTRAL_COLOR),
                marker="o",
                label=motif,
            )
        ax.set_title(f"input: {condition}")
        ax.set_ylabel("fixed points\nper network")
    fractions = np.sort(counts["inhibitory_fraction"].unique())
    if 0 < len(fractions) <= 8:
        left_axes[0].set_xticks(fractions)
        left_axes[0].xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    if not conditions:
        no_data(left_axes[0], "no fixed-point searches")
    left_axes[0].set_ylim(bottom=0)
    for ax in left_axes[:-1]:
        ax.tick_params(labelbottom=False)
    left_axes[-1].set_xlabel("inhibitory fraction (I units / all units)")

    example_handles = _draw_example(figure, ax_example, points, trajectories)
    handles = [
        Line2D(
            [],
            [],
            color=MOTIF_COLORS.get(m, NEUTRAL_COLOR),
            marker="o",
            markeredgecolor="white",
            markersize=6,
            label=m,
        )
        for m in motifs
        if m in found
    ] + example_handles
    if handles:
        title = "motif"
        if conditions:
            title += (
                f" (a–{chr(ord('a') + len(conditions) - 1)}: mean ± 95% CI, "
                f"{seeds_label(counts['n'], 'networks')} per fraction)"
            )
        figure.legend(
            handles=handles,
            loc="outside lower center",
            ncol=min(len(handles), 8),
            title=title,
            columnspacing=1.2,
            handletextpad=0.4,
        )
    add_panel_letters(left_axes + [ax_example])
    return figure


def _draw_example(figure, ax, points: pd.DataFrame, trajectories: pd.DataFrame) -> list:
    """Draw the example network; returns legend handles for markers (condition, converged)."""
    ax.set_title(_example_title(points, trajectories))
    ax.set_xlabel("PC 1 (a.u.)")
    ax.set_ylabel("PC 2 (a.u.)")
    ax.set_aspect("equal", adjustable="datalim")
    if not trajectories.empty:
        for _, trial in trajectories.sort_values(["trial", "time_step"]).groupby(
            "trial", sort=True
        ):
            direction = float(trial["condition_direction"].iloc[0])
            ax.plot(
                trial["pc1"],
                trial["pc2"],
                color=_direction_color(direction),
                linewidth=0.7,
                alpha=0.6,
                zorder=1,
            )
        mappable = ScalarMappable(norm=Normalize(0, 2 * np.pi), cmap=DIRECTION_CMAP)
        colorbar = figure.colorbar(mappable, ax=ax, shrink=0.6, pad=0.02, aspect=25)
        colorbar.set_label("stimulus direction (rad)")
        colorbar.set_ticks([0, np.pi / 2, np.pi, 3 * np.pi / 2, 2 * np.pi])
        colorbar.set_ticklabels(["0", "π/2", "π", "3π/2", "2π"])

    if points.empty:
        if trajectories.empty:
            no_data(ax, "no fixed points found")
        else:
            ax.text(
                0.5,
                0.97,
                "no fixed points found",
                transform=ax.transAxes,
                ha="center",
                va="top",
                color=NEUTRAL_COLOR,
                fontsize=9,
                style="italic",
            )
        return []

    conditions = _condition_order(points["input_condition"].unique())
    markers = {c: _CONDITION_MARKERS[i % len(_CONDITION_MARKERS)] for i, c in enumerate(conditions)}
    converged = points["is_converged"].astype(bool)
    motifs = [m for m in MOTIFS if m in set(points["motif"])]
    motifs += sorted(set(points["motif"].astype(str)) - set(MOTIFS))
    for condition in conditions:
        for motif in motifs:
            color = MOTIF_COLORS.get(motif, NEUTRAL_COLOR)
            chosen = (points["input_condition"] == condition) & (points["motif"] == motif)
            for is_converged in (True, False):
                group = points[chosen & (converged == is_converged)]
                if group.empty:
                    continue
                ax.scatter(
                    group["pc1"],
                    group["pc2"],
                    s=34,
                    marker=markers[condition],
                    facecolors=color if is_converged else "none",
                    edgecolors="white" if is_converged else color,
                    linewidths=0.6 if is_converged else 1.3,
                    zorder=3 if is_converged else 4,
                )
    handles = [
        Line2D(
            [],
            [],
            linestyle="none",
            marker=markers[c],
            markersize=6,
            markerfacecolor=NEUTRAL_COLOR,
            markeredgecolor="white",
            label=f"input: {c}",
        )
        for c in conditions
    ]
    handles += [
        Line2D(
            [],
            [],
            linestyle="none",
            marker="o",
            markersize=6,
            markerfacecolor="black",
            markeredgecolor="white",
            label="fixed point",
        ),
        Line2D(
            [],
            [],
            linestyle="none",
            marker="o",
            markersize=6,
            markerfacecolor="none",
            markeredgecolor="black",
            markeredgewidth=1.2,
            label="slow point",
        ),
    ]
    return handles


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
    text = f"{population}: {_signed(row['mean'].iloc[0])}"
    if has_ci(row)[0]:
        text += f" [{_signed(row['ci_low'].iloc[0])}, {_signed(row['ci_high'].iloc[0])}]"
    return text


@styled
def weight_signs(statistics: pd.DataFrame, histograms: pd.DataFrame, *, runs=COMPARED_RUNS):
    """Sign consistency and magnitude distribution of the recurrent weights, EG vs GD.

    a: cumulative number of weight updates that crossed zero and were reflected back to the
    presynaptic sign (colour = run, line style = presynaptic population). GD needs such
    corrections to keep Dale's law; EG cannot change a sign, so its curve is exactly 0.
    b, c (one per run): histogram of log10|w| at the run's final checkpoint, E and I
    overlaid (mean counts per bin over seeds, CI shaded); the legend gives the skewness of
    log10|w| per population, mean [95% CI] over seeds (≈ 0 for log-normal magnitudes).

    ``statistics``: aggregate ``weight_statistics`` (run, checkpoint_step, population,
    quantity ∈ {n_sign_corrections, n_sign_flips, n_mixed_sign_columns, log10_abs_mean, log10_abs_std,
    log10_abs_skew}, ...). ``histograms``: aggregate ``weight_histograms`` (run,
    checkpoint_step, population, bin_left, bin_right, quantity "count", ...).
    """
    _require(
        statistics,
        ("run", "checkpoint_step", "population") + STATISTIC_COLUMNS,
        "weight_signs statistics",
    )
    _require(
        histograms,
        ("run", "checkpoint_step", "population", "bin_left", "bin_right") + STATISTIC_COLUMNS,
        "weight_signs histograms",
    )
    runs = run_order(runs)
    colors = run_colors(runs)
    populations = _present_populations(statistics, histograms) or list(POPULATIONS)
    figure = new_figure(10.0, 3.3)
    grid = figure.add_gridspec(1, 1 + len(runs), width_ratios=[1.15] + [1.0] * len(runs))
    ax_flips = figure.add_subplot(grid[0, 0])
    histogram_axes = []
    for index in range(len(runs)):
        shared = histogram_axes[0] if histogram_axes else None
        histogram_axes.append(figure.add_subplot(grid[0, 1 + index], sharey=shared))

    flips = select(statistics, quantity="n_sign_corrections")
    run_handles = []
    for run in runs:
        of_run = flips[flips["run"] == run]
        for population in populations:
            plot_statistic(
                ax_flips,
                of_run[of_run["population"] == population],
                "checkpoint_step",
                color=colors[run],
                linestyle=POPULATION_LINESTYLES.get(population, "-."),
                marker=_run_marker(run),
            )
        if not of_run.empty:
            run_handles.append(
                Line2D(
                    [],
                    [],
                    color=colors[run],
                    marker=_run_marker(run),
                    label=f"{run_label(run)} ({seeds_label(of_run['n'])})",
                )
            )
    population_handles = [
        Line2D(
            [],
            [],
            color="black",
            linestyle=POPULATION_LINESTYLES.get(p, "-."),
            label=f"presynaptic {p}",
        )
        for p in populations
    ]
    if run_handles:
        ax_flips.legend(
            handles=run_handles + population_handles, loc="upper left", title="mean ± 95% CI"
        )
        eg = flips[flips["run"] == "eg"]
        if not eg.empty and (eg["mean"] == 0).all():
            ax_flips.text(
                0.97,
                0.06,
                "EG: no sign corrections",
                transform=ax_flips.transAxes,
                ha="right",
                va="bottom",
                color=colors["eg"],
                fontsize=8,
            )
    else:
        no_data(ax_flips)
    ax_flips.set_xlabel(_STEP_AXIS_LABEL)
    ax_flips.set_ylabel("updates that crossed zero\n(reflected; cumulative)")
    _plain_steps(ax_flips)

    counts = select(histograms, quantity="count")
    for ax, run in zip(histogram_axes, runs):
        of_run = counts[counts["run"] == run]
        step = _final_step(of_run)
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
                    _population_color(population),
                    _skew_text(statistics, run, step, population),
                )
        ax.set_ylim(bottom=0)
        ax.legend(loc="best", title="skewness of log$_{10}$|w|\nmean [95% CI]", alignment="left")
    if histogram_axes:
        histogram_axes[0].set_ylabel("weights per bin (mean over seeds)")
        for ax in histogram_axes[1:]:
            ax.tick_params(labelleft=False)
    add_panel_letters([ax_flips] + histogram_axes)
    return figure
