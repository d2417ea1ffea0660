"""The fixed-point sweep's ring panels: the memory-period geometry (rnnlab.analysis.
memory_period) on constructed states whose delay holds a known ring, the fixed_points stage's
delay tables on a real (tiny) dlygo network, and the figure on synthetic tables (several
networks, one, none)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rnnlab.analysis.memory_period import memory_period
from rnnlab.experiment import train_run
from rnnlab.plotting.checks import figure_defects
from rnnlab.studies.ei_modcog.figures.rings import fixed_point_rings, stimulus_direction
from rnnlab.studies.ei_modcog.stages.fixed_points import fixed_points
from rnnlab.studies.ei_modcog.tasks import make_task
from rnnlab.tables import check_frame


def ring_states(batch, radius=2.0, n_units=6, seed=0):
    """States (B, T, N) that sit, during the delay, at radius·(cos θ, sin θ) in a random plane
    of N dimensions (θ: the trial's direction) plus a small offset growing with the step,
    and at 0 elsewhere."""
    rng = np.random.default_rng(seed)
    plane, _ = np.linalg.qr(rng.normal(size=(n_units, 2)))
    states = np.zeros(batch.inputs.shape[:2] + (n_units,))
    theta = batch.conditions["direction"].to_numpy()
    start, stop = batch.periods["delay"].T
    for b in range(batch.batch_size):
        for t in range(start[b], stop[b]):
            states[b, t] = plane @ (radius * np.array([np.cos(theta[b]), np.sin(theta[b])])) \
                + 0.01 * (t - start[b]) * plane[:, 0]
    return states, plane


def test_memory_period_finds_the_ring_held_in_the_delay():
    task = make_task("dlygo")
    batch = task.sample(np.random.default_rng(1), 96)
    states, plane = ring_states(batch)
    memory = memory_period(batch, states, "delay")
    # The ring spans the first two PCs: nearly all the delay variance, none on PC 3.
    assert memory.variance[:2].sum() == pytest.approx(1.0, abs=1e-6)
    assert memory.variance[2] == pytest.approx(0.0, abs=1e-9)
    table = memory.trajectories
    assert set(table["period_step"]) == set(range(5))  # the thesis' 500-ms delay, dt 100
    conditions = table[["direction", "modality"]].drop_duplicates()
    observed = batch.conditions[["direction", "modality"]].drop_duplicates()
    assert len(conditions) == len(observed)
    # The delay ends, in order of direction, go once around the origin of the PC plane.
    ends = table[(table.period_step == 4) & (table.modality == 0)].sort_values("direction")
    angles = np.unwrap(np.arctan2(ends["pc2"], ends["pc1"]))
    assert abs(angles[-1] - angles[0]) > 1.6 * np.pi
    assert np.allclose(np.hypot(ends["pc1"], ends["pc2"]), 2.0, atol=0.1)
    # n_trials counts the trials of each condition; the points' projection is the same map.
    counts = batch.conditions.groupby(["direction", "modality"]).size()
    first = table[table.period_step == 0].set_index(["direction", "modality"])["n_trials"]
    assert first.sort_index().tolist() == counts.sort_index().tolist()
    held = plane @ np.array([2.0, 0.0])
    projected = memory.project(held[None, :])[0]
    assert np.hypot(*projected[:2]) == pytest.approx(2.0, abs=0.1)


def test_without_the_period_there_is_no_ring_and_no_projection():
    task = make_task("dm1")
    batch = task.sample(np.random.default_rng(1), 8)
    memory = memory_period(batch, np.zeros(batch.inputs.shape[:2] + (4,)), "delay")
    assert memory.trajectories.empty and np.isnan(memory.variance).all()
    assert np.isnan(memory.project(np.ones((3, 4)))).all()


def test_the_stage_writes_the_delay_tables_of_a_trained_dlygo_network(tmp_path):
    run_config = {
        "study": "ei_modcog", "run": "inhibition_0.2",
        "task": {"name": "dlygo"},
        "model": {"hidden_size": 16, "nonlinearity": "tanh", "leak": 0.8,
                  "excitatory_fraction": 0.8},
        "optimizer": {"name": "eg"},
        "training": {"steps": 3, "batch_size": 8, "checkpoint_fractions": [1.0]},
    }
    train_run(run_config, 1, tmp_path / "checkpoints")
    tables = fixed_points(
        tmp_path / "checkpoints", 0.2, input_conditions=["fixation", "stimulus_0", "stimulus_8"],
        n_trials=32, n_initial_states=16, n_example_trials=2,
        finder={"adam_steps": 30, "refine_steps": 10},
    )
    for name, frame in tables.items():
        check_frame(frame, name, name)
    points, delays = tables["fixed_points"], tables["delay_trajectories"]
    assert len(points) and np.isfinite(points[["delay_pc1", "delay_pc2"]]).all().all()
    assert set(points["input_condition"]) <= {"fixation", "stimulus_0", "stimulus_8"}
    assert set(delays["period_step"]) == set(range(5)) and (delays["inhibitory_fraction"] == 0.2).all()
    assert delays["direction"].nunique() > 8  # 32 trials over 16 directions and two rings
    # Ring-only conditions: searched on the ring panels' network (seed 1) only.
    ring = dict(input_conditions=["fixation"], n_trials=32, n_initial_states=16,
                finder={"adam_steps": 30, "refine_steps": 10}, ring_conditions=["stimulus_4"],
                ring_initial_states=8)
    drawn = fixed_points(tmp_path / "checkpoints", 0.2, ring_seed=1, **ring)
    other = fixed_points(tmp_path / "checkpoints", 0.2, ring_seed=2, **ring)
    searched = drawn["fixed_point_search"].set_index("input_condition")["n_initial"].to_dict()
    assert searched == {"fixation": 16, "stimulus_4": 8}
    assert set(other["fixed_point_search"]["input_condition"]) == {"fixation"}
    # Delay PCs of the same states: the points of the delay input lie in the trajectories' range.
    fixation = points[points.input_condition == "fixation"]
    span = np.abs(delays[["pc1", "pc2"]]).to_numpy().max()
    assert np.abs(fixation[["delay_pc1", "delay_pc2"]]).to_numpy().max() < 100 * max(span, 1e-3)


def test_motif_counts_pool_the_stimulus_inputs_per_network():
    from rnnlab.studies.ei_modcog.aggregates import fixed_point_counts

    searches = pd.DataFrame([dict(run="inhibition_0.2", seed=seed, inhibitory_fraction=0.2,
                                  input_condition=c)
                             for seed in (1, 2) for c in ("fixation", "stimulus_0", "stimulus_8")])
    # Seed 1: stimulus_0 two stable points, stimulus_8 none (mean 1); seed 2: one each (mean 1);
    # fixation: seed 1 three saddles, seed 2 one.
    rows = [(1, "stimulus_0", "stable")] * 2 + [(2, "stimulus_0", "stable"),
                                                (2, "stimulus_8", "stable")]
    rows += [(1, "fixation", "saddle")] * 3 + [(2, "fixation", "saddle")]
    points = pd.DataFrame([dict(run="inhibition_0.2", seed=s, inhibitory_fraction=0.2,
                                input_condition=c, motif=m, kind="fixed") for s, c, m in rows])
    counts = fixed_point_counts({"fixed_points": points, "fixed_point_search": searches}, 0, 200)
    assert set(counts["input_condition"]) == {"fixation", "stimulus (mean over 2 θ)"}
    pooled = counts[(counts.input_condition == "stimulus (mean over 2 θ)")
                    & (counts.motif == "stable")]
    assert pooled["mean"].item() == 1.0 and pooled["n"].item() == 2
    saddles = counts[(counts.input_condition == "fixation") & (counts.motif == "saddle")]
    assert saddles["mean"].item() == 2.0


# ----------------------------------------------------------------------------- figure


def synthetic(n_fractions=4, seeds=(1, 2)):
    rng = np.random.default_rng(0)
    points, delays, networks = [], [], []
    for f_index in range(n_fractions):
        fraction = 0.1 * (f_index + 1)
        run = f"inhibition_{fraction:g}"
        for seed in seeds:
            networks.append(dict(run=run, inhibitory_fraction=fraction, seed=seed,
                                 quantity="final_accuracy", mean=0.2 + 0.2 * f_index,
                                 ci_low=np.nan, ci_high=np.nan, n=1))
        seed = seeds[0]
        for k in range(0, 16, 4):
            theta = 2 * np.pi * k / 16
            points.append(dict(run=run, seed=seed, inhibitory_fraction=fraction,
                               input_condition=f"stimulus_{k}", motif="stable",
                               is_converged=True, kind="fixed",
                               delay_pc1=3 * np.cos(theta), delay_pc2=3 * np.sin(theta)))
        for index in range(6):
            theta = 2 * np.pi * index / 6
            points.append(dict(run=run, seed=seed, inhibitory_fraction=fraction,
                               input_condition="fixation",
                               motif=("stable", "saddle")[index % 2], is_converged=index != 5,
                               kind="fixed" if index != 5 else "slow",
                               delay_pc1=2 * np.cos(theta), delay_pc2=2 * np.sin(theta)))
        points.append(dict(run=run, seed=seed, inhibitory_fraction=fraction,
                           input_condition="go", motif="stable", is_converged=True, kind="fixed",
                           delay_pc1=0.0, delay_pc2=-4.0))
        for k in range(16):
            theta = 2 * np.pi * k / 16
            for modality in (0, 1):
                for step in range(5):
                    radius = 0.5 + 0.35 * step + 0.05 * rng.normal()
                    delays.append(dict(run=run, seed=seed, inhibitory_fraction=fraction,
                                       direction=theta, modality=modality, period_step=step,
                                       n_trials=2, pc1=radius * np.cos(theta),
                                       pc2=radius * np.sin(theta), pc3=0.0, variance_pc1=0.45,
                                       variance_pc2=0.4, variance_pc3=0.05))
    return pd.DataFrame(points), pd.DataFrame(delays), pd.DataFrame(networks)


@pytest.mark.parametrize("case", ["four networks", "one network", "no stimulus points", "empty"])
def test_ring_figure_has_no_layout_defects(case):
    points, delays, networks = synthetic(1 if case == "one network" else 4)
    if case == "no stimulus points":
        points = points[~points.input_condition.str.startswith("stimulus")]
    if case == "empty":
        points, delays, networks = points.iloc[0:0], delays.iloc[0:0], networks.iloc[0:0]
    figure = fixed_point_rings(points, delays, networks, criterion=0.5)
    assert figure_defects(figure) == []


def test_ring_figure_colours_points_by_their_stimulus_direction_and_marks_low_accuracy():
    points, delays, networks = synthetic(2)
    figure = fixed_point_rings(points, delays, networks, criterion=0.3)
    top = figure.axes[0]
    stimulus = [c for c in top.collections if len(c.get_offsets()) == 4][0]
    hues = [tuple(np.round(c[:3], 3)) for c in stimulus.get_facecolors()]
    assert len(set(hues)) == 4  # four directions, four colours
    assert "accuracy 0.20 < criterion 0.3" in top.get_title()
    assert "accuracy 0.40" in figure.axes[1].get_title()
    assert "criterion" not in figure.axes[1].get_title()
    # 16 direction-coloured delay trajectories (ring 1) in the bottom panel of each network.
    bottom = figure.axes[2]
    coloured = [line for line in bottom.lines if line.get_linestyle() == "-"]
    assert len(coloured) == 16
    assert stimulus_direction("stimulus_4") == pytest.approx(np.pi / 2)
    assert np.isnan(stimulus_direction("fixation"))
