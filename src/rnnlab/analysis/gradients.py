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
