"""The zoo's flow-slowness penalty: λ · mean ‖step(x, u₀) − x‖² at the selected states, checked
against a hand computation on a tiny network, selecting the condition's trials and period, in
the training loss of a run that sets it, and without any effect on a run that does not (or sets
λ = 0)."""

import copy

import numpy as np
import pytest
import torch

import rnnlab.studies.ctrnn_zoo.experiment as zoo_experiment
from rnnlab.studies.ctrnn_zoo.flow_slowness import (
    FlowSlowness,
    end_states,
    flow_penalty,
    principal_axis,
    steps_in,
)
from rnnlab.studies.ctrnn_zoo.study import STUDY
from zoo_penalty_checks import (
    assert_first_loss_adds_the_penalty,
    assert_zero_weight_is_off,
    first_update,
)

CDDM = dict(
    study="ctrnn_zoo", run="cddm",
    task=dict(name="cddm", dt_ms=50.0, evidence_noise_std=0.5, stimulus_in_loss=False),
    model=dict(hidden_size=6, leak=0.2, nonlinearity="relu", dale=False, autapses=False,
               spectral_scaling="spectral_radius", spectral_value=0.9, input_noise_std=0.02,
               recurrent_noise_std=0.02),
    optimizer=dict(name="adam", learning_rate=0.01),
    training=dict(steps=6, batch_size=8, checkpoint_fractions=[0.0, 1.0], log_every=1,
                  validate_every=3, validation_trials=8, keep_best=True),
)
FLOW = dict(CDDM, flow_slowness=dict(weight=50.0, conditions=["motion_context", "colour_context"],
                                     every=2))


def hand_step(model, x: np.ndarray, u: np.ndarray) -> np.ndarray:
    """(1 − α) x + α relu(W_in u + W_rec x + b) in float64 numpy, x (N,), u (I,)."""
    alpha = model.alpha.detach().double().numpy()
    z = (model.weight_input.detach().double().numpy() @ u
         + model.weight_recurrent.detach().double().numpy() @ x
         + model.bias.detach().double().numpy())
    return (1 - alpha) * x + alpha * np.maximum(z, 0.0)


def test_the_penalty_is_the_mean_squared_flow_step_under_each_conditions_input():
    torch.manual_seed(0)
    task = zoo_experiment.build_task(CDDM["task"])
    model = zoo_experiment.build_model(CDDM["model"], task).double()
    rng = np.random.default_rng(0)
    states = rng.normal(size=(3, 5, 6))
    u_m, u_c = task.fixed_point_inputs("motion_context"), task.fixed_point_inputs("colour_context")
    assert u_m[0] > 0 and u_m[1] == 0 and u_c[1] > 0 and u_c[0] == 0
    assert np.all(u_m[2:] == 0.5 * task.stimulus_amplitude)  # zero coherence
    mask_m = np.zeros((3, 5), bool)
    mask_m[0, [1, 3]] = True
    mask_c = np.zeros((3, 5), bool)
    mask_c[2, 4] = True
    by_hand = np.mean([np.sum((hand_step(model, states[0, 1], u_m) - states[0, 1]) ** 2),
                       np.sum((hand_step(model, states[0, 3], u_m) - states[0, 3]) ** 2),
                       np.sum((hand_step(model, states[2, 4], u_c) - states[2, 4]) ** 2)])
    value = flow_penalty(model, torch.tensor(states), [(u_m, mask_m), (u_c, mask_c)])
    assert value.item() == pytest.approx(by_hand, rel=1e-10)
    # it is ‖Δt F‖² = 2 Δt² q of the model's own flow
    flows = model.flow(torch.tensor(states[0, [1, 3]]), torch.tensor(u_m).double().expand(2, -1))
    q = 0.5 * flows.pow(2).sum(-1)
    dt = CDDM["task"]["dt_ms"]
    assert flow_penalty(model, torch.tensor(states), [(u_m, mask_m)]).item() == pytest.approx(
        (2 * dt**2 * q).mean().item(), rel=1e-8)
    # relative: each condition's sum over its total variance; scaling the states and the
    # network's input and bias by a (a relu network's flow is then scaled by a) changes nothing
    def spread(x):
        return np.sum((x - x.mean(0)) ** 2) / len(x)
    motion = states[0, [1, 3]]
    relative = (np.sum([np.sum((hand_step(model, x, u_m) - x) ** 2) for x in motion])
                / spread(motion))
    value = flow_penalty(model, torch.tensor(states), [(u_m, mask_m)], relative=True)
    assert value.item() == pytest.approx(relative / 2, rel=1e-10)
    scaled = copy.deepcopy(model)
    with torch.no_grad():
        scaled.weight_input.mul_(3.0)
        scaled.bias.mul_(3.0)
    assert flow_penalty(scaled, torch.tensor(3.0 * states), [(u_m, mask_m)],
                        relative=True).item() == pytest.approx(value.item(), rel=1e-8)
    assert flow_penalty(scaled, torch.tensor(3.0 * states), [(u_m, mask_m)]).item() == (
        pytest.approx(9 * flow_penalty(model, torch.tensor(states), [(u_m, mask_m)]).item()))
    # along a direction v: only the flow's component along it, relative: over the variance along v
    v = rng.normal(size=6)
    v /= np.linalg.norm(v)
    along = [float(v @ (hand_step(model, x, u_m) - x)) ** 2 for x in motion]
    value = flow_penalty(model, torch.tensor(states), [(u_m, mask_m, torch.tensor(v))])
    assert value.item() == pytest.approx(np.mean(along), rel=1e-10)
    positions = motion @ v
    value = flow_penalty(model, torch.tensor(states), [(u_m, mask_m, torch.tensor(v))],
                         relative=True)
    assert value.item() == pytest.approx(
        np.sum(along) / np.var(positions) / 2, rel=1e-10)
    # nothing selected: 0, not NaN; a fixed point of u₀ costs nothing
    empty = flow_penalty(model, torch.tensor(states), [(u_m, np.zeros((3, 5), bool))])
    assert empty.item() == 0.0
    with torch.no_grad():
        model.weight_recurrent.zero_()
        model.bias.zero_()
        model.weight_input.zero_()
    assert flow_penalty(model, torch.zeros(3, 5, 6, dtype=torch.float64),
                        [(u_m, mask_m)]).item() == 0.0


