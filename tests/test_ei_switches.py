"""The E/I Mod-Cog thesis' model and training switches (its ablations and its optimiser), each
changing exactly its own part: the row-sum penalty against a hand computation, an E-only readout
that reads no I unit, EG's own momentum, leak and nonlinearity, trial streams in the trainer."""

from __future__ import annotations

import numpy as np
import torch

from rnnlab.models import LeakyRNN, ModelConfig
from rnnlab.studies.ei_modcog.experiment import build_model, build_task
from rnnlab.training.losses import row_sum_penalty
from rnnlab.training.optimizers import OptimizerConfig, make_optimizer
from rnnlab.training.trainer import TrainingConfig, train, training_batch, with_penalties
from rnnlab.training.losses import LossParts

CONTROL = dict(hidden_size=20, nonlinearity="softplus", softplus_beta=10.0, leak=0.9,
               excitatory_fraction=0.8, readout="all")


def network(**changes):
    torch.manual_seed(0)
    return build_model({**CONTROL, **changes}, build_task({"name": "dm1"}))


def test_row_sum_penalty_equals_a_hand_computation():
    weight = torch.tensor([[1.0, 2.0, -3.0], [0.5, -1.0, -1.0], [0.0, 4.0, -2.0]])
    signs = torch.tensor([1.0, 1.0, -1.0])  # units 0, 1 excitatory; unit 2 inhibitory
    # Row sums over E columns: 3, 0.5, 4 (row 1's E entries: 0.5 and the sign-violating −1);
    # over I columns: −3, −1, −2.
    per_sign = ((3**2 + 3**2) + (0.5**2 + 1**2) + (4**2 + 2**2)) / 3
    torch.testing.assert_close(row_sum_penalty(weight, signs), torch.tensor(per_sign))
    net = (0**2 + (-1.5) ** 2 + 2**2) / 3
    torch.testing.assert_close(row_sum_penalty(weight, signs, per_sign=False), torch.tensor(net))
    torch.testing.assert_close(row_sum_penalty(weight, None), torch.tensor(net))


def test_row_sum_penalty_changes_the_loss_by_exactly_its_term():
    model = network()
    parts = LossParts(torch.tensor(1.0), torch.tensor(0.2), torch.tensor(0.7), torch.tensor(0.1))
    unchanged = with_penalties(parts, model, TrainingConfig())
    assert unchanged is parts
    penalised = with_penalties(parts, model, TrainingConfig(row_sum_penalty=0.5))
    expected = 1.0 + 0.5 * row_sum_penalty(model.weight_recurrent, model.unit_signs)
    torch.testing.assert_close(penalised.total, expected)
    assert (penalised.fixation_mse, penalised.decision_cross_entropy) == (parts.fixation_mse,
                                                                          parts.decision_cross_entropy)
    penalised.total.backward()
    assert model.weight_recurrent.grad is not None and model.weight_input.grad is None


def test_e_only_readout_reads_no_inhibitory_unit():
    control, e_only = network(), network(readout="excitatory")
    inhibitory = ~e_only.excitatory
    assert inhibitory.sum() == 4
    assert (e_only.effective_output_weight()[:, inhibitory] == 0).all()
    torch.testing.assert_close(e_only.effective_output_weight()[:, ~inhibitory],
                               control.effective_output_weight()[:, ~inhibitory])
    # Nothing else differs: same parameters, same recurrent dynamics.
    for (name, a), (_, b) in zip(control.state_dict().items(), e_only.state_dict().items()):
        if name != "readout_mask":
            torch.testing.assert_close(a, b, msg=name)
    states = torch.randn(5, 20, requires_grad=True)
    e_only.readout(states).sum().backward()
    assert (states.grad[:, inhibitory] == 0).all() and (states.grad[:, ~inhibitory] != 0).any()


