"""PsychRNN (TensorFlow) vs rnnlab's CTRNN on PsychRNN's task statistics: psychometric curves
and PCA trajectories, baseline vs recurrent noise, side by side."""

from __future__ import annotations

from rnnlab.plotting.style import add_panel_letters, new_figure, seeds_label, styled
from rnnlab.studies.two_afc.figures.psychometric import draw_curves
from rnnlab.studies.two_afc.figures.state_space import coherence_colorbar, draw_trajectories

LIBRARIES = (("psychrnn", "PsychRNN 1.0.0 Basic"), ("ctrnn", "rnnlab LeakyRNN"))


@styled
def library_comparison(curves, fits, trajectories):
    figure = new_figure(7.4, 7.4)
    axes = figure.subplots(3, 2)
    n = seeds_label(curves[curves["run"].str.contains("_")]["n"]) if not curves.empty \
        else "n = 0 seeds"
    norm = None
    for column, (library, name) in enumerate(LIBRARIES):
        runs = (f"{library}_baseline", f"{library}_noisy")
        ax = axes[0, column]
        draw_curves(ax, curves, fits, runs)
        ax.set_title(f"{name}\nmean ± 95% CI, {n}", loc="right", fontsize=7.5)
        ax.legend(loc="upper left", fontsize=6.5)
        for row, run in enumerate(runs, start=1):
            rows = trajectories[trajectories["run"] == run]
            seed = f", seed {int(rows['seed'].iloc[0])}" if not rows.empty else ""
            condition = "baseline" if run.endswith("baseline") else "recurrent noise"
            norm = draw_trajectories(axes[row, column], rows, f"{name}, {condition}{seed}") \
                or norm
    if norm is not None:
        coherence_colorbar(figure, list(axes[1:].ravel()), norm)
    add_panel_letters(axes.ravel())
    return figure
