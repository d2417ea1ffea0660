"""Checks shared by the tests of the zoo's training penalties (slowness, flow_slowness): the
first logged loss by hand, and a run that trains exactly as another."""

import copy

import numpy as np
import pytest
import torch

import rnnlab.studies.ctrnn_zoo.experiment as zoo_experiment
from rnnlab.checkpoints import list_checkpoints, load_checkpoint
from rnnlab.training.losses import masked_mse
from rnnlab.training.trainer import (
    TrainingConfig,
    batch_tensors,
    data_generator,
    noise_generator,
    noisy_forward,
    training_batch,
)


def first_update(run_config: dict, seed: int):
    """The run's first update by hand, as ``train_run`` makes it: (task, model, batch,
    states (B, T, N) of the noisy forward pass, task loss), without gradients."""
    torch.manual_seed(seed)
    task = zoo_experiment.build_task(run_config["task"])
    model = zoo_experiment.build_model(run_config["model"], task)
    config = TrainingConfig.from_dict(run_config["training"])
    batch = training_batch(task, data_generator(seed), config)
    tensors = batch_tensors(batch)
    with torch.no_grad():
        outputs, states = noisy_forward(model, tensors["inputs"], noise_generator(seed))
        task_loss = masked_mse(outputs, tensors["targets"], tensors["loss_mask"]).item()
    return task, model, batch, states, task_loss


def assert_trains_identically(first: dict, second: dict, seed: int, directory) -> None:
    """``train_run`` of both runs: the same log and the same weights at every checkpoint."""
    logs = [zoo_experiment.train_run(run, seed, directory / name)
            for run, name in ((first, "first"), (second, "second"))]
    assert logs[1].equals(logs[0])
    for a, b in zip(list_checkpoints(directory / "first"), list_checkpoints(directory / "second"),
                    strict=True):
        weights, other = load_checkpoint(a)["state_dict"], load_checkpoint(b)["state_dict"]
        assert a.name == b.name and all(torch.equal(weights[k], other[k]) for k in weights)


def assert_first_loss_adds_the_penalty(log, plain: dict, seed: int, directory, task_loss: float,
                                       penalty: float) -> None:
    """The penalised run's first logged loss (``log``) is the task's plus ``penalty``; the run
    without it (``plain``) logs the task's alone, and then trains differently."""
    assert penalty > 1e-4  # large enough to be seen
    assert log[log["step"] == 0]["loss"].item() == pytest.approx(task_loss + penalty, rel=1e-5)
    unpenalised = zoo_experiment.train_run(plain, seed, directory / "plain")
    assert unpenalised[unpenalised["step"] == 0]["loss"].item() == pytest.approx(task_loss,
                                                                                rel=1e-5)
    assert not np.allclose(log["loss"], unpenalised["loss"])


def assert_zero_weight_is_off(setting, penalised: dict, plain: dict, key: str, seed: int,
                              directory) -> None:
    """``penalised`` with its ``key`` penalty's weight set to 0 is no penalty
    (``setting.of_run`` gives None, as for ``plain``) and trains exactly as ``plain``."""
    off = copy.deepcopy(penalised)
    off[key]["weight"] = 0.0
    assert setting.of_run(off) is None and setting.of_run(plain) is None
    assert_trains_identically(plain, off, seed, directory)
