"""Credit assignment to excitatory and inhibitory units: where the gradient flows in the trial and
how the Fisher information is shared across units."""

from __future__ import annotations

import pandas as pd
from matplotlib.lines import Line2D

from rnnlab.plotting.style import (
    POPULATION_LABELS,
    POPULATIONS,
    add_panel_letters,
    new_figure,
    no_data,
    plot_statistic,
    seeds_label,
    select,
    styled,
)
from rnnlab.studies.ei_modcog.figures.shared import (
    COMPARED_RUNS,
    STATISTIC_COLUMNS,
    STEP_AXIS_LABEL,
    final_step,
    interval_title,
    log_if_positive,
    plain_steps,
    population_color,
    present_populations,
    require,
    run_label,
    run_linestyle,
    run_marker,
    run_order,
)


# ----------------------------------------------------------------------------- (c)


def _population_run_legend(ax, populations, runs, **kwargs):
    handles = [
        Line2D([], [], color=population_color(p), label=POPULATION_LABELS.get(p, p))
        for p in populations
    ] + [
        Line2D(
            [],
            [],
            color="black",
            linestyle=run_linestyle(r),
            marker=run_marker(r),
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
    require(
        timecourse,
        ("run", "checkpoint_step", "population", "time_step") + STATISTIC_COLUMNS,
        "gradient_credit timecourse",
    )
    require(
        metrics,
        ("run", "checkpoint_step", "population") + STATISTIC_COLUMNS,
        "gradient_credit metrics",
    )
    runs = run_order(runs)
    populations = present_populations(timecourse, metrics) or list(POPULATIONS)
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
        step = final_step(of_run)
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
                    color=population_color(population),
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
    logarithmic = bool(shown) and log_if_positive(time_axes[0], *shown)
    time_axes[0].set_ylabel("per-unit gradient norm\n‖∂L/∂h$_t$‖/√n "
                            + ("(a.u., log scale)" if logarithmic else "(a.u.)"))

    for quantity, ax in (("fisher_mean", ax_fisher), ("gini", ax_gini)):
        data = select(metrics, quantity=quantity)
        for population in populations:
            for run in runs:
                plot_statistic(
                    ax,
                    data[(data["population"] == population) & (data["run"] == run)],
                    "checkpoint_step",
                    color=population_color(population),
                    linestyle=run_linestyle(run),
                    marker=run_marker(run),
                )
        if data[data["run"].isin(runs)].empty:
            no_data(ax)
        ax.set_xlabel(STEP_AXIS_LABEL)
        plain_steps(ax)
    logarithmic = log_if_positive(ax_fisher, select(metrics, quantity="fisher_mean"))
    ax_fisher.set_ylabel("Fisher information per unit\nmean ⟨(∂L/∂h$_i$)²⟩ "
                         + ("(a.u., log scale)" if logarithmic else "(a.u.)"))
    ax_gini.set_ylabel("Gini of Fisher information\nacross units")
    ax_gini.set_ylim(0, 1)
    # Key only what panels c and d draw: the populations and runs with metrics.
    drawn = metrics[metrics["quantity"].isin(["fisher_mean", "gini"]) & metrics["run"].isin(runs)]
    if not drawn.empty:
        _population_run_legend(
            ax_gini,
            [p for p in populations if p in set(drawn["population"].astype(str))],
            [r for r in runs if r in set(drawn["run"].astype(str))],
            loc="center left",
            bbox_to_anchor=(1.02, 0.5),
            title=interval_title(drawn["n"]).replace(", ", "\n", 1),
        )
    add_panel_letters(time_axes + [ax_fisher, ax_gini])
    return figure
