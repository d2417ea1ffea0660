import math

import numpy as np
import pytest
import torch

from rnnlab.experiment import load_model, train_run
from rnnlab.checkpoints import list_checkpoints
from rnnlab.models import LeakyRNN, ModelConfig
from rnnlab.models.dale import mixed_sign_columns
from rnnlab.training.losses import decision_accuracy, decision_loss, trial_choices
from rnnlab.studies.ctrnn_zoo.tasks import make_task
from rnnlab.training.optimizers import OptimizerConfig, make_optimizer
from rnnlab.training.trainer import (
    LearningRateDecay,
    TrainingConfig,
    TrainingDiverged,
    training_batch,
)


def small_model():
    torch.manual_seed(0)
    return LeakyRNN(ModelConfig(input_size=3, output_size=2, hidden_size=10))


def test_eg_update_is_the_multiplicative_rule_and_keeps_signs():
    model = small_model()
    w0 = model.weight_recurrent.detach().clone()
    gradient = torch.randn_like(w0)
    config = OptimizerConfig(name="eg", recurrent_learning_rate=0.3, momentum=0.0,
                             recurrent_weight_decay=0.1, min_magnitude=1e-6)
    optimizer = make_optimizer(model, config)
    model.weight_recurrent.grad = gradient
    optimizer.step()
    expected = w0 * torch.exp(-0.3 * (torch.sign(w0) * gradient + 0.1 * w0.abs()))
    expected = torch.sign(expected) * expected.abs().clamp_min(1e-6)
    torch.testing.assert_close(model.weight_recurrent.detach(), expected)
    assert (torch.sign(model.weight_recurrent) == torch.sign(w0)).all()


def test_eg_respects_the_minimum_magnitude():
    model = small_model()
    optimizer = make_optimizer(model, OptimizerConfig(name="eg", recurrent_learning_rate=10.0,
                                                      momentum=0.0, min_magnitude=1e-3))
    model.weight_recurrent.grad = torch.sign(model.weight_recurrent.detach()) * 100.0
    optimizer.step()
    assert model.weight_recurrent.abs().min() >= 1e-3 - 1e-12


def test_gd_projection_reflects_weights_that_cross_zero_and_counts_them():
    model = small_model()
    w0 = model.weight_recurrent.detach().clone()
    optimizer = make_optimizer(model, OptimizerConfig(name="gd", recurrent_learning_rate=1.0, momentum=0.0))
    gradient = torch.sign(w0) * (w0.abs() + 0.5)  # every weight crosses zero ...
    gradient[:, 0] = 0.0  # ... but those of unit 0
    model.weight_recurrent.grad = gradient
    optimizer.step()
    expected = torch.full_like(w0, 0.5)
    expected[:, 0] = w0[:, 0].abs()
    torch.testing.assert_close(model.weight_recurrent.detach().abs(), expected)
    assert mixed_sign_columns(model.weight_recurrent.detach(), model.unit_signs) == 0
    assert optimizer.sign_corrections.tolist() == [0] + [10] * 9


def test_loss_parts_match_their_definitions():
    torch.manual_seed(1)
    outputs = torch.randn(2, 4, 3)
    labels = torch.tensor([[0, 0, 2, 2], [0, 1, 1, 0]])
    decision = torch.tensor([[False, False, True, True], [False, True, True, False]])
    mask = torch.tensor([[True] * 4, [True, True, True, False]])
    parts = decision_loss(outputs, labels, mask, decision, label_smoothing=0.1, fixdown_weight=2.0)
    fixating = mask & ~decision
    target = torch.zeros(int(fixating.sum()), 3)
    target[:, 0] = 1
    mse = ((outputs[fixating] - target) ** 2).mean()
    logits, classes = outputs[mask & decision], labels[mask & decision]
    smoothed = torch.full((len(classes), 3), 0.1 / 3)
    smoothed[torch.arange(len(classes)), classes] += 0.9
    cross_entropy = -(smoothed * torch.log_softmax(logits, -1)).sum(-1).mean()
    fixdown = (logits[:, 0] ** 2).mean()
    torch.testing.assert_close(parts.fixation_mse, mse)
    torch.testing.assert_close(parts.decision_cross_entropy, cross_entropy)
    torch.testing.assert_close(parts.total, mse + cross_entropy + 2.0 * fixdown)


