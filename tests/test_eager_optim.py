"""rnnlab's optimisers without torch.optim: torch's Adam update bit for bit, torch's state layout
for resuming, and no torch._dynamo import in a training process."""

import io
import subprocess
import sys
import textwrap

import pytest
import torch

from rnnlab.training.eager_optim import Adam, PlateauSchedule


def _problem(seed: int, dtype=torch.float32):
    generator = torch.Generator().manual_seed(seed)
    weights = [torch.randn(6, 5, generator=generator, dtype=dtype).requires_grad_(),
               torch.randn(5, generator=generator, dtype=dtype).requires_grad_(),
               torch.randn(3, 6, generator=generator, dtype=dtype).requires_grad_()]
    data = torch.randn(40, 5, generator=generator, dtype=dtype)
    return weights, data


def _loss(weights, data, step: int):
    hidden = torch.tanh(data @ weights[0].T + weights[0].sum(1) * 0.1)
    loss = ((hidden @ weights[2].T) ** 2).mean()
    if step % 3:  # the bias gets no gradient on every third step
        loss = loss + (weights[1] ** 2).sum() * 0.01
    return loss


def _train(make, weights, data, steps: int, first: int = 0, optimizer=None):
    optimizer = optimizer or make(weights)
    for step in range(first, first + steps):
        for group in optimizer.param_groups:  # a schedule, as the 2AFC trainer's decay
            group["lr"] = 0.01 * (0.97 ** step)
        optimizer.zero_grad(set_to_none=True)
        _loss(weights, data, step).backward()
        optimizer.step()
    return optimizer


def _groups(weights):
    return [dict(params=[weights[0]], weight_decay=0.01), dict(params=weights[1:])]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_adam_makes_torchs_updates_bit_for_bit(dtype):
    ours, data = _problem(1, dtype)
    theirs = [w.detach().clone().requires_grad_() for w in ours]
    _train(lambda w: Adam(_groups(w), lr=0.01), ours, data, 60)
    _train(lambda w: torch.optim.Adam(_groups(w), lr=0.01), theirs, data, 60)
    for mine, reference in zip(ours, theirs):
        assert torch.equal(mine, reference)
    assert not torch.equal(ours[0], _problem(1, dtype)[0][0])  # it trained


def test_adam_resumes_from_its_state_dict_exactly():
    straight, data = _problem(2)
    _train(lambda w: Adam(_groups(w), lr=0.01), straight, data, 30)

    resumed, _ = _problem(2)
    first = _train(lambda w: Adam(_groups(w), lr=0.01), resumed, data, 15)
    saved = first.state_dict()
    assert set(saved) == {"state", "param_groups"}
    assert [g["params"] for g in saved["param_groups"]] == [[0], [1, 2]]
    assert saved["param_groups"][0]["weight_decay"] == 0.01
    # a fresh optimiser, as a restarted job builds it, then loaded
    again = Adam(_groups(resumed), lr=0.01)
    again.load_state_dict(torch.load(_saved(saved), weights_only=False))
    _train(None, resumed, data, 15, first=15, optimizer=again)
    for a, b in zip(straight, resumed):
        assert torch.equal(a, b)


def _saved(state):
    """``state`` through torch.save and back, as a restarted job reads it."""
    buffer = io.BytesIO()
    torch.save(state, buffer)
    buffer.seek(0)
    return buffer


def test_a_state_of_other_groups_is_refused():
    weights, _ = _problem(3)
    saved = Adam(_groups(weights)).state_dict()
    with pytest.raises(ValueError, match="other parameter groups"):
        Adam(weights).load_state_dict(saved)
    with pytest.raises(ValueError, match="more than one group"):
        Adam([dict(params=[weights[0]]), dict(params=[weights[0]])])


def test_plateau_schedule_cuts_the_learning_rate_as_torchs_scheduler():
    losses = [1.0, 0.9, 0.9, 0.95, 0.9, 0.8999, 0.91, 0.92, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5,
              0.49999, 0.6, 0.6, 0.6] * 3
    weights, _ = _problem(4)
    ours = PlateauSchedule(Adam(weights, lr=0.01), factor=0.5, patience=2)
    reference_optimizer = torch.optim.Adam(
        [w.detach().clone().requires_grad_() for w in weights], lr=0.01)
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(reference_optimizer, mode="min",
                                                        factor=0.5, patience=2)
    rates = []
    for step, loss in enumerate(losses):
        if step == 20:  # a restarted job: a fresh schedule loaded from the saved state
            saved = ours.state_dict()
            ours = PlateauSchedule(ours.optimizer, factor=0.5, patience=2)
            ours.load_state_dict(saved)
        ours.step(loss)
        theirs.step(loss)
        rates.append(ours.optimizer.param_groups[0]["lr"])
        assert rates[-1] == reference_optimizer.param_groups[0]["lr"], step
    assert len(set(rates)) >= 4  # it did cut, several times
    with pytest.raises(ValueError, match="factor"):
        PlateauSchedule(ours.optimizer, factor=1.0)


def test_training_the_studies_networks_imports_no_torch_dynamo():
    # In a clean interpreter: one update of every optimiser the trainers build (the shared
    # trainer's EG/GD and constrained Adam, the plain Adam of the 2AFC, System A and vwm
    # trainers, vwm's plateau schedule),
    # and their state dicts; torch.optim would import torch._dynamo (≈ 2.4 CPU-s a job).
    script = textwrap.dedent("""
        import sys, torch
        from rnnlab.models.leaky_rnn import LeakyRNN, ModelConfig
        from rnnlab.training.eager_optim import Adam
        from rnnlab.training.optimizers import OptimizerConfig, make_optimizer
        for name in ("eg", "gd", "adam"):
            model = LeakyRNN(ModelConfig(input_size=3, hidden_size=8, output_size=2, dale=True))
            optimizer = make_optimizer(model, OptimizerConfig(name=name, learning_rate=0.01))
            model(torch.randn(4, 5, 3))[0].sum().backward()
            optimizer.step(); optimizer.zero_grad(set_to_none=True); optimizer.state_dict()
        weight = torch.nn.Parameter(torch.randn(3))
        plain = Adam([weight]); (weight ** 2).sum().backward(); plain.step(); plain.state_dict()
        from rnnlab.studies.vwm.training import _plateau  # vwm's Adam and plateau schedule
        from rnnlab.studies.vwm.settings import OptimizerSettings
        schedule = _plateau(plain, OptimizerSettings()); schedule.step(1.0); schedule.state_dict()
        heavy = [m for m in ("torch._dynamo",) if m in sys.modules]
        print("IMPORTED", heavy)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "IMPORTED []" in result.stdout, result.stdout
