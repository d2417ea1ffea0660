"""Seeded training of a network on a task, with checkpoints at configured steps.

Determinism: the initial weights come from ``torch.manual_seed(seed)``, the training batches
from ``numpy.random.Generator(SeedSequence([seed, DATA_STREAM]))``; with the same thread count
on the same machine the same seed gives bit-identical weights and logs.

Classification tasks (``batch.labels``) use the decision loss, regression tasks
(``batch.targets``) the masked MSE; their log rows hold NaN in ``fixation_mse``,
``decision_cross_entropy`` and ``decision_accuracy``.

Training noise (only when the model's σ is > 0, so runs without noise draw nothing extra):
input noise ``model.input_noise`` added to the inputs and recurrent noise ``model.state_noise``
added to each new state, both from a torch.Generator seeded from SeedSequence([seed,
NOISE_STREAM]). Validation (``validate_every`` > 0): the loss, without noise, on one fixed batch
of ``validation_trials`` trials drawn from SeedSequence([seed, VALIDATION_STREAM]), after every
``validate_every``-th update and after the last one; with ``keep_best`` the model ends (and the
final checkpoint holds) the parameters with the lowest validation loss.

Opt-in settings (off by default, so runs that do not set them train exactly as before):
``trial_stream_steps`` > 0 trains on trial streams (``rnnlab.tasks.streams``: consecutive trials
concatenated into rows of that many steps, as neurogym's ``Dataset`` builds them) instead of
single padded trials; ``row_sum_penalty`` > 0 adds that weight times the row-sum penalty of W_rec
(``rnnlab.training.losses.row_sum_penalty``) to every training loss (and to the logged loss);
``class_balance`` "mirror" draws half of each batch and appends its mirror images
(``rnnlab.tasks.mirror``; the task needs a ``mirror`` method), so every batch is balanced
between the two sides; ``learning_rate_decay`` (``optimizers.LearningRateDecay``, which
two_afc's own trainer uses too) decays every step size linearly (the logged rate with it);
``train``'s ``state_penalty`` (a callable of the training states and batch, e.g. the CTRNN zoo's
slowness penalty) adds its value to every training loss (and to the logged loss) – not to the
validation loss, which stays the task's loss.

Several tasks (``rnnlab.tasks.schedule.RoundRobinTasks``): update k draws its batch from the
schedule's task k mod n, from the same data generator (the E/I thesis' ``task_sampling:
round_robin``); a single task trains exactly as before. Validation needs a single task.

Progress: ``train`` logs to the logger ``rnnlab.training`` what it trains, a progress line at
most every ``progress_interval_seconds`` of wall time and a final line (see
``rnnlab.training.progress``); reporting reads a clock and already computed numbers only, so it
changes no result.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from typing import Callable

import numpy as np
import pandas as pd
import torch

from rnnlab.tasks.base import TaskBatch
from rnnlab.tasks.mirror import has_mirror, mirror_paired_sample
from rnnlab.tasks.schedule import RoundRobinTasks, task_at
from rnnlab.tasks.streams import trial_stream
from rnnlab.training.losses import (
    LossParts,
    decision_accuracy,
    decision_loss,
    masked_mse,
    row_sum_penalty,
)
from rnnlab.training.optimizers import LearningRateDecay, OptimizerConfig, make_optimizer
from rnnlab.training.progress import TrainingProgress, ValidationSummary
from rnnlab.training.resume import ResumeStore

DATA_STREAM = 1  # the training-batch stream of a seed; evaluation uses its own seeds
VALIDATION_STREAM = 2  # the fixed validation batch of a seed
NOISE_STREAM = 3  # input and recurrent training noise of a seed
CLASS_BALANCES = ("none", "mirror")


@dataclass(frozen=True)
class TrainingConfig:
    steps: int = 1000
    batch_size: int = 64
    checkpoint_fractions: tuple[float, ...] = (0.0, 0.25, 0.5, 1.0)
    log_every: int = 10
    label_smoothing: float = 0.1
    fixdown_weight: float = 0.1
    validate_every: int = 0  # 0: no validation
    validation_trials: int = 256
    keep_best: bool = False  # needs validate_every > 0
    # Opt-in (absent from a run's config = off; config/run.schema.yaml has no default for them).
    trial_stream_steps: int = 0  # > 0: train on trial streams of this many steps
    row_sum_penalty: float = 0.0  # weight of the row-sum penalty of W_rec
    row_sum_per_sign: bool = True  # penalise E and I row sums separately
    class_balance: str = "none"  # or "mirror": half a batch and its mirror images
    learning_rate_decay: LearningRateDecay = LearningRateDecay()  # default: none

    @classmethod
    def from_dict(cls, values: dict) -> "TrainingConfig":
        unknown = set(values) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown training setting(s): {sorted(unknown)}")
        values = dict(values)
        if isinstance(values.get("learning_rate_decay"), dict):
            values["learning_rate_decay"] = LearningRateDecay(**values["learning_rate_decay"])
        if "checkpoint_fractions" in values:
            values["checkpoint_fractions"] = tuple(values["checkpoint_fractions"])
        config = cls(**values)
        config.check()
        return config

    def check(self) -> None:
        if self.validate_every < 0 or self.validation_trials < 1:
            raise ValueError("validate_every must be ≥ 0 and validation_trials ≥ 1")
        if self.keep_best and self.validate_every == 0:
            raise ValueError("keep_best needs validate_every > 0")
        if self.trial_stream_steps < 0 or self.row_sum_penalty < 0:
            raise ValueError("trial_stream_steps and row_sum_penalty must be ≥ 0")
        if self.class_balance not in CLASS_BALANCES:
            raise ValueError(f"class_balance must be one of {CLASS_BALANCES}, "
                             f"not {self.class_balance!r}")
        if self.class_balance == "mirror" and (self.batch_size % 2 or self.trial_stream_steps):
            raise ValueError("class_balance mirror needs an even batch_size and single trials "
                             "(trial_stream_steps 0)")

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def checkpoint_steps(self) -> list[int]:
        return sorted({int(round(f * self.steps)) for f in self.checkpoint_fractions})


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite."""


