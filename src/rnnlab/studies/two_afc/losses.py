"""The study's training objective: cross-entropy at the decision step, plus the Adaptive
Contrastive Gating (ACG) term of the ACG notebooks::

    L = CE(y_T, label) + λ · ReLU(m − ‖μ₀ − μ₁‖₂)

μ_c is the mean decision-time rate vector r_T of the batch's trials of class c (label 0 = left,
1 = right). A batch holding one class only has no second centroid: its ACG term is 0 (and the
centroid distance NaN), so it adds nothing to the loss or the gradient.

Shapes: logits (B, T, 2) or (B, 2), rates (B, N), labels (B,) int64.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

Tensor = torch.Tensor


@dataclass(frozen=True)
class LossParts:
    total: Tensor
    cross_entropy: Tensor
    acg_penalty: Tensor  # ReLU(m − d), 0 without ACG or with one class
    centroid_distance: float  # d = ‖μ₀ − μ₁‖, NaN with one class


def centroid_distance(rates: Tensor, labels: Tensor) -> Tensor | None:
    """‖μ₀ − μ₁‖₂ of the rates (B, N) of class 0 and class 1; None if a class is absent."""
    left, right = labels == 0, labels == 1
    if not bool(left.any()) or not bool(right.any()):
        return None
    return torch.linalg.vector_norm(rates[left].mean(dim=0) - rates[right].mean(dim=0))


def acg_penalty(rates: Tensor, labels: Tensor, margin: float) -> tuple[Tensor, float]:
    """(ReLU(margin − ‖μ₀ − μ₁‖), the distance); (0 in the graph, NaN) with one class."""
    distance = centroid_distance(rates, labels)
    if distance is None:
        return rates.sum() * 0.0, float("nan")
    return torch.relu(margin - distance), float(distance.detach())


def decision_loss(logits: Tensor, rates: Tensor, labels: Tensor, acg_weight: float = 0.0,
                  margin: float = 0.0) -> LossParts:
    """CE on the decision-step logits (B, 2) + acg_weight · ACG term on the decision-step rates
    (B, N)."""
    cross_entropy = F.cross_entropy(logits, labels)
    penalty, distance = acg_penalty(rates, labels, margin)
    if acg_weight == 0:
        penalty = penalty * 0.0
    return LossParts(cross_entropy + acg_weight * penalty, cross_entropy, penalty, distance)


def psychrnn_mse(outputs: Tensor, targets: Tensor, mask: Tensor) -> LossParts:
    """PsychRNN's ``mean_squared_error`` (the comparison's CTRNN): mean over every (trial, step,
    output) of (mask · (y − target))², so unscored steps count as zeros in the mean.
    outputs, targets (B, T, O); mask (B, T)."""
    total = ((mask[..., None] * (outputs - targets)) ** 2).mean()
    return LossParts(total, outputs.new_tensor(float("nan")), outputs.new_zeros(()),
                     float("nan"))
