"""The vwm training losses: a report error per shown item, plus an L1 rate penalty.

For each shown item k of a trial, v̂_k (2,) is the decode-window mean of the readout pair
(cos, sin) of slot k, θ̂_k = atan2(v̂_k) and v_k = (cos θ_k, sin θ_k); Δ_k = wrap(θ̂_k − θ_k).
The per-trial error is the mean over the shown items of

- ``l2``:     ‖v̂_k − v_k‖²       (the seed's training error, on the unnormalised readout)
- ``sqrtl2``: ‖v̂_k − v_k‖
- ``rad``:    |Δ_k|              (absolute angular error, rad)
- ``exp``:    exp(|Δ_k|) − 1     (grows faster than |Δ| for large errors)

The seed names these four ``error_def`` values; the version of its training code that defines
them is not public (the public ones train on ``l2``), so ``sqrtl2``, ``rad`` and ``exp`` are
defined here as their names say. The total loss is λ_err·mean error + λ_reg·mean|r| (rates of
every unit, step and trial, Hz; the seed's activity penalty).
"""

from __future__ import annotations

from typing import NamedTuple

import math

import torch

LOSSES = ("l2", "sqrtl2", "rad", "exp")


class LossParts(NamedTuple):
    total: torch.Tensor  # scalar
    error: torch.Tensor  # scalar: mean per-trial error (the chosen variant)
    rate_penalty: torch.Tensor  # scalar: mean |r| (Hz), before λ_reg
    angular_error: torch.Tensor  # (B,) mean |Δ| over each trial's shown items, rad (no grad)


def wrap_angle(angle: torch.Tensor) -> torch.Tensor:
    """Angles wrapped to [−π, π)."""
    return torch.remainder(angle + math.pi, 2 * math.pi) - math.pi


def item_errors(decoded: torch.Tensor, theta: torch.Tensor, kind: str) -> torch.Tensor:
    """Error per item (B, M) of the decode-window mean readout ``decoded`` (B, M, 2) against
    orientations ``theta`` (B, M)."""
    if kind not in LOSSES:
        raise ValueError(f"unknown loss {kind!r}; expected one of {LOSSES}")
    if kind in ("l2", "sqrtl2"):
        target = torch.stack([torch.cos(theta), torch.sin(theta)], dim=-1)
        squared = ((decoded - target) ** 2).sum(dim=-1)
        return squared if kind == "l2" else torch.sqrt(squared + 1e-12)
    delta = wrap_angle(torch.atan2(decoded[..., 1], decoded[..., 0]) - theta).abs()
    return delta if kind == "rad" else torch.expm1(delta)


def memory_loss(readout: torch.Tensor, rates: torch.Tensor, theta: torch.Tensor,
                presence: torch.Tensor, window: tuple[int, int], kind: str,
                error_weight: float = 1.0, rate_penalty: float = 0.0) -> LossParts:
    """The loss of a batch: ``readout`` (B, T, 2M), ``rates`` (B, T, N), ``theta`` and
    ``presence`` (B, M), decode ``window`` [start, stop) steps."""
    start, stop = window
    decoded = readout[:, start:stop].mean(dim=1)
    decoded = decoded.reshape(decoded.shape[0], -1, 2)
    shown = presence.sum(dim=1)
    error = (item_errors(decoded, theta, kind) * presence).sum(dim=1) / shown
    activity = rates.abs().mean()
    with torch.no_grad():
        delta = wrap_angle(torch.atan2(decoded[..., 1], decoded[..., 0]) - theta).abs()
        angular = (delta * presence).sum(dim=1) / shown
    mean_error = error.mean()
    total = error_weight * mean_error + rate_penalty * activity
    return LossParts(total, mean_error, activity, angular)
