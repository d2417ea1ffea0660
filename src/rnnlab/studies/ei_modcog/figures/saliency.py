"""The thesis' further gradient metrics by population: alignment of the gradient with the state,
the gate-adjusted gradient, cumulative backprop per unit, and time × unit saliency maps."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.colors import LogNorm
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from rnnlab.plotting.style import (
    POPULATION_LABELS,
    POPULATIONS,
    add_panel_letters,
    errorbar_statistic,
    new_figure,
    no_data,
    plot_statistic,
    select,
    styled,
)
from rnnlab.studies.ei_modcog.figures.shared import (
    COMPARED_RUNS,
    STATISTIC_COLUMNS,
    final_step,
    interval_title,
    population_color,
    present_populations,
    require,
    run_label,
    run_linestyle,
    run_order,
)

SALIENCY_CMAP = "magma"


def _legend_handles(populations, runs):
    return [
        Line2D([], [], color=population_color(p), label=POPULATION_LABELS.get(p, p))
        for p in populations
    ] + [
        Line2D([], [], color="black", linestyle=run_linestyle(r), label=run_label(r))
        for r in runs
    ]


def _timecourse_panel(ax, timecourse, quantity, runs, populations):
    """One line per (run, population) at each run's final checkpoint."""
    data = select(timecourse, quantity=quantity)
    for run in runs:
        of_run = data[data["run"] == run]
        step = final_step(of_run)
        if step is None:
            continue
        for population in populations:
            plot_statistic(
                ax,
                of_run[(of_run["checkpoint_step"] == step) & (of_run["population"] == population)],
                "time_step",
                color=population_color(population),
                linestyle=run_linestyle(run),
            )
    if data.empty:
        no_data(ax)
    ax.set_xlabel("time step in trial")


def _final_values(saliency: pd.DataFrame) -> np.ndarray:
    step = final_step(saliency)
    if step is None:
        return np.zeros(0)
    values = saliency.loc[saliency["checkpoint_step"] == step, "mean_abs"].to_numpy(float)
    return values[values > 0]


def _saliency_panel(figure, ax, saliency: pd.DataFrame, run: str, norm):
    """Time × unit map of mean |∂L/∂h| at the final checkpoint, E units above I units (each
    population sorted by its total saliency), on the log colour scale ``norm`` shared by the
    maps."""
    step = final_step(saliency)
    if step is None:
        ax.set_title(f"{run_label(run)}: saliency")
        no_data(ax, f"no saliency map for {run}")
        ax.set_xticks([])
        ax.set_yticks([])
        return
    at = saliency[saliency["checkpoint_step"] == step]
    table = at.pivot_table(index="unit", columns="time_step", values="mean_abs")
    population = at.drop_duplicates("unit").set_index("unit")["population"]
    total = table.sum(axis=1)
    order = sorted(table.index, key=lambda u: (population[u] != "E", -total[u]))
    values = table.loc[order].to_numpy(dtype=float)
    image = ax.imshow(np.where(values > 0, values, np.nan), aspect="auto", origin="upper",
                      cmap=SALIENCY_CMAP, norm=norm, interpolation="nearest",
                      extent=(table.columns.min() - 0.5, table.columns.max() + 0.5,
                              len(order) - 0.5, -0.5))
    n_excitatory = int(sum(population[u] == "E" for u in order))
    if 0 < n_excitatory < len(order):
        ax.axhline(n_excitatory - 0.5, color="white", linewidth=1.0)
    ax.set_yticks([(n_excitatory - 1) / 2, n_excitatory + (len(order) - n_excitatory - 1) / 2]
                  if n_excitatory < len(order) else [(n_excitatory - 1) / 2],
                  ["E units" , "I units"][: 1 + (n_excitatory < len(order))])
    ax.set_xlabel("time step in trial")
    ax.set_title(f"{run_label(run)}: saliency, seed {int(at['seed'].iloc[0])}, step {step:,}")
    colorbar = figure.colorbar(image, ax=ax)
    colorbar.set_label("mean |∂L/∂h$_t$| (log scale)")
    colorbar.ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    colorbar.ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:.2g}"))
    colorbar.ax.yaxis.set_minor_formatter(NullFormatter())