def batch_tensors(batch: TaskBatch) -> dict[str, torch.Tensor]:
    """The torch tensors the loss needs, from a numpy TaskBatch: inputs (B, T, I), loss_mask and
    decision_mask (B, T), and labels (B, T) or targets (B, T, O), whichever the task has."""
    tensors = dict(
        inputs=torch.from_numpy(batch.inputs),
        loss_mask=torch.from_numpy(batch.loss_mask),
        decision_mask=torch.from_numpy(batch.decision_mask),
    )
    if batch.labels is not None:
        tensors["labels"] = torch.from_numpy(batch.labels)
    if batch.targets is not None:
        tensors["targets"] = torch.from_numpy(batch.targets)
    return tensors


def data_generator(seed: int, stream: int = DATA_STREAM) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, stream])))


def noise_generator(seed: int) -> torch.Generator:
    """torch.Generator for the training noise of a seed (its own stream)."""
    state = np.random.SeedSequence([seed, NOISE_STREAM]).generate_state(1, dtype=np.uint64)[0]
    return torch.Generator().manual_seed(int(state))


def batch_loss(outputs: torch.Tensor, tensors: dict, config: TrainingConfig) -> LossParts:
    """Masked MSE for regression batches (with ``targets``), the decision loss otherwise; the
    parts a regression loss lacks are NaN."""
    if "targets" in tensors:
        total = masked_mse(outputs, tensors["targets"], tensors["loss_mask"])
        missing = torch.tensor(float("nan"))
        return LossParts(total, missing, missing, missing)
    return decision_loss(
        outputs,
        tensors["labels"],
        tensors["loss_mask"],
        tensors["decision_mask"],
        label_smoothing=config.label_smoothing,
        fixdown_weight=config.fixdown_weight,
    )


def batch_accuracy(outputs: torch.Tensor, tensors: dict) -> float:
    """Decision accuracy of a classification batch; NaN for regression."""
    if "labels" not in tensors:
        return float("nan")
    return decision_accuracy(outputs.detach(), tensors["labels"], tensors["decision_mask"])


def training_batch(task, rng: np.random.Generator, config: TrainingConfig) -> TaskBatch:
    """One training batch: ``batch_size`` single trials (half of them the mirror images of the
    other half with ``class_balance`` "mirror"), or rows of ``trial_stream_steps`` consecutive
    trials when that is > 0."""
    if config.trial_stream_steps > 0:
        return trial_stream(task, rng, config.batch_size, config.trial_stream_steps)
    if config.class_balance == "mirror":
        return mirror_paired_sample(task, rng, config.batch_size)
    return task.sample(rng, config.batch_size)


