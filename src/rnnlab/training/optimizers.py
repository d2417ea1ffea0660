"""Optimisers that respect Dale's law.

Gradient descent (GD): momentum and L2 weight decay, followed by the sign-keeping projection
W ← |W|·diag(sign) on the recurrent weights.

Exponentiated gradient (EG) on W_rec (EI-RNN thesis form), all other parameters by GD:
    g̃ = sign(w) ⊙ g + λ|w|      (+ momentum on g̃)
    w ← w ⊙ exp(−η g̃),   then |w| ≥ min_magnitude.
EG is gradient descent on log|w| with a multiplicative step, so a weight never changes sign.
Note linclab/EG_optimiser puts λ·sign(w) in place of λ|w| (a uniform shrink rate); the two differ.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch

from rnnlab.models.dale import project_columns

Tensor = torch.Tensor


@dataclass(frozen=True)
class OptimizerConfig:
    """``name`` ("eg" or "gd") is the rule for W_rec, with step ``recurrent_learning_rate``;
    every other trained parameter takes GD steps of ``learning_rate``."""

    name: str = "eg"
    learning_rate: float = 0.1
    recurrent_learning_rate: float = 0.2
    momentum: float = 0.9
    weight_decay: float = 0.0
    recurrent_weight_decay: float = 0.0
    min_magnitude: float = 1e-6
    grad_clip_norm: float = 1.0

    @classmethod
    def from_dict(cls, values: dict) -> "OptimizerConfig":
        unknown = set(values) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown optimizer setting(s): {sorted(unknown)}")
        config = cls(**values)
        if config.name not in ("eg", "gd"):
            raise ValueError(f"optimizer name must be 'eg' or 'gd', not {config.name!r}")
        return config

    def to_dict(self) -> dict:
        return asdict(self)


class DaleOptimizer(torch.optim.Optimizer):
    """One optimiser, a rule per parameter group: ``rule`` = "gd" or "eg". A group with
    ``column_signs`` (N,) is projected back to single-signed columns after a GD step, and under
    EG takes its signs from them."""

    def __init__(self, groups: list[dict], momentum: float, min_magnitude: float):
        defaults = dict(rule="gd", lr=0.1, weight_decay=0.0, column_signs=None)
        super().__init__(groups, defaults)
        self.momentum = momentum
        self.min_magnitude = min_magnitude
        # Per presynaptic unit: how many weight updates crossed zero and had to be reflected back
        # to the unit's sign (always 0 under EG). Projection hides these from the weights.
        signed = [g["column_signs"] for g in self.param_groups if g["column_signs"] is not None]
        self.sign_corrections = (
            torch.zeros(len(signed[0]), dtype=torch.int64) if signed else None
        )

    def _velocity(self, parameter: Tensor, direction: Tensor) -> Tensor:
        state = self.state[parameter]
        if "velocity" not in state:
            state["velocity"] = direction.clone()
        else:
            state["velocity"].mul_(self.momentum).add_(direction)
        return state["velocity"]

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for parameter in group["params"]:
                if parameter.grad is None:
                    continue
                gradient = parameter.grad
                if group["rule"] == "eg":
                    # The sign is fixed before the update: exp() can underflow to 0, and
                    # sign(0) = 0 would otherwise kill the weight for good.
                    if group["column_signs"] is not None:
                        sign = group["column_signs"][None, :].expand_as(parameter)
                    else:
                        sign = torch.sign(parameter)
                    direction = sign * gradient + group["weight_decay"] * parameter.abs()
                    velocity = self._velocity(parameter, direction)
                    magnitude = parameter.abs() * torch.exp(-group["lr"] * velocity)
                    parameter.copy_(sign * magnitude.clamp_min(self.min_magnitude))
                else:
                    direction = gradient + group["weight_decay"] * parameter
                    velocity = self._velocity(parameter, direction)
                    parameter.add_(velocity, alpha=-group["lr"])
                    if group["column_signs"] is not None:
                        crossed = parameter * group["column_signs"][None, :] < 0
                        self.sign_corrections += crossed.sum(dim=0)
                        parameter.copy_(project_columns(parameter, group["column_signs"]))


def make_optimizer(model, config: OptimizerConfig) -> DaleOptimizer:
    """EG or GD on ``model.weight_recurrent``; GD with momentum on every other trained parameter."""
    recurrent = model.weight_recurrent
    others = [p for p in model.parameters() if p.requires_grad and p is not recurrent]
    groups = []
    if recurrent.requires_grad:
        groups.append(
            dict(
                params=[recurrent],
                rule=config.name,
                lr=config.recurrent_learning_rate,
                weight_decay=config.recurrent_weight_decay,
                column_signs=model.unit_signs if model.config.dale else None,
            )
        )
    if others:
        groups.append(dict(params=others, rule="gd", lr=config.learning_rate,
                           weight_decay=config.weight_decay))
    return DaleOptimizer(groups, momentum=config.momentum, min_magnitude=config.min_magnitude)
