"""The vwm training loop: the seed's optimisation (Adam, learning rate halved on plateaus of the
training loss, early stopping, the noise curriculum) in plain PyTorch autograd, with the shared
pieces of rnnlab training (seeded streams, checkpoints, resume state, progress log).

Each update: a batch of ``batch_size`` trials split evenly over the task's set sizes, the network
run with spike noise of the current curriculum factor, the loss (``rnnlab.studies.vwm.losses``)
back-propagated through time and through the reparameterised noise, an Adam step, then the
projections: B ← max(B, 0) (positive input, as the seed) and — ``dale_projection: clip``, the
default — W ← max(W, 0), which keeps every column of W_eff single-signed, i.e. Dale's law holds
through training. The seed never projects W (``dale_projection: none`` reproduces that); the
weights the projection sets to zero are counted per presynaptic unit (checkpoint extra
``sign_corrections``) and per update (log column ``n_clipped``): what the seed's networks would
have turned into sign violations.

Determinism: weights from ``torch.manual_seed(seed)`` (the caller), batches from
``rnnlab.training.trainer.data_generator(seed)``, spike noise from
``rnnlab.training.trainer.noise_generator(seed)``; a resumed run continues from the saved states
of all of them, the optimiser, the plateau scheduler, early stopping and the curriculum, so that
it ends bit-identical to an uninterrupted one.
"""

from __future__ import annotations

import json
import time
from typing import Callable

import numpy as np
import pandas as pd
import torch

from rnnlab.studies.vwm.losses import memory_loss
from rnnlab.studies.vwm.settings import OptimizerSettings, TrainingSettings
from rnnlab.training.eager_optim import Adam, PlateauSchedule
from rnnlab.training.progress import TrainingProgress
from rnnlab.training.resume import ResumeStore
from rnnlab.training.trainer import TrainingDiverged, data_generator, noise_generator

NAN = float("nan")
LOG_COLUMNS = ("step", "loss", "fixation_mse", "decision_cross_entropy", "decision_accuracy",
               "learning_rate", "grad_norm", "error", "angular_error", "mean_rate_hz",
               "noise_factor", "curriculum_stage", "n_clipped")


class EarlyStopping:
    """Counts updates without a new lowest loss; ``triggered`` after ``patience`` of them (the
    seed's rule on the training loss; patience 0 never triggers)."""

    def __init__(self, patience: int):
        self.patience = patience
        self.best = float("inf")
        self.counter = 0

    def update(self, loss: float) -> None:
        if loss < self.best:
            self.best, self.counter = loss, 0
        else:
            self.counter += 1

    @property
    def triggered(self) -> bool:
        return self.patience > 0 and self.counter >= self.patience

    def state_dict(self) -> dict:
        return {"best": self.best, "counter": self.counter}

    def load_state_dict(self, state: dict) -> None:
        self.best, self.counter = float(state["best"]), int(state["counter"])


class Curriculum:
    """Which noise factor trains now: stage i runs at most to update ⌊(i+1)·steps/S⌋ and ends
    sooner when early stopping triggers in it (``TrainingSettings``)."""

    def __init__(self, settings: TrainingSettings, final_factor: float):
        self.factors = settings.stage_factors(final_factor)
        self.steps = settings.steps
        self.stage = 0

    @property
    def factor(self) -> float:
        return self.factors[self.stage]

    @property
    def last(self) -> bool:
        return self.stage == len(self.factors) - 1

    def stage_end(self) -> int:
        return (self.stage + 1) * self.steps // len(self.factors)


def _plateau(optimizer, settings: OptimizerSettings):
    return PlateauSchedule(optimizer, factor=settings.plateau_factor,
                           patience=settings.plateau_patience)


def _set_size_errors(angular: torch.Tensor, set_size: np.ndarray, sizes) -> dict[str, float]:
    """Mean |Δθ| (rad) of the batch's trials of each set size."""
    errors = angular.detach().double().numpy()
    return {f"angular_error_size_{s}": float(errors[set_size == s].mean())
            if (set_size == s).any() else NAN for s in sizes}


