"""Is the memory-anti-angle network's ring closed, and slow all the way round? The held states
ordered by the remembered angle, the persistent homology of the slow points, both tests across
seeds, and the drift of the remembered angle round the loop."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, MaxNLocator, NullLocator, ScalarFormatter

from rnnlab.plotting.style import (
    COLOR_CYCLE, DIRECTION_CMAP, NEUTRAL_COLOR, add_panel_letters, new_figure, no_data, styled,
)
from rnnlab.studies.ctrnn_zoo.figures.shared import first_seed, require

CONDITIONS = ("hold", "recall")
CONDITION_MARKERS = {"hold": "o", "recall": "^"}
WRAP_COLOR = "#D55E00"
LINK_COLOR = "#777777"
SLOW_COLOR = "#222222"
# The thresholds of rnnlab.analysis.manifold_topology (read there, not copied).


def _thresholds() -> tuple[float, float, int]:
    from rnnlab.analysis import manifold_topology as topology

    return (topology.LOOP_MAX_BIRTH_FRACTION, topology.MAX_SECOND_LOOP_RATIO,
            topology.NEIGHBOUR_MAX_RANK)


def _wide(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of one seed and condition as one row per point, quantities as columns."""
    if frame.empty:
        return pd.DataFrame()
    return frame.pivot_table(index="point", columns="quantity", values="value",
                             aggfunc="first")


@styled
def ring_closure(analytics: pd.DataFrame, points: pd.DataFrame):
    """memory_anti_angle. Top (a, b: hold, recall), first seed: the held states of noise-free
    trials on the angle grid in PC1–PC2, coloured by the remembered angle, consecutive angles
    joined (grey), the wrap-around pair (last angle → first) in orange; the condition's slow
    points small black, on top (the title names the failed test of a loop that is not
    closed). Middle (c, d): the H1 persistence diagram of those slow points (death against
    birth; a loop far above the diagonal lives long) with the closure region (birth ≤
    the threshold × death). Right (e): every seed's closure statistics, second-loop ratio
    against the loop's birth fraction (closed: lower left box); (f): the worst neighbour rank
    of consecutive held states per seed (closed: ≤ the threshold). Bottom row (g, h: hold,
    recall): every seed's drift of the remembered angle (°/s) against the angle; (i): per seed
    the largest drift over the condition's longest period (°).

    Tables ``attractor_analytics`` of every seed and ``equilibria`` of the first seed.
    """
    require(analytics, ("run", "seed", "input_condition", "analysis", "point", "quantity",
                        "value"), "ring_closure")
    closure = analytics[analytics["analysis"] == "closure"] if not analytics.empty else analytics
    figure = new_figure(9.0, 9.2)
    grid = figure.add_gridspec(3, 3)
    held_axes = [figure.add_subplot(grid[0, k]) for k in range(2)]
    bar_axes = [figure.add_subplot(grid[1, k]) for k in range(2)]
    summary_ax = figure.add_subplot(grid[0, 2])
    rank_ax = figure.add_subplot(grid[1, 2])
    birth_limit, ratio_limit, rank_limit = _thresholds()
    first = first_seed(closure, closure["run"].iloc[0]) if not closure.empty else closure
    wrap_drawn = False
    for ax, bars, condition in zip(held_axes, bar_axes, CONDITIONS):
        of_condition = first[first["input_condition"] == condition] if not first.empty else first
        held = _wide(of_condition[(of_condition["point"] <= -2)
                                  & (of_condition["point"] > -1000)]) \
            if not of_condition.empty else pd.DataFrame()
        slow = points[(points["input_condition"] == condition) & (points["mode"] == "slow")] \
            if not points.empty else points
        wrap_drawn |= _draw_held(ax, held, slow)
        ax.set_title(f"{condition}: held states by angle{_verdict(of_condition)}")
        ax.set_xlabel("PC1 (a.u.)")
        ax.set_ylabel("PC2 (a.u.)")
        _draw_bars(bars, _wide(of_condition[of_condition["point"] <= -1000])
                   if not of_condition.empty else pd.DataFrame(), birth_limit)
        bars.set_title(f"{condition}: H1 of the slow points")
        bars.set_xlabel("birth (state units)")
        bars.set_ylabel("death (state units)")
    figure.colorbar(ScalarMappable(norm=Normalize(0, 360), cmap=DIRECTION_CMAP),
                    ax=held_axes, shrink=0.85, aspect=22, pad=0.02,
                    ticks=[0, 90, 180, 270, 360]).set_label("remembered angle (°)")
    _draw_seed_summary(summary_ax, rank_ax, closure, birth_limit, ratio_limit, rank_limit)
    drift_axes = [figure.add_subplot(grid[2, k]) for k in range(2)]
    period_ax = figure.add_subplot(grid[2, 2])
    seed_handles = _draw_drift(drift_axes, period_ax, closure)
    handles = []
    if wrap_drawn:  # the held states are drawn: consecutive links and the wrap-around link
        handles.append(Line2D([], [], color=LINK_COLOR, linewidth=0.8,
                              label="consecutive angles"))
        handles.append(Line2D([], [], color=WRAP_COLOR, linewidth=1.4, linestyle="--",
                              label="wrap-around (last → first angle)"))
    if not points.empty:
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=3,
                              color=SLOW_COLOR, label="slow points (a, b: on top)"))
    handles += seed_handles
    if handles:
        figure.legend(handles=handles, loc="outside upper center", ncol=min(len(handles), 4),
                      title="a, b: first seed's held states on the angle grid, in angle order;"
                            " g, h: drift per training seed")
    add_panel_letters([held_axes[0], held_axes[1], bar_axes[0], bar_axes[1], summary_ax,
                       rank_ax, drift_axes[0], drift_axes[1], period_ax])
    return figure