@styled
def gradient_saliency(
    timecourse: pd.DataFrame,
    metrics: pd.DataFrame,
    eg_saliency: pd.DataFrame,
    gd_saliency: pd.DataFrame,
    *,
    runs=COMPARED_RUNS,
):
    """(a) cosine(h_t, ∂L/∂h_t) and (b) the gate-adjusted gradient's per-unit norm
    ‖g_t·φ′(u_t)‖/√n vs time step, per population (colour) and optimiser (line style), at each
    run's final checkpoint, mean ± 95% CI over seeds; (c) cumulative backprop per unit (Σ_t|g|
    per trial) by population and optimiser at the final checkpoint; (d, e) time × unit saliency
    maps of one seed of each optimiser, E units above I units.

    ``timecourse``: aggregate ``gradient_timecourse``; ``metrics``: aggregate
    ``gradient_metrics``; ``*_saliency``: one seed's ``gradient_saliency`` table.
    """
    require(timecourse, ("run", "checkpoint_step", "population", "time_step") + STATISTIC_COLUMNS,
            "gradient_saliency timecourse")
    require(metrics, ("run", "checkpoint_step", "population") + STATISTIC_COLUMNS,
            "gradient_saliency metrics")
    runs = run_order(runs)
    populations = present_populations(timecourse, metrics) or list(POPULATIONS)
    figure = new_figure(9.0, 7.0)
    grid = figure.add_gridspec(2, 1)
    top, bottom = grid[0].subgridspec(1, 3), grid[1].subgridspec(1, 2)
    ax_cosine, ax_gated, ax_cumulative = (figure.add_subplot(top[0, i]) for i in range(3))
    ax_eg, ax_gd = (figure.add_subplot(bottom[0, i]) for i in range(2))

    _timecourse_panel(ax_cosine, timecourse, "cosine", runs, populations)
    ax_cosine.axhline(0, color="0.6", linewidth=0.7, zorder=0)
    ax_cosine.set_ylabel("cosine(h$_t$, ∂L/∂h$_t$)")
    _timecourse_panel(ax_gated, timecourse, "gated_rms", runs, populations)
    ax_gated.set_ylabel("gate-adjusted gradient\n‖∂L/∂h$_t$ · φ′(u$_t$)‖/√n")

    cumulative = select(metrics, quantity="cumulative_abs_mean")
    positions = np.arange(len(runs), dtype=float)
    offsets = np.linspace(-0.15, 0.15, max(len(populations), 1)) if len(populations) > 1 else [0.0]
    for offset, population in zip(offsets, populations):
        rows = []
        for run in runs:
            of_run = cumulative[(cumulative["run"] == run) & (cumulative["population"] == population)]
            step = final_step(of_run)
            rows.append(of_run[of_run["checkpoint_step"] == step] if step is not None else of_run.iloc[0:0])
        present = [i for i, r in enumerate(rows) if not r.empty]
        if present:
            errorbar_statistic(ax_cumulative, positions[present] + offset,
                               pd.concat([rows[i] for i in present]),
                               color=population_color(population))
    if cumulative.empty:
        no_data(ax_cumulative)
    ax_cumulative.set_xticks(positions, [run_label(r) for r in runs])
    ax_cumulative.set_xlim(-0.6, len(runs) - 0.4)
    ax_cumulative.set_ylabel("cumulative backprop per unit\nΣ$_t$ |∂L/∂h$_t$| per trial")
    ax_cumulative.set_ylim(bottom=0)

    positive = np.concatenate([_final_values(eg_saliency), _final_values(gd_saliency)])
    norm = (LogNorm(vmin=max(positive.min(), positive.max() * 1e-4), vmax=positive.max())
            if positive.size else None)
    _saliency_panel(figure, ax_eg, eg_saliency, runs[0] if runs else "eg", norm)
    _saliency_panel(figure, ax_gd, gd_saliency, runs[1] if len(runs) > 1 else "gd", norm)

    drawn = pd.concat([select(timecourse, quantity="cosine"), cumulative])
    if not drawn.empty:
        figure.legend(handles=_legend_handles(populations, runs), loc="outside upper center",
                      ncol=len(populations) + len(runs),
                      title=interval_title(drawn["n"]))
    add_panel_letters((ax_cosine, ax_gated, ax_cumulative, ax_eg, ax_gd))
    return figure
