"""System A's training protocol: Adam on I and w (G frozen), epochs over one fixed set of trials.

The thesis draws ``n_trials`` trials once, then for ``epochs`` epochs takes
⌊n_trials / batch_size⌋ steps per epoch, each on ``batch_size`` distinct trials drawn at random
(``random.sample``: independent draws per step, not a permutation per epoch), minimising the
per-trial masked MSE (:func:`evaluation.trial_mse`) without gradient clipping. The shared
trainer samples fresh trials every step, hence this loop; it reuses the shared checkpoints,
resume store and progress log.

Determinism: initial weights from the model seed (``model``), the training set from
SeedSequence([seed, TRIALS_STREAM]), the batches from SeedSequence([seed, DATA_STREAM]); with
the same thread count the same seed gives bit-identical weights and logs, and a run resumed
from its saved state equals an uninterrupted one.

Log (table ``train_log``): per logged step the shared columns (the decision terms NaN: a
regression task; ``grad_norm`` the global norm of (∂L/∂I, ∂L/∂w), nothing clipped) and
``epoch``, ``grad_norm_input`` = |∂L/∂I|, ``grad_norm_output`` = |∂L/∂w| (the thesis plots
|∂L/∂I| and, as its "parameter 2", the running total √(|∂L/∂I|² + |∂L/∂w|²) = ``grad_norm``:
its loop accumulates the sum over parameters), and ``precision`` (the thesis's precision of the
network after the last step of each epoch, NaN on other rows).
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
import torch

from rnnlab.studies.system_a.evaluation import precision_by_duration, trial_mse
from rnnlab.training.eager_optim import Adam
from rnnlab.training.progress import TrainingProgress
from rnnlab.training.resume import ResumeStore
from rnnlab.training.trainer import DATA_STREAM, TrainingDiverged, data_generator

TRIALS_STREAM = 4  # the fixed training set of a seed


@dataclass(frozen=True)
class EpochSettings:
    epochs: int = 50
    n_trials: int = 500
    batch_size: int = 32
    checkpoint_epochs: tuple[int, ...] = (0, 50)
    log_every: int = 1
    max_steps: int | None = None  # stop early (the plan times shortened runs)

    @classmethod
    def from_dict(cls, values: dict) -> "EpochSettings":
        unknown = set(values) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown training setting(s): {sorted(unknown)}")
        values = dict(values)
        if "checkpoint_epochs" in values:
            values["checkpoint_epochs"] = tuple(values["checkpoint_epochs"])
        settings = cls(**values)
        if settings.batch_size > settings.n_trials:
            raise ValueError("batch_size exceeds n_trials: an epoch would have no step")
        return settings

    @property
    def steps_per_epoch(self) -> int:
        return self.n_trials // self.batch_size

    @property
    def total_steps(self) -> int:
        steps = self.epochs * self.steps_per_epoch
        return steps if self.max_steps is None else min(steps, self.max_steps)

    @property
    def checkpoint_steps(self) -> list[int]:
        """Steps of the checkpoint epochs (capped at the run's end: its last step always)."""
        steps = {min(e * self.steps_per_epoch, self.total_steps) for e in self.checkpoint_epochs}
        return sorted(steps | {self.total_steps})


def train_epochs(
    model,
    task,
    learning_rate: float,
    settings: EpochSettings,
    seed: int,
    save_checkpoint: Callable[[int, dict, dict], None],
    label: str = "",
    resume: ResumeStore | None = None,
    progress_interval_seconds: float = 5.0,
    clock: Callable[[], float] = time.monotonic,
) -> pd.DataFrame:
    """Train ``model`` in place; ``save_checkpoint(step, state_dict, extras)`` at each checkpoint
    step (extras: ``epoch``). Returns the log (module docstring)."""
    trials = task.sample(data_generator(seed, TRIALS_STREAM), settings.n_trials)
    inputs = torch.from_numpy(trials.inputs)
    targets = torch.from_numpy(trials.targets)
    masks = torch.from_numpy(trials.loss_mask)
    rng = data_generator(seed, DATA_STREAM)
    trained = [model.input_weights, model.output_weights]
    optimizer = Adam(trained, lr=learning_rate)
    total = settings.total_steps
    per_epoch = settings.steps_per_epoch
    checkpoint_steps = set(settings.checkpoint_steps)
    progress = TrainingProgress(label, total, progress_interval_seconds, clock)
    rows: list[dict] = []
    first_step = 0
    saved = resume.load() if resume is not None else None
    if saved is not None:
        first_step, rows = _restore(saved, model, optimizer, rng)
    progress.start(
        first_step,
        f"training System A ({model.hidden_size} units, G frozen, Adam lr {learning_rate} on "
        f"I and w) on {settings.n_trials} fixed trials of {task.n_steps} steps: "
        f"{settings.epochs} epochs × {per_epoch} steps of {settings.batch_size} trials"
        f"{f' (stopping at step {total})' if total < settings.epochs * per_epoch else ''}",
        resumed_from=None if saved is None else f"the state saved in {resume.path}",
    )
    try:
        for step in range(first_step, total + 1):
            final = step == total
            if resume is not None and step > first_step and (final or resume.due()):
                resume.save(_snapshot(step, rows, model, optimizer, rng))
            if step in checkpoint_steps:
                save_checkpoint(step, {k: v.detach().clone() for k, v in model.state_dict().items()},
                                {"epoch": step / per_epoch})
            if final:
                break
            chosen = torch.from_numpy(rng.choice(settings.n_trials, settings.batch_size,
                                                 replace=False))
            outputs, _ = model(inputs[chosen], return_states=False)
            loss = trial_mse(outputs, targets[chosen], masks[chosen])
            if not torch.isfinite(loss):
                raise TrainingDiverged(f"{label or 'training'}: loss became {loss.item()} at "
                                       f"step {step} (seed {seed})")
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            norms = [float(p.grad.norm()) for p in trained]
            optimizer.step()
            epoch_end = (step + 1) % per_epoch == 0
            if step % settings.log_every == 0 or step == total - 1 or epoch_end:
                rows.append(_row(step, loss.item(), learning_rate, norms, step // per_epoch,
                                 precision_of(model, task) if epoch_end else math.nan))
            if progress.due():
                progress.update(step + 1, loss.item(), None)
    except BaseException:
        progress.close()
        raise
    progress.finish(total, rows[-1]["loss"] if rows else None, None, total)
    return pd.DataFrame(rows, columns=LOG_COLUMNS)


LOG_COLUMNS = ["step", "loss", "fixation_mse", "decision_cross_entropy", "decision_accuracy",
               "learning_rate", "grad_norm", "epoch", "grad_norm_input", "grad_norm_output",
               "precision"]


def _row(step, loss, learning_rate, norms, epoch, precision) -> dict:
    nan = math.nan
    return dict(step=step, loss=loss, fixation_mse=nan, decision_cross_entropy=nan,
                decision_accuracy=nan, learning_rate=learning_rate,
                grad_norm=math.sqrt(sum(n * n for n in norms)), epoch=epoch,
                grad_norm_input=norms[0], grad_norm_output=norms[1], precision=precision)


def precision_of(model, task) -> float:
    """The thesis's precision: the mean over its test durations of the masked MSE."""
    return float(np.mean(list(precision_by_duration(model, task).values())))


def _snapshot(step, rows, model, optimizer, rng) -> dict:
    """Everything the rest of the run depends on, before update ``step`` (the training set is
    drawn again from its own stream)."""
    return dict(step=step, rows=json.dumps(rows), model=model.state_dict(),
                optimizer=optimizer.state_dict(),
                data_generator=json.dumps(rng.bit_generator.state),
                torch_generator=torch.get_rng_state())


def _restore(state: dict, model, optimizer, rng) -> tuple[int, list]:
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    rng.bit_generator.state = json.loads(state["data_generator"])
    torch.set_rng_state(state["torch_generator"])
    return int(state["step"]), json.loads(state["rows"])
