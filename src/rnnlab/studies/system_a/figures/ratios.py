"""Participation ratios of I and w: the thesis's formula and the sign-invariant one side by
side, the thesis formula's dependence on the eigenvectors' arbitrary signs, and where the
weight vectors' mass lies among the principal components."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from rnnlab.plotting.style import add_panel_letters, new_figure, no_data, styled
from rnnlab.studies.system_a.figures.shared import (
    THESIS_COLOR,
    THESIS_RANGES,
    VECTOR_LABELS,
    jitter,
    require,
    runs_of,
    seeds_text,
)

VECTORS = ("input", "output")
VECTOR_COLORS = {"input": "#009E73", "output": "#CC79A7"}
FORMULAS = (
    ("pr_thesis_eig", "thesis\n(Σc)²/Σc²\neig"),
    ("pr_thesis_eigh", "thesis\n(Σc)²/Σc²\neigh"),
    ("pr_aligned", "aligned signs\n(Σ|c|)²/Σc²"),
    ("pr_invariant", "invariant\n(Σc²)²/Σc⁴"),
    ("pr_invariant_significant", "invariant,\nsignificant\nPCs only"),
)
MARKS = (("pr_thesis_eig", "eig's signs (thesis)", "-"), ("pr_thesis_eigh", "eigh's signs", "--"),
         ("pr_aligned", "all signs aligned (maximum)", ":"))


def _first(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of the first run's first seed."""
    if frame.empty:
        return frame
    run = runs_of(frame)[0]
    rows = frame[frame["run"] == run]
    return rows[rows["seed"] == rows["seed"].min()]


@styled
def participation_ratios(ratios: pd.DataFrame, flips: pd.DataFrame, projections: pd.DataFrame):
    """(a) every PR formula per seed for I and w (log scale) against the thesis's ranges;
    (b) first seed: the thesis formula over random sign flips of the eigenvectors, with the
    values for eig's and eigh's signs and the all-aligned maximum; (c) first seed: variance of
    each PC and the weight vector's share c²/|v|² on it, by PC rank.

    ``ratios``: table ``participation_ratios`` of every seed; ``flips``: ``sign_flip_ratios``
    and ``projections``: ``pc_projections`` of each run's first seed.
    """
    require(ratios, ("run", "seed", "vector") + tuple(f for f, _ in FORMULAS),
            "participation_ratios")
    require(flips, ("run", "seed", "vector", "pr_thesis"), "sign flips")
    require(projections, ("run", "seed", "vector", "pc", "eigenvalue", "coefficient",
                          "significant"), "pc projections")
    figure = new_figure(7.4, 7.6)
    top, bottom = figure.subfigures(2, 1, height_ratios=[1.0, 1.35])
    ax_all = top.subplots()
    ax_flips, ax_pcs = bottom.subplots(1, 2)
    _formulas_panel(ax_all, ratios)
    _flips_panel(ax_flips, _first(ratios), _first(flips))
    _pcs_panel(ax_pcs, _first(projections))
    add_panel_letters([ax_all, ax_flips, ax_pcs])
    return figure


def _formulas_panel(ax, ratios: pd.DataFrame) -> None:
    ax.set_ylabel("participation ratio")
    if ratios.empty:
        no_data(ax)
        return
    run = runs_of(ratios)[0]
    rows = ratios[ratios["run"] == run]
    n = rows["seed"].nunique()
    handles = []
    for index, vector in enumerate(VECTORS):
        vector_rows = rows[rows["vector"] == vector]
        for position, (formula, _) in enumerate(FORMULAS):
            x = position + (index - 0.5) * 0.34
            values = vector_rows[formula].to_numpy(float)
            values = values[np.isfinite(values) & (values > 0)]
            ax.scatter(x + jitter(len(values), 0.07), values, s=11, color=VECTOR_COLORS[vector],
                       alpha=0.8, linewidths=0, zorder=3)
            if len(values):
                ax.plot([x - 0.1, x + 0.1], [np.exp(np.log(values).mean())] * 2, color="k",
                        linewidth=1.1, zorder=4)
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=4,
                              color=VECTOR_COLORS[vector], label=VECTOR_LABELS[vector]))
    low = min(THESIS_RANGES["input_pr"][0], THESIS_RANGES["output_pr"][0])
    high = max(THESIS_RANGES["input_pr"][1], THESIS_RANGES["output_pr"][1])
    ax.axhspan(low, high, color=THESIS_COLOR, alpha=0.45, linewidth=0, zorder=0)
    handles.append(Line2D([], [], color="k", linewidth=1.1, label="geometric mean over seeds"))
    handles.append(Line2D([], [], color=THESIS_COLOR, linewidth=6, alpha=0.6,
                          label=f"thesis (I and w, 20 seeds): {low:g}–{high:g}"))
    ax.set_yscale("log")
    ax.set_xticks(range(len(FORMULAS)), [label for _, label in FORMULAS], fontsize=7)
    ax.set_xlim(-0.6, len(FORMULAS) - 0.4)
    ax.set_title(f"every formula on the same networks ({seeds_text(n)}); "
                 "c = coefficients on the PCs", fontsize=8)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0))


