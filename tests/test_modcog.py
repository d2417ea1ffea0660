"""The thesis' Mod-Cog tasks (rnnlab.studies.ei_modcog.modcog) against neurogym 2.3.1, run side by
side on many seeded trials where the two agree (ring encoding, label layout, fixation input, the
noise's size, timing distributions), and against the thesis' module's own values where it departs
from neurogym (dm1's 500 ms stimulus and its noise on every channel; the int and seq variants).

neurogym is a test-only dependency (pyproject.toml: tool.rnnlab.test-only-no-deps, installed by
the Makefile without its numpy / matplotlib pins).
"""

from __future__ import annotations

import tomllib
import warnings
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from rnnlab.studies.ei_modcog.modcog import (
    DEFINITIONS,
    INTERVAL_OMEGA,
    TASK_NAMES,
    make_modcog_task,
)
from rnnlab.studies.ei_modcog.tasks import N_RING, RING_DIRECTIONS, make_task, ring_bump
from rnnlab.tasks.streams import trial_stream

N_TRIALS = 800


@pytest.fixture(scope="module")
def neurogym():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import neurogym
    pins = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert f"neurogym=={neurogym.__version__}" in pins["tool"]["rnnlab"]["test-only-no-deps"]
    return neurogym


def neurogym_trials(neurogym, name: str, n: int, seed: int, **kwargs):
    """n trials of neurogym's yang19.<name>: [(observation (T, 33), ground truth (T,), trial)]."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        env = neurogym.make(f"yang19.{name}-v0", **kwargs)
        env.reset(seed=seed)
        trials = []
        for _ in range(n):
            trial = env.new_trial()
            task = env.unwrapped
            trials.append((task.ob.copy(), task.gt.copy(), dict(trial)))
    return trials


def rnnlab_trials(name: str, n: int, seed: int, **params):
    return make_task(name, **params).sample(np.random.default_rng(seed), n)


def chi_square_same(a, b, categories) -> float:
    """p-value that two samples of categories come from one distribution."""
    table = np.array([[np.sum(np.asarray(x) == c) for c in categories] for x in (a, b)])
    table = table[:, table.sum(axis=0) > 0]
    return stats.chi2_contingency(table).pvalue


# ----------------------------------------------------------------------------- dm1 vs neurogym


def test_dm1_ring_encoding_equals_neurogym_exactly(neurogym):
    """Noise-free, neurogym's stimulus rows are rnnlab's bumps of the same trial variables."""
    for ob, gt, trial in neurogym_trials(neurogym, "dm1", 300, seed=1, sigma=0.0):
        stimulus = ob[(ob[:, 1:17] != 0).any(axis=1)]
        expected = ring_bump(trial["theta1"], trial["coh1_mod1"]) + ring_bump(
            trial["theta2"], trial["coh2_mod1"])
        np.testing.assert_allclose(stimulus[:, 1:17], np.repeat(expected, len(stimulus), 0),
                                   atol=1e-6)
        assert (stimulus[:, 17:] == 0).all()


def test_dm1_labels_fixation_and_timing_agree_with_neurogym(neurogym):
    ours = rnnlab_trials("dm1", N_TRIALS, seed=2)
    theirs = neurogym_trials(neurogym, "dm1", N_TRIALS, seed=2)
    # Label layout: 0 until the decision, then 1 + index of the stronger bump, in both.
    strong = np.where(ours.conditions["strength_1_ring1"] > ours.conditions["strength_2_ring1"],
                      ours.conditions["direction_1"], ours.conditions["direction_2"])
    index = np.rint(strong / (2 * np.pi / N_RING)).astype(int) % N_RING
    assert (ours.labels[ours.decision_mask] == np.repeat(index + 1, 2)).all()
    assert (ours.labels[ours.loss_mask & ~ours.decision_mask] == 0).all()
    their_labels = []
    for ob, gt, trial in theirs:
        decision = np.arange(len(ob)) >= len(ob) - 2  # decision 200 ms: the last 2 steps
        stronger = trial["theta1"] if trial["coh1_mod1"] > trial["coh2_mod1"] else trial["theta2"]
        k = int(np.rint(stronger / (2 * np.pi / N_RING))) % N_RING
        assert (gt[decision] == k + 1).all() and (gt[~decision] == 0).all()
        # Fixation input: 1 in the fixation period, 0 in the decision period, in both.
        fixating = np.arange(len(ob)) < len(ob) - 2 - trial["stim_period"] // 100
        assert (ob[fixating, 0] == 1).all() and (ob[decision, 0] == 0).all()
        their_labels.append(k + 1)
    assert chi_square_same(ours.conditions["label"], their_labels, range(1, 17)) > 1e-3
    # Fixation U(200, 500) ms floored to the 100-ms step: 2, 3 or 4 steps, in both.
    their_fixation = [int((ob[:, 0] == 1).sum()) for ob, _, _ in theirs]
    assert set(ours.conditions["fixation_steps"]) == set(their_fixation) == {2, 3, 4}
    assert chi_square_same(ours.conditions["fixation_steps"], their_fixation, [2, 3, 4]) > 1e-3
    # Two distinct directions, every offset equally likely, in both.
    offsets = lambda d1, d2: np.rint((np.asarray(d2) - np.asarray(d1)) / (2 * np.pi / N_RING)) % N_RING
    ours_offset = offsets(ours.conditions["direction_1"], ours.conditions["direction_2"])
    their_offset = offsets([t["theta1"] for *_, t in theirs], [t["theta2"] for *_, t in theirs])
    assert 0 not in set(ours_offset) and 0 not in set(their_offset)
    assert chi_square_same(ours_offset, their_offset, range(1, 16)) > 1e-3
    # Coherences ±{0.08, 0.16, 0.32, 0.64} and strengths 0.5 ± c/2, in both (neurogym 2.3.1's
    # yang19.dm1 does include 0.64).
    their_coherence = np.round([t["coh1_mod1"] - t["coh2_mod1"] for *_, t in theirs], 6)
    our_coherence = np.round(ours.conditions["signed_coherence_1"], 6)
    levels = sorted({s * c for s in (-1, 1) for c in (0.08, 0.16, 0.32, 0.64)})
    assert set(our_coherence) == set(their_coherence) == set(np.round(levels, 6))
    assert chi_square_same(our_coherence, their_coherence, np.round(levels, 6)) > 1e-3


def test_dm1_noise_size_agrees_with_neurogym_on_the_stimulus_channels(neurogym):
    """Residual of the stimulus rows around the noise-free bumps: N(0, 0.1²) in both."""
    ours = rnnlab_trials("dm1", 600, seed=3)
    inside = ours.periods["stimulus"]
    steps = np.arange(ours.n_steps)
    in_stimulus = (steps >= inside[:, :1]) & (steps < inside[:, 1:])
    clean = ring_bump(ours.conditions["direction_1"], ours.conditions["strength_1_ring1"]) + \
        ring_bump(ours.conditions["direction_2"], ours.conditions["strength_2_ring1"])
    our_residual = (ours.inputs[:, :, 1:17] - clean[:, None, :])[in_stimulus].ravel()
    their_residual = []
    for ob, gt, trial in neurogym_trials(neurogym, "dm1", 600, seed=3):
        stimulus_rows = (ob[:, 0] == 0) & (np.abs(ob[:, 17:]).sum(1) > 0)
        clean = ring_bump(trial["theta1"], trial["coh1_mod1"]) + ring_bump(
            trial["theta2"], trial["coh2_mod1"])
        their_residual.append((ob[stimulus_rows, 1:17] - clean).ravel())
    their_residual = np.concatenate(their_residual)
    for residual in (our_residual, their_residual):
        assert abs(residual.mean()) < 4 * 0.1 / np.sqrt(residual.size)
        assert abs(residual.std() - 0.1) < 0.003
    assert stats.ks_2samp(our_residual, their_residual).pvalue > 1e-3


def test_dm1_departures_from_neurogym_are_the_thesis_module_values(neurogym):
    """Where the thesis' module departs from neurogym's yang19.dm1: stimulus 500 ms (neurogym
    200/400/600), decision 200 ms, the fixation input on through the stimulus (neurogym: off
    from the stimulus on), noise N(0, 0.1²) on every channel – the fixation input too – during
    the stimulus and on none outside it (neurogym: ring channels only)."""
    ours = rnnlab_trials("dm1", 400, seed=4)
    assert set(ours.conditions["stimulus_steps"]) == {5}
    assert set(ours.conditions["decision_steps"]) == {2}
    theirs = neurogym_trials(neurogym, "dm1", 400, seed=4)
    their_stimulus = {int((np.abs(ob[:, 17:]).sum(1) > 0).sum()) for ob, _, _ in theirs}
    assert their_stimulus == {2, 4, 6}
    steps = np.arange(ours.n_steps)
    bounds = ours.periods["stimulus"]
    in_stimulus = (steps >= bounds[:, :1]) & (steps < bounds[:, 1:])
    fixation = ours.inputs[:, :, 0]
    assert abs(fixation[in_stimulus].std() - 0.1) < 0.01 and abs(fixation[in_stimulus].mean() - 1) < 0.01
    ring2 = ours.inputs[:, :, 17:][in_stimulus]
    assert abs(ring2.std() - 0.1) < 0.005
    outside = ours.loss_mask & ~in_stimulus
    np.testing.assert_array_equal(ours.inputs[:, :, 1:][outside], 0.0)
    for ob, _, trial in theirs:  # neurogym: fixation input 1 then 0 from the stimulus on, no noise
        fixation_steps = len(ob) - 2 - trial["stim_period"] // 100
        np.testing.assert_array_equal(ob[:, 0], np.arange(len(ob)) < fixation_steps)


# ----------------------------------------------------------------------------- dlygo vs neurogym


def test_dlygo_agrees_with_neurogym(neurogym):
    """The thesis' dlygo is neurogym's yang19.dlygo: 500 ms per period, 33 inputs with the bump
    on ring 1 or ring 2, no noise, fixation input 1 until the decision, label 1 + direction."""
    ours = rnnlab_trials("dlygo", N_TRIALS, seed=5)
    theirs = neurogym_trials(neurogym, "dlygo", N_TRIALS, seed=5)
    assert ours.n_steps == 20 and (ours.loss_mask.all())
    their_rings, their_labels = [], []
    for ob, gt, trial in theirs:
        assert ob.shape == (20, 33)
        k = int(trial["ground_truth"])
        ring = 0 if np.abs(ob[5:10, 1:17]).sum() > 0 else 1
        expected = np.zeros((20, 33), dtype=np.float32)
        expected[:15, 0] = 1
        expected[5:10, 1 + 16 * ring: 17 + 16 * ring] = ring_bump(RING_DIRECTIONS[k], 1.0)
        np.testing.assert_allclose(ob, expected, atol=1e-6)
        assert (gt[15:] == k + 1).all() and (gt[:15] == 0).all()
        their_rings.append(ring)
        their_labels.append(k + 1)
    for b in range(50):
        k = int(ours.conditions["label"][b]) - 1
        ring = int(ours.conditions["modality"][b])
        expected = np.zeros((20, 33), dtype=np.float32)
        expected[:15, 0] = 1
        expected[5:10, 1 + 16 * ring: 17 + 16 * ring] = ring_bump(RING_DIRECTIONS[k], 1.0)
        np.testing.assert_allclose(ours.inputs[b], expected, atol=1e-6)
        assert (ours.labels[b, 15:] == k + 1).all() and (ours.labels[b, :15] == 0).all()
    assert chi_square_same(ours.conditions["modality"], their_rings, [0, 1]) > 1e-3
    assert chi_square_same(ours.conditions["label"], their_labels, range(1, 17)) > 1e-3


def test_trial_streams_agree_with_neurogym_dataset(neurogym):
    """Rows of seq_len steps of consecutive trials: the number of decision steps per row of dm1
    streams is distributed alike in neurogym's Dataset and rnnlab's trial_stream."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dataset = neurogym.Dataset(neurogym.make("yang19.dm1-v0", timing={"stimulus": 500}),
                                   batch_size=96, seq_len=80, batch_first=True)
        for row, env in enumerate(dataset.envs):  # Dataset takes no seed (neurogym #282)
            env.reset(seed=1000 + row)
        dataset._cache()
        _, their_labels = dataset()
    ours = trial_stream(make_task("dm1"), np.random.default_rng(6), 512, 80)
    assert ours.inputs.shape == (512, 80, 33) and ours.loss_mask.all()
    their_decisions = (their_labels > 0).sum(axis=1)
    our_decisions = ours.decision_mask.sum(axis=1)
    assert stats.ks_2samp(their_decisions, our_decisions).pvalue > 1e-3
    assert abs(their_decisions.mean() - our_decisions.mean()) < 0.5