def test_accuracy_and_trial_choice():
    outputs = torch.zeros(1, 3, 3)
    outputs[0, 1, 2] = 1.0
    outputs[0, 2, 1] = 3.0
    labels = torch.tensor([[0, 2, 2]])
    decision = torch.tensor([[False, True, True]])
    assert decision_accuracy(outputs, labels, decision) == 0.5
    assert int(trial_choices(outputs, decision)[0]) == 1  # mean over decision steps favours 1


def run_config(optimizer, steps=600, **training):
    return dict(
        study="ei_modcog", run=optimizer,
        task=dict(name="dm1"),
        model=dict(hidden_size=32, leak=0.5),
        optimizer=dict(name=optimizer, learning_rate=0.1,
                       recurrent_learning_rate=0.2 if optimizer == "eg" else 0.1),
        training=dict(steps=steps, batch_size=32, checkpoint_fractions=[0, 1], log_every=25, **training),
    )


@pytest.mark.parametrize("optimizer", ["eg", "gd"])
def test_training_learns_dm1_and_keeps_dale(tmp_path, optimizer):
    log = train_run(run_config(optimizer), seed=3, checkpoint_directory=tmp_path)
    assert log["decision_accuracy"].tail(3).mean() >= 0.6  # chance is 1/16
    assert log["loss"].iloc[-1] < log["loss"].iloc[0] - 0.5
    paths = list_checkpoints(tmp_path)
    assert [p.name for p in paths] == ["step_000000.pt", "step_000600.pt"]
    model, _, payload = load_model(paths[-1])
    assert payload["run_config"]["run"] == optimizer
    assert mixed_sign_columns(model.weight_recurrent.detach(), model.unit_signs) == 0
    initial, _, _ = load_model(paths[0])
    assert (torch.sign(model.weight_recurrent) == torch.sign(initial.weight_recurrent)).all()
    corrections = payload["sign_corrections"]
    assert (corrections == 0).all() if optimizer == "eg" else corrections.sum() > 0


def test_same_seed_same_weights_different_seed_different(tmp_path):
    config = run_config("eg", steps=20)
    first = train_run(config, seed=5, checkpoint_directory=tmp_path / "a")
    second = train_run(config, seed=5, checkpoint_directory=tmp_path / "b")
    third = train_run(config, seed=6, checkpoint_directory=tmp_path / "c")
    assert first.equals(second) and not first.equals(third)
    a, _, _ = load_model(list_checkpoints(tmp_path / "a")[-1])
    b, _, _ = load_model(list_checkpoints(tmp_path / "b")[-1])
    assert torch.equal(a.weight_recurrent, b.weight_recurrent)


def test_divergence_names_run_and_seed(tmp_path):
    config = run_config("gd", steps=50)
    config["optimizer"].update(learning_rate=1e6, recurrent_learning_rate=1e6, grad_clip_norm=1e12)
    with pytest.raises(TrainingDiverged, match=r"ei_modcog/gd seed 4"):
        train_run(config, seed=4, checkpoint_directory=tmp_path)


def test_a_study_with_its_own_trainer_trains_its_runs_with_it(monkeypatch, tmp_path):
    """rnnlab.experiment.train_run hands a run to its study's own train_run when the study's
    experiment module defines one (a study whose networks train otherwise)."""
    import sys
    import types

    import rnnlab.experiment as experiment

    calls = []
    module = types.ModuleType("rnnlab.studies.own_trainer.experiment")
    module.train_run = lambda *args, **kwargs: calls.append((args, kwargs)) or "its log"
    monkeypatch.setitem(sys.modules, "rnnlab.studies.own_trainer.experiment", module)
    config = {"study": "own_trainer", "run": "r", "task": {"name": "x"}}
    assert experiment.train_run(config, 3, tmp_path, progress_interval_seconds=7) == "its log"
    (args, kwargs), = calls
    assert args[:3] == (config, 3, tmp_path) and kwargs["progress_interval_seconds"] == 7


