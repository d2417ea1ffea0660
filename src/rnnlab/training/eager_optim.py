"""Optimisers for eager training that do not go through ``torch.optim``.

Why: ``torch.optim.Optimizer`` imports ``torch._dynamo`` the first time any of its methods runs
(its methods are wrapped to keep the compiler out, and ``step`` places graph breaks), which
costs ≈ 2.4 CPU-s per process (``python -X importtime -c "import torch._dynamo"``) — in this
workflow every training job is a process of its own, and nothing is ever compiled. These
classes keep ``torch.optim``'s interface as far as the trainers use it (``param_groups``,
``state``, ``zero_grad``, ``step``, ``state_dict`` / ``load_state_dict`` in the same layout)
and ``Adam`` makes exactly torch's CPU update (``torch.optim.adam._single_tensor_adam``
without amsgrad, capturable or maximize), so trained weights are bit for bit those of
``torch.optim.Adam``; ``PlateauSchedule`` is torch's ``ReduceLROnPlateau`` in its default mode
(``tests/test_eager_optim.py`` compares both step by step).
"""

from __future__ import annotations

from collections import defaultdict
from copy import deepcopy
from typing import Iterable

import torch

Tensor = torch.Tensor


class ParameterGroups:
    """Parameter groups (dicts with ``params`` and the rule's settings, ``defaults`` filling
    what a group leaves out) and a per-parameter ``state`` dict; subclasses define ``step``."""

    def __init__(self, params: Iterable, defaults: dict):
        self.defaults = dict(defaults)
        groups = list(params)
        if not groups:
            raise ValueError("an optimiser needs at least one parameter")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        self.param_groups: list[dict] = []
        self.state: defaultdict = defaultdict(dict)
        seen: set[int] = set()
        for group in groups:
            group = dict(group)
            parameters = group["params"]
            group["params"] = ([parameters] if isinstance(parameters, Tensor)
                               else list(parameters))
            for parameter in group["params"]:
                if id(parameter) in seen:
                    raise ValueError("a parameter appears in more than one group")
                seen.add(id(parameter))
            for key, value in self.defaults.items():
                group.setdefault(key, value)
            self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        for group in self.param_groups:
            for parameter in group["params"]:
                if parameter.grad is None:
                    continue
                if set_to_none:
                    parameter.grad = None
                else:
                    parameter.grad.detach_().zero_()

    def _parameters(self) -> list[Tensor]:
        return [p for group in self.param_groups for p in group["params"]]

    def state_dict(self) -> dict:
        """{"state": {index: state}, "param_groups": [group with params as indices]}: torch's
        layout (the state's tensors are the live ones, as torch's; save or copy them)."""
        index = {id(p): i for i, p in enumerate(self._parameters())}
        groups = [dict({k: v for k, v in g.items() if k != "params"},
                       params=[index[id(p)] for p in g["params"]]) for g in self.param_groups]
        state = {index[id(p)]: value for p, value in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, saved: dict) -> None:
        groups = saved["param_groups"]
        if len(groups) != len(self.param_groups) or any(
                len(a["params"]) != len(b["params"]) for a, b in zip(groups, self.param_groups)):
            raise ValueError("the saved optimiser state has other parameter groups than this one")
        by_index = dict(enumerate(self._parameters()))
        self.state = defaultdict(dict)
        for i, values in saved["state"].items():
            parameter = by_index[int(i)]
            self.state[parameter] = {
                key: (value.to(dtype=parameter.dtype, device=parameter.device).clone()
                      if isinstance(value, Tensor) and key != "step" else deepcopy(value))
                for key, value in values.items()
            }
        for group, saved_group in zip(self.param_groups, groups):
            group.update({k: deepcopy(v) for k, v in saved_group.items() if k != "params"})

    def step(self, closure=None):
        raise NotImplementedError


class Adam(ParameterGroups):
    """Adam (Kingma & Ba 2015) with L2 ``weight_decay`` added to the gradient, as
    ``torch.optim.Adam`` (default settings) computes it on CPU, update for update::

        g ← ∇ + λ w;   m ← m + (1 − β₁)(g − m);   v ← β₂ v + (1 − β₂) g²
        w ← w − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
    """

    def __init__(self, params: Iterable, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr, eps, decay = group["lr"], group["eps"], group["weight_decay"]
            for parameter in group["params"]:
                if parameter.grad is None:
                    continue
                state = self.state[parameter]
                if not state:
                    # A float32 tensor as torch keeps it (its value goes through .item()).
                    state["step"] = torch.tensor(0.0)
                    state["exp_avg"] = torch.zeros_like(parameter)
                    state["exp_avg_sq"] = torch.zeros_like(parameter)
                gradient = parameter.grad
                if decay != 0:
                    gradient = gradient.add(parameter, alpha=decay)
                state["step"] += 1
                step = state["step"].item()
                state["exp_avg"].lerp_(gradient, 1 - beta1)
                state["exp_avg_sq"].mul_(beta2).addcmul_(gradient, gradient, value=1 - beta2)
                step_size = lr / (1 - beta1 ** step)
                denominator = (state["exp_avg_sq"].sqrt() / (1 - beta2 ** step) ** 0.5).add_(eps)
                parameter.addcdiv_(state["exp_avg"], denominator, value=-step_size)
        return loss


class PlateauSchedule:
    """The learning rate × ``factor`` when the loss has not improved for more than ``patience``
    steps: ``torch.optim.lr_scheduler.ReduceLROnPlateau`` in its default mode (min, relative
    threshold, no cooldown, no floor), step for step. "Improved" means
    loss < best · (1 − ``threshold``); a cut smaller than ``eps`` is skipped."""

    def __init__(self, optimizer: ParameterGroups, factor: float = 0.1, patience: int = 10,
                 threshold: float = 1e-4, eps: float = 1e-8):
        if factor >= 1.0:
            raise ValueError("the plateau factor must be < 1")
        self.optimizer = optimizer
        self.factor, self.patience, self.threshold, self.eps = factor, patience, threshold, eps
        self.best = float("inf")
        self.num_bad_epochs = 0
        self.last_epoch = 0

    def step(self, loss: float) -> None:
        current = float(loss)
        self.last_epoch += 1
        if current < self.best * (1.0 - self.threshold):
            self.best, self.num_bad_epochs = current, 0
        else:
            self.num_bad_epochs += 1
        if self.num_bad_epochs > self.patience:
            for group in self.optimizer.param_groups:
                old = float(group["lr"])
                new = old * self.factor  # no floor (torch's min_lr 0)
                if old - new > self.eps:
                    group["lr"] = new
            self.num_bad_epochs = 0

    def state_dict(self) -> dict:
        return dict(best=self.best, num_bad_epochs=self.num_bad_epochs,
                    last_epoch=self.last_epoch)

    def load_state_dict(self, state: dict) -> None:
        self.best = float(state["best"])
        self.num_bad_epochs = int(state["num_bad_epochs"])
        self.last_epoch = int(state["last_epoch"])
