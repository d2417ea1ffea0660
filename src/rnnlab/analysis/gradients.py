"""Credit assignment by population: ∂L/∂h_t for every trial, step and unit.

∂L/∂h_t is the *total* derivative (through the readout and through all later steps). It is read
off as the gradient with respect to a zero perturbation added to each new state, which the model
accepts as ``state_perturbation``.

Shapes: B trials, T steps, N units.
"""

from __future__ import annotations

import numpy as np
import torch

from rnnlab.tasks.base import TaskBatch
from rnnlab.training.losses import decision_loss
from rnnlab.training.trainer import batch_tensors


def hidden_state_gradients(
    model, batch: TaskBatch, label_smoothing: float = 0.1, fixdown_weight: float = 0.1
) -> tuple[np.ndarray, np.ndarray]:
    """(states, gradients), both (B, T, N) float64: h_t and ∂L/∂h_t of the training loss."""
    tensors = batch_tensors(batch)
    probe = torch.zeros(
        batch.batch_size, batch.n_steps, model.hidden_size, requires_grad=True
    )
    outputs, states = model(tensors["inputs"], state_perturbation=probe)
    loss = decision_loss(
        outputs,
        tensors["labels"],
        tensors["loss_mask"],
        tensors["decision_mask"],
        label_smoothing=label_smoothing,
        fixdown_weight=fixdown_weight,
    ).total
    (gradient,) = torch.autograd.grad(loss, probe)
    return states.detach().double().numpy(), gradient.double().numpy()


def preactivation_slopes(model, batch: TaskBatch, states: np.ndarray) -> np.ndarray:
    """φ′(u_t), (B, T, N) float64: the slope of the nonlinearity at the pre-activation
    u_t = W_in x_t + W_rec h_t + b that produced ``states[:, t]`` (= h_{t+1}; h_0 = 0, the
    model's initial state). ``states``: (B, T, N) from :func:`hidden_state_gradients`.

    ``g_t ⊙ φ′(u_t)`` is the "gate-adjusted" gradient: the part of ∂L/∂h_{t+1} that reaches a
    unit's input current (times α); it is 0 where a unit is saturated or silent.
    """
    with torch.no_grad():
        current = torch.as_tensor(states, dtype=torch.float64)
        previous = torch.cat([torch.zeros_like(current[:, :1]), current[:, :-1]], dim=1)
        inputs = torch.as_tensor(batch.inputs, dtype=torch.float64)
        slopes = model.nonlinearity.derivative(model.preactivation(previous, inputs))
    return slopes.double().numpy()