def test_it_selects_each_contexts_trials_in_the_stimulus_every_kth_step_back_from_its_end():
    torch.manual_seed(1)
    task = zoo_experiment.build_task(CDDM["task"])
    model = zoo_experiment.build_model(CDDM["model"], task).double()
    batch = task.sample(np.random.default_rng(2), 8)
    start, stop = batch.periods["stimulus"][0]
    mask = steps_in(batch, "stimulus", 3)
    assert mask[0].nonzero()[0].tolist() == list(range(stop - 1, start - 1, -3))[::-1]
    assert steps_in(batch, "stimulus", 1).sum(1).tolist() == (
        batch.periods["stimulus"][:, 1] - batch.periods["stimulus"][:, 0]).tolist()
    states = torch.tensor(np.random.default_rng(3).normal(size=(8, batch.n_steps, 6)))
    setting = FlowSlowness(2.0, ("motion_context", "colour_context"), 3)
    context = batch.conditions["context"].to_numpy()
    assert set(context) == {"motion", "colour"}
    by_hand = []
    for b in range(8):
        u = task.fixed_point_inputs(f"{context[b]}_context")
        for t in mask[b].nonzero()[0]:
            x = states[b, t].numpy()
            by_hand.append(np.sum((hand_step(model, x, u) - x) ** 2))
    value = setting.penalty(model, task)(states, batch)
    assert value.item() == pytest.approx(2.0 * np.mean(by_hand), rel=1e-10)
    with pytest.raises(ValueError, match="no period 'wait'"):
        steps_in(batch, "wait")
    # along: v is the first principal axis of each context's end-of-stimulus states
    ends = end_states(states, batch, "stimulus", context == "motion")
    stops = batch.periods["stimulus"][:, 1]
    assert torch.equal(ends, torch.stack([states[b, stops[b] - 1]
                                          for b in np.flatnonzero(context == "motion")]))
    line = torch.tensor(np.outer(np.linspace(-1, 1, 5), np.eye(6)[2]) + 0.01 * np.eye(5, 6))
    assert abs(principal_axis(line)[2].item()) == pytest.approx(1.0, abs=1e-3)
    assert principal_axis(line[:1]) is None
    setting = FlowSlowness(2.0, ("motion_context", "colour_context"), 3, relative=True, along=True)
    by_hand = 0.0
    for name in ("motion", "colour"):
        trials = context == name
        v = principal_axis(end_states(states, batch, "stimulus", trials)).numpy()
        u = task.fixed_point_inputs(f"{name}_context")
        xs = [states[b, t].numpy() for b in np.flatnonzero(trials) for t in mask[b].nonzero()[0]]
        along = [float(v @ (hand_step(model, x, u) - x)) ** 2 for x in xs]
        by_hand += np.sum(along) / np.var([x @ v for x in xs])
    n = int(mask.sum())
    assert setting.penalty(model, task)(states, batch).item() == pytest.approx(
        2.0 * by_hand / n, rel=1e-8)


def test_the_penalty_is_in_the_training_loss_of_a_run_that_sets_it(tmp_path):
    log = zoo_experiment.train_run(FLOW, 3, tmp_path / "flow")
    task, model, batch, states, task_loss = first_update(FLOW, 3)
    with torch.no_grad():
        penalty = FlowSlowness.of_run(FLOW).penalty(model, task)(states, batch).item()
    assert_first_loss_adds_the_penalty(log, CDDM, 3, tmp_path, task_loss, penalty)


def test_a_zero_weight_trains_exactly_as_no_penalty(tmp_path):
    assert_zero_weight_is_off(FlowSlowness, FLOW, CDDM, "flow_slowness", 3, tmp_path)


def test_the_studys_check_names_a_condition_the_task_lacks():
    assert STUDY.check({}, {"cddm": FLOW}) == []
    wrong = copy.deepcopy(FLOW)
    wrong["flow_slowness"]["conditions"] = ["motion_context", "hold"]
    found = STUDY.check({}, {"cddm": wrong})
    assert len(found) == 1 and "no fixed-point condition 'hold'" in found[0]
