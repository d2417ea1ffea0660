"""The CTRNN zoo's verdict, output-geometry and ring-closure figures and their aggregates, on
synthetic tables with the schemas of ``rnnlab.tables``: several seeds, one seed, no data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rnnlab.aggregation import aggregate
from rnnlab.plotting.checks import figure_defects
from rnnlab.plotting.style import save_figure
from rnnlab.studies.ctrnn_zoo.figures import closure, verdicts
from rnnlab.tables import check_frame, empty_frame

SEEDS = (1, 2, 3)


def _frame(rows, table):
    frame = pd.DataFrame(rows)
    check_frame(frame, table, f"synthetic {table}")
    return frame


def _summary_rows(run, seed, condition, analysis, values):
    return [dict(run=run, seed=seed, task=run, input_condition=condition, analysis=analysis,
                 point=-1, quantity=q, value=float(v)) for q, v in values.items()]


def _analytics(rng) -> pd.DataFrame:
    rows = []
    for seed in SEEDS:
        for condition in ("motion_context", "colour_context"):
            passed = float(condition == "motion_context" or seed != 2)
            rows += _summary_rows("cddm", seed, condition, "line", dict(
                is_line_attractor=passed, held_coverage=0.6 + 0.3 * passed,
                selection_cosine_relevant_mean=0.6, selection_cosine_irrelevant_mean=0.05))
            rows += _summary_rows("cddm", seed, condition, "output", dict(
                readout_alignment=rng.uniform(0.6, 0.8), output_range=rng.uniform(0.8, 1.2),
                output_gain=0.5, manifold_dimension=1))
        rows += _summary_rows("three_bit_flip_flop", seed, "no_input", "flip_flop",
                              dict(n_stable=8, n_saddles_connecting_two_stable=12,
                                   is_flip_flop=1))
        for condition, alignment in (("hold", 0.02), ("recall", 0.8)):
            rows += _summary_rows("memory_anti_number", seed, condition, "line",
                                  dict(is_line_attractor=1.0))
            rows += _summary_rows("memory_anti_number", seed, condition, "output", dict(
                readout_alignment=alignment + rng.uniform(0, 0.05),
                output_range=4 * alignment, output_gain=1.0, manifold_dimension=1))
            closed = float(seed != 3)
            rows += _summary_rows("memory_anti_angle", seed, condition, "ring", dict(
                is_ring_attractor=closed, is_closed=closed))
            rows += _summary_rows("memory_anti_angle", seed, condition, "output", dict(
                readout_alignment=alignment, output_range=4.0 * alignment, output_gain=1.0,
                manifold_dimension=2))
            summary = dict(
                n_points=80, loop_birth=0.2 if closed else np.nan, loop_death=5.0 if closed
                else np.nan, loop_persistence=4.8 if closed else np.nan,
                second_persistence=0.1 if closed else np.nan,
                second_loop_ratio=0.02 if closed else np.nan,
                loop_birth_fraction=0.04 if closed else np.nan,
                gap_fraction=0.05 if closed else np.nan, homology_closed=closed, n_angles=72,
                fraction_ordered_neighbours=1.0 if closed else 0.98,
                worst_neighbour_rank=2 if closed else 40, wrap_neighbour_rank=1,
                max_step_ratio=1.5, wrap_step_ratio=1.0, neighbours_closed=closed,
                drift_median_deg_per_s=2.0, drift_max_deg_per_s=6.0 if closed else 20.0,
                drift_over_period_max_deg=7.2 if closed else 24.0, fraction_held_slow=0.7,
                is_closed=closed)
            rows += _summary_rows("memory_anti_angle", seed, condition, "closure", summary)
            radius = 3.0 if condition == "hold" else 2.0
            for k, angle in enumerate(np.linspace(0, 2 * np.pi, 72, endpoint=False)):
                for q, v in dict(held_angle=angle, neighbour_rank=1, step=0.3,
                                 drift_deg_per_s=(2 + seed) * np.sin(2 * angle + seed),
                                 q_ratio=0.5,
                                 pc1=radius * np.cos(angle), pc2=radius * np.sin(angle),
                                 pc3=0.0).items():
                    rows.append(dict(run="memory_anti_angle", seed=seed, task="memory_anti_angle",
                                     input_condition=condition, analysis="closure",
                                     point=-2 - k, quantity=q, value=float(v)))
            if closed:
                for k, (birth, death) in enumerate(((0.2, 5.0), (0.3, 0.4))):
                    for q, v in dict(h1_birth=birth, h1_death=death).items():
                        rows.append(dict(run="memory_anti_angle", seed=seed,
                                         task="memory_anti_angle", input_condition=condition,
                                         analysis="closure", point=-1000 - k, quantity=q,
                                         value=v))
    return _frame(rows, "attractor_analytics")


def _performance(rng) -> pd.DataFrame:
    rows = []
    for run in ("cddm", "dmts", "three_bit_flip_flop", "memory_anti_number",
                "memory_anti_angle"):
        for seed in SEEDS:
            ideal = 0.67 if run == "cddm" else 1.0
            score = ideal * (0.95 if not (run == "dmts" and seed == 3) else 0.5)
            rows.append(dict(run=run, seed=seed, task=run, validation_score=score, mse=0.01,
                             ideal_score=ideal, score_fraction_of_ideal=score / ideal,
                             n_trials=256))
    return _frame(rows, "task_performance")


def _points(rng) -> pd.DataFrame:
    rows = []
    for condition in ("hold", "recall"):
        for point, angle in enumerate(np.linspace(0, 2 * np.pi, 40, endpoint=False)):
            rows.append(dict(run="memory_anti_angle", seed=1, task="memory_anti_angle",
                             input_condition=condition, point=point, mode="slow",
                             rhs_squared_norm=1e-10, stability="marginal",
                             max_real_eigenvalue=0.0, n_unstable=0, eigenvalues_real=[0.0],
                             eigenvalues_imag=[0.0], state=[0.0], pc1=3 * np.cos(angle),
                             pc2=3 * np.sin(angle), pc3=0.0))
    return _frame(rows, "equilibria")


@pytest.fixture(scope="module")
def tables():
    rng = np.random.default_rng(0)
    analytics, performance = _analytics(rng), _performance(rng)
    return dict(
        analytics=analytics, performance=performance, points=_points(rng),
        summary=aggregate("rnnlab.studies.ctrnn_zoo.aggregates:zoo_attractors",
                          {"attractor_analytics": analytics}, seed=0, n_resamples=200),
        trained=aggregate("rnnlab.studies.ctrnn_zoo.aggregates:zoo_performance",
                          {"task_performance": performance}, seed=0, n_resamples=200),
    )


def _draw(name, t):
    if name == "attractor_verdicts":
        return verdicts.attractor_verdicts(t["analytics"], t["performance"], t["summary"],
                                           t["trained"])
    if name == "output_geometry":
        return verdicts.output_geometry(t["summary"], t["analytics"])
    angle = t["analytics"][t["analytics"]["run"] == "memory_anti_angle"]
    return closure.ring_closure(angle, t["points"])


def _one_seed(t):
    keep = {k: v[v["seed"] == 1] if "seed" in v else v for k, v in t.items()}
    keep["summary"] = aggregate("rnnlab.studies.ctrnn_zoo.aggregates:zoo_attractors",
                                {"attractor_analytics": keep["analytics"]}, 0, 200)
    keep["trained"] = aggregate("rnnlab.studies.ctrnn_zoo.aggregates:zoo_performance",
                                {"task_performance": keep["performance"]}, 0, 200)
    return keep


def _empty():
    return dict(analytics=empty_frame("attractor_analytics"),
                performance=empty_frame("task_performance"), points=empty_frame("equilibria"),
                summary=aggregate("rnnlab.studies.ctrnn_zoo.aggregates:zoo_attractors",
                                  {"attractor_analytics": empty_frame("attractor_analytics")},
                                  0, 200),
                trained=pd.DataFrame(columns=["interval", "run", "task", "quantity", "mean",
                                              "ci_low", "ci_high", "n"]))


NAMES = ("attractor_verdicts", "output_geometry", "ring_closure")


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("which", ["seeds", "one_seed", "empty"])
def test_figures_have_no_layout_defects(name, which, tables, tmp_path):
    t = {"seeds": tables, "one_seed": _one_seed(tables), "empty": _empty()}[which]
    figure = _draw(name, t)
    defects = figure_defects(figure)
    assert defects == [], "\n".join(defects)
    assert save_figure(figure, tmp_path / f"{name}.png").stat().st_size > 3000


def test_verdicts_aggregate_counts_seeds_with_exact_intervals(tables):
    summary = tables["summary"]
    colour = summary[(summary["run"] == "cddm") & (summary["input_condition"] == "colour_context")
                     & (summary["quantity"] == "is_line_attractor")].iloc[0]
    assert colour["interval"] == "clopper_pearson"
    assert colour["mean"] == pytest.approx(2 / 3) and colour["n"] == 3
    assert colour["ci_low"] == pytest.approx(0.0943, abs=1e-3)
    assert colour["ci_high"] == pytest.approx(0.9916, abs=1e-3)
    alignment = summary[(summary["analysis"] == "output")
                        & (summary["quantity"] == "readout_alignment")]
    assert set(alignment["interval"]) == {"bootstrap"}
    assert (alignment["ci_low"] <= alignment["mean"]).all()
    trained = tables["trained"]
    dmts = trained[(trained["run"] == "dmts") & (trained["quantity"] == "is_trained")].iloc[0]
    assert dmts["mean"] == pytest.approx(2 / 3)


def test_verdict_rows_and_their_counts(tables):
    figure = _draw("attractor_verdicts", tables)
    left, right = figure.axes[0], figure.axes[1]
    labels = [t.get_text() for t in left.get_yticklabels()]
    counts = [t.get_text() for t in right.get_yticklabels()]
    assert "CDDM: line attractor, colour ctx" in labels
    assert "memory-anti angle: closed ring, hold" in labels
    assert "3-bit flip-flop: cube (8 stable, ≥ 12 saddles), no input" in labels
    assert counts[labels.index("CDDM: line attractor, colour ctx")] == "2/3  [0.09, 0.99]"
    assert counts[labels.index("DMTS: trained")].startswith("2/3")


def test_cddm_line_title_gives_selection_cosines_as_magnitudes():
    # The line's orientation (its first principal axis) is arbitrary, so is the cosines' sign.
    from rnnlab.studies.ctrnn_zoo.figures.cddm import _line_verdict

    values = {"is_line_attractor": 1.0, "held_coverage": 0.9, "marginal_time_constant_ms": 4000.0,
              "selection_cosine_relevant_mean": -0.61, "selection_cosine_irrelevant_mean": 0.04}
    summary = pd.DataFrame({"point": -1, "quantity": list(values), "value": list(values.values())})
    title = _line_verdict(summary)
    assert title.splitlines()[0] == "line attractor"
    assert "selection |cos|: relevant 0.61, irrelevant 0.04" in title