def _verdict(rows: pd.DataFrame) -> str:
    summary = rows[rows["point"] == -1] if not rows.empty else rows
    values = dict(zip(summary.get("quantity", []), summary.get("value", [])))
    if "is_closed" not in values:
        return ""
    if values["is_closed"] == 1:
        return "\nclosed"
    # short names: both failed must fit one panel's width (the caption spells them out)
    failed = [name for key, name in (("homology_closed", "H1"), ("neighbours_closed", "order"))
              if values.get(key) == 0]
    return "\nnot closed" + (f" ({' + '.join(failed)})" if failed else "")


def _draw_held(ax, held: pd.DataFrame, slow: pd.DataFrame) -> bool:
    """Held states coloured by angle, joined in angle order; returns whether the wrap-around
    link was drawn."""
    if held.empty or "pc1" not in held:
        if not slow.empty:
            ax.scatter(slow["pc1"], slow["pc2"], s=4, color=SLOW_COLOR, linewidths=0, zorder=6)
        no_data(ax)
        return False
    held = held.sort_values("held_angle")
    x, y = held["pc1"].to_numpy(float), held["pc2"].to_numpy(float)
    ax.plot(x, y, color=LINK_COLOR, linewidth=0.8, zorder=3)
    ax.plot([x[-1], x[0]], [y[-1], y[0]], color=WRAP_COLOR, linewidth=1.4, linestyle="--",
            zorder=4)
    ax.scatter(x, y, c=np.degrees(held["held_angle"].to_numpy(float)), cmap=DIRECTION_CMAP,
               vmin=0, vmax=360, s=14, linewidths=0, zorder=5)
    if not slow.empty:  # on top: where the loop has no slow points shows
        ax.scatter(slow["pc1"], slow["pc2"], s=4, color=SLOW_COLOR, linewidths=0, zorder=6)
    # few ticks: a collapsed manifold spans a tiny range whose long tick labels collide
    ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5))
    return True


def _draw_bars(ax, bars: pd.DataFrame, birth_limit: float) -> None:
    if bars.empty or "h1_birth" not in bars:
        no_data(ax, "no loop (no H1 bar)")
        return
    birth, death = bars["h1_birth"].to_numpy(float), bars["h1_death"].to_numpy(float)
    top = float(max(death.max(), birth.max())) * 1.08
    ax.plot([0, top], [0, top], color=NEUTRAL_COLOR, linewidth=0.8)
    ax.fill_between([0, top * birth_limit], [0, top], [top, top], color="#E5F5EF",
                    linewidth=0, zorder=0)
    ax.scatter(birth, death, s=12, color="k", zorder=3)
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)