def test_leak_and_nonlinearity_switches_change_only_their_part():
    control = network()
    for changes, differing in (({"leak": 0.2}, {"alpha"}), ({"leak": 1.0}, {"alpha"}),
                               ({"nonlinearity": "tanh"}, set())):
        switched = network(**changes)
        different = {name for (name, a), (_, b) in
                     zip(control.state_dict().items(), switched.state_dict().items())
                     if not torch.equal(a, b)}
        assert different == differing, changes
        assert switched.config.to_dict() == {**control.config.to_dict(), **changes}
    tanh = network(nonlinearity="tanh")
    z = torch.linspace(-2, 2, 9)
    torch.testing.assert_close(tanh.nonlinearity.function(z), torch.tanh(z))
    torch.testing.assert_close(control.nonlinearity.function(z),
                               torch.nn.functional.softplus(z, beta=10.0))


def test_recurrent_momentum_applies_to_w_rec_only():
    """The thesis' EG: momentum 0 on W_rec, 0.9 on the GD parameters."""
    model = LeakyRNN(ModelConfig(input_size=3, output_size=2, hidden_size=6))
    config = OptimizerConfig(name="eg", recurrent_learning_rate=0.2, learning_rate=0.1,
                             momentum=0.9, recurrent_momentum=0.0)
    optimizer = make_optimizer(model, config)
    gradients = [torch.randn_like(model.weight_recurrent) for _ in range(2)]
    bias_gradients = [torch.randn_like(model.bias) for _ in range(2)]
    w, b = model.weight_recurrent.detach().clone(), model.bias.detach().clone()
    for g, gb in zip(gradients, bias_gradients):
        model.weight_recurrent.grad, model.bias.grad = g, gb
        optimizer.step()
    sign = torch.sign(w)
    after_one = w * torch.exp(-0.2 * sign * gradients[0])
    expected_w = after_one * torch.exp(-0.2 * sign * gradients[1])  # no momentum
    torch.testing.assert_close(model.weight_recurrent.detach(), expected_w)
    expected_b = b - 0.1 * bias_gradients[0] - 0.1 * (0.9 * bias_gradients[0] + bias_gradients[1])
    torch.testing.assert_close(model.bias.detach(), expected_b)


def test_trainer_streams_trials_only_when_asked():
    task = build_task({"name": "dm1"})
    rng = np.random.default_rng(0)
    single = training_batch(task, rng, TrainingConfig(batch_size=8))
    assert single.inputs.shape[0] == 8 and single.n_steps == 11 and not single.loss_mask.all()
    stream = training_batch(task, rng, TrainingConfig(batch_size=8, trial_stream_steps=80))
    assert stream.inputs.shape == (8, 80, 33) and stream.loss_mask.all()
    assert stream.decision_mask.sum(axis=1).min() >= 2 * (80 // 11)


def test_streamed_training_with_the_penalty_learns_dm1():
    """Short training on dm1 streams with the row-sum penalty through the real trainer: the
    loss falls, and the row-sum penalty falls far more than without it."""
    torch.manual_seed(1)
    task = build_task({"name": "dm1"})
    penalties = {}
    for weight in (0.0, 0.5):
        torch.manual_seed(1)
        model = build_model({**CONTROL, "hidden_size": 32}, task)
        before = float(row_sum_penalty(model.weight_recurrent.detach(), model.unit_signs))
        config = TrainingConfig(steps=60, batch_size=16, trial_stream_steps=40,
                                row_sum_penalty=weight, checkpoint_fractions=(1.0,), log_every=10,
                                fixdown_weight=0.5)
        log = train(model, task, OptimizerConfig(name="eg", recurrent_momentum=0.0), config, 1,
                    lambda *args: None)
        assert log["loss"].iloc[-1] < log["loss"].iloc[0]
        penalties[weight] = float(row_sum_penalty(model.weight_recurrent.detach(),
                                                  model.unit_signs)) / before
    assert penalties[0.5] < 0.7 * penalties[0.0]  # measured: 0.55 vs 1.00 after 60 steps
