"""Tests for Yang et al. 2019's ring task generators (rnnlab.studies.ei_modcog.tasks:
dm1_yang2019, dlygo_yang2019); the thesis' Mod-Cog family is tested in tests/test_modcog.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rnnlab.studies.ei_modcog.tasks import (
    N_RING,
    RING1_CHANNELS,
    RING2_CHANNELS,
    RING_DIRECTIONS,
    TASKS,
    DlyGoTask,
    DM1Task,
    make_task,
    ring_bump,
)
from rnnlab.tasks import TaskBatch

TASK_NAMES = ["dm1_yang2019", "dlygo_yang2019"]

DM1_COLUMNS = [
    "trial", "direction_1", "direction_2", "strength_1", "strength_2", "coherence",
    "signed_coherence", "fixation_steps", "stimulus_steps", "decision_steps", "label",
    "target_direction",
]  # fmt: skip
DLYGO_COLUMNS = [
    "trial", "direction", "fixation_steps", "stimulus_steps", "delay_steps", "decision_steps",
    "label", "target_direction",
]  # fmt: skip


def _sample(name: str, seed: int = 0, batch_size: int = 64, **params) -> TaskBatch:
    return make_task(name, **params).sample(np.random.default_rng(seed), batch_size)


def _trial_lengths(batch: TaskBatch) -> np.ndarray:
    return batch.periods["decision"][:, 1]


# ----------------------------------------------------------------------------- shapes and dtypes


@pytest.mark.parametrize("name", TASK_NAMES)
def test_shapes_and_dtypes(name):
    task = make_task(name)
    assert task.name == name
    assert (task.input_size, task.output_size, task.dt_ms) == (33, 17, 100.0)
    batch = task.sample(np.random.default_rng(0), 32)
    B, T = 32, batch.n_steps
    assert batch.batch_size == B
    assert batch.inputs.shape == (B, T, 33) and batch.inputs.dtype == np.float32
    assert batch.labels.shape == (B, T) and batch.labels.dtype == np.int64
    assert batch.loss_mask.shape == (B, T) and batch.loss_mask.dtype == np.bool_
    assert batch.decision_mask.shape == (B, T) and batch.decision_mask.dtype == np.bool_
    assert batch.targets is None
    assert isinstance(batch.conditions, pd.DataFrame) and len(batch.conditions) == B
    expected = DM1_COLUMNS if name == "dm1_yang2019" else DLYGO_COLUMNS
    assert list(batch.conditions.columns) == expected
    expected_periods = ["fixation", "stimulus", "decision"]
    if name == "dlygo_yang2019":
        expected_periods.insert(2, "delay")
    assert list(batch.periods) == expected_periods
    for bounds in batch.periods.values():
        assert bounds.shape == (B, 2) and bounds.dtype == np.int64
    # T is the longest trial and never exceeds the longest possible trial.
    assert T == _trial_lengths(batch).max() <= task.max_n_steps
    assert np.all(np.isfinite(batch.inputs))


def test_ring_directions():
    task = make_task("dm1_yang2019")
    np.testing.assert_allclose(task.ring_directions, 2 * np.pi * np.arange(16) / 16)
    task.ring_directions[0] = 99.0  # a copy: the module constant is untouched
    assert RING_DIRECTIONS[0] == 0.0


# ----------------------------------------------------------------------------- reproducibility


@pytest.mark.parametrize("name", TASK_NAMES)
def test_same_seed_same_batch_different_seed_different(name):
    a, b, c = _sample(name, 7), _sample(name, 7), _sample(name, 8)
    for field in ("inputs", "labels", "loss_mask", "decision_mask"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    pd.testing.assert_frame_equal(a.conditions, b.conditions)
    for key in a.periods:
        np.testing.assert_array_equal(a.periods[key], b.periods[key])
    assert not a.conditions.equals(c.conditions)
    assert a.inputs.shape != c.inputs.shape or not np.array_equal(a.inputs, c.inputs)


@pytest.mark.parametrize("name", TASK_NAMES)
def test_global_rng_untouched(name):
    np.random.seed(123)
    state = np.random.get_state()[1].copy()
    _sample(name, 0)
    np.testing.assert_array_equal(np.random.get_state()[1], state)


def test_rng_must_be_generator():
    with pytest.raises(TypeError, match="Generator"):
        make_task("dm1_yang2019").sample(0, 4)


# ----------------------------------------------------------------------------- period structure


@pytest.mark.parametrize("name", TASK_NAMES)
@pytest.mark.parametrize("noise", [0.0, 0.1])
def test_period_structure(name, noise):
    batch = _sample(name, seed=3, batch_size=48, input_noise_std=noise)
    cond = batch.conditions
    T = batch.n_steps
    t = np.arange(T)
    names = list(batch.periods)
    for b in range(batch.batch_size):
        # Periods tile [0, trial end) contiguously, with the durations reported in conditions.
        previous_stop = 0
        for period in names:
            start, stop = batch.periods[period][b]
            assert start == previous_stop
            assert stop - start == cond.at[b, f"{period}_steps"]
            previous_stop = stop
        dec_start, end = batch.periods["decision"][b]
        before, decision, padding = t < dec_start, (t >= dec_start) & (t < end), t >= end

        np.testing.assert_array_equal(batch.decision_mask[b], decision)
        np.testing.assert_array_equal(batch.loss_mask[b], ~padding)
        assert np.all(batch.labels[b, ~decision] == 0)
        assert np.all(batch.labels[b, decision] == cond.at[b, "label"])
        assert 1 <= cond.at[b, "label"] <= N_RING
        np.testing.assert_allclose(
            cond.at[b, "target_direction"], RING_DIRECTIONS[cond.at[b, "label"] - 1]
        )
        # Padding: exactly zero input (no noise).
        assert np.all(batch.inputs[b, padding] == 0)
        fixation = batch.inputs[b, :, 0]
        if noise == 0:
            np.testing.assert_array_equal(fixation[before], 1.0)
            np.testing.assert_array_equal(fixation[decision], 0.0)
        else:
            # Noise on every in-trial step and channel, and fixation 1 → 0 at decision.
            assert np.all(batch.inputs[b, ~padding] != 0)
            assert abs(fixation[before].mean() - 1) < 0.2
            assert abs(fixation[decision].mean()) < 0.2
    # Trials differ in length, so some padding exists in a batch this size.
    assert (~batch.loss_mask).any()


def test_noise_level():
    batch = _sample("dlygo_yang2019", seed=1, batch_size=512, input_noise_std=0.1)
    clean = make_task("dlygo_yang2019", input_noise_std=0.0)
    # Ring 2 is never driven in dlygo: in-trial ring-2 input is pure noise.
    noise = batch.inputs[:, :, RING2_CHANNELS][batch.loss_mask]
    assert noise.size > 10_000
    assert abs(noise.std() - 0.1) < 0.005
    assert abs(noise.mean()) < 0.005
    assert clean.input_noise_std == 0.0


# ----------------------------------------------------------------------------- dm1


def test_dm1_target_is_stronger_stimulus():
    batch = _sample("dm1_yang2019", seed=5, batch_size=256, input_noise_std=0.0)
    cond = batch.conditions
    stronger_is_1 = cond["strength_1"] > cond["strength_2"]
    np.testing.assert_array_equal(stronger_is_1, cond["signed_coherence"] > 0)
    expected = np.where(stronger_is_1, cond["direction_1"], cond["direction_2"])
    np.testing.assert_allclose(cond["target_direction"], expected)
    np.testing.assert_allclose(cond["coherence"], cond["signed_coherence"].abs())
    assert set(np.round(cond["coherence"], 6)) == {0.08, 0.16, 0.32}
    assert (cond["signed_coherence"] > 0).any() and (cond["signed_coherence"] < 0).any()
    mean = (cond["strength_1"] + cond["strength_2"]) / 2
    assert mean.between(0.8, 1.2).all()
    np.testing.assert_allclose(
        cond["strength_1"] - cond["strength_2"], 2 * cond["signed_coherence"]
    )

    # The two directions lie on the grid, ≥ 90° apart (offset 4..12 grid steps), all offsets used.
    step = 2 * np.pi / N_RING
    index_1 = np.rint(cond["direction_1"] / step).astype(int)
    index_2 = np.rint(cond["direction_2"] / step).astype(int)
    np.testing.assert_allclose(cond["direction_1"], index_1 * step)
    assert set((index_2 - index_1) % N_RING) == set(range(4, 13))

    # In the (noise-free) input, the target unit receives more drive than the other stimulus'
    # unit, and the ring shows exactly the two bumps during the stimulus period and nothing
    # outside it.
    for b in range(batch.batch_size):
        start, stop = batch.periods["stimulus"][b]
        ring1 = batch.inputs[b, :, RING1_CHANNELS]
        target = cond.at[b, "label"] - 1
        other = index_2[b] if target == index_1[b] else index_1[b]
        assert ring1[start, target] > ring1[start, other]
        expected_ring = ring_bump(cond.at[b, "direction_1"], cond.at[b, "strength_1"])[0] + (
            ring_bump(cond.at[b, "direction_2"], cond.at[b, "strength_2"])[0]
        )
        np.testing.assert_allclose(ring1[start:stop], np.tile(expected_ring, (stop - start, 1)))
        assert np.all(ring1[:start] == 0) and np.all(ring1[stop:] == 0)
    assert np.all(batch.inputs[:, :, RING2_CHANNELS] == 0)


def test_dm1_custom_coherences():
    batch = _sample("dm1_yang2019", batch_size=200, coherences=[0.5])
    np.testing.assert_allclose(batch.conditions["coherence"], 0.5)


# ----------------------------------------------------------------------------- dlygo


def test_dlygo_stimulus_only_during_stimulus_period():
    batch = _sample("dlygo_yang2019", seed=2, batch_size=128, input_noise_std=0.0)
    cond = batch.conditions
    for b in range(batch.batch_size):
        ring = batch.inputs[b, :, 1:]
        stim_start, stim_stop = batch.periods["stimulus"][b]
        delay_start, delay_stop = batch.periods["delay"][b]
        assert delay_start == stim_stop and delay_stop > delay_start
        # Exact zeros on both rings during fixation, delay, decision and padding.
        assert np.all(ring[:stim_start] == 0)
        assert np.all(ring[stim_stop:] == 0)
        # During the stimulus: a strength-1 bump at the trial's direction on ring 1, peak 0.8.
        bump = ring_bump(cond.at[b, "direction"], 1.0)[0]
        np.testing.assert_allclose(
            ring[stim_start:stim_stop, :N_RING], np.tile(bump, (stim_stop - stim_start, 1))
        )
        assert np.all(ring[stim_start:stim_stop, N_RING:] == 0)
        assert np.argmax(bump) == cond.at[b, "label"] - 1
        np.testing.assert_allclose(bump.max(), 0.8, rtol=1e-6)
        # Fixation on through the delay, off at decision.
        assert np.all(batch.inputs[b, :delay_stop, 0] == 1)
        assert np.all(batch.inputs[b, delay_stop:, 0] == 0)
    np.testing.assert_allclose(cond["target_direction"], cond["direction"])


# ----------------------------------------------------------------------------- durations


@pytest.mark.parametrize(
    "name, allowed",
    [
        ("dm1_yang2019", {"fixation": {2, 3, 4, 5}, "stimulus": {4, 8, 16}, "decision": {5}}),
        (
            "dlygo_yang2019",
            {
                "fixation": {2, 3, 4, 5},
                "stimulus": {3, 5, 7},
                "delay": {2, 4, 8, 16},
                "decision": {5},
            },
        ),
    ],
)
def test_durations_from_allowed_sets(name, allowed):
    batch = _sample(name, seed=11, batch_size=2000)
    for period, values in allowed.items():
        drawn = batch.periods[period][:, 1] - batch.periods[period][:, 0]
        assert set(drawn) == values  # only allowed values, and every one of them occurs
        np.testing.assert_array_equal(drawn, batch.conditions[f"{period}_steps"])
    assert batch.n_steps == sum(max(v) for v in allowed.values())
    # Directions: every grid direction is used.
    assert set(batch.conditions["label"]) == set(range(1, N_RING + 1))


def test_custom_durations_and_rounding():
    task = make_task("dlygo_yang2019", delay_ms=[0, 1000], fixation_ms=250, dt_ms=100.0)
    assert task.delay_ms == (0.0, 1000.0)
    assert task.duration_steps("fixation") == (2,)  # round(2.5) = 2 (round half to even)
    batch = task.sample(np.random.default_rng(0), 300)
    assert set(batch.conditions["delay_steps"]) == {0, 10}
    task20 = make_task("dm1_yang2019", dt_ms=20.0)
    assert task20.duration_steps("decision") == (25,)
    with pytest.raises(ValueError, match="non-negative"):
        make_task("dm1_yang2019", stimulus_ms=[-100])
    with pytest.raises(ValueError, match="decision"):
        make_task("dm1_yang2019", decision_ms=0)


# ----------------------------------------------------------------------------- registry


def test_make_task_known_and_unknown():
    assert {"dlygo_yang2019", "dm1_yang2019", "dm1", "dlygo"} <= set(TASKS.names())
    assert len(TASKS.names()) == 93 + 2  # the thesis' Mod-Cog names and the two Yang variants
    assert isinstance(make_task("dm1_yang2019"), DM1Task)
    assert isinstance(make_task("dlygo_yang2019", input_noise_std=0.0), DlyGoTask)
    with pytest.raises(ValueError, match=r"unknown task 'nope'.*dlygo.*dm1"):
        make_task("nope")
    with pytest.raises(TypeError):
        make_task("dm1_yang2019", not_a_parameter=1)


# ----------------------------------------------------------------------------- fixed points


@pytest.mark.parametrize("name", TASK_NAMES)
def test_fixed_point_inputs(name):
    task = make_task(name)
    fixation = task.fixed_point_inputs("fixation")
    assert fixation.shape == (33,) and fixation.dtype == np.float32
    assert fixation[0] == 1 and np.all(fixation[1:] == 0)
    go = task.fixed_point_inputs("go")
    assert go.shape == (33,) and np.all(go == 0)
    for k in range(N_RING):
        x = task.fixed_point_inputs(f"stimulus_{k}")
        assert x.shape == (33,) and x.dtype == np.float32
        assert x[0] == 1
        assert np.argmax(x[RING1_CHANNELS]) == k
        np.testing.assert_allclose(x[RING1_CHANNELS], ring_bump(RING_DIRECTIONS[k], 1.0)[0])
        np.testing.assert_allclose(x[1 + k], 0.8, rtol=1e-6)
        assert np.all(x[RING2_CHANNELS] == 0)
    assert len(task.fixed_point_conditions) == 2 + N_RING
    for bad in ("stimulus_16", "stimulus_x", "delay"):
        with pytest.raises(ValueError, match="fixed-point condition"):
            task.fixed_point_inputs(bad)


def test_fixed_point_stimulus_matches_dlygo_stimulus_period():
    task = make_task("dlygo_yang2019", input_noise_std=0.0)
    batch = task.sample(np.random.default_rng(4), 32)
    for b in range(batch.batch_size):
        k = batch.conditions.at[b, "label"] - 1
        start, _ = batch.periods["stimulus"][b]
        np.testing.assert_array_equal(
            batch.inputs[b, start], task.fixed_point_inputs(f"stimulus_{k}")
        )
        delay_start, _ = batch.periods["delay"][b]
        np.testing.assert_array_equal(
            batch.inputs[b, delay_start], task.fixed_point_inputs("fixation")
        )
        dec_start, _ = batch.periods["decision"][b]
        np.testing.assert_array_equal(batch.inputs[b, dec_start], task.fixed_point_inputs("go"))


def test_ring_bump_circular_distance():
    # Unit 15 and unit 1 are both one grid step from direction 0.
    bump = ring_bump(0.0, 1.0)[0]
    np.testing.assert_allclose(bump[1], bump[15])
    np.testing.assert_allclose(bump[1], 0.8 * np.exp(-0.5), rtol=1e-6)
    np.testing.assert_allclose(bump[8], 0.8 * np.exp(-32), rtol=1e-5)
