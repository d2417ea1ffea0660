"""Optimisers that respect Dale's law.

Gradient descent (GD): momentum and L2 weight decay, followed by the sign-keeping projection
W ← |W|·diag(sign) on the recurrent weights.

Exponentiated gradient (EG) on W_rec (EI-RNN thesis form), all other parameters by GD:
    g̃ = sign(w) ⊙ g + λ|w|      (+ momentum on g̃)
    w ← w ⊙ exp(−η g̃),   then |w| ≥ min_magnitude.
EG is gradient descent on log|w| with a multiplicative step, so a weight never changes sign.
Note linclab/EG_optimiser puts λ·sign(w) in place of λ|w| (a uniform shrink rate); the two differ.

Adam (engellab): Adam on every trained parameter with ``learning_rate`` (L2 weight decay per
group; torch's update, without torch.optim: ``eager_optim``), then
``LeakyRNN.apply_constraints_``: Dale projection of W_rec, no autapses, non-negative
W_in / W_out, as configured.

Dale projection after an unconstrained (GD or Adam) step: ``dale_projection`` = "reflect"
(|W|·diag(s), EI-RNN thesis) or "clip" (max(W·s, 0)·s, engellab). Either way
``sign_corrections`` counts, per presynaptic unit, the weights that had crossed zero.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Callable

import torch

from rnnlab.models.dale import project_columns
from rnnlab.models.leaky_rnn import DALE_PROJECTIONS, project_signed_columns
from rnnlab.training.eager_optim import Adam, ParameterGroups

Tensor = torch.Tensor
OPTIMIZERS = ("eg", "gd", "adam")


@dataclass(frozen=True)
class OptimizerConfig:
    """``name`` ("eg" or "gd") is the rule for W_rec, with step ``recurrent_learning_rate``;
    every other trained parameter takes GD steps of ``learning_rate``. ``name`` "adam" trains
    every parameter with Adam at ``learning_rate`` (``recurrent_learning_rate``, ``momentum``
    and ``min_magnitude`` unused; the weight decays are Adam's L2 terms)."""

    name: str = "eg"
    learning_rate: float = 0.1
    recurrent_learning_rate: float = 0.2
    momentum: float = 0.9
    weight_decay: float = 0.0
    recurrent_weight_decay: float = 0.0
    min_magnitude: float = 1e-6
    grad_clip_norm: float = 1.0
    dale_projection: str = "reflect"  # "reflect" or "clip", after GD / Adam steps
    # Opt-in (absent = ``momentum``): momentum of the W_rec rule alone (the thesis' EG uses 0
    # while its GD on the other parameters uses 0.9).
    recurrent_momentum: float | None = None

    @classmethod
    def from_dict(cls, values: dict) -> "OptimizerConfig":
        unknown = set(values) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown optimizer setting(s): {sorted(unknown)}")
        config = cls(**values)
        if config.name not in OPTIMIZERS:
            raise ValueError(f"optimizer name must be one of {OPTIMIZERS}, not {config.name!r}")
        if config.dale_projection not in DALE_PROJECTIONS:
            raise ValueError(
                f"dale_projection must be one of {DALE_PROJECTIONS}, not {config.dale_projection!r}"
            )
        return config

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class LearningRateDecay:
    """Linear decay of the step sizes over the last updates: factor 1 before
    ``start_fraction`` of the updates, then falling linearly to ``final_factor`` at the last
    update (``start_fraction`` 1: no decay)."""

    start_fraction: float = 1.0
    final_factor: float = 1.0

    def __post_init__(self):
        if not (0 <= self.start_fraction <= 1 and 0 < self.final_factor <= 1):
            raise ValueError("learning_rate_decay needs 0 ≤ start_fraction ≤ 1 and "
                             "0 < final_factor ≤ 1")

    def factor(self, update: int, steps: int) -> float:
        """The step-size factor of update ``update`` (0-based) of ``steps``."""
        done = update / steps if steps else 0.0
        if self.start_fraction >= 1 or done < self.start_fraction:
            return 1.0
        progress = (done - self.start_fraction) / (1 - self.start_fraction)
        return 1.0 - (1.0 - self.final_factor) * progress


class DaleOptimizer(ParameterGroups):
    """One optimiser, a rule per parameter group: ``rule`` = "gd" or "eg"; a group's
    ``momentum`` (None: the optimiser's) is the decay of its velocity. A group with
    ``column_signs`` (N,) is projected back to single-signed columns (``projection`` "reflect"
    or "clip") after a GD step, and under EG takes its signs from them. ``after_step``, if
    given, runs after every step (the model's remaining constraints)."""

    def __init__(self, groups: list[dict], momentum: float, min_magnitude: float,
                 after_step: Callable[[], object] | None = None):
        defaults = dict(rule="gd", lr=0.1, weight_decay=0.0, column_signs=None,
                        projection="reflect", momentum=None)
        super().__init__(groups, defaults)
        self.momentum = momentum
        self.min_magnitude = min_magnitude
        self.after_step = after_step
        # Per presynaptic unit: how many weight updates crossed zero and had to be reflected back
        # to the unit's sign (always 0 under EG). Projection hides these from the weights.
        signed = [g["column_signs"] for g in self.param_groups if g["column_signs"] is not None]
        self.sign_corrections = (
            torch.zeros(len(signed[0]), dtype=torch.int64) if signed else None
        )

    def _velocity(self, parameter: Tensor, direction: Tensor, momentum: float | None) -> Tensor:
        state = self.state[parameter]
        if "velocity" not in state:
            state["velocity"] = direction.clone()
        else:
            state["velocity"].mul_(self.momentum if momentum is None else momentum).add_(direction)
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
                    velocity = self._velocity(parameter, direction, group["momentum"])
                    magnitude = parameter.abs() * torch.exp(-group["lr"] * velocity)
                    parameter.copy_(sign * magnitude.clamp_min(self.min_magnitude))
                else:
                    direction = gradient + group["weight_decay"] * parameter
                    velocity = self._velocity(parameter, direction, group["momentum"])
                    parameter.add_(velocity, alpha=-group["lr"])
                    if group["column_signs"] is not None:
                        crossed = parameter * group["column_signs"][None, :] < 0
                        self.sign_corrections += crossed.sum(dim=0)
                        parameter.copy_(self._project(parameter, group))
        if self.after_step is not None:
            self.after_step()

    @staticmethod
    def _project(parameter: Tensor, group: dict) -> Tensor:
        if group["projection"] == "reflect":
            return project_columns(parameter, group["column_signs"])
        return project_signed_columns(parameter, group["column_signs"], group["projection"])


class ConstrainedAdam(Adam):
    """Adam (torch's update, ``eager_optim.Adam``) followed by ``constrain()``, which restores
    the constraints and returns the (N,) Dale sign corrections of the step (or None); they
    accumulate in ``sign_corrections``."""

    def __init__(self, groups: list[dict], constrain: Callable[[], Tensor | None]):
        super().__init__(groups)
        self.constrain = constrain
        self.sign_corrections = None

    def step(self, closure=None):
        loss = super().step(closure)
        corrections = self.constrain()
        if corrections is not None:
            if self.sign_corrections is None:
                self.sign_corrections = torch.zeros_like(corrections)
            self.sign_corrections += corrections
        return loss


def make_adam(model, config: OptimizerConfig) -> ConstrainedAdam:
    """Adam on every trained parameter, then ``model.apply_constraints_``."""
    recurrent = model.weight_recurrent
    others = [p for p in model.parameters() if p.requires_grad and p is not recurrent]
    groups = []
    if recurrent.requires_grad:
        groups.append(dict(params=[recurrent], lr=config.learning_rate,
                           weight_decay=config.recurrent_weight_decay))
    if others:
        groups.append(dict(params=others, lr=config.learning_rate,
                           weight_decay=config.weight_decay))
    optimizer = ConstrainedAdam(
        groups, constrain=lambda: model.apply_constraints_(config.dale_projection)
    )
    if model.config.dale:
        # Counted from the start, like DaleOptimizer, so an untrained model reports zeros.
        optimizer.sign_corrections = torch.zeros(model.hidden_size, dtype=torch.int64)
    return optimizer


def make_optimizer(model, config: OptimizerConfig) -> DaleOptimizer | ConstrainedAdam:
    """EG or GD on ``model.weight_recurrent``; GD with momentum on every other trained parameter.
    Adam on everything for ``config.name`` == "adam" (see ``make_adam``)."""
    if config.name == "adam":
        return make_adam(model, config)
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
                projection=config.dale_projection,
                momentum=config.recurrent_momentum,
            )
        )
    if others:
        groups.append(dict(params=others, rule="gd", lr=config.learning_rate,
                           weight_decay=config.weight_decay))
    # Only models with autapse / input-output constraints get the hook (none for the EI thesis
    # runs, whose updates stay exactly as before).
    after_step = model.enforce_connectivity_ if model.has_connectivity_constraints else None
    return DaleOptimizer(groups, momentum=config.momentum, min_magnitude=config.min_magnitude,
                         after_step=after_step)