def test_mirror_paired_batches_are_balanced_and_the_second_half_mirrors_the_first():
    task = make_task("cddm", evidence_noise_std=0.5, stimulus_in_loss=False)
    config = TrainingConfig(batch_size=32, class_balance="mirror")
    batch = training_batch(task, np.random.default_rng(4), config)
    half = task.sample(np.random.default_rng(4), 16)  # the same draw
    first, second = batch.conditions.iloc[:16], batch.conditions.iloc[16:]
    np.testing.assert_array_equal(batch.inputs[:16], half.inputs)
    np.testing.assert_array_equal(batch.inputs[16:], half.inputs[..., [0, 1, 3, 2, 5, 4]])
    np.testing.assert_array_equal(batch.targets[16:], half.targets[..., ::-1])
    np.testing.assert_array_equal(second["correct_choice"], -first["correct_choice"].to_numpy())
    assert batch.conditions["correct_choice"].sum() == 0  # as many right as left choices
    assert (batch.conditions["context"].iloc[16:].to_numpy()
            == first["context"].to_numpy()).all()


@pytest.mark.parametrize("settings, message", [
    (dict(class_balance="both"), "class_balance must be one of"),
    (dict(class_balance="mirror", batch_size=7), "even batch_size"),
    (dict(class_balance="mirror", trial_stream_steps=50), "single trials"),
])
def test_bad_class_balance_settings_are_named(settings, message):
    with pytest.raises(ValueError, match=message):
        TrainingConfig.from_dict(settings)


def test_mirror_batches_need_a_task_with_a_mirror(tmp_path):
    """dm1 has no mirror image: the run stops before training, naming the setting."""
    config = run_config("gd", steps=5, class_balance="mirror")
    with pytest.raises(ValueError, match="class_balance 'mirror' needs a task with a mirror"):
        train_run(config, seed=1, checkpoint_directory=tmp_path / "run")
    assert not list(tmp_path.rglob("*.pt"))


def test_step_size_decays_linearly_over_the_configured_fraction(tmp_path):
    decay = TrainingConfig.from_dict(
        dict(learning_rate_decay=dict(start_fraction=0.5, final_factor=0.1))).learning_rate_decay
    factors = [decay.factor(step, 20) for step in range(20)]
    np.testing.assert_allclose(factors[:10], 1.0)
    np.testing.assert_allclose(factors[10:], 1.0 - 0.9 * np.arange(10) / 10)
    assert TrainingConfig().learning_rate_decay.factor(19, 20) == 1.0  # absent: no decay
    with pytest.raises(ValueError, match="learning_rate_decay needs"):
        TrainingConfig.from_dict(dict(learning_rate_decay=dict(final_factor=1.5)))
    assert isinstance(decay, LearningRateDecay)

    config = run_config("gd", steps=20)
    config["training"]["learning_rate_decay"] = dict(start_fraction=0.5, final_factor=0.1)
    config["training"]["log_every"] = 1
    log = train_run(config, seed=1, checkpoint_directory=tmp_path / "decay")
    np.testing.assert_allclose(log["learning_rate"], 0.1 * np.array(factors))
    steady_config = run_config("gd", steps=20)
    steady_config["training"]["log_every"] = 1
    steady = train_run(steady_config, seed=1, checkpoint_directory=tmp_path / "steady")
    # The same updates until the decay starts, smaller steps after it.
    np.testing.assert_array_equal(log["loss"][:11], steady["loss"][:11])
    assert not np.allclose(log["loss"][11:], steady["loss"][11:])