def with_penalties(parts: LossParts, model, config: TrainingConfig) -> LossParts:
    """``parts`` with the configured weight penalties added to the total (unchanged if none)."""
    if config.row_sum_penalty <= 0:
        return parts
    penalty = row_sum_penalty(
        model.weight_recurrent, model.unit_signs if model.config.dale else None,
        per_sign=config.row_sum_per_sign,
    )
    return LossParts(parts.total + config.row_sum_penalty * penalty, parts.fixation_mse,
                     parts.decision_cross_entropy, parts.fixation_down)


def noisy_forward(model, inputs: torch.Tensor, generator: torch.Generator | None):
    """model(inputs) with training noise, drawn only for the noise sources whose σ > 0.
    inputs (B, T, I) → outputs (B, T, O), states (B, T, N)."""
    config = model.config
    batch_size, n_steps, _ = inputs.shape
    if generator is not None and getattr(config, "input_noise_std", 0.0) > 0:
        inputs = inputs + model.input_noise(batch_size, n_steps, generator)
    if generator is not None and config.recurrent_noise_std > 0:
        return model(inputs, state_perturbation=model.state_noise(batch_size, n_steps, generator))
    return model(inputs)


def uses_noise(model) -> bool:
    config = model.config
    return getattr(config, "input_noise_std", 0.0) > 0 or config.recurrent_noise_std > 0


class Validator:
    """Validation loss on one fixed, seeded batch; remembers the best parameters."""

    def __init__(self, task, config: TrainingConfig, seed: int):
        rng = data_generator(seed, VALIDATION_STREAM)
        self.tensors = batch_tensors(task.sample(rng, config.validation_trials))
        self.config = config
        self.steps: list[int] = []
        self.losses: list[float] = []
        self.best_step = -1
        self.best_loss = float("inf")
        self.best_state: dict | None = None

    def due(self, step: int) -> bool:
        return step % self.config.validate_every == 0 or step == self.config.steps

    @torch.no_grad()
    def evaluate(self, model, step: int) -> float:
        """Validation loss (noise-free) of the current parameters, after ``step`` updates."""
        outputs, _ = model(self.tensors["inputs"])
        loss = batch_loss(outputs, self.tensors, self.config).total.item()
        self.steps.append(step)
        self.losses.append(loss)
        if loss < self.best_loss:  # NaN never counts as best
            self.best_step, self.best_loss = step, loss
            self.best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        return loss

    def restore_best(self, model) -> None:
        if self.best_state is not None:
            model.load_state_dict(self.best_state)

    def state(self) -> dict:
        return dict(
            steps=list(self.steps),
            losses=list(self.losses),
            best_step=self.best_step,
            best_loss=self.best_loss,
            best_state=self.best_state,
        )

    def load_state(self, state: dict) -> None:
        self.steps, self.losses = list(state["steps"]), list(state["losses"])
        self.best_step, self.best_loss = state["best_step"], state["best_loss"]
        self.best_state = state["best_state"]

    def summary(self) -> ValidationSummary | None:
        """The latest validation loss and the best so far (None before the first)."""
        if not self.steps:
            return None
        return ValidationSummary(self.steps[-1], self.losses[-1], self.best_step, self.best_loss)

    def extras(self, parameters_step: int) -> dict:
        """Checkpoint extras: the validation history so far and the best step / loss."""
        return dict(
            validation_steps=torch.tensor(self.steps, dtype=torch.int64),
            validation_losses=torch.tensor(self.losses, dtype=torch.float64),
            best_validation_step=self.best_step,
            best_validation_loss=self.best_loss,
            parameters_step=parameters_step,
        )


def logged_learning_rate(config: OptimizerConfig) -> float:
    """Step size of W_rec: ``learning_rate`` under Adam, ``recurrent_learning_rate`` otherwise."""
    return config.learning_rate if config.name == "adam" else config.recurrent_learning_rate


