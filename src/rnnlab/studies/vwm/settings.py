"""The vwm run's optimiser and training settings (the ``optimizer`` and ``training`` sections of
a resolved run; ``model`` is ``rnnlab.studies.vwm.model.NetworkConfig``), with the seed's
defaults where it has one."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from rnnlab.studies.vwm.losses import LOSSES

DALE_PROJECTIONS = ("clip", "none")


def _from_dict(cls, values: dict, what: str):
    unknown = set(values) - set(cls.__dataclass_fields__)
    if unknown:
        raise ValueError(f"unknown vwm {what} setting(s): {sorted(unknown)}")
    values = dict(values)
    if "checkpoint_fractions" in values:
        values["checkpoint_fractions"] = tuple(values["checkpoint_fractions"])
    return cls(**values)


@dataclass(frozen=True)
class OptimizerSettings:
    """Adam with the learning rate reduced on plateaus of the training loss (seed: η = 1e-4,
    factor 0.5, patience 400 iterations; no gradient clipping)."""

    name: str = "adam"
    learning_rate: float = 1e-4
    plateau_factor: float = 0.5
    plateau_patience: int = 400
    grad_clip_norm: float = 0.0  # 0: no clipping (the seed clips nothing)

    @classmethod
    def from_dict(cls, values: dict) -> "OptimizerSettings":
        settings = _from_dict(cls, values, "optimizer")
        if settings.name != "adam":
            raise ValueError("the vwm study trains with adam only")
        return settings


@dataclass(frozen=True)
class TrainingSettings:
    """The training loop (``rnnlab.studies.vwm.training``).

    ``steps`` is the most updates a run makes (the seed's ``num_iterations``); early stopping
    (no new lowest training loss for ``early_stopping_patience`` updates, 0 = never) may end it
    sooner. Noise curriculum: with ``curriculum_stages`` S > 1 the noise factor takes S values
    log-spaced from ``curriculum_start_factor`` to the model's ``noise_factor``; a stage ends when
    it has used its ⌈steps/S⌉ updates or when early stopping triggers in it (then the next stage
    starts with fresh plateau and early-stopping counters); early stopping in the last stage
    ends training.
    """

    steps: int = 50000
    batch_size: int = 512
    loss: str = "rad"
    error_weight: float = 1.0
    rate_penalty: float = 1e-5
    early_stopping_patience: int = 600
    curriculum_stages: int = 1
    curriculum_start_factor: float = 1e-3
    dale_projection: str = "clip"
    checkpoint_fractions: tuple[float, ...] = (0.0, 1.0)
    log_every: int = 50

    @classmethod
    def from_dict(cls, values: dict) -> "TrainingSettings":
        settings = _from_dict(cls, values, "training")
        if settings.loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}")
        if settings.dale_projection not in DALE_PROJECTIONS:
            raise ValueError(f"dale_projection must be one of {DALE_PROJECTIONS}")
        if settings.steps < 0 or settings.batch_size < 1 or settings.curriculum_stages < 1:
            raise ValueError("need steps ≥ 0, batch_size ≥ 1 and curriculum_stages ≥ 1")
        return settings

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def checkpoint_steps(self) -> list[int]:
        """The nominal checkpoint steps (an early-stopped run ends with a checkpoint at the step
        where it stopped instead of the later ones)."""
        return sorted({int(round(f * self.steps)) for f in self.checkpoint_fractions})

    @property
    def stage_budget(self) -> int:
        """Updates per curriculum stage."""
        return max(1, math.ceil(self.steps / self.curriculum_stages))

    def stage_factors(self, final_factor: float) -> list[float]:
        """The noise factor of each curriculum stage (one stage: the final factor)."""
        stages = self.curriculum_stages
        if stages == 1 or final_factor <= 0:
            return [final_factor] * stages
        start, stop = math.log10(self.curriculum_start_factor), math.log10(final_factor)
        return [10 ** (start + (stop - start) * i / (stages - 1)) for i in range(stages)]
