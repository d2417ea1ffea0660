"""Continuous-time rate RNN options of LeakyRNN (engellab-style), Adam, regression training,
validation with keep_best, and training noise."""

import math

import numpy as np
import pandas as pd
import pytest
import torch

from rnnlab.analysis.fixed_points import FixedPointSettings, find_equilibria
from rnnlab.models import LeakyRNN, ModelConfig, spectral_radius
from rnnlab.models import dale
from rnnlab.tasks.base import TaskBatch
from rnnlab.training.losses import masked_mse
from rnnlab.training.optimizers import OptimizerConfig, make_optimizer
from rnnlab.training.trainer import TrainingConfig, noise_generator, train

CTRNN = dict(
    nonlinearity="relu",
    leak=0.1,
    dt_ms=10.0,
    initialization="balanced_gaussian",
    spectral_scaling="spectral_radius",
    spectral_value=1.2,
    autapses=False,
    nonnegative_input_output=True,
)


def ctrnn(hidden_size=40, seed=0, **overrides):
    torch.manual_seed(seed)
    values = dict(input_size=2, output_size=1, hidden_size=hidden_size, **CTRNN)
    values.update(overrides)
    return LeakyRNN(ModelConfig(**values))


class HoldTask:
    """Tiny regression task: remember a pulse amplitude a ∈ [0, 1] and output it afterwards."""

    name = "hold"
    input_size = 2
    output_size = 1
    dt_ms = 10.0
    n_steps = 15

    def sample(self, rng: np.random.Generator, batch_size: int) -> TaskBatch:
        amplitude = rng.uniform(0.0, 1.0, batch_size).astype(np.float32)
        inputs = np.zeros((batch_size, self.n_steps, 2), dtype=np.float32)
        inputs[:, 2:5, 0] = amplitude[:, None]
        inputs[:, :5, 1] = 1.0  # "stimulus on" channel
        targets = np.zeros((batch_size, self.n_steps, 1), dtype=np.float32)
        targets[:, 5:, 0] = amplitude[:, None]
        decision = np.zeros((batch_size, self.n_steps), dtype=bool)
        decision[:, 5:] = True
        return TaskBatch(
            inputs=inputs,
            loss_mask=np.ones((batch_size, self.n_steps), dtype=bool),
            decision_mask=decision,
            conditions=pd.DataFrame(dict(amplitude=amplitude)),
            periods={"stimulus": np.tile(np.array([2, 5]), (batch_size, 1))},
            targets=targets,
        )


def run(model, optimizer, steps=20, seed=1, **training):
    """Train on HoldTask; returns (log, {step: (state_dict, extras)})."""
    checkpoints = {}
    config = TrainingConfig(steps=steps, batch_size=16, log_every=1,
                            checkpoint_fractions=(0.0, 1.0), **training)
    log = train(model, HoldTask(), optimizer, config, seed,
                lambda step, state, extras: checkpoints.__setitem__(step, (state, extras)))
    return log, checkpoints


# --------------------------------------------------------------------------------- model options


def test_defaults_keep_the_ei_thesis_init():
    torch.manual_seed(0)
    default = LeakyRNN(ModelConfig(input_size=3, output_size=2, hidden_size=20))
    torch.manual_seed(0)
    explicit = LeakyRNN(ModelConfig(input_size=3, output_size=2, hidden_size=20,
                                    initialization="uniform_columns", autapses=True,
                                    nonnegative_input_output=False, input_noise_std=0.0))
    for name, value in default.state_dict().items():
        assert torch.equal(value, explicit.state_dict()[name])
    with pytest.raises(ValueError, match="initialization"):
        LeakyRNN(ModelConfig(input_size=3, output_size=2, initialization="xavier"))


def test_balanced_init_has_zero_mean_input_and_the_configured_spectral_radius():
    model = ctrnn(hidden_size=100)
    w = model.weight_recurrent.detach().double()
    excitatory = model.excitatory
    assert int(excitatory.sum()) == 80
    assert (w[:, excitatory] >= 0).all() and (w[:, ~excitatory] <= 0).all()
    assert dale.mixed_sign_columns(w, model.unit_signs) == 0
    # Σ_j W_ij averaged over i: zero mean input (μ_I·N_I = μ_E·N_E), to float32 rounding.
    assert abs(float(w.sum())) <= 1e-5 * float(w.abs().sum())
    # Inhibitory weights are N_E/N_I = 4× stronger on average.
    ratio = w[:, ~excitatory].abs().sum() / 20 / (w[:, excitatory].abs().sum() / 80)
    assert float(ratio) == pytest.approx(4.0, rel=0.02)
    assert spectral_radius(model.weight_recurrent.detach()) == pytest.approx(1.2, rel=1e-5)
    assert (torch.diagonal(w) == 0).all()
    assert (model.weight_input >= 0).all() and (model.weight_output >= 0).all()


