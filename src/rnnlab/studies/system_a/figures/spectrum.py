"""The spectrum of the frozen recurrent weights g·G against the circular law."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from rnnlab.plotting.style import add_panel_letters, new_figure, no_data, styled
from rnnlab.studies.system_a.figures.shared import require, runs_of

POINT_COLOR = "#0072B2"
LAW_COLOR = "#D55E00"


@styled
def connectivity_spectrum(spectrum: pd.DataFrame):
    """(a) eigenvalues of g·G in the complex plane with the circular law's disk of radius g
    (entries N(0, g²/N)) and the line Re λ = 1, right of which a mode of the linearisation at
    h = 0 grows; (b) the fraction of eigenvalues with |λ| ≤ r against the law's (r/g)², with
    the largest deviation (Kolmogorov–Smirnov distance).

    ``spectrum``: table ``connectivity_spectrum`` of the first seed of the first run (G is the
    same for every seed when the thesis's fixed connectivity seed is used).
    """
    require(spectrum, ("run", "seed", "real", "imag", "gain", "n_units"), "connectivity_spectrum")
    figure = new_figure(7.0, 3.3)
    ax_plane, ax_radial = figure.subplots(1, 2)
    ax_plane.set_xlabel("Re λ")
    ax_plane.set_ylabel("Im λ")
    ax_radial.set_xlabel("|λ|")
    ax_radial.set_ylabel("fraction of eigenvalues with modulus ≤ |λ|")
    if spectrum.empty:
        no_data(ax_plane)
        no_data(ax_radial)
        return figure
    run = runs_of(spectrum)[0]
    rows = spectrum[spectrum["run"] == run]
    rows = rows[rows["seed"] == rows["seed"].min()]
    gain, n_units = float(rows["gain"].iloc[0]), int(rows["n_units"].iloc[0])
    values = rows["real"].to_numpy(float) + 1j * rows["imag"].to_numpy(float)
    angle = np.linspace(0, 2 * np.pi, 400)
    ax_plane.fill(gain * np.cos(angle), gain * np.sin(angle), color=LAW_COLOR, alpha=0.12,
                  linewidth=0)
    ax_plane.plot(gain * np.cos(angle), gain * np.sin(angle), color=LAW_COLOR, linewidth=1.0)
    ax_plane.scatter(values.real, values.imag, s=3, color=POINT_COLOR, linewidths=0, zorder=3)
    ax_plane.set_aspect("equal")
    limit = 1.15 * max(gain, np.abs(values).max())
    # The line Re λ = 1 stops at the disk's height: the legend sits above it.
    ax_plane.plot([1.0, 1.0], [-limit, limit], color="k", linestyle="--", linewidth=0.9)
    ax_plane.set_xlim(-limit, limit)
    ax_plane.set_ylim(-limit, limit * 1.6)
    unstable = int((values.real > 1).sum())
    ax_plane.legend(handles=[
        Line2D([], [], linestyle="none", marker="o", markersize=3, color=POINT_COLOR,
               label=f"eigenvalues of g·G (N = {n_units}, g = {gain:g})"),
        Line2D([], [], color=LAW_COLOR, label=f"circular law: disk of radius g = {gain:g}"),
        Line2D([], [], color="k", linestyle="--",
               label=f"Re λ = 1: {unstable} modes unstable at h = 0"),
    ], loc="upper center", fontsize=6.5)
    moduli = np.sort(np.abs(values))
    empirical = np.arange(1, len(moduli) + 1) / len(moduli)
    law = np.clip(moduli / gain, 0, 1) ** 2
    distance = float(np.max(np.maximum(np.abs(empirical - law),
                                       np.abs(empirical - 1 / len(moduli) - law))))
    radius = np.linspace(0, max(gain, moduli.max()) * 1.05, 200)
    ax_radial.step(moduli, empirical, where="post", color=POINT_COLOR, linewidth=1.3,
                   label="eigenvalues of g·G")
    ax_radial.plot(radius, np.clip(radius / gain, 0, 1) ** 2, color=LAW_COLOR, linestyle="--",
                   linewidth=1.2, label="circular law (r/g)²")
    ax_radial.set_title(f"spectral radius {moduli[-1]:.3f} (law: {gain:g}); "
                        f"KS distance {distance:.3f}", fontsize=8)
    ax_radial.legend(loc="upper left")
    add_panel_letters([ax_plane, ax_radial])
    return figure
