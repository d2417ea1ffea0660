"""Tests for the CTRNN task-zoo generators (rnnlab.studies.ctrnn_zoo.tasks)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rnnlab.studies.ctrnn_zoo.tasks import (
    CDDM_COHERENCES,
    TASKS,
    CDDMTask,
    DMTSTask,
    MemoryAntiAngleTask,
    MemoryAntiNumberTask,
    ThreeBitFlipFlopTask,
    make_task,
)
from rnnlab.tasks import TaskBatch

ZOO = {
    "cddm": (CDDMTask, 6, 2, "decision", 150),
    "dmts": (DMTSTask, 2, 2, "decision", 150),
    "three_bit_flip_flop": (ThreeBitFlipFlopTask, 3, 3, "hold", 200),
    "memory_anti_number": (MemoryAntiNumberTask, 2, 1, "recall", 150),
    "memory_anti_angle": (MemoryAntiAngleTask, 3, 2, "recall", 150),
}
NAMES = list(ZOO)
TABLE_SIZES = {
    "cddm": 450, "dmts": 4, "three_bit_flip_flop": 8, "memory_anti_number": 32,
    "memory_anti_angle": 36,
}  # fmt: skip


def _sample(name: str, seed: int = 0, batch_size: int = 64, **params) -> TaskBatch:
    return make_task(name, **params).sample(np.random.default_rng(seed), batch_size)


# ----------------------------------------------------------------------------- registry, shapes


def test_registered():
    assert sorted(NAMES) == TASKS.names()
    for name, (cls, *_rest) in ZOO.items():
        assert isinstance(make_task(name), cls)


@pytest.mark.parametrize("name", NAMES)
def test_shapes_and_dtypes(name):
    _cls, n_in, n_out, decision, n_steps = ZOO[name]
    task = make_task(name)
    assert (task.name, task.input_size, task.output_size, task.dt_ms) == (name, n_in, n_out, 10.0)
    assert task.decision_period == decision and task.n_steps == task.max_n_steps == n_steps
    assert task.input_noise_std == 0.0
    batch = task.sample(np.random.default_rng(0), 32)
    B, T = 32, n_steps
    assert batch.inputs.shape == (B, T, n_in) and batch.inputs.dtype == np.float32
    assert batch.targets.shape == (B, T, n_out) and batch.targets.dtype == np.float32
    assert batch.labels is None
    for mask in (batch.loss_mask, batch.decision_mask):
        assert mask.shape == (B, T) and mask.dtype == np.bool_
    assert isinstance(batch.conditions, pd.DataFrame) and len(batch.conditions) == B
    assert list(batch.conditions["trial"]) == list(range(B))
    assert batch.metadata == {"task": name, "dt_ms": 10.0, "input_noise_std": 0.0}
    assert np.all(np.isfinite(batch.inputs)) and np.all(np.isfinite(batch.targets))


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_batch_different_seed_different(name):
    a, b, c = (_sample(name, s, input_noise_std=0.05) for s in (7, 7, 8))
    for field in ("inputs", "targets", "loss_mask", "decision_mask"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    pd.testing.assert_frame_equal(a.conditions, b.conditions)
    assert not np.array_equal(a.inputs, c.inputs)
    assert not a.conditions.equals(c.conditions)


@pytest.mark.parametrize("name", NAMES)
def test_global_rng_untouched_and_generator_required(name):
    np.random.seed(123)
    state = np.random.get_state()[1].copy()
    _sample(name, 0)
    np.testing.assert_array_equal(np.random.get_state()[1], state)
    task = make_task(name)
    with pytest.raises(TypeError, match="Generator"):
        task.sample(0, 4)
    with pytest.raises(TypeError, match="Generator"):
        task.sample_conditions(task.condition_table(), 0)


# ----------------------------------------------------------------------------- periods, masks


@pytest.mark.parametrize("name", NAMES)
def test_periods_tile_the_trial_and_masks(name):
    task = make_task(name)
    batch = task.sample(np.random.default_rng(1), 16)
    T, t = batch.n_steps, np.arange(batch.n_steps)
    previous = 0
    for bounds in batch.periods.values():
        assert bounds.shape == (16, 2) and bounds.dtype == np.int64
        assert np.all(bounds[:, 0] == previous)
        previous = bounds[0, 1]
    assert previous == T
    start, stop = batch.periods[task.decision_period][0]
    np.testing.assert_array_equal(batch.decision_mask, np.tile((t >= start) & (t < stop), (16, 1)))
    if name != "three_bit_flip_flop":
        grace = (t >= start) & (t < start + task.grace_steps)
        np.testing.assert_array_equal(batch.loss_mask, np.tile(~grace, (16, 1)))
        # Targets are zero before the response period.
        assert np.all(batch.targets[:, :start] == 0)


def test_default_period_boundaries_in_steps():
    steps = {name: make_task(name).period_steps() for name in NAMES}
    assert steps["cddm"] == {"cue": (0, 50), "stimulus": (50, 100), "decision": (100, 150)}
    memory = {"fixation": (0, 10), "stimulus": (10, 40), "delay": (40, 100), "recall": (100, 150)}
    assert steps["memory_anti_number"] == steps["memory_anti_angle"] == memory
    dmts = {"fixation": (0, 10), "sample": (10, 40), "delay": (40, 100), "decision": (100, 150)}
    assert steps["dmts"] == dmts
    assert steps["three_bit_flip_flop"] == {"initial_pulse": (0, 5), "hold": (5, 200)}
    task = make_task("cddm", dt_ms=20.0, grace_ms=0.0)
    assert task.n_steps == 75 and task.period_steps()["decision"] == (50, 75)
    assert task.sample(np.random.default_rng(0), 3).loss_mask.all()


@pytest.mark.parametrize(
    "name, params",
    [
        ("cddm", {"stim_on_ms": 1200.0}),  # after decision onset
        ("cddm", {"decision_on_ms": 1500.0}),  # empty decision
        ("dmts", {"sample_off_ms": 50.0}),
        ("memory_anti_angle", {"recall_on_ms": 2000.0}),
        ("three_bit_flip_flop", {"refractory_ms": 20.0}),
        ("cddm", {"dt_ms": 0.0}),
        ("cddm", {"input_noise_std": -1.0}),
    ],
)
def test_bad_parameters_rejected(name, params):
    with pytest.raises(ValueError):
        make_task(name, **params)


def test_input_noise():
    task = make_task("memory_anti_number", input_noise_std=0.2)
    clean = make_task("memory_anti_number")
    table = task.condition_table()
    noisy = task.sample_conditions(table, np.random.default_rng(0))
    exact = clean.sample_conditions(table, np.random.default_rng(0))
    noise = noisy.inputs - exact.inputs
    assert abs(noise.std() - 0.2) < 0.01 and abs(noise.mean()) < 0.01
    np.testing.assert_array_equal(noisy.targets, exact.targets)


# ----------------------------------------------------------------------------- condition tables


@pytest.mark.parametrize("name", NAMES)
def test_condition_table_and_sample_conditions(name):
    task = make_task(name)
    table = task.condition_table()
    assert len(table) == TABLE_SIZES[name]
    assert not table.duplicated().any()
    assert not table[list(task.condition_columns)].duplicated().any()
    # One trial per given row, in order, with the same condition values.
    rows = table.iloc[::-1].reset_index(drop=True)
    batch = task.sample_conditions(rows, np.random.default_rng(0))
    assert batch.batch_size == len(table)
    pd.testing.assert_frame_equal(batch.conditions[list(table.columns)], rows)
    # Only the key columns are needed; the rest is recomputed.
    from_keys = task.sample_conditions(rows[list(task.condition_columns)], np.random.default_rng(0))
    pd.testing.assert_frame_equal(from_keys.conditions, batch.conditions)
    np.testing.assert_array_equal(from_keys.inputs, batch.inputs)
    # sample draws its rows from the table.
    drawn = task.sample(np.random.default_rng(3), 200).conditions[list(table.columns)]
    assert len(drawn.merge(table, how="inner")) == 200
    with pytest.raises(ValueError, match="lack"):
        task.sample_conditions(pd.DataFrame({"nope": [1]}), np.random.default_rng(0))


def test_cddm_condition_table():
    task = make_task("cddm")
    assert len(CDDM_COHERENCES) == 15 and task.coherences == CDDM_COHERENCES
    expected = sorted([0.0] + [s * 0.8 / 2**k for k in range(7) for s in (-1, 1)])
    np.testing.assert_allclose(task.coherences, expected)
    table = task.condition_table()
    assert list(table.columns) == [
        "context", "motion_coherence", "colour_coherence", "relevant_coherence",
        "irrelevant_coherence", "correct_choice",
    ]  # fmt: skip
    assert table["context"].value_counts().to_dict() == {"motion": 225, "colour": 225}
    motion = table["context"] == "motion"
    np.testing.assert_array_equal(
        table["relevant_coherence"], np.where(motion, table["motion_coherence"],
                                              table["colour_coherence"]))  # fmt: skip
    np.testing.assert_array_equal(
        table["irrelevant_coherence"], np.where(motion, table["colour_coherence"],
                                                table["motion_coherence"]))  # fmt: skip
    np.testing.assert_array_equal(table["correct_choice"], np.sign(table["relevant_coherence"]))
    assert len(make_task("cddm", coherences=[-0.5, 0.5]).condition_table()) == 8
    with pytest.raises(ValueError, match="context"):
        task.sample_conditions(
            pd.DataFrame({"context": ["smell"], "motion_coherence": [0.1],
                          "colour_coherence": [0.1]}), np.random.default_rng(0))  # fmt: skip


# ----------------------------------------------------------------------------- trial contents


def test_cddm_trials():
    task = make_task("cddm")
    batch = task.sample_conditions(task.condition_table(), np.random.default_rng(0))
    cond = batch.conditions
    stim_on, decision_on = batch.periods["stimulus"][0, 0], batch.periods["decision"][0, 0]
    x, y = batch.inputs, batch.targets
    motion = (cond["context"] == "motion").to_numpy()
    # Context cue: on for the whole trial.
    np.testing.assert_array_equal(x[:, :, 0], np.tile(motion[:, None], (1, 150)).astype(float))
    np.testing.assert_array_equal(x[:, :, 1], np.tile(~motion[:, None], (1, 150)).astype(float))
    # Evidence: 0 before stimulus onset, (1 ± c)/2 from then to the end.
    assert np.all(x[:, :stim_on, 2:] == 0)
    m = cond["motion_coherence"].to_numpy()[:, None]
    c = cond["colour_coherence"].to_numpy()[:, None]
    np.testing.assert_allclose(
        x[:, stim_on:, 2], np.broadcast_to((1 + m) / 2, (450, 100)), rtol=1e-6
    )
    np.testing.assert_allclose(
        x[:, stim_on:, 3], np.broadcast_to((1 - m) / 2, (450, 100)), rtol=1e-6
    )
    np.testing.assert_allclose(
        x[:, stim_on:, 4], np.broadcast_to((1 + c) / 2, (450, 100)), rtol=1e-6
    )
    np.testing.assert_allclose(
        x[:, stim_on:, 5], np.broadcast_to((1 - c) / 2, (450, 100)), rtol=1e-6
    )
    # Targets: 0 before the decision; 1 on the correct side, 0 on the other; 0.5 both at c = 0.
    assert np.all(y[:, :decision_on] == 0)
    choice = cond["correct_choice"].to_numpy()
    expected_right = np.select([choice > 0, choice < 0], [1.0, 0.0], 0.5)
    expected_left = np.select([choice > 0, choice < 0], [0.0, 1.0], 0.5)
    np.testing.assert_array_equal(y[:, decision_on:, 0], np.tile(expected_right[:, None], (1, 50)))
    np.testing.assert_array_equal(y[:, decision_on:, 1], np.tile(expected_left[:, None], (1, 50)))
    assert (choice == 0).sum() == 30  # relevant coherence 0: 2 contexts × 15 irrelevant values


def test_dmts_trials():
    task = make_task("dmts")
    batch = task.sample_conditions(task.condition_table(), np.random.default_rng(0))
    cond, x, y = batch.conditions, batch.inputs, batch.targets
    (s0, s1), (d0, d1) = batch.periods["sample"][0], batch.periods["decision"][0]
    assert list(cond["match"]) == [True, False, False, True]
    assert list(cond["correct_output"]) == [0, 1, 1, 0]
    for b in range(4):
        sample, test = cond.at[b, "sample_stimulus"], cond.at[b, "test_stimulus"]
        expected = np.zeros((150, 2))
        expected[s0:s1, sample] = 1.0
        expected[d0:d1, test] = 1.0
        np.testing.assert_array_equal(x[b], expected)
        target = np.zeros((150, 2))
        target[d0:d1, cond.at[b, "correct_output"]] = 1.0
        np.testing.assert_array_equal(y[b], target)


def _flip_flop_reference(inputs: np.ndarray) -> np.ndarray:
    """Sign of the last nonzero input per channel (loop, independent of the generator)."""
    out = np.zeros_like(inputs)
    for b in range(inputs.shape[0]):
        for k in range(inputs.shape[2]):
            state = 0.0
            for t in range(inputs.shape[1]):
                if inputs[b, t, k] != 0:
                    state = np.sign(inputs[b, t, k])
                out[b, t, k] = state
    return out


def test_flip_flop_trials():
    task = make_task("three_bit_flip_flop")
    batch = task.sample(np.random.default_rng(4), 64)
    cond, x, y = batch.conditions, batch.inputs, batch.targets
    pulse, refractory = task.steps(task.pulse_ms), task.steps(task.refractory_ms)
    # Target = sign of the last pulse per channel; ±1 everywhere (the initial pulse sets it).
    np.testing.assert_array_equal(y, _flip_flop_reference(x))
    assert set(np.unique(y)) == {-1.0, 1.0}
    assert set(np.unique(x)) == {-1.0, 0.0, 1.0}
    initial = cond[["initial_0", "initial_1", "initial_2"]].to_numpy()
    np.testing.assert_array_equal(x[:, :pulse], np.repeat(initial[:, None], pulse, axis=1))
    onsets_total = 0
    for b in range(64):
        for k in range(3):
            active = x[b, :, k] != 0
            starts = np.flatnonzero(active & ~np.r_[False, active[:-1]])
            stops = np.flatnonzero(active & ~np.r_[active[1:], False]) + 1
            # Pulses last pulse_ms (each inside the trial), onsets ≥ refractory_ms apart.
            np.testing.assert_array_equal(stops - starts, pulse)
            assert np.all(np.diff(starts) >= refractory)
            assert len(starts) - 1 == cond.at[b, f"n_pulses_{k}"]
            assert y[b, -1, k] == cond.at[b, f"final_{k}"]
            onsets_total += len(starts) - 1
    assert onsets_total > 64  # random pulses do occur (rate 1.5 Hz over 2 s per channel)
    # Loss mask: off exactly for grace_ms after any onset.
    grace = task.grace_steps
    any_onset = np.zeros(x.shape[:2], dtype=bool)
    active = x != 0
    any_onset |= (active & ~np.concatenate([np.zeros_like(active[:, :1]), active[:, :-1]], 1)).any(
        2
    )
    expected = np.ones_like(any_onset)
    for b, t in zip(*np.nonzero(any_onset)):
        expected[b, t : t + grace] = False
    np.testing.assert_array_equal(batch.loss_mask, expected)


def test_flip_flop_rate_scales_pulses():
    few = _sample("three_bit_flip_flop", batch_size=200, pulse_rate_hz=0.0).conditions
    many = _sample("three_bit_flip_flop", batch_size=200, pulse_rate_hz=4.0).conditions
    cols = ["n_pulses_0", "n_pulses_1", "n_pulses_2"]
    assert few[cols].to_numpy().sum() == 0
    assert many[cols].to_numpy().mean() > 3
    assert _sample("three_bit_flip_flop", grace_ms=0.0).loss_mask.all()


def test_memory_anti_number_trials():
    task = make_task("memory_anti_number")
    batch = task.sample_conditions(task.condition_table(), np.random.default_rng(0))
    value = batch.conditions["value"].to_numpy()
    np.testing.assert_allclose(value, np.linspace(-2, 2, 32))
    np.testing.assert_allclose(batch.conditions["target_value"], -value)
    (s0, s1), (r0, r1) = batch.periods["stimulus"][0], batch.periods["recall"][0]
    x, y = batch.inputs, batch.targets
    expected_value = np.zeros((32, 150))
    expected_value[:, s0:s1] = value[:, None]
    np.testing.assert_allclose(x[:, :, 0], expected_value, rtol=1e-6)
    cue = np.zeros(150)
    cue[r0:r1] = 1.0
    np.testing.assert_array_equal(x[:, :, 1], np.tile(cue, (32, 1)))
    # The recall output is the negative of the stimulus shown.
    np.testing.assert_allclose(y[:, r0:, 0], -x[:, s0 : s0 + 1, 0].repeat(r1 - r0, axis=1))
    assert np.all(y[:, :r0] == 0)


def test_memory_anti_angle_trials():
    task = make_task("memory_anti_angle")
    batch = task.sample_conditions(task.condition_table(), np.random.default_rng(0))
    angle = batch.conditions["angle"].to_numpy()
    np.testing.assert_allclose(angle, 2 * np.pi * np.arange(36) / 36)
    np.testing.assert_allclose(
        np.cos(batch.conditions["target_angle"]), np.cos(angle + np.pi), atol=1e-12
    )
    (s0, s1), (r0, r1) = batch.periods["stimulus"][0], batch.periods["recall"][0]
    x, y = batch.inputs, batch.targets
    shown = x[:, s0, :2]
    np.testing.assert_allclose(shown, 2 * np.stack([np.cos(angle), np.sin(angle)], 1), atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(shown, axis=1), 2.0, rtol=1e-6)
    assert np.all(x[:, s0:s1, :2] == shown[:, None]) and np.all(x[:, s1:, :2] == 0)
    assert np.all(x[:, :r0, 2] == 0) and np.all(x[:, r0:, 2] == 1)
    # The recall output is the opposite point on the circle of radius 2.
    np.testing.assert_allclose(y[:, r0:], np.repeat(-shown[:, None], r1 - r0, axis=1), atol=1e-6)
    assert np.all(y[:, :r0] == 0)


# ----------------------------------------------------------------------------- fixed points


def test_fixed_point_inputs():
    expected = {
        "cddm": {
            "motion_context": [1, 0, 0.5, 0.5, 0.5, 0.5],
            "colour_context": [0, 1, 0.5, 0.5, 0.5, 0.5],
            "no_input": [0] * 6,
        },
        "dmts": {"no_input": [0, 0], "stimulus_a": [1, 0], "stimulus_b": [0, 1]},
        "three_bit_flip_flop": {"no_input": [0, 0, 0]},
        "memory_anti_number": {"hold": [0, 0], "recall": [0, 1]},
        "memory_anti_angle": {"hold": [0, 0, 0], "recall": [0, 0, 1]},
    }
    for name, conditions in expected.items():
        task = make_task(name)
        assert task.fixed_point_conditions == tuple(conditions)
        for condition, vector in conditions.items():
            x = task.fixed_point_inputs(condition)
            assert x.dtype == np.float32 and x.shape == (task.input_size,)
            np.testing.assert_array_equal(x, vector)
        with pytest.raises(ValueError, match="unknown fixed-point condition"):
            task.fixed_point_inputs("nope")


def test_cddm_fixed_point_input_matches_zero_coherence_trial():
    task = make_task("cddm")
    row = pd.DataFrame(
        {"context": ["colour"], "motion_coherence": [0.0], "colour_coherence": [0.0]}
    )
    batch = task.sample_conditions(row, np.random.default_rng(0))
    np.testing.assert_array_equal(batch.inputs[0, -1], task.fixed_point_inputs("colour_context"))


# ----------------------------------------------------------------------------- cddm evidence noise


def test_cddm_evidence_noise_has_the_configured_std_and_the_coherence_as_its_mean():
    task = make_task("cddm", dt_ms=20.0, evidence_noise_std=0.8)
    clean = make_task("cddm", dt_ms=20.0)
    table = pd.concat([task.condition_table()] * 8, ignore_index=True)  # 3600 trials
    batch = task.sample_conditions(table, np.random.default_rng(3))
    reference = clean.sample_conditions(table, np.random.default_rng(3))
    stim_on = batch.periods["stimulus"][0, 0]
    noise = batch.inputs - reference.inputs
    # Only the four evidence channels, only while the evidence is on (to the end by default).
    assert np.all(noise[:, :, :2] == 0) and np.all(noise[:, :stim_on] == 0)
    evidence = noise[:, stim_on:, 2:]
    assert abs(evidence.std() - 0.8) < 0.01 and abs(evidence.mean()) < 0.01
    # Independent across channels (right and left are not mirror images).
    corr = np.corrcoef(evidence.reshape(-1, 4).T)
    assert np.all(np.abs(corr[np.triu_indices(4, 1)]) < 0.02)
    # Mean momentary evidence right − left is the coherence (stimulus_amplitude 1).
    x = batch.inputs[:, stim_on:]
    for channels, column in (((2, 3), "motion_coherence"), ((4, 5), "colour_coherence")):
        mean_evidence = (x[..., channels[0]] - x[..., channels[1]]).mean(axis=1)  # (B,)
        frame = pd.DataFrame({"c": table[column], "e": mean_evidence})
        per_coherence = frame.groupby("c")["e"].mean()
        np.testing.assert_allclose(per_coherence.to_numpy(), per_coherence.index, atol=0.02)
    # Targets and masks do not depend on the noise.
    np.testing.assert_array_equal(batch.targets, reference.targets)
    np.testing.assert_array_equal(batch.loss_mask, reference.loss_mask)


def test_cddm_contexts_are_mirror_images():
    """Swapping motion and colour (their channels, coherences and the context) maps every trial
    onto a trial of the other context with the same targets, loss mask and ideal observer: the
    task gives neither context an advantage (issue 14: the colour context carried a line
    attractor less often than the motion context; the cause is not the task)."""
    task = make_task("cddm", dt_ms=20.0, stimulus_in_loss=False, evidence_noise_std=0.5)
    table = task.condition_table()
    swapped = table.assign(
        context=np.where(table["context"] == "motion", "colour", "motion"),
        motion_coherence=table["colour_coherence"], colour_coherence=table["motion_coherence"])
    a = task.sample_conditions(table, np.random.default_rng(5))
    b = task.sample_conditions(swapped, np.random.default_rng(5))
    # Channels [context m, context c, motion R, motion L, colour R, colour L]: the same noise
    # draw lands on the other stream's channels, so compare the noise-free means, then noise.
    mirror = [1, 0, 4, 5, 2, 3]
    clean = task.without_noise()
    np.testing.assert_array_equal(
        clean.sample_conditions(table, np.random.default_rng(5)).inputs[:, :, mirror],
        clean.sample_conditions(swapped, np.random.default_rng(5)).inputs)
    np.testing.assert_array_equal(a.targets, b.targets)
    np.testing.assert_array_equal(a.loss_mask, b.loss_mask)
    np.testing.assert_array_equal(a.conditions["relevant_coherence"],
                                  b.conditions["relevant_coherence"])
    # Random batches hold both contexts equally often (within 3 binomial SDs).
    contexts = task.sample(np.random.default_rng(6), 4000).conditions["context"]
    assert abs((contexts == "motion").mean() - 0.5) < 3 * 0.5 / np.sqrt(4000)


def test_cddm_mirror_is_the_trial_of_the_negated_coherences():
    """A trial's mirror image (rnnlab.tasks.mirror's class balance) is a trial of the task:
    noise-free, exactly the trial of the negated motion and colour coherences."""
    clean = make_task("cddm", dt_ms=20.0, stimulus_in_loss=False)
    table = clean.condition_table()
    mirror = clean.mirror(clean.sample_conditions(table, np.random.default_rng(1)))
    negated = clean.sample_conditions(
        table.assign(motion_coherence=-table["motion_coherence"],
                     colour_coherence=-table["colour_coherence"]), np.random.default_rng(1))
    np.testing.assert_array_equal(mirror.inputs, negated.inputs)
    np.testing.assert_array_equal(mirror.targets, negated.targets)
    np.testing.assert_array_equal(mirror.loss_mask, negated.loss_mask)
    columns = ["context", "motion_coherence", "colour_coherence", "relevant_coherence",
               "irrelevant_coherence", "correct_choice"]
    pd.testing.assert_frame_equal(mirror.conditions[columns], negated.conditions[columns])
    # With noise: the swapped noise stays on the evidence channels, the context is untouched.
    noisy = make_task("cddm", evidence_noise_std=0.5)
    batch = noisy.sample(np.random.default_rng(2), 8)
    flipped = noisy.mirror(batch)
    np.testing.assert_array_equal(flipped.inputs[..., 2], batch.inputs[..., 3])
    np.testing.assert_array_equal(flipped.inputs[..., :2], batch.inputs[..., :2])
    assert flipped.inputs.flags.c_contiguous and flipped.targets.flags.c_contiguous


def test_cddm_evidence_noise_is_seeded_and_independent_of_input_noise():
    task = make_task("cddm", evidence_noise_std=0.5, input_noise_std=0.1)
    a = task.sample(np.random.default_rng(11), 16)
    b = task.sample(np.random.default_rng(11), 16)
    c = task.sample(np.random.default_rng(12), 16)
    np.testing.assert_array_equal(a.inputs, b.inputs)
    assert not np.array_equal(a.inputs, c.inputs)
    assert make_task("cddm").evidence_noise_std == 0.0
    with pytest.raises(ValueError, match="evidence_noise_std"):
        make_task("cddm", evidence_noise_std=-0.1)


def test_cddm_stimulus_offset_adds_a_delay_without_evidence():
    task = make_task("cddm", dt_ms=20.0, stim_off_ms=800.0, evidence_noise_std=0.5)
    assert task.period_steps() == {
        "cue": (0, 25), "stimulus": (25, 40), "delay": (40, 50), "decision": (50, 75),
    }  # fmt: skip
    batch = task.sample_conditions(task.condition_table(), np.random.default_rng(0))
    assert np.all(batch.inputs[:, 40:, 2:] == 0) and np.all(batch.inputs[:, 25:40, 2:] != 0)
    assert np.all(batch.targets[:, :50] == 0)
    np.testing.assert_array_equal(batch.decision_mask[:, 50:], True)
    assert task.fixed_point_period("motion_context") == "stimulus"
    # Offset at the decision onset: no delay period, evidence off during the decision.
    flush = make_task("cddm", dt_ms=20.0, stim_off_ms=1000.0)
    assert list(flush.period_steps()) == ["cue", "stimulus", "decision"]
    assert np.all(flush.sample(np.random.default_rng(0), 8).inputs[:, 50:, 2:] == 0)
    for bad in (500.0, 1100.0):
        with pytest.raises(ValueError, match="stim_off_ms"):
            make_task("cddm", stim_off_ms=bad)


def test_cddm_stimulus_out_of_the_loss_and_without_noise():
    scored = make_task("cddm", dt_ms=20.0)
    free = make_task("cddm", dt_ms=20.0, stimulus_in_loss=False, evidence_noise_std=1.0)
    rng = np.random.default_rng(0)
    a, b = scored.sample(rng, 32), free.sample(np.random.default_rng(0), 32)
    (s0, s1), (d0, _d1) = scored.period_steps()["stimulus"], scored.period_steps()["decision"]
    assert a.loss_mask[:, s0:s1].all() and not b.loss_mask[:, s0:s1].any()
    # Cue and decision (after the grace window) are scored as before.
    np.testing.assert_array_equal(b.loss_mask[:, :s0], a.loss_mask[:, :s0])
    np.testing.assert_array_equal(b.loss_mask[:, s1:], a.loss_mask[:, s1:])
    # without_noise: same trial structure, the mean evidence, nothing else changed.
    clean = free.without_noise()
    assert clean.evidence_noise_std == 0.0 and clean.input_noise_std == 0.0
    assert clean.stimulus_in_loss is False and clean.coherences == free.coherences
    table = free.condition_table().iloc[:20]
    x = clean.sample_conditions(table, np.random.default_rng(1)).inputs
    np.testing.assert_array_equal(x, scored.sample_conditions(table, rng).inputs)
    assert make_task("dmts", input_noise_std=0.3).without_noise().input_noise_std == 0.0


# ----------------------------------------------------------------------------- response jitter

JITTERED = {
    "dmts": dict(duration_ms=2000.0, test_on_ms=1000.0, response_jitter_ms=600.0),
    "memory_anti_number": dict(duration_ms=2000.0, recall_on_ms=1000.0, response_jitter_ms=600.0),
    "memory_anti_angle": dict(duration_ms=2000.0, recall_on_ms=1000.0, response_jitter_ms=600.0),
}
CUE = {"dmts": None, "memory_anti_number": 1, "memory_anti_angle": 2}


@pytest.mark.parametrize("name", sorted(JITTERED))
def test_response_jitter_moves_each_trials_onset_and_everything_with_it(name):
    task = make_task(name, dt_ms=20.0, **JITTERED[name])
    batch = task.sample(np.random.default_rng(7), 256)
    response = batch.periods[task.decision_period]
    names = list(batch.periods)
    before = batch.periods[names[names.index(task.decision_period) - 1]]
    onset = response[:, 0]
    # Onsets spread uniformly over the 31 steps [50, 80], periods still tile the trial.
    assert onset.min() == 50 and onset.max() == 80 and len(np.unique(onset)) > 25
    np.testing.assert_array_equal(before[:, 1], onset)
    assert (response[:, 1] == task.n_steps).all()
    steps = np.arange(task.n_steps)
    inside = (steps[None] >= onset[:, None])
    np.testing.assert_array_equal(batch.decision_mask, inside)
    # Targets are zero before each trial's onset; the grace window follows the onset.
    assert (batch.targets[~inside] == 0).all()
    grace = (steps[None] >= onset[:, None]) & (steps[None] < onset[:, None] + task.grace_steps)
    np.testing.assert_array_equal(batch.loss_mask, ~grace)
    # The response cue (memory tasks) or the test stimulus (dmts) starts exactly at the onset.
    cue = (batch.inputs[..., CUE[name]] if CUE[name] is not None
           else batch.inputs.sum(axis=-1)) != 0
    np.testing.assert_array_equal(cue[:, task.steps(400.0):], inside[:, task.steps(400.0):])
    # Same seed, same jitter; the nominal boundaries are unchanged.
    again = task.sample(np.random.default_rng(7), 256)
    np.testing.assert_array_equal(again.periods[task.decision_period], response)
    assert task.period_steps()[task.decision_period] == (50, 100)


def test_response_jitter_is_validated():
    with pytest.raises(ValueError, match="cue"):
        make_task("cddm", response_jitter_ms=100.0)
    with pytest.raises(ValueError, match="random already"):
        make_task("three_bit_flip_flop", response_jitter_ms=100.0)
    with pytest.raises(ValueError, match="at least one step"):
        make_task("memory_anti_number", response_jitter_ms=500.0)  # recall 1000–1500 ms
    with pytest.raises(ValueError, match="non-negative"):
        make_task("dmts", response_jitter_ms=-1.0)


def test_fixed_point_periods_and_trials():
    cddm = make_task("cddm")
    batch = cddm.sample(np.random.default_rng(0), 64)
    motion = cddm.fixed_point_trials("motion_context", batch.conditions)
    np.testing.assert_array_equal(motion, batch.conditions["context"] == "motion")
    assert cddm.fixed_point_period("colour_context") == "stimulus"
    dmts = make_task("dmts")
    batch = dmts.sample(np.random.default_rng(0), 64)
    np.testing.assert_array_equal(dmts.fixed_point_trials("stimulus_b", batch.conditions),
                                  batch.conditions["sample_stimulus"] == 1)
    assert make_task("memory_anti_angle").fixed_point_period("hold") == "delay"
    assert make_task("three_bit_flip_flop").fixed_point_period("no_input") == "hold"
    with pytest.raises(ValueError, match="unknown fixed-point condition"):
        dmts.fixed_point_period("hold")


# ----------------------------------------------------------------------------- sampling fast path

SAMPLING_CASES = {
    "cddm": {"evidence_noise_std": 0.5},
    "dmts": {"response_jitter_ms": 100.0},
    "three_bit_flip_flop": {},
    "memory_anti_number": {"response_jitter_ms": 100.0},
    "memory_anti_angle": {"response_jitter_ms": 100.0},
    "memory_anti_angle continuous": {"continuous_angles": True},
}


@pytest.mark.parametrize("case", list(SAMPLING_CASES))
def test_sample_is_sample_conditions_of_the_drawn_rows(case):
    # sample() reads the condition table's columns as arrays (ConditionRows), not through
    # pandas; it must give the batch that the DataFrame path gives for the rows it draws.
    task = make_task(case.split()[0], input_noise_std=0.05, **SAMPLING_CASES[case])
    drawn = task.sample(np.random.default_rng(5), 40)
    rng = np.random.default_rng(5)
    if case.endswith("continuous"):
        rows = pd.DataFrame({"angle": rng.uniform(0.0, 2.0 * np.pi, size=40)})
    else:
        table = task.condition_table()
        rows = table.iloc[rng.integers(len(table), size=40)].reset_index(drop=True)
    expected = task.sample_conditions(rows, rng)
    for field in ("inputs", "targets", "loss_mask", "decision_mask"):
        np.testing.assert_array_equal(getattr(drawn, field), getattr(expected, field), field)
    assert drawn.periods.keys() == expected.periods.keys()
    for name in expected.periods:
        np.testing.assert_array_equal(drawn.periods[name], expected.periods[name])
    pd.testing.assert_frame_equal(drawn.conditions, expected.conditions)


def _onsets_step_by_step(task, initial, wants, signs):
    """The flip-flop's refractory rule, one step at a time over the whole batch."""
    n, T, K = wants.shape
    pulse, refractory = task.steps(task.pulse_ms), task.steps(task.refractory_ms)
    onsets = np.zeros((n, T, K), dtype=np.int64)
    onsets[:, 0] = initial
    last = np.zeros((n, K), dtype=np.int64)
    for t in range(max(refractory, 1), T - pulse + 1):
        start = wants[:, t] & (t - last >= refractory)
        onsets[:, t] = np.where(start, signs[:, t], 0)
        last = np.where(start, t, last)
    return onsets


@pytest.mark.parametrize("params", [{}, {"pulse_rate_hz": 8.0}, {"refractory_ms": 50.0},
                                    {"pulse_rate_hz": 20.0, "refractory_ms": 120.0,
                                     "dt_ms": 20.0}])
def test_flip_flop_onsets_follow_the_refractory_rule_step_by_step(params):
    task = make_task("three_bit_flip_flop", **params)
    random_pulses = 0
    for seed, batch in [(0, 1), (1, 17), (2, 64)]:
        rng = np.random.default_rng(seed)
        initial = np.where(rng.random((batch, 3)) < 0.5, -1, 1)
        wants = rng.random((batch, task.n_steps, 3)) < 2 * task.pulse_probability
        signs = np.where(rng.random(wants.shape) < 0.5, -1, 1)
        onsets = task._accepted_onsets(initial, wants, signs)
        np.testing.assert_array_equal(onsets, _onsets_step_by_step(task, initial, wants, signs))
        random_pulses += int((onsets[:, 1:] != 0).sum())
    assert random_pulses > 20