def test_balanced_init_without_dale_is_a_zero_mean_gaussian():
    model = ctrnn(hidden_size=200, dale=False, autapses=True)
    w = model.weight_recurrent.detach()
    assert (w > 0).any() and (w < 0).any()
    assert abs(float(w.mean())) < 3 * float(w.std()) / math.sqrt(w.numel())
    assert spectral_radius(w) == pytest.approx(1.2, rel=1e-5)


@pytest.mark.parametrize("name", ["adam", "gd", "eg"])
def test_no_autapses_and_nonnegative_io_survive_updates(name):
    model = ctrnn(hidden_size=20)
    optimizer = make_optimizer(model, OptimizerConfig(name=name, learning_rate=0.5,
                                                      recurrent_learning_rate=0.5, momentum=0.0))
    generator = torch.Generator().manual_seed(3)
    for _ in range(5):
        for parameter in model.parameters():
            # Gradients pushing every weight up: W_in, W_out, the diagonal would go negative.
            parameter.grad = torch.rand(parameter.shape, generator=generator) + 1.0
        optimizer.step()
    w = model.weight_recurrent.detach()
    assert (torch.diagonal(w) == 0).all()
    assert (model.weight_input >= 0).all() and (model.weight_output >= 0).all()
    assert dale.mixed_sign_columns(w, model.unit_signs) == 0
    if name != "eg":  # EG never changes a sign: nothing to correct
        assert optimizer.sign_corrections.sum() > 0


def test_clip_projection_zeroes_crossing_weights_and_reflect_keeps_magnitude():
    for mode in ("clip", "reflect"):
        model = ctrnn(hidden_size=10, autapses=True)
        w0 = model.weight_recurrent.detach().clone()
        optimizer = make_optimizer(model, OptimizerConfig(name="gd", recurrent_learning_rate=1.0,
                                                          momentum=0.0, dale_projection=mode))
        gradient = torch.sign(w0) * (w0.abs() + 0.5)  # every weight crosses zero ...
        gradient[:, 0] = 0.0  # ... but those of unit 0
        model.weight_recurrent.grad = gradient
        optimizer.step()
        expected = torch.full_like(w0, 0.0 if mode == "clip" else 0.5)
        expected[:, 0] = w0[:, 0].abs()
        torch.testing.assert_close(model.weight_recurrent.detach().abs(), expected)
        assert optimizer.sign_corrections.tolist() == [0] + [10] * 9


def test_flow_and_flow_jacobian_match_the_step_and_autograd():
    tau = tuple(float(t) for t in np.linspace(50.0, 200.0, 12))
    model = ctrnn(hidden_size=12, time_constants_ms=tau, nonlinearity="tanh").double()
    h = torch.randn(4, 12, dtype=torch.float64)
    u = torch.rand(4, 2, dtype=torch.float64)
    # step(h) − h = dt · flow(h): the flow vanishes exactly where the step has a fixed point.
    torch.testing.assert_close(model.step(h, u) - h, model.config.dt_ms * model.flow(h, u))
    analytic = model.flow_jacobian(h, u)
    for k in range(4):
        numeric = torch.autograd.functional.jacobian(
            lambda s: model.flow(s[None], u[k : k + 1])[0], h[k]
        )
        torch.testing.assert_close(analytic[k], numeric)
    eye = torch.eye(12, dtype=torch.float64)
    torch.testing.assert_close(analytic, (model.step_jacobian(h, u) - eye) / model.config.dt_ms)


