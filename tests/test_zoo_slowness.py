"""The zoo's slowness penalty: λ · mean‖x_{t+1} − x_t‖² over the delay's step pairs, checked
against a hand computation, in the training loss of a run that sets it, and without any effect
on a run that does not (or sets λ = 0)."""

import copy

import numpy as np
import pytest
import torch

import rnnlab.studies.ctrnn_zoo.experiment as zoo_experiment
from rnnlab.studies.ctrnn_zoo.slowness import Slowness, slowness_penalty, step_pairs_in
from rnnlab.studies.ctrnn_zoo.study import STUDY
from rnnlab.tasks.base import TaskBatch
from zoo_penalty_checks import (
    assert_first_loss_adds_the_penalty,
    assert_zero_weight_is_off,
    first_update,
)

ANGLE = dict(
    study="ctrnn_zoo", run="memory_anti_angle",
    task=dict(name="memory_anti_angle", dt_ms=50.0, duration_ms=1500.0, recall_on_ms=800.0,
              response_jitter_ms=200.0, continuous_angles=True),
    model=dict(hidden_size=10, leak=0.2, nonlinearity="tanh", dale=False, autapses=False,
               spectral_scaling="spectral_radius", spectral_value=0.9, input_noise_std=0.02,
               recurrent_noise_std=0.02),
    optimizer=dict(name="adam", learning_rate=0.01),
    training=dict(steps=6, batch_size=4, checkpoint_fractions=[0.0, 1.0], log_every=1,
                  validate_every=3, validation_trials=8, keep_best=True),
)
SLOW = dict(ANGLE, slowness=dict(weight=0.5, periods=["delay", "recall"]))


def one_batch(periods: dict, n_steps: int) -> TaskBatch:
    n = len(next(iter(periods.values())))
    return TaskBatch(np.zeros((n, n_steps, 1), np.float32), np.ones((n, n_steps), bool),
                     np.zeros((n, n_steps), bool), None, periods)


def test_the_penalty_is_the_mean_squared_step_over_the_periods_step_pairs():
    rng = np.random.default_rng(0)
    states = rng.normal(size=(2, 6, 3))
    # trial 0: delay steps 1, 2, 3 (pairs 1→2, 2→3), recall 4, 5 (pair 4→5; 3→4 straddles);
    # trial 1: delay steps 4, 5 (pair 4→5), no recall
    batch = one_batch({"delay": np.array([[1, 4], [4, 6]]),
                       "recall": np.array([[4, 6], [6, 6]])}, 6)
    pairs = step_pairs_in(batch, ["delay"])
    assert pairs.tolist() == [[False, True, True, False, False],
                              [False, False, False, False, True]]
    by_hand = np.mean([np.sum((states[0, 2] - states[0, 1]) ** 2),
                       np.sum((states[0, 3] - states[0, 2]) ** 2),
                       np.sum((states[1, 5] - states[1, 4]) ** 2)])
    value = slowness_penalty(torch.tensor(states), pairs)
    assert value.item() == pytest.approx(by_hand, rel=1e-12)
    assert Slowness(0.5)(torch.tensor(states), batch).item() == pytest.approx(0.5 * by_hand)
    both = step_pairs_in(batch, ("delay", "recall"))
    assert both.tolist() == [[False, True, True, False, True],
                             [False, False, False, False, True]]
    by_hand = np.mean([np.sum((states[0, 2] - states[0, 1]) ** 2),
                       np.sum((states[0, 3] - states[0, 2]) ** 2),
                       np.sum((states[0, 5] - states[0, 4]) ** 2),
                       np.sum((states[1, 5] - states[1, 4]) ** 2)])
    penalty = Slowness(2.0, ("delay", "recall"))(torch.tensor(states), batch)
    assert penalty.item() == pytest.approx(2.0 * by_hand, rel=1e-12)
    # a still state costs nothing; a one-step period has no pair (0, not NaN)
    still = torch.ones(2, 6, 3)
    assert slowness_penalty(still, pairs).item() == 0.0
    assert slowness_penalty(torch.tensor(states), np.zeros((2, 5), bool)).item() == 0.0
    with pytest.raises(ValueError, match="no period 'wait'"):
        step_pairs_in(batch, ["delay", "wait"])


def test_the_penalty_is_in_the_training_loss_of_a_run_that_sets_it(tmp_path):
    log = zoo_experiment.train_run(SLOW, 3, tmp_path / "slow")
    # step 0 by hand: the run's initial network, first batch and noise
    _, _, batch, states, task_loss = first_update(SLOW, 3)
    delay = step_pairs_in(batch, ["delay", "recall"])
    assert delay.sum() > 0
    steps = (states[:, 1:] - states[:, :-1]).pow(2).sum(-1).numpy()
    penalty = 0.5 * steps[delay].mean()
    assert_first_loss_adds_the_penalty(log, ANGLE, 3, tmp_path, task_loss, penalty)


def test_a_zero_weight_trains_exactly_as_no_penalty(tmp_path):
    assert_zero_weight_is_off(Slowness, SLOW, ANGLE, "slowness", 3, tmp_path)


def test_the_studys_check_names_a_period_the_task_lacks():
    assert STUDY.check({}, {"memory_anti_angle": SLOW}) == []
    wrong = copy.deepcopy(SLOW)
    wrong["slowness"]["periods"] = ["delay", "wait"]
    found = STUDY.check({}, {"memory_anti_angle": wrong})
    assert len(found) == 1 and "no period 'wait'" in found[0]