def _flips_panel(ax, ratios: pd.DataFrame, flips: pd.DataFrame) -> None:
    ax.set_xlabel("thesis formula (Σ ±c)²/Σc², random eigenvector signs")
    ax.set_ylabel("sign draws")
    if flips.empty:
        no_data(ax)
        return
    seed = int(flips["seed"].iloc[0])
    values = flips["pr_thesis"].to_numpy(float)
    low = max(values[values > 0].min() if (values > 0).any() else 1e-6, 1e-6)
    high = max(values.max(), ratios[[m for m, _, _ in MARKS]].to_numpy(float).max()
               if not ratios.empty else 1.0, THESIS_RANGES["input_pr"][1])
    bins = np.geomspace(low, high * 1.5, 40)
    handles = []
    for vector in VECTORS:
        vector_values = flips.loc[flips["vector"] == vector, "pr_thesis"].to_numpy(float)
        # outlines: two filled histograms blend where they overlap into a colour no legend
        # entry names
        ax.hist(np.clip(vector_values, low, None), bins=bins, color=VECTOR_COLORS[vector],
                histtype="step", linewidth=1.3,
                label=f"{VECTOR_LABELS[vector]}: {len(vector_values)} sign draws")
        row = ratios[ratios["vector"] == vector]
        for column, _, style in MARKS:
            if not row.empty:
                ax.axvline(float(row[column].iloc[0]), color=VECTOR_COLORS[vector],
                           linestyle=style, linewidth=1.2)
    ax.axvspan(*THESIS_RANGES["input_pr"], color=THESIS_COLOR, alpha=0.45, linewidth=0,
               zorder=0)
    handles = ax.get_legend_handles_labels()[0]
    handles += [Line2D([], [], color="k", linestyle=style, label=label)
                for _, label, style in MARKS]
    handles.append(Line2D([], [], color=THESIS_COLOR, linewidth=6, alpha=0.6,
                          label="thesis I-PR, 20 seeds"))
    ax.set_xscale("log")
    ax.set_title(f"sign dependence, seed {seed}", fontsize=8)
    # Below the axes: the marks are vertical lines over the whole height.
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.2), fontsize=6.5)


def _pcs_panel(ax, projections: pd.DataFrame) -> None:
    ax.set_xlabel("PC rank (by variance)")
    ax.set_ylabel("fraction of the total")
    if projections.empty:
        no_data(ax)
        return
    seed = int(projections["seed"].iloc[0])
    handles = []
    for vector in VECTORS:
        rows = projections[projections["vector"] == vector].sort_values("pc")
        if rows.empty:
            continue
        variance = rows["eigenvalue"].clip(lower=0).to_numpy(float)
        share = rows["coefficient"].to_numpy(float) ** 2
        color = VECTOR_COLORS[vector]
        ax.plot(rows["pc"], variance / variance.sum(), color=color, linewidth=1.3)
        ax.scatter(rows["pc"], share / share.sum(), s=3, color=color, alpha=0.5, linewidths=0)
        n_significant = int(rows["significant"].sum())
        ax.axvline(n_significant - 0.5, color=color, linestyle=":", linewidth=1.0)
        handles += [Line2D([], [], color=color, label=f"{VECTOR_LABELS[vector]}: PC variance"),
                    Line2D([], [], color=color, marker="o", markersize=3, linestyle="none",
                           label="  c²/|v|² on each PC"),
                    Line2D([], [], color=color, linestyle=":",
                           label=f"  {n_significant} significant PCs")]
    ax.set_yscale("log")
    ax.set_ylim(bottom=max(ax.get_ylim()[0], 1e-18))
    ax.set_title(f"PC spectra and weight shares, seed {seed}", fontsize=8)
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.2), fontsize=6.5)
