"""Loss and accuracy for decision tasks with a fixation output (EI-RNN thesis form).

    L = MSE(y, one-hot fixation)   on loss steps outside the decision period
      + CE_smoothed(y, label)      on decision steps
      + w_fix · mean(y_fix²)       on decision steps (push the fixation output down)

Regression tasks (a target output per step) use ``masked_mse`` instead.

Shapes: outputs (B, T, O) logits, labels (B, T) int, masks (B, T) bool.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

Tensor = torch.Tensor


@dataclass(frozen=True)
class LossParts:
    total: Tensor
    fixation_mse: Tensor
    decision_cross_entropy: Tensor
    fixation_down: Tensor


def decision_loss(
    outputs: Tensor,
    labels: Tensor,
    loss_mask: Tensor,
    decision_mask: Tensor,
    label_smoothing: float = 0.1,
    fixdown_weight: float = 0.0,
) -> LossParts:
    fixating = loss_mask & ~decision_mask
    deciding = loss_mask & decision_mask
    zero = outputs.sum() * 0.0  # keeps the graph connected when a mask is empty
    if fixating.any():
        fixation_target = torch.zeros_like(outputs[fixating])
        fixation_target[:, 0] = 1.0
        fixation_mse = F.mse_loss(outputs[fixating], fixation_target)
    else:
        fixation_mse = zero
    if deciding.any():
        cross_entropy = F.cross_entropy(
            outputs[deciding], labels[deciding], label_smoothing=label_smoothing
        )
        fixation_down = (outputs[deciding][:, 0] ** 2).mean()
    else:
        cross_entropy = fixation_down = zero
    total = fixation_mse + cross_entropy + fixdown_weight * fixation_down
    return LossParts(total, fixation_mse, cross_entropy, fixation_down)


def row_sum_penalty(weight: Tensor, signs: Tensor | None = None, per_sign: bool = True) -> Tensor:
    """Row-sum penalty of a recurrent weight matrix (E/I Mod-Cog thesis), weight (N, N) with
    rows = postsynaptic units, signs (N,) ±1 per presynaptic unit (column):

        per_sign: mean_i [(Σ_{j∈E} W_ij)² + (Σ_{j∈I} W_ij)²]
        else (or without signs): mean_i (Σ_j W_ij)²

    Pushes every unit's summed excitatory and summed inhibitory input toward zero (per sign), or
    its net recurrent input toward zero (balance).
    """
    if signs is None or not per_sign:
        return weight.sum(dim=1).pow(2).mean()
    excitatory = (signs > 0).to(weight.dtype)[None, :]
    inhibitory = (signs < 0).to(weight.dtype)[None, :]
    return ((weight * excitatory).sum(dim=1).pow(2) + (weight * inhibitory).sum(dim=1).pow(2)).mean()


def masked_mse(outputs: Tensor, targets: Tensor, loss_mask: Tensor) -> Tensor:
    """Regression loss: mean of (y − target)² over the masked steps and every output channel.

    outputs, targets (B, T, O); loss_mask (B, T) bool. 0 (still in the graph) when no step is
    masked.
    """
    if not loss_mask.any():
        return outputs.sum() * 0.0
    return F.mse_loss(outputs[loss_mask], targets[loss_mask].to(outputs.dtype))


def decision_accuracy(outputs: Tensor, labels: Tensor, decision_mask: Tensor) -> float:
    """Fraction of decision steps whose argmax output equals the label."""
    if not decision_mask.any():
        return float("nan")
    predicted = outputs.argmax(dim=-1)
    return float((predicted[decision_mask] == labels[decision_mask]).float().mean())


def trial_choices(outputs: Tensor, decision_mask: Tensor) -> Tensor:
    """(B,) choice per trial: argmax of the output averaged over its decision steps
    (0 = the network kept fixating)."""
    weights = decision_mask.to(outputs.dtype)[..., None]
    mean_output = (outputs * weights).sum(dim=1) / weights.sum(dim=1).clamp_min(1.0)
    return mean_output.argmax(dim=-1)