def test_flow_equilibria_are_fixed_points_of_the_step():
    model = ctrnn(hidden_size=16, nonlinearity="tanh", initialization="uniform_columns",
                  spectral_scaling="spectral_radius", spectral_value=0.8).double()
    u = torch.tensor([0.3, 1.0], dtype=torch.float64)
    initial = 0.5 * torch.randn(8, 16, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    result = find_equilibria(model.flow, initial, u, jacobian=model.flow_jacobian,
                             settings=FixedPointSettings(adam_steps=100))
    assert result.n_converged > 0
    states = torch.from_numpy(result.states[result.is_converged])
    inputs = u.expand(len(states), 2)
    torch.testing.assert_close(model.step(states, inputs), states, atol=1e-9, rtol=0)
    assert (result.labels[result.is_converged] == "stable").all()  # contracting network


def test_input_noise_has_the_dt_invariant_scale():
    model = ctrnn(input_noise_std=0.2, recurrent_noise_std=0.1)
    generator = torch.Generator().manual_seed(0)
    xi_in = model.input_noise(64, 200, generator)
    assert xi_in.shape == (64, 200, 2)
    assert float(xi_in.std()) == pytest.approx(math.sqrt(2 / 0.1) * 0.2, rel=0.02)
    xi_rec = model.state_noise(64, 200, generator)
    assert float(xi_rec.std()) == pytest.approx(math.sqrt(2 * 0.1) * 0.1, rel=0.02)


# ------------------------------------------------------------------------------------ training


def test_masked_mse_averages_masked_steps_and_channels():
    outputs = torch.arange(12.0).reshape(1, 4, 3)
    targets = torch.zeros(1, 4, 3)
    mask = torch.tensor([[True, False, True, False]])
    expected = torch.cat([outputs[0, 0], outputs[0, 2]]).pow(2).mean()
    torch.testing.assert_close(masked_mse(outputs, targets, mask), expected)
    empty = masked_mse(outputs.requires_grad_(), targets, mask & False)
    assert float(empty.detach()) == 0.0 and empty.requires_grad


def test_adam_trains_a_regression_task_and_logs_nan_for_decision_columns():
    model = ctrnn(hidden_size=32)
    log, checkpoints = run(model, OptimizerConfig(name="adam", learning_rate=1e-2), steps=150)
    assert log["loss"].tail(10).mean() < 0.3 * log["loss"].head(3).mean()
    assert log[["fixation_mse", "decision_cross_entropy", "decision_accuracy"]].isna().all().all()
    assert (log["learning_rate"] == 1e-2).all()
    state, extras = checkpoints[150]
    assert (torch.diagonal(state["weight_recurrent"]) == 0).all()
    assert (state["weight_input"] >= 0).all() and (state["weight_output"] >= 0).all()
    assert extras["sign_corrections"].shape == (32,)
    assert "validation_losses" not in extras  # validation off: extras as before


class CorruptedLater(HoldTask):
    """HoldTask whose training targets turn wrong (−3×) after ``clean_batches`` batches: the
    validation batch (the first draw) stays clean, so validation improves, then gets worse."""

    def __init__(self, clean_batches: int):
        self.remaining = clean_batches + 1  # + the validation batch

    def sample(self, rng, batch_size):
        batch = super().sample(rng, batch_size)
        self.remaining -= 1
        if self.remaining >= 0:
            return batch
        return TaskBatch(**{**batch.__dict__, "targets": -3.0 * batch.targets})


def test_keep_best_returns_the_best_validation_parameters():
    model = ctrnn(hidden_size=16)
    steps = 40
    checkpoints = {}
    config = TrainingConfig(steps=steps, batch_size=16, log_every=1, validate_every=2,
                            validation_trials=64, keep_best=True,
                            checkpoint_fractions=tuple(k / steps for k in range(steps + 1)))
    train(model, CorruptedLater(clean_batches=20), OptimizerConfig(name="adam", learning_rate=2e-2),
          config, 1, lambda step, state, extras: checkpoints.__setitem__(step, (state, extras)))
    final_state, extras = checkpoints[steps]
    losses = extras["validation_losses"].numpy()
    assert extras["validation_steps"].tolist() == list(range(0, steps + 1, 2))
    best = 2 * int(np.argmin(losses))
    assert 0 < best < steps and losses[-1] > 2 * losses.min()  # improves, then gets worse
    assert extras["best_validation_step"] == best and extras["parameters_step"] == best
    assert extras["best_validation_loss"] == pytest.approx(losses.min())
    for name, value in checkpoints[best][0].items():  # the parameters saved at that step
        assert torch.equal(final_state[name], value)
        assert torch.equal(model.state_dict()[name], value)  # and the model holds them


def test_validation_does_not_change_the_training_trajectory():
    optimizer = OptimizerConfig(name="adam", learning_rate=1e-2)
    plain, plain_checkpoints = run(ctrnn(), optimizer)
    validated, validated_checkpoints = run(ctrnn(), optimizer, validate_every=5)
    assert plain.equals(validated)
    for name, value in plain_checkpoints[20][0].items():
        assert torch.equal(value, validated_checkpoints[20][0][name])
    assert validated_checkpoints[20][1]["validation_steps"].tolist() == [0, 5, 10, 15, 20]
    with pytest.raises(ValueError, match="keep_best"):
        TrainingConfig.from_dict(dict(keep_best=True))


def test_training_noise_is_deterministic_and_only_drawn_when_on():
    optimizer = OptimizerConfig(name="adam", learning_rate=1e-2)
    noisy = dict(input_noise_std=0.1, recurrent_noise_std=0.05)
    first, a = run(ctrnn(**noisy), optimizer)
    second, b = run(ctrnn(**noisy), optimizer)
    quiet, c = run(ctrnn(), optimizer)
    assert first.equals(second) and not first.equals(quiet)
    assert torch.equal(a[20][0]["weight_recurrent"], b[20][0]["weight_recurrent"])
    assert not torch.equal(a[20][0]["weight_recurrent"], c[20][0]["weight_recurrent"])
    # The noise stream is its own: a different seed gives different noise.
    x = torch.randn(3, generator=noise_generator(1))
    assert torch.equal(x, torch.randn(3, generator=noise_generator(1)))
    assert not torch.equal(x, torch.randn(3, generator=noise_generator(2)))