def _draw_seed_summary(summary_ax, rank_ax, closure: pd.DataFrame, birth_limit: float,
                       ratio_limit: float, rank_limit: int) -> None:
    summary = closure[closure["point"] == -1] if not closure.empty else closure
    if summary.empty:
        no_data(summary_ax)
        no_data(rank_ax)
        return
    wide = summary.pivot_table(index=["seed", "input_condition"], columns="quantity",
                               values="value", aggfunc="first").reset_index()
    summary_ax.fill_between([0, birth_limit], [0, 0], [ratio_limit, ratio_limit],
                            color="#E5F5EF", linewidth=0, zorder=0)
    seeds = sorted(wide["seed"].unique())
    for condition in CONDITIONS:
        rows = wide[wide["input_condition"] == condition]
        if rows.empty:
            continue
        birth = rows.get("loop_birth_fraction", pd.Series(np.nan, index=rows.index))
        ratio = rows.get("second_loop_ratio", pd.Series(np.nan, index=rows.index))
        # No loop at all: drawn at the right edge (birth fraction 1).
        summary_ax.scatter(birth.fillna(1.0).clip(upper=1.0), ratio.fillna(0.0), s=22,
                           marker=CONDITION_MARKERS[condition], facecolors="none",
                           edgecolors="k", label=condition)
        rank_ax.scatter(rows["seed"].map({s: k for k, s in enumerate(seeds)})
                        + (0.12 if condition == "recall" else -0.12),
                        rows["worst_neighbour_rank"], s=22, marker=CONDITION_MARKERS[condition],
                        facecolors="none", edgecolors="k", label=condition)
    summary_ax.set_xlim(0, 1.06)  # a network without a loop sits at 1
    summary_ax.set_ylim(bottom=0)
    summary_ax.set_xlabel("loop birth / death (no loop: 1)")
    summary_ax.set_ylabel("2nd / 1st H1 persistence")
    summary_ax.set_title("every seed (green: closed)")
    summary_ax.legend(loc="upper left", title="condition")
    rank_ax.axhline(rank_limit, color=NEUTRAL_COLOR, linewidth=0.8, linestyle=":")
    rank_ax.set_yscale("log")
    rank_ax.yaxis.set_major_locator(FixedLocator([1, 2, 4, 8, 16, 32, 64, 128]))
    rank_ax.yaxis.set_major_formatter(ScalarFormatter())
    rank_ax.yaxis.set_minor_locator(NullLocator())
    rank_ax.set_ylim(0.8, max(8.0, float(np.nanmax(wide["worst_neighbour_rank"])) * 1.3)
                     if "worst_neighbour_rank" in wide and wide["worst_neighbour_rank"].notna().any()
                     else 128)
    rank_ax.set_xticks(range(len(seeds)), [str(s) for s in seeds])
    rank_ax.set_xlabel("training seed")
    rank_ax.set_ylabel("worst neighbour rank")
    rank_ax.set_title(f"held-state order (closed: ≤ {rank_limit})")


def _draw_drift(drift_axes, period_ax, closure: pd.DataFrame) -> list:
    """g, h: drift (°/s) of every seed's held states against the remembered angle; i: per seed
    and condition the largest drift over the condition's longest period (°). Returns the seeds'
    legend handles (drawn in the figure's legend: a legend inside g or h covers the curves)."""
    held = closure[(closure["point"] <= -2) & (closure["point"] > -1000)] \
        if not closure.empty else closure
    seeds = sorted(closure["seed"].unique()) if not closure.empty else []
    colours = dict(zip(seeds, COLOR_CYCLE * (len(seeds) // len(COLOR_CYCLE) + 1)))
    drawn = set()
    for ax, condition in zip(drift_axes, CONDITIONS):
        rows = held[held["input_condition"] == condition] if not held.empty else held
        wide = (rows.pivot_table(index=["seed", "point"], columns="quantity", values="value",
                                 aggfunc="first").reset_index() if not rows.empty else rows)
        if wide.empty or "drift_deg_per_s" not in wide:
            no_data(ax)
        else:
            for seed in seeds:
                of_seed = wide[wide["seed"] == seed].sort_values("held_angle")
                if of_seed.empty:
                    continue
                ax.plot(np.degrees(of_seed["held_angle"].to_numpy(float)),
                        of_seed["drift_deg_per_s"].to_numpy(float), color=colours[seed],
                        linewidth=1.0)
                drawn.add(seed)
            ax.axhline(0.0, color=NEUTRAL_COLOR, linewidth=0.8, linestyle=":")
            ax.set_xlim(0, 360)
            ax.set_xticks([0, 90, 180, 270, 360])
        ax.set_title(f"{condition}: drift round the loop")
        ax.set_xlabel("remembered angle (°)")
        ax.set_ylabel("drift (° per s)")
    summary = closure[closure["point"] == -1] if not closure.empty else closure
    wide = (summary.pivot_table(index=["seed", "input_condition"], columns="quantity",
                                values="value", aggfunc="first").reset_index()
            if not summary.empty else summary)
    if wide.empty or "drift_over_period_max_deg" not in wide:
        no_data(period_ax)
    else:
        for condition in CONDITIONS:
            rows = wide[wide["input_condition"] == condition]
            if rows.empty:
                continue
            period_ax.scatter(rows["seed"].map({s: k for k, s in enumerate(seeds)})
                              + (0.12 if condition == "recall" else -0.12),
                              rows["drift_over_period_max_deg"], s=22,
                              marker=CONDITION_MARKERS[condition], facecolors="none",
                              edgecolors="k", label=condition)
        period_ax.set_xticks(range(len(seeds)), [str(s) for s in seeds])
        period_ax.set_xlim(-0.6, len(seeds) - 0.4)
        # markers as in e and f (their legends); room above the highest marker
        highest = float(wide["drift_over_period_max_deg"].max())
        period_ax.set_ylim(0, 1.12 * highest if highest > 0 else 1.0)
    period_ax.set_xlabel("training seed")
    period_ax.set_ylabel("largest drift over the period (°)")
    period_ax.set_title("fastest drift × longest period")
    return [Line2D([], [], color=colours[seed], linewidth=1.0, label=f"seed {seed}")
            for seed in seeds if seed in drawn]
