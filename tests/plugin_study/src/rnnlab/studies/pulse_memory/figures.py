"""pulse_memory's figure: recall error against the remembered amplitude."""

from __future__ import annotations

from rnnlab.plotting.style import new_figure, plot_statistic, seeds_label, styled


@styled
def recall_curve(curve):
    figure = new_figure(3.2, 2.4)
    ax = figure.add_subplot()
    for run, rows in curve.groupby("run"):
        plot_statistic(ax, rows, "amplitude", color="#0072B2", label=f"run {run}")
    ax.set_xlabel("remembered amplitude (a.u.)")
    ax.set_ylabel("squared recall error (a.u.²)")
    ax.set_title(f"mean ± 95% CI, {seeds_label(curve['n'])}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return figure
