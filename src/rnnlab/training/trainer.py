"""Seeded training of a network on a task, with checkpoints at configured steps.

Determinism: the initial weights come from ``torch.manual_seed(seed)``, the training batches
from ``numpy.random.Generator(SeedSequence([seed, DATA_STREAM]))``; with the same thread count
on the same machine the same seed gives bit-identical weights and logs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Callable

import numpy as np
import pandas as pd
import torch

from rnnlab.tasks.base import TaskBatch
from rnnlab.training.losses import decision_accuracy, decision_loss
from rnnlab.training.optimizers import OptimizerConfig, make_optimizer

DATA_STREAM = 1  # the training-batch stream of a seed; evaluation uses its own seeds


@dataclass(frozen=True)
class TrainingConfig:
    steps: int = 1000
    batch_size: int = 64
    checkpoint_fractions: tuple[float, ...] = (0.0, 0.25, 0.5, 1.0)
    log_every: int = 10
    label_smoothing: float = 0.1
    fixdown_weight: float = 0.1

    @classmethod
    def from_dict(cls, values: dict) -> "TrainingConfig":
        unknown = set(values) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown training setting(s): {sorted(unknown)}")
        values = dict(values)
        if "checkpoint_fractions" in values:
            values["checkpoint_fractions"] = tuple(values["checkpoint_fractions"])
        return cls(**values)

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def checkpoint_steps(self) -> list[int]:
        return sorted({int(round(f * self.steps)) for f in self.checkpoint_fractions})


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite."""


def batch_tensors(batch: TaskBatch) -> dict[str, torch.Tensor]:
    """The torch tensors the loss needs, from a numpy TaskBatch."""
    return dict(
        inputs=torch.from_numpy(batch.inputs),
        labels=torch.from_numpy(batch.labels),
        loss_mask=torch.from_numpy(batch.loss_mask),
        decision_mask=torch.from_numpy(batch.decision_mask),
    )


def data_generator(seed: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, DATA_STREAM])))


def train(
    model: torch.nn.Module,
    task,
    optimizer_config: OptimizerConfig,
    config: TrainingConfig,
    seed: int,
    save_checkpoint: Callable[[int, dict, dict], None],
    label: str = "",
) -> pd.DataFrame:
    """Train ``model`` in place; call ``save_checkpoint(step, state_dict, extras)`` at each
    checkpoint step, where ``extras`` holds ``sign_corrections`` (N,), the cumulative count of
    Dale-violating updates reflected back per presynaptic unit (None without Dale's law).

    Returns the training log (one row per ``log_every`` steps and the last step). ``label``
    names the run in error messages.
    """
    optimizer = make_optimizer(model, optimizer_config)
    rng = data_generator(seed)
    checkpoint_steps = set(config.checkpoint_steps)
    trainable = [p for p in model.parameters() if p.requires_grad]
    rows = []
    for step in range(config.steps + 1):
        if step in checkpoint_steps:
            corrections = optimizer.sign_corrections
            save_checkpoint(
                step,
                {k: v.detach().clone() for k, v in model.state_dict().items()},
                {"sign_corrections": None if corrections is None else corrections.clone()},
            )
        if step == config.steps:
            break
        tensors = batch_tensors(task.sample(rng, config.batch_size))
        outputs, _ = model(tensors["inputs"])
        parts = decision_loss(
            outputs,
            tensors["labels"],
            tensors["loss_mask"],
            tensors["decision_mask"],
            label_smoothing=config.label_smoothing,
            fixdown_weight=config.fixdown_weight,
        )
        if not torch.isfinite(parts.total):
            raise TrainingDiverged(
                f"{label or 'training'}: loss became {parts.total.item()} at step {step} "
                f"(seed {seed}); lower the learning rate or the gradient clip norm"
            )
        optimizer.zero_grad(set_to_none=True)
        parts.total.backward()
        grad_norm = torch.nn.utils.clip_grad_norm_(trainable, optimizer_config.grad_clip_norm)
        optimizer.step()
        if step % config.log_every == 0 or step == config.steps - 1:
            rows.append(
                dict(
                    step=step,
                    loss=parts.total.item(),
                    fixation_mse=parts.fixation_mse.item(),
                    decision_cross_entropy=parts.decision_cross_entropy.item(),
                    decision_accuracy=decision_accuracy(
                        outputs.detach(), tensors["labels"], tensors["decision_mask"]
                    ),
                    learning_rate=optimizer_config.recurrent_learning_rate,
                    grad_norm=float(grad_norm),
                )
            )
    return pd.DataFrame(rows)
