"""Every zoo network's verdicts across seeds (trained? line, ring, closed ring, flip-flop cube?)
and how much of each line and ring the readout sees."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from rnnlab.plotting.style import NEUTRAL_COLOR, new_figure, no_data, styled
from rnnlab.studies.ctrnn_zoo.figures.shared import require, task_label, task_runs

PASS_COLOR = "#009E73"
FAIL_COLOR = "#D55E00"
UNTESTED_COLOR = "#DDDDDD"
SEED_COLOR = "#555555"
MEAN_COLOR = "#0072B2"
#: (analysis, quantity) of the verdicts drawn, in order, with their label. The ring's closure
#: verdict comes from the closure analysis (the ring's own "is_closed" repeats it).
VERDICT_ROWS = (
    ("line", "is_line_attractor", "line attractor"),
    ("ring", "is_ring_attractor", "ring attractor"),
    ("closure", "is_closed", "closed ring"),
    ("flip_flop", "is_flip_flop", "cube (8 stable, ≥ 12 saddles)"),
)
CONDITION_LABELS = {"motion_context": "motion ctx", "colour_context": "colour ctx",
                    "no_input": "no input"}


def _condition(condition: str) -> str:
    return CONDITION_LABELS.get(condition, condition)


def _summary(analytics: pd.DataFrame) -> pd.DataFrame:
    """Summary rows (point −1) of an attractor_analytics table."""
    return analytics[analytics["point"] == -1] if not analytics.empty else analytics


def _verdict_rows(analytics: pd.DataFrame, performance: pd.DataFrame) -> list[dict]:
    """One entry per verdict drawn: label, per-seed values {seed: 0/1/NaN}, and the keys of
    its aggregate row (run, input_condition, analysis, quantity)."""
    summary = _summary(analytics)
    rows = []
    for run in task_runs(analytics, performance):
        of_run = performance[performance["run"] == run] if not performance.empty else performance
        if not of_run.empty:
            fraction = of_run.set_index("seed")["score_fraction_of_ideal"]
            rows.append(dict(
                label=f"{task_label(run)}: trained", run=run, input_condition=None,
                analysis=None, quantity="is_trained",
                values={int(s): float(v >= _trained_fraction()) if np.isfinite(v) else np.nan
                        for s, v in fraction.items()}))
        of_run = summary[summary["run"] == run] if not summary.empty else summary
        for analysis, quantity, name in VERDICT_ROWS:
            chosen = of_run[(of_run["analysis"] == analysis) & (of_run["quantity"] == quantity)]
            for condition in dict.fromkeys(chosen["input_condition"].astype(str)):
                values = chosen[chosen["input_condition"] == condition].set_index("seed")["value"]
                rows.append(dict(
                    label=f"{task_label(run)}: {name}, {_condition(condition)}", run=run,
                    input_condition=condition, analysis=analysis, quantity=quantity,
                    values={int(s): float(v) for s, v in values.items()}))
    return rows


def _trained_fraction() -> float:
    from rnnlab.studies.ctrnn_zoo.aggregates import TRAINED_FRACTION

    return TRAINED_FRACTION


def _interval_text(row: dict, summary: pd.DataFrame, trained: pd.DataFrame) -> str:
    """'k/n [lo, hi]' from the aggregate row of a verdict (counted from the seeds if absent)."""
    if row["quantity"] == "is_trained":
        match = trained[(trained["run"] == row["run"]) & (trained["quantity"] == "is_trained")] \
            if not trained.empty else trained
    else:
        match = summary[(summary["run"] == row["run"])
                        & (summary["input_condition"] == row["input_condition"])
                        & (summary["analysis"] == row["analysis"])
                        & (summary["quantity"] == row["quantity"])] if not summary.empty \
            else summary
    values = [v for v in row["values"].values() if np.isfinite(v)]
    passed, n = int(sum(v >= 0.5 for v in values)), len(values)
    if match.empty or not np.isfinite(match["ci_low"].iloc[0]):
        return f"{passed}/{n}"
    low, high = float(match["ci_low"].iloc[0]), float(match["ci_high"].iloc[0])
    return f"{passed}/{n}  [{low:.2f}, {high:.2f}]"


@styled
def attractor_verdicts(analytics: pd.DataFrame, performance: pd.DataFrame,
                       summary: pd.DataFrame, trained: pd.DataFrame):
    """One row per verdict (trained, line / ring / closed ring / flip-flop cube per input
    condition), one column per seed: green = passes, orange = fails, grey = not tested; on
    the right the number of seeds that pass with the Clopper–Pearson 95% interval of the
    fraction.

    Tables: ``attractor_analytics`` and ``task_performance`` of every seed, aggregates
    ``zoo_attractors`` and ``zoo_performance``.
    """
    require(analytics, ("run", "seed", "input_condition", "analysis", "point", "quantity",
                        "value"), "attractor_verdicts")
    require(performance, ("run", "seed", "score_fraction_of_ideal"), "attractor_verdicts")
    rows = _verdict_rows(analytics, performance)
    seeds = sorted({s for row in rows for s in row["values"]})
    figure = new_figure(min(8.0, 5.4 + 0.35 * len(seeds)), 0.24 * max(len(rows), 1) + 1.3)
    ax = figure.add_subplot(1, 1, 1)
    if not rows:
        no_data(ax)
        ax.set_axis_off()
        return figure
    drawn = {"pass": False, "fail": False, "untested": False}
    for y, row in enumerate(rows):
        for x, seed in enumerate(seeds):
            value = row["values"].get(seed, np.nan)
            kind = "untested" if not np.isfinite(value) else ("pass" if value >= 0.5 else "fail")
            color = {"pass": PASS_COLOR, "fail": FAIL_COLOR, "untested": UNTESTED_COLOR}[kind]
            ax.scatter([x], [y], marker="s", s=70, color=color, linewidths=0)
            drawn[kind] = True
    ax.set_xticks(range(len(seeds)), [str(s) for s in seeds])
    ax.set_yticks(range(len(rows)), [row["label"] for row in rows])
    ax.set_xlim(-0.6, len(seeds) - 0.4)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlabel("training seed")
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    right = ax.twinx()
    right.set_ylim(ax.get_ylim())
    right.set_yticks(range(len(rows)),
                     [_interval_text(row, summary, trained) for row in rows])
    right.tick_params(length=0)
    for spine in right.spines.values():
        spine.set_visible(False)
    right.set_ylabel("seeds passing [95% CI]")
    labels = {"pass": "passes", "fail": "fails", "untested": "not tested"}
    colors = {"pass": PASS_COLOR, "fail": FAIL_COLOR, "untested": UNTESTED_COLOR}
    handles = [Line2D([], [], linestyle="none", marker="s", markersize=7, color=colors[k],
                      label=labels[k]) for k, shown in drawn.items() if shown]
    figure.legend(handles=handles, loc="outside upper center", ncol=len(handles),
                  title="verdict of each seed's network")
    return figure


# ----------------------------------------------------------------------------- output geometry

OUTPUT_QUANTITIES = (
    ("readout_alignment", "readout alignment\n(0: null space of W_out, 1: row space)"),
    ("output_range", "output range along the attractor\n(output units)"),
)


def _manifold_rows(analytics: pd.DataFrame) -> list[tuple[str, str, str]]:
    """(run, input_condition, label) of every line or ring with output geometry, in task
    order."""
    summary = _summary(analytics)
    output = summary[summary["analysis"] == "output"] if not summary.empty else summary
    rows = []
    for run in task_runs(output):
        of_run = output[output["run"] == run]
        kinds = of_run[of_run["quantity"] == "manifold_dimension"]
        for condition in dict.fromkeys(of_run["input_condition"].astype(str)):
            dimension = kinds.loc[kinds["input_condition"] == condition, "value"]
            kind = "ring" if len(dimension) and dimension.iloc[0] == 2 else "line"
            rows.append((run, condition, f"{task_label(run)}: {kind}, {_condition(condition)}"))
    return rows


@styled
def output_geometry(summary: pd.DataFrame, analytics: pd.DataFrame):
    """Per line and ring (rows: task, kind, input condition): left, the readout alignment of
    its direction (line) or plane (ring) with the row space of W_out; right, how far the output
    moves along it. Grey dots: seeds; blue: mean with its 95% bootstrap interval (n seeds).

    Aggregate ``zoo_attractors`` and ``attractor_analytics`` of every seed.
    """
    require(analytics, ("run", "seed", "input_condition", "analysis", "point", "quantity",
                        "value"), "output_geometry")
    rows = _manifold_rows(analytics)
    figure = new_figure(8.0, 0.3 * max(len(rows), 1) + 1.5)
    axes = figure.subplots(1, 2, sharey=True)
    if not rows:
        for ax in axes:
            no_data(ax)
        return figure
    seeds_drawn = means_drawn = intervals_drawn = False
    per_seed = _summary(analytics)
    per_seed = per_seed[per_seed["analysis"] == "output"]
    n_seeds = set()
    for ax, (quantity, label) in zip(axes, OUTPUT_QUANTITIES):
        for y, (run, condition, _) in enumerate(rows):
            values = per_seed[(per_seed["run"] == run) & (per_seed["input_condition"] == condition)
                              & (per_seed["quantity"] == quantity)]["value"].to_numpy(float)
            values = values[np.isfinite(values)]
            if len(values):
                ax.scatter(values, np.full(len(values), y + 0.15), s=10, color=SEED_COLOR,
                           linewidths=0, zorder=3)
                seeds_drawn = True
            match = summary[(summary["run"] == run) & (summary["input_condition"] == condition)
                            & (summary["analysis"] == "output")
                            & (summary["quantity"] == quantity)] if not summary.empty else summary
            if not match.empty and np.isfinite(match["mean"].iloc[0]):
                mean = float(match["mean"].iloc[0])
                low, high = float(match["ci_low"].iloc[0]), float(match["ci_high"].iloc[0])
                n_seeds.add(int(match["n"].iloc[0]))
                if np.isfinite(low) and np.isfinite(high):
                    ax.errorbar([mean], [y - 0.15], xerr=[[mean - low], [high - mean]],
                                fmt="o", color=MEAN_COLOR, markersize=4, capsize=2, zorder=4)
                    intervals_drawn = True
                else:
                    ax.scatter([mean], [y - 0.15], color=MEAN_COLOR, s=16, zorder=4)
                means_drawn = True
        ax.set_xlabel(label)
        ax.grid(axis="x", color="#EEEEEE", linewidth=0.6)
    axes[0].set_xlim(-0.03, 1.03)
    axes[0].set_yticks(range(len(rows)), [label for _, _, label in rows])
    axes[0].set_ylim(len(rows) - 0.5, -0.5)
    axes[1].set_xlim(left=0)
    n_text = ("–".join(str(n) for n in (min(n_seeds), max(n_seeds))) if len(n_seeds) > 1
              else str(next(iter(n_seeds), "?")))
    handles = []
    if seeds_drawn:
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=4,
                              color=SEED_COLOR, label="one seed"))
    if intervals_drawn:
        handles.append(Line2D([], [], marker="o", markersize=4, color=MEAN_COLOR,
                              label=f"mean over seeds, 95% bootstrap CI (n = {n_text} seeds)"))
    elif means_drawn:
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=4,
                              color=MEAN_COLOR, label="mean (one seed: no interval)"))
    if handles:
        figure.legend(handles=handles, loc="outside upper center", ncol=len(handles))
    return figure
