"""What the trained networks' units do: SNR of the decoded item, E/I inputs, mixed selectivity,
divisive normalisation and Dale's law after training."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.patches import Patch, Rectangle

from rnnlab.plotting.style import (
    POPULATIONS,
    add_panel_letters,
    new_figure,
    no_data,
    plot_statistic,
    seeds_label,
    select,
    styled,
)
from rnnlab.studies.vwm.figures.shared import first_seed, require, run_colors, run_label, runs_of

POPULATION_COLORS = {"E": "#D55E00", "I": "#0072B2"}
INPUT_COLORS = {"excitatory_input": "#D55E00", "inhibitory_input": "#0072B2",
                "recurrent_input": "#666666"}
INPUT_LABELS = {"excitatory_input": "from E units", "inhibitory_input": "from I units",
                "recurrent_input": "net recurrent"}


@styled
def snr(snr: pd.DataFrame):
    """SNR (dB) of the decoded item per set size: per decode step (dashed) and of the
    decode-window mean (solid), mean and bootstrap 95% CI over seeds."""
    require(snr, ("run", "set_size", "quantity", "mean", "ci_low", "ci_high", "n"), "statistic")
    runs = runs_of(snr)
    colors = run_colors(runs)
    # one legend row per series below the axes when several runs share it
    figure = new_figure(5.4, 2.6 + 0.25 * len(runs) * 2)
    ax = figure.add_subplot()
    for run in runs:
        for quantity, style, name in (("snr_average_db", "-", "decode-window mean"),
                                      ("snr_step_db", "--", "single decode step")):
            rows = select(snr, run=run, quantity=quantity)
            prefix = f"{run}: " if len(runs) > 1 else ""
            plot_statistic(ax, rows, "set_size", color=colors[run], linestyle=style,
                           marker="o" if style == "-" else "^",
                           label=f"{prefix}{name}: mean, 95% CI band ({seeds_label(rows['n'])})")
    if runs:
        ax.set_xticks(sorted(int(s) for s in snr["set_size"].unique()))
        figure.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncol=1)
    else:
        no_data(ax)
    ax.axhline(0, color="#888888", linewidth=0.8, linestyle=":")
    ax.set_xlabel("set size (items)")
    ax.set_ylabel("SNR of item 1's decoded point (dB)")
    return figure


@styled
def population_code(inputs: pd.DataFrame, units: pd.DataFrame, normalisation: pd.DataFrame,
                    dale: pd.DataFrame):
    """Four panels of the first seed of the first run: (a) each unit's mean recurrent input in
    the delay from the E units, the I units and in total; (b) inverse participation ratio of
    the active units' vector strengths over the item slots, E and I; (c) divisive
    normalisation weights (w1, w2) of r12 ≈ w1·r1 + w2·r2, the sub-linear region boxed;
    (d) weights the Dale projection reset to 0 during training (what the seed, which never
    projects W, would have turned into sign violations), every run and seed, and the sign
    violations left after training in the title."""
    require(inputs, ("run", "seed", "unit", "population", "signal", "mean_value"),
            "input_statistics")
    figure = new_figure(7.6, 5.6)
    (input_ax, ipr_ax), (dn_ax, dale_ax) = figure.subplots(2, 2)
    runs = runs_of(inputs, units, normalisation)
    run = runs[0] if runs else None
    # (a) E/I inputs
    frame = first_seed(inputs, run) if run else inputs.iloc[0:0]
    drawn = False
    values = {s: select(frame, signal=s)["mean_value"].to_numpy(dtype=float) for s in INPUT_COLORS}
    finite = np.concatenate([v[np.isfinite(v)] for v in values.values()] + [np.zeros(0)])
    if finite.size:
        edges = np.linspace(finite.min(), finite.max() + 1e-9, 31)
        for signal, color in INPUT_COLORS.items():
            data = values[signal][np.isfinite(values[signal])]
            if data.size:
                input_ax.hist(data, bins=edges, histtype="step", color=color, linewidth=1.2,
                              label=INPUT_LABELS[signal])
                drawn = True
    if drawn:
        input_ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.22), ncol=3, fontsize=7)
    else:
        no_data(input_ax)
    input_ax.set_xlabel("mean recurrent input in the delay (Φ argument)")
    input_ax.set_ylabel("units")
    seed_text = f"{run}, seed {int(frame['seed'].min())}" if len(frame) else "no data"
    input_ax.set_title(f"E/I balance ({seed_text})")
    # (b) IPR
    unit_rows = first_seed(units, run) if run else units.iloc[0:0]
    active = unit_rows[unit_rows["active"].astype(bool)] if len(unit_rows) else unit_rows
    edges = np.linspace(0, 1, 21)
    handles = []
    for population in POPULATIONS:
        data = select(active, population=population)["ipr"].dropna().to_numpy(dtype=float)
        if data.size:
            # outlines, not filled bars: overlapping filled bars blend into a third colour
            # that no legend entry names
            ipr_ax.hist(data, bins=edges, histtype="step", linewidth=1.4,
                        color=POPULATION_COLORS[population],
                        label=f"{population} ({data.size} active units)")
            handles.append(population)
    if handles:
        ipr_ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7)
    else:
        no_data(ipr_ax)
    ipr_ax.set_xlim(0, 1)
    ipr_ax.set_xlabel("IPR of vector strength over item slots\n(1: all slots alike, 1/M: one slot)")
    ipr_ax.set_ylabel("units")
    ipr_ax.set_title("mixed selectivity (set size 1)")
    # (c) divisive normalisation
    pairs = first_seed(normalisation, run) if run else normalisation.iloc[0:0]
    dn_ax.add_patch(Rectangle((0, 0), 1, 1, fill=False, edgecolor="#888888", linestyle="--",
                              linewidth=0.9))
    if len(pairs):
        inside = pairs["in_region"].astype(bool).to_numpy()
        dn_ax.scatter(pairs["w1"], pairs["w2"], s=8, color="#009E73", alpha=0.7,
                      label=f"pairs of items ({inside.mean():.0%} of {len(pairs)} in the box)")
        dn_ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.22), fontsize=7)
        limit = max(1.3, float(np.nanmax(np.abs(pairs[["w1", "w2"]].to_numpy()))) * 1.05)
        dn_ax.set_xlim(min(-0.1, float(np.nanmin(pairs["w1"])) - 0.05), limit)
        dn_ax.set_ylim(min(-0.1, float(np.nanmin(pairs["w2"])) - 0.05), limit)
    else:
        no_data(dn_ax)
        dn_ax.set_xlim(-0.1, 1.3)
        dn_ax.set_ylim(-0.1, 1.3)
    dn_ax.set_xlabel("w1 (weight of item 1 alone)")
    dn_ax.set_ylabel("w2 (weight of item 2 alone)")
    dn_ax.set_title("r12 ≈ w1·r1 + w2·r2 (box: 0 ≤ w ≤ 1)")
    # (d) Dale's law after training
    if len(dale):
        rows = dale.sort_values(["run", "seed", "population"])
        keys = list(dict.fromkeys(zip(rows["run"], rows["seed"])))
        positions = np.arange(len(keys))
        for offset, population in ((-0.2, "E"), (0.2, "I")):
            counts = [int(select(rows, run=r, seed=s, population=population)
                          ["n_clipped"].sum()) for r, s in keys]
            dale_ax.bar(positions + offset, counts, width=0.4,
                        color=POPULATION_COLORS[population], label=f"{population} columns")
        dale_ax.set_xticks(positions)
        dale_ax.set_xticklabels([f"{r}\nseed {s}" if len(runs) > 1 else f"seed {s}"
                                 for r, s in keys])
        violations = int(rows["n_sign_violations"].sum())
        projections = ", ".join(sorted(set(rows["projection"].astype(str))))
        dale_ax.set_title(f"Dale's law: {violations} wrong signs after training\n"
                          f"(projection: {projections})", fontsize=8)
        dale_ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7)
        dale_ax.set_ylim(bottom=0, top=max(1, dale_ax.get_ylim()[1]))
    else:
        no_data(dale_ax)
        dale_ax.set_title("Dale's law after training")
    dale_ax.set_ylabel("weights reset to 0\n(sum over updates)")
    add_panel_letters([input_ax, ipr_ax, dn_ax, dale_ax], x=-0.16)
    return figure
