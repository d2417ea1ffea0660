"""Fixed points of the trained networks' noise-free map in the decode period, with the probe
trajectories that carry one item, in the PCs of the decode-window states."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.lines import Line2D

from rnnlab.plotting.style import DIRECTION_CMAP, new_figure, no_data, select, styled
from rnnlab.studies.vwm.figures.shared import first_seed, require, runs_of

MOTIF_STYLES = {  # marker, face colour: stable filled, unstable hollow
    "stable": ("o", "#222222"),
    "continuous": ("D", "#E69F00"),
    "rotational": ("s", "none"),
    "saddle": ("^", "none"),
}
MOTIF_EDGES = {"stable": "#222222", "continuous": "#000000", "rotational": "#D55E00",
               "saddle": "#D55E00"}
KIND_SIZES = {"fixed": 36, "slow": 12, "local_minimum": 12}


@styled
def fixed_points(points: pd.DataFrame, trajectories: pd.DataFrame, searches: pd.DataFrame):
    """First seed of the first run: (a) noise-free probe trajectories (set size 1; colour: the
    orientation shown) from the delay onward and the fixed (large) and slow (small) points of
    the map at the decode period's input, in PC 1–2 of the decode-window states; (b) each
    point's largest |λ| of the map's Jacobian against the angle the readout decodes there."""
    require(points, ("run", "seed", "period", "kind", "motif", "max_abs_eigenvalue", "pc1",
                     "pc2", "decoded_angle"), "vwm_fixed_points")
    require(trajectories, ("run", "seed", "trial", "theta", "period", "pc1", "pc2"),
            "vwm_trajectories")
    figure = new_figure(7.6, 3.6)
    pc_ax, eig_ax = figure.subplots(1, 2)
    runs = runs_of(points, trajectories)
    run = runs[0] if runs else None
    paths = first_seed(trajectories, run) if run else trajectories.iloc[0:0]
    found = first_seed(points, run) if run else points.iloc[0:0]
    found = select(found, period="decode") if len(found) else found
    norm = Normalize(-180, 180)
    for _, path in paths.groupby("trial"):
        shown = path[path["period"].isin(["delay", "decode"])]
        color = DIRECTION_CMAP(norm(np.degrees(path["theta"].iloc[0])))
        pc_ax.plot(shown["pc1"], shown["pc2"], color=color, linewidth=1.0, alpha=0.8)
        end = shown.iloc[-1]
        pc_ax.plot([end["pc1"]], [end["pc2"]], marker="x", color=color, markersize=4)
    handles = []
    for motif, (marker, face) in MOTIF_STYLES.items():
        for kind, size in KIND_SIZES.items():
            part = select(found, motif=motif, kind=kind)
            if part.empty:
                continue
            for ax, x, y in ((pc_ax, part["pc1"], part["pc2"]),
                             (eig_ax, np.degrees(part["decoded_angle"]),
                              part["max_abs_eigenvalue"])):
                ax.scatter(x, y, s=size, marker=marker, facecolors=face,
                           edgecolors=MOTIF_EDGES[motif], linewidths=0.8, zorder=5)
            noun = "fixed point" if kind == "fixed" else kind.replace("_", " ")
            handles.append(Line2D([], [], linestyle="none", marker=marker,
                                  markersize=np.sqrt(size), markerfacecolor=face,
                                  markeredgecolor=MOTIF_EDGES[motif], markeredgewidth=0.8,
                                  label=f"{motif} {noun} ({len(part)})"))
    if len(paths):
        handles.append(Line2D([], [], linestyle="none", marker="x", markersize=4,
                              color="#888888", label="end of the trial"))
    if not len(paths) and not len(found):
        no_data(pc_ax)
    if not len(found):
        no_data(eig_ax, "no fixed or slow points")
    eig_ax.axhline(1.0, color="#888888", linestyle=":", linewidth=0.9)
    eig_ax.set_xlim(-180, 180)
    eig_ax.set_xticks([-180, -90, 0, 90, 180])
    eig_ax.set_xlabel("angle decoded at the point (deg)")
    eig_ax.set_ylabel("largest |λ| of the map's Jacobian")
    seed_text = f"{run}, seed {int(paths['seed'].min())}: " if len(paths) else ""
    pc_ax.set_title(f"{seed_text}decode period (u = 0)")
    pc_ax.set_xlabel("PC 1 of decode-window rates (Hz)")
    pc_ax.set_ylabel("PC 2 (Hz)")
    search = select(first_seed(searches, run), period="decode") if run and len(searches) else searches.iloc[0:0]
    if len(search):
        row = search.iloc[0]
        eig_ax.set_title(f"{int(row['n_initial'])} starts: {int(row['n_converged'])} fixed, "
                         f"{int(row['n_slow'])} slow, {int(row['n_unique'])} unique")
    else:
        eig_ax.set_title("stability of the points")
    bar = figure.colorbar(ScalarMappable(norm, DIRECTION_CMAP), ax=pc_ax, pad=0.02)
    bar.set_label("orientation shown (deg)")
    bar.set_ticks([-180, -90, 0, 90, 180])
    if handles:
        figure.legend(handles=handles, loc="outside lower center", ncol=min(4, len(handles)))
    return figure