def describe_training(model, task, optimizer_config: OptimizerConfig, config: TrainingConfig,
                      trainable: list[torch.Tensor]) -> str:
    """One line: the task, steps and batch size, the model's size, the optimiser, validation."""
    hidden_size = getattr(getattr(model, "config", None), "hidden_size", None)
    units = f"{hidden_size} units, " if hidden_size is not None else ""
    text = (
        f"training {type(model).__name__} ({units}"
        f"{sum(p.numel() for p in trainable):,} trainable parameters) on "
        f"{getattr(task, 'name', type(task).__name__)}: {config.steps} steps of "
        f"{config.batch_size} trials, {optimizer_config.name}"
    )
    if config.validate_every > 0:
        text += (
            f", validation every {config.validate_every} steps on {config.validation_trials} "
            f"trials{' (keeping the best parameters)' if config.keep_best else ''}"
        )
    decay = config.learning_rate_decay
    if decay.start_fraction < 1:
        text += (f", step size decaying to {decay.final_factor:g}× from "
                 f"{decay.start_fraction:g} of the steps")
    if config.class_balance == "mirror":
        text += ", mirror-paired batches"
    threads = torch.get_num_threads()
    return text + f", {threads} thread{'s' if threads != 1 else ''}"


def train(
    model: torch.nn.Module,
    task,
    optimizer_config: OptimizerConfig,
    config: TrainingConfig,
    seed: int,
    save_checkpoint: Callable[[int, dict, dict], None],
    label: str = "",
    resume: ResumeStore | None = None,
    progress_interval_seconds: float = 5.0,
    clock: Callable[[], float] = time.monotonic,
    state_penalty: Callable[[torch.Tensor, TaskBatch], torch.Tensor] | None = None,
) -> pd.DataFrame:
    """Train ``model`` in place; call ``save_checkpoint(step, state_dict, extras)`` at each
    checkpoint step, where ``extras`` holds ``sign_corrections`` (N,), the cumulative count of
    Dale-violating updates reflected back per presynaptic unit (None without Dale's law), and,
    with validation on, ``Validator.extras``: ``validation_steps`` / ``validation_losses`` so
    far, ``best_validation_step`` / ``best_validation_loss`` and ``parameters_step`` (the step
    whose parameters the checkpoint holds: the best one in the final checkpoint with
    ``keep_best``).

    Returns the training log (one row per ``log_every`` steps and the last step). ``label``
    names the run in error messages. With ``resume``, training continues from the store's saved
    state if it has one, and saves its state there as it goes (see ``rnnlab.training.resume``);
    the checkpoints written before the interruption must survive in ``save_checkpoint``'s
    destination.

    Progress goes to the logger ``rnnlab.training`` (INFO): a first line, a line at most every
    ``progress_interval_seconds`` of ``clock`` time (seconds, monotonic) and a last line; on a
    terminal stderr also a progress bar. Neither changes a result.

    ``state_penalty(states, batch)`` (optional; None trains exactly as before): a differentiable
    scalar of the training forward pass's states (B, T, N), noise included, and the batch it
    ran on, added to the training loss.
    """
    config.check()
    if config.validate_every > 0 and isinstance(task, RoundRobinTasks):
        raise ValueError(
            f"{label or 'training'}: validation on a round-robin schedule of tasks "
            f"({task.name}) is not supported; set validate_every to 0"
        )
    if config.class_balance == "mirror" and not has_mirror(task):
        raise ValueError(
            f"{label or 'training'}: training.class_balance 'mirror' needs a task with a mirror "
            f"image; {getattr(task, 'name', type(task).__name__)} has none"
        )
    progress = TrainingProgress(label, config.steps, progress_interval_seconds, clock)
    optimizer = make_optimizer(model, optimizer_config)
    # Before a resume loads the optimiser's state: the schedule scales these at every step.
    base_rates = [group["lr"] for group in optimizer.param_groups]
    rng = data_generator(seed)
    validator = Validator(task, config, seed) if config.validate_every > 0 else None
    noise = noise_generator(seed) if uses_noise(model) else None
    checkpoint_steps = set(config.checkpoint_steps)
    trainable = [p for p in model.parameters() if p.requires_grad]
    rows = []
    first_step = 0
    saved = resume.load() if resume is not None else None
    if saved is not None:
        first_step, rows = _restore(saved, model, optimizer, rng, noise, validator)
    progress.start(
        first_step,
        describe_training(model, task, optimizer_config, config, trainable),
        resumed_from=None if saved is None else f"the state saved in {resume.path}",
    )
    parameters_step = first_step
    try:
        for step in range(first_step, config.steps + 1):
            final = step == config.steps
            # Saved at the end too: a job training several seeds finishes their stores only after
            # the last one, so a seed done before a kill resumes at its end, not at its last save.
            if resume is not None and step > first_step and (final or resume.due()):
                resume.save(_snapshot(step, rows, model, optimizer, rng, noise, validator))
            if validator is not None and validator.due(step):
                validator.evaluate(model, step)
            parameters_step = step
            if final and config.keep_best and validator is not None:
                validator.restore_best(model)
                parameters_step = validator.best_step
            if step in checkpoint_steps:
                corrections = optimizer.sign_corrections
                extras = {"sign_corrections": None if corrections is None else corrections.clone()}
                if validator is not None:
                    extras.update(validator.extras(parameters_step))
                save_checkpoint(
                    step,
                    {k: v.detach().clone() for k, v in model.state_dict().items()},
                    extras,
                )
            if final:
                break
            batch = training_batch(task_at(task, step), rng, config)
            tensors = batch_tensors(batch)
            outputs, states = noisy_forward(model, tensors["inputs"], noise)
            parts = with_penalties(batch_loss(outputs, tensors, config), model, config)
            if state_penalty is not None:
                parts = LossParts(parts.total + state_penalty(states, batch), parts.fixation_mse,
                                  parts.decision_cross_entropy, parts.fixation_down)
            if not torch.isfinite(parts.total):
                raise TrainingDiverged(
                    f"{label or 'training'}: loss became {parts.total.item()} at step {step} "
                    f"(seed {seed}); lower the learning rate or the gradient clip norm"
                )
            optimizer.zero_grad(set_to_none=True)
            parts.total.backward()
            grad_norm = torch.nn.utils.clip_grad_norm_(trainable, optimizer_config.grad_clip_norm)
            factor = config.learning_rate_decay.factor(step, config.steps)
            if config.learning_rate_decay.start_fraction < 1:  # every step: a resume's lr is stale
                for group, rate in zip(optimizer.param_groups, base_rates):
                    group["lr"] = rate * factor
            optimizer.step()
            if step % config.log_every == 0 or step == config.steps - 1:
                rows.append(
                    dict(
                        step=step,
                        loss=parts.total.item(),
                        fixation_mse=parts.fixation_mse.item(),
                        decision_cross_entropy=parts.decision_cross_entropy.item(),
                        decision_accuracy=batch_accuracy(outputs, tensors),
                        learning_rate=logged_learning_rate(optimizer_config) * factor,
                        grad_norm=float(grad_norm),
                    )
                )
            if progress.due():
                progress.update(
                    step + 1, parts.total.item(), None if validator is None else validator.summary()
                )
    except BaseException:
        progress.close()  # ends a terminal bar's line before the error's message
        raise
    progress.finish(
        config.steps,
        rows[-1]["loss"] if rows else None,
        None if validator is None else validator.summary(),
        parameters_step,
    )
    return pd.DataFrame(rows)


def _snapshot(step, rows, model, optimizer, rng, noise, validator) -> dict:
    """Everything the rest of the run depends on, before update ``step``."""
    return dict(
        step=step,
        rows=json.dumps(rows),
        model=model.state_dict(),
        optimizer=optimizer.state_dict(),
        sign_corrections=optimizer.sign_corrections,
        data_generator=json.dumps(rng.bit_generator.state),  # 128-bit ints: kept as text
        noise_generator=None if noise is None else noise.get_state(),
        torch_generator=torch.get_rng_state(),
        validator=None if validator is None else validator.state(),
    )


def _restore(state: dict, model, optimizer, rng, noise, validator) -> tuple[int, list]:
    """Load a ``_snapshot``; returns (the step to continue from, the log rows so far)."""
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    optimizer.sign_corrections = state["sign_corrections"]
    rng.bit_generator.state = json.loads(state["data_generator"])
    if noise is not None:
        noise.set_state(state["noise_generator"])
    torch.set_rng_state(state["torch_generator"])
    if validator is not None:
        validator.load_state(state["validator"])
    return int(state["step"]), json.loads(state["rows"])