def train_network(model, task, optimizer_settings: OptimizerSettings,
                  settings: TrainingSettings, seed: int,
                  save_checkpoint: Callable[[int, dict, dict], None], label: str = "",
                  resume: ResumeStore | None = None, progress_interval_seconds: float = 5.0,
                  clock: Callable[[], float] = time.monotonic) -> pd.DataFrame:
    """Train ``model`` in place; ``save_checkpoint(step, state_dict, extras)`` at the nominal
    checkpoint steps it reaches and at the step where training ends. Returns the log rows
    (columns of the ``train_log`` table without run and seed)."""
    optimizer = Adam(model.parameters(), lr=optimizer_settings.learning_rate)
    plateau = _plateau(optimizer, optimizer_settings)
    stopper = EarlyStopping(settings.early_stopping_patience)
    curriculum = Curriculum(settings, model.config.noise_factor)
    rng = data_generator(seed)
    noise = noise_generator(seed)
    clipped = torch.zeros(model.hidden_size, dtype=torch.int64)
    window = task.period_bounds["decode"]
    checkpoint_steps = set(settings.checkpoint_steps)
    state = dict(step=0, stopped=False, rows=[])
    saved = resume.load() if resume is not None else None
    if saved is not None:
        _restore(saved, state, model, optimizer, plateau, stopper, curriculum, rng, noise, clipped)
    first_step = state["step"]
    progress = TrainingProgress(label, settings.steps, progress_interval_seconds, clock)
    parameters = sum(p.numel() for p in model.parameters())
    progress.start(
        first_step,
        f"training VWMNetwork ({model.hidden_size} units, {parameters:,} parameters, "
        f"{model.config.noise_type} noise {model.config.noise_factor:g} in "
        f"{len(curriculum.factors)} curriculum stage(s)) on {task.name}: up to "
        f"{settings.steps} steps of {settings.batch_size} trials, adam, loss {settings.loss}, "
        f"Dale projection {settings.dale_projection}, {torch.get_num_threads()} thread(s)",
        resumed_from=None if saved is None else f"the state saved in {resume.path}",
    )
    loss_value = None
    step = first_step
    try:
        while True:
            done = step >= settings.steps or state["stopped"]
            if resume is not None and step > first_step and (done or resume.due()):
                state["step"] = step
                resume.save(_snapshot(state, model, optimizer, plateau, stopper, curriculum,
                                      rng, noise, clipped))
            if step in checkpoint_steps or done:
                save_checkpoint(step, {k: v.detach().clone() for k, v in model.state_dict().items()},
                                dict(sign_corrections=clipped.clone(),
                                     noise_factor=curriculum.factor,
                                     curriculum_stage=curriculum.stage,
                                     stopped_early=bool(state["stopped"]),
                                     learning_rate=optimizer.param_groups[0]["lr"]))
            if done:
                break
            row = _update(model, task, optimizer, optimizer_settings, settings, curriculum,
                          rng, noise, window, clipped, label, step, seed)
            loss_value = row["loss"]
            plateau.step(loss_value)
            stopper.update(loss_value)
            if stopper.triggered or step + 1 >= curriculum.stage_end():
                if not curriculum.last:
                    curriculum.stage += 1
                    plateau = _plateau(optimizer, optimizer_settings)
                    stopper = EarlyStopping(settings.early_stopping_patience)
                elif stopper.triggered:
                    state["stopped"] = True
            if step % settings.log_every == 0 or step == settings.steps - 1 or state["stopped"]:
                state["rows"].append(row)
            step += 1
            if progress.due():
                progress.update(step, loss_value, None)
    except BaseException:
        progress.close()
        raise
    progress.finish(step, loss_value, None, step)
    columns = list(LOG_COLUMNS) + [f"angular_error_size_{s}" for s in task.set_sizes]
    return pd.DataFrame(state["rows"], columns=columns)


def _update(model, task, optimizer, optimizer_settings, settings, curriculum, rng, noise,
            window, clipped, label, step, seed) -> dict:
    """One update; returns its log row."""
    batch = task.sample(rng, settings.batch_size)
    theta = torch.from_numpy(batch.metadata["theta"]).to(model.W.dtype)
    presence = torch.from_numpy(batch.metadata["presence"]).to(model.W.dtype)
    factor = curriculum.factor
    rates = model(torch.from_numpy(batch.inputs), noise, factor)
    start, stop = window
    readout = model.readout(rates[:, start:stop], noise, factor)  # only the decode window
    parts = memory_loss(readout, rates, theta, presence, (0, stop - start), settings.loss,
                        settings.error_weight, settings.rate_penalty)
    if not torch.isfinite(parts.total):
        raise TrainingDiverged(f"{label or 'training'}: loss became {parts.total.item()} at "
                               f"step {step} (seed {seed}); lower the learning rate")
    optimizer.zero_grad(set_to_none=True)
    parts.total.backward()
    clip = optimizer_settings.grad_clip_norm
    grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), clip if clip > 0 else float("inf"))
    learning_rate = optimizer.param_groups[0]["lr"]
    optimizer.step()
    n_clipped = 0
    with torch.no_grad():
        if model.positive_input:
            model.B.clamp_(min=0.0)
        if model.config.dale and settings.dale_projection == "clip":
            negative = model.W < 0
            counts = negative.sum(dim=0)
            clipped += counts
            n_clipped = int(counts.sum())
            model.W.clamp_(min=0.0)
    row = dict(step=step, loss=parts.total.item(), fixation_mse=NAN, decision_cross_entropy=NAN,
               decision_accuracy=NAN, learning_rate=learning_rate, grad_norm=float(grad_norm),
               error=parts.error.item(), angular_error=float(parts.angular_error.mean()),
               mean_rate_hz=parts.rate_penalty.item(), noise_factor=factor,
               curriculum_stage=curriculum.stage, n_clipped=n_clipped)
    row.update(_set_size_errors(parts.angular_error, batch.conditions["set_size"].to_numpy(),
                                task.set_sizes))
    return row


def _snapshot(state, model, optimizer, plateau, stopper, curriculum, rng, noise, clipped) -> dict:
    return dict(
        step=state["step"], stopped=state["stopped"], rows=json.dumps(state["rows"]),
        model=model.state_dict(), optimizer=optimizer.state_dict(),
        plateau=plateau.state_dict(), stopper=stopper.state_dict(),
        curriculum_stage=curriculum.stage, clipped=clipped.clone(),
        data_generator=json.dumps(rng.bit_generator.state),  # 128-bit ints: kept as text
        noise_generator=noise.get_state(), torch_generator=torch.get_rng_state(),
    )


def _restore(saved, state, model, optimizer, plateau, stopper, curriculum, rng, noise,
             clipped) -> None:
    state.update(step=int(saved["step"]), stopped=bool(saved["stopped"]),
                 rows=json.loads(saved["rows"]))
    model.load_state_dict(saved["model"])
    optimizer.load_state_dict(saved["optimizer"])
    plateau.load_state_dict(saved["plateau"])
    stopper.load_state_dict(saved["stopper"])
    curriculum.stage = int(saved["curriculum_stage"])
    clipped.copy_(saved["clipped"])
    rng.bit_generator.state = json.loads(saved["data_generator"])
    noise.set_state(saved["noise_generator"])
    torch.set_rng_state(saved["torch_generator"])