# ----------------------------------------------------------------------------- streams


def test_trial_stream_rows_are_consecutive_trials():
    task = make_task("dm1")
    rng = np.random.default_rng(7)
    stream = trial_stream(task, rng, 4, 40)
    k = -(-40 // task.min_n_steps)
    trials = task.sample(np.random.default_rng(7), 4 * k)
    for row in range(4):
        pieces = [trials.inputs[row * k + j][trials.loss_mask[row * k + j]] for j in range(k)]
        np.testing.assert_array_equal(stream.inputs[row], np.concatenate(pieces)[:40])
        labels = [trials.labels[row * k + j][trials.loss_mask[row * k + j]] for j in range(k)]
        np.testing.assert_array_equal(stream.labels[row], np.concatenate(labels)[:40])
    starts = stream.conditions.groupby("row")["start_step"].apply(list)
    assert all(s[0] == 0 and all(np.diff(s) >= task.min_n_steps) for s in starts)


# ----------------------------------------------------------------------------- the family


def test_every_name_of_the_thesis_module_samples():
    """93 names (20 Yang tasks + 40 seq + 22 int + 11 intseq); 24 of them are the go family."""
    assert len(TASK_NAMES) == 93
    assert sum(n.endswith(("seqr", "seql")) for n in TASK_NAMES) == 40
    assert sum(n.endswith(("intr", "intl")) for n in TASK_NAMES) == 22
    assert sum(n.endswith("intseq") for n in TASK_NAMES) == 11
    rng = np.random.default_rng(8)
    for name in TASK_NAMES:
        batch = make_task(name).sample(rng, 16)
        assert batch.inputs.shape[2] == 33 and batch.labels.max() <= 16
        assert (batch.inputs[:, :, 0][batch.decision_mask] == 0).all()


def test_seq_variants_move_the_target_one_position_per_step():
    plain = rnnlab_trials("dm1", 64, seed=9)
    for name, sign in (("dm1seqr", 1), ("dm1seql", -1)):
        batch = rnnlab_trials(name, 64, seed=9)
        assert set(batch.conditions["decision_steps"]) == {10}  # 1000 ms
        first = batch.conditions["label"].to_numpy() - 1
        decision = batch.labels[batch.decision_mask].reshape(64, 10) - 1
        expected = (first[:, None] + sign * np.arange(10)[None, :]) % N_RING
        np.testing.assert_array_equal(decision, expected)
    assert set(plain.conditions["decision_steps"]) == {2}
    # Reaction-time go tasks keep their 500 ms decision in the thesis' module.
    assert set(rnnlab_trials("rtgoseqr", 8, seed=9).conditions["decision_steps"]) == {5}


def test_int_variants_offset_stimulus_by_omega_times_delay():
    batch = rnnlab_trials("dlygointr", 256, seed=10)
    delays = batch.conditions["delay_steps"].to_numpy() * 100.0
    assert set(delays) <= set(np.arange(0, 1200, 100.0)) and len(set(delays)) > 8
    shown = (batch.conditions["direction"] + INTERVAL_OMEGA * delays) % (2 * np.pi)
    np.testing.assert_allclose(batch.conditions["stimulus_direction"], shown)
    left = rnnlab_trials("dlygointl", 64, seed=10)
    np.testing.assert_allclose(
        left.conditions["stimulus_direction"],
        (left.conditions["direction"] - INTERVAL_OMEGA * left.conditions["delay_steps"] * 100.0)
        % (2 * np.pi))
    # Delayed dm int: the target index moves by ω·500 ms = 5 ring positions.
    dm = rnnlab_trials("dlydm1", 256, seed=11)
    dm_int = rnnlab_trials("dlydm1intr", 256, seed=11)
    np.testing.assert_array_equal((dm.conditions["label"] - 1 + 5) % N_RING,
                                  dm_int.conditions["label"] - 1)


def test_match_tasks_go_or_fixate():
    for name, go_on_match in (("dms", True), ("dnms", False)):
        batch = rnnlab_trials(name, 256, seed=12)
        go = batch.conditions["match"].to_numpy() == go_on_match
        assert (batch.conditions["label"][~go] == 0).all() and (batch.conditions["label"][go] > 0).all()
        assert set(batch.conditions["decision_steps"]) == {9}
        non_match = ~batch.conditions["match"].to_numpy()
        offset = (batch.conditions["test_direction"] - batch.conditions["sample_direction"]) % (2 * np.pi)
        np.testing.assert_allclose(offset[non_match], np.pi)


def test_definitions_cover_the_families():
    families = {family.__name__ for family, _ in DEFINITIONS.values()}
    assert families == {"ReachTask", "DecisionTask", "MatchTask"}
    assert make_modcog_task("dm1").name == "dm1" and make_modcog_task("dm2").name == "dm2"
