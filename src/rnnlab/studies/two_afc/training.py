"""The study's own training loop (gated Dale, vanilla and the comparison's CTRNN): Adam on
cross-entropy at the decision step, optionally with recurrent noise, the ACG term and a
coherence curriculum; or (``objective`` "psychrnn_mse", the comparison's CTRNN) PsychRNN's
training step: masked MSE over every step (``losses.psychrnn_mse``) and each parameter's
gradient clipped to norm ``grad_clip_norm`` on its own (``clip`` "per_tensor": TensorFlow's
``clip_by_norm`` per variable, as PsychRNN's ``train`` does) instead of the global norm.

Per update: a batch from the seed's data stream (at the curriculum's current coherence, if on;
``class_balance`` "mirror": half the batch drawn and its mirror image appended, see
``rnnlab.tasks.mirror.mirror_paired_sample``), the forward pass with recurrent noise σ_rec ξ (ξ ~ N(0, 1) from the seed's noise stream; only
drawn when σ_rec > 0), L = CE + λ·ReLU(m − ‖μ₀ − μ₁‖) (``losses``), backward, global
gradient-norm clip, Adam step (its step size ``learning_rate`` times the
``learning_rate_decay`` factor of the update), then Dale's projection of W_rec (gated Dale networks; the sign
corrections are counted per presynaptic unit and saved with each checkpoint).

Why mirror pairs and the decay (measured on the default config, gated and ungated networks,
3 seeds, every 10th update of the last 120): the bias at zero coherence is final-iterate noise,
not a property of the trained networks — P(right) at 0 (2000 mirror-balanced test trials)
wanders by ±0.1 between checkpoints 10 updates apart and changes sign within a run; its logit
median correlates with the batches' recent class imbalance (r = 0.55 gated, 0.37 ungated:
i.i.d. sides give 64-trial batches 32 ± 4 right trials, and Adam turns each imbalance into a
step of the output biases). Mirror pairs remove that drive (RMS deviation of P(right) at 0
from 0.5: 0.086 → 0.063 gated, 0.090 → 0.051 ungated) and a linear decay of the step size
over the last quarter to 0.1× stops the walk before the last checkpoint (final networks,
6 of them: RMS deviation 0.067 → 0.014), at no cost in accuracy or compute.

Curriculum (the seed's ``PsychRNN_CurriculumLearning_works`` rule): training starts at
``start_coherence``; after every ``validate_every``-th update the accuracy on a fixed
validation batch (the seed's validation stream: same noise and sides each time) at the current
coherence is measured, and if it exceeds ``threshold`` the coherence drops by ``step`` (not
below ``min_coherence``). Without a curriculum, training coherences are drawn uniformly from
the task's ``coherences`` and validation (if ``validate_every`` > 0) only logs accuracy.

Determinism and resume: weights from ``torch.manual_seed(seed)``; data, validation and noise
from ``SeedSequence([seed, stream])`` generators (the shared trainer's streams); a
``ResumeStore`` snapshot holds everything the rest of the run depends on (parameters, Adam
state, generators, curriculum state, log rows), so a killed run resumes bit-identically.

The log (``train_log`` table) holds the shared columns — ``fixation_mse`` NaN (no fixation
output), ``decision_cross_entropy`` the CE, ``decision_accuracy`` the batch's accuracy — and
after them ``acg_penalty``, ``centroid_distance`` (‖μ₀ − μ₁‖ of the batch, NaN with one class),
``training_coherence`` (the curriculum's coherence, NaN without a curriculum),
``validation_accuracy`` (NaN where no validation ran) and ``coherence_lowered`` (the
curriculum lowered the coherence after this update).
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd
import torch

from rnnlab.studies.two_afc.losses import decision_loss, psychrnn_mse
from rnnlab.tasks.mirror import mirror_paired_sample
from rnnlab.training.eager_optim import Adam
from rnnlab.training.progress import TrainingProgress
from rnnlab.training.resume import ResumeStore
from rnnlab.training.trainer import (
    CLASS_BALANCES,
    LearningRateDecay,
    TrainingDiverged,
    VALIDATION_STREAM,
    data_generator,
    noise_generator,
)

OBJECTIVES = ("decision_cross_entropy", "psychrnn_mse")
CLIPS = ("global", "per_tensor")
EXTRA_COLUMNS = ("acg_penalty", "centroid_distance", "training_coherence", "validation_accuracy",
                 "coherence_lowered")


@dataclass(frozen=True)
class Curriculum:
    enabled: bool = False
    start_coherence: float = 0.9
    step: float = 0.1
    threshold: float = 0.8
    min_coherence: float = 0.1




@dataclass(frozen=True)
class StudyTraining:
    """Config key ``training`` of a gated Dale / vanilla run (with ``optimizer``)."""

    steps: int = 1000
    batch_size: int = 64
    checkpoint_fractions: tuple[float, ...] = (0.0, 1.0)
    log_every: int = 10
    validate_every: int = 0
    validation_trials: int = 256
    learning_rate: float = 0.003
    grad_clip_norm: float = 1.0
    acg_weight: float = 0.0
    acg_margin: float = 0.0
    curriculum: Curriculum = field(default_factory=Curriculum)
    class_balance: str = "none"  # or "mirror" (rnnlab.tasks.mirror)
    learning_rate_decay: LearningRateDecay = field(default_factory=LearningRateDecay)
    objective: str = "decision_cross_entropy"  # or "psychrnn_mse"
    clip: str = "global"  # or "per_tensor"

    @classmethod
    def from_run(cls, run_config: dict) -> "StudyTraining":
        training = dict(run_config.get("training", {}))
        optimizer = run_config.get("optimizer", {})
        curriculum = Curriculum(**training.pop("curriculum", {}))
        acg = training.pop("acg", {})
        decay = LearningRateDecay(**training.pop("learning_rate_decay", {}))
        config = cls(
            **{k: v for k, v in training.items() if k != "checkpoint_fractions"},
            checkpoint_fractions=tuple(training.get("checkpoint_fractions", (0.0, 1.0))),
            learning_rate=optimizer.get("learning_rate", cls.learning_rate),
            grad_clip_norm=optimizer.get("grad_clip_norm", cls.grad_clip_norm),
            acg_weight=acg.get("weight", 0.0),
            acg_margin=acg.get("margin", 0.0),
            curriculum=curriculum,
            learning_rate_decay=decay,
        )
        if config.objective not in OBJECTIVES or config.clip not in CLIPS:
            raise ValueError(f"objective must be one of {OBJECTIVES} and clip one of {CLIPS}")
        if config.class_balance not in CLASS_BALANCES:
            raise ValueError(f"class_balance must be one of {CLASS_BALANCES}")
        if config.class_balance == "mirror" and config.batch_size % 2:
            raise ValueError("class_balance mirror needs an even batch_size")
        if curriculum.enabled and config.validate_every <= 0:
            raise ValueError("a curriculum needs validate_every > 0 (when it checks accuracy)")
        return config

    def learning_rate_at(self, update: int) -> float:
        """Adam's step size for update ``update`` (0-based)."""
        return self.learning_rate * self.learning_rate_decay.factor(update, self.steps)

    @property
    def checkpoint_steps(self) -> list[int]:
        return sorted({int(round(f * self.steps)) for f in self.checkpoint_fractions})


def decision_tensors(batch) -> tuple[torch.Tensor, torch.Tensor]:
    """(inputs (B, T, 2) float32, labels (B,) int64) of a two_channel batch."""
    return (torch.from_numpy(batch.inputs),
            torch.tensor(batch.conditions["label"].to_numpy(dtype=np.int64)))


def clip_gradients(parameters, max_norm: float, mode: str) -> float:
    """Clip in place ("global": the joint norm, "per_tensor": each parameter's own norm, as
    TensorFlow's ``clip_by_norm`` per variable); returns the joint norm before clipping."""
    parameters = [p for p in parameters if p.grad is not None]
    if mode == "global":
        return float(torch.nn.utils.clip_grad_norm_(parameters, max_norm))
    norms = torch.stack([torch.nn.utils.clip_grad_norm_([p], max_norm) for p in parameters])
    return float(torch.linalg.vector_norm(norms))


def psychrnn_accuracy(outputs: torch.Tensor, mask: torch.Tensor, labels: torch.Tensor) -> float:
    """PsychRNN's ``accuracy_function``: argmax of the time-mean of the masked outputs."""
    choices = (outputs * mask[..., None]).mean(dim=1).argmax(dim=1)
    return float((choices == labels).double().mean())


def forward_decision(model, inputs, noise=None):
    """(decision-step logits (B, 2), decision-step rates (B, N)) of a batch."""
    logits, rates = model(inputs, noise=noise)
    return logits[:, -1], rates[:, -1]


class _State:
    """What evolves during training besides the parameters: the curriculum and the log."""

    def __init__(self, curriculum: Curriculum):
        self.coherence = curriculum.start_coherence if curriculum.enabled else None
        self.rows: list[dict] = []
        self.validations: list[tuple[int, float]] = []

    def to_dict(self) -> dict:
        return dict(coherence=self.coherence, rows=json.dumps(self.rows),
                    validations=json.dumps(self.validations))

    def load(self, saved: dict) -> None:
        self.coherence = saved["coherence"]
        self.rows = json.loads(saved["rows"])
        self.validations = [tuple(v) for v in json.loads(saved["validations"])]


@torch.no_grad()
def validation_accuracy(model, task, seed: int, trials: int, coherence) -> float:
    """Accuracy on the seed's fixed validation batch (same sides and noise every time) at
    ``coherence`` (None: the task's training coherences)."""
    batch = task.sample(data_generator(seed, VALIDATION_STREAM), trials, coherence=coherence)
    inputs, labels = decision_tensors(batch)
    logits, _ = forward_decision(model, inputs)
    return float((logits.argmax(dim=1) == labels).double().mean())


def train_decision_network(model, task, config: StudyTraining, seed: int,
                           save_checkpoint: Callable[[int, dict, dict], None],
                           recurrent_noise_std: float = 0.0, label: str = "",
                           resume: ResumeStore | None = None,
                           progress_interval_seconds: float = 5.0,
                           clock: Callable[[], float] = time.monotonic) -> pd.DataFrame:
    """Train ``model`` in place (see the module docstring); ``save_checkpoint(step, state_dict,
    extras)`` at each checkpoint step with extras ``sign_corrections`` (N,) (None without
    Dale's law), ``training_coherence`` and the curriculum ``schedule`` so far. Returns the
    log rows (without run and seed)."""
    progress = TrainingProgress(label, config.steps, progress_interval_seconds, clock)
    optimizer = Adam(model.parameters(), lr=config.learning_rate)
    rng = data_generator(seed)
    noise = noise_generator(seed) if recurrent_noise_std > 0 else None
    dale = hasattr(model, "project_dale_")
    corrections = torch.zeros(model.hidden_size, dtype=torch.int64) if dale else None
    state = _State(config.curriculum)
    checkpoint_steps = set(config.checkpoint_steps)
    first_step = 0
    saved = resume.load() if resume is not None else None
    if saved is not None:
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        rng.bit_generator.state = json.loads(saved["data_generator"])
        if noise is not None:
            noise.set_state(saved["noise_generator"])
        torch.set_rng_state(saved["torch_generator"])
        corrections = saved["sign_corrections"]
        state.load(saved["state"])
        first_step = int(saved["step"])
    description = (
        f"training {type(model).__name__} ({model.hidden_size} units) on {task.name}: "
        f"{config.steps} steps of {config.batch_size} trials, Adam lr {config.learning_rate}"
        + (f", recurrent noise {recurrent_noise_std}" if recurrent_noise_std > 0 else "")
        + (f", ACG λ {config.acg_weight} margin {config.acg_margin}" if config.acg_weight else "")
        + (f", curriculum from coherence {config.curriculum.start_coherence}"
           if config.curriculum.enabled else "")
        + (", mirror-paired batches" if config.class_balance == "mirror" else "")
        + (f", step size decaying to {config.learning_rate_decay.final_factor}× from "
           f"{config.learning_rate_decay.start_fraction:g} of the updates"
           if config.learning_rate_decay.start_fraction < 1 else "")
    )
    progress.start(first_step, description,
                   None if saved is None else f"the state saved in {resume.path}")

    def snapshot(step: int) -> dict:
        return dict(step=step, model=model.state_dict(), optimizer=optimizer.state_dict(),
                    data_generator=json.dumps(rng.bit_generator.state),
                    noise_generator=None if noise is None else noise.get_state(),
                    torch_generator=torch.get_rng_state(), sign_corrections=corrections,
                    state=state.to_dict())

    try:
        for step in range(first_step, config.steps + 1):
            final = step == config.steps
            if resume is not None and step > first_step and (final or resume.due()):
                resume.save(snapshot(step))
            if step in checkpoint_steps:
                save_checkpoint(step, {k: v.detach().clone() for k, v in model.state_dict().items()},
                                dict(sign_corrections=None if corrections is None
                                     else corrections.clone(),
                                     training_coherence=state.coherence,
                                     schedule=json.dumps(state.validations)))
            if final:
                break
            used = state.coherence  # this batch's coherence (the curriculum may lower it below)
            if config.class_balance == "mirror":
                batch = mirror_paired_sample(task, rng, config.batch_size, coherence=used)
            else:
                batch = task.sample(rng, config.batch_size, coherence=used)
            inputs, labels = decision_tensors(batch)
            step_noise = None
            if noise is not None:
                step_noise = recurrent_noise_std * torch.randn(
                    config.batch_size, task.n_steps, model.hidden_size, generator=noise)
            if config.objective == "psychrnn_mse":
                outputs, _ = model(inputs, noise=step_noise)
                mask = torch.from_numpy(batch.loss_mask.astype(np.float32))
                parts = psychrnn_mse(outputs, torch.from_numpy(batch.targets), mask)
                accuracy = psychrnn_accuracy(outputs.detach(), mask, labels)
            else:
                logits, rates = forward_decision(model, inputs, step_noise)
                parts = decision_loss(logits, rates, labels, config.acg_weight,
                                      config.acg_margin)
                accuracy = float((logits.argmax(1) == labels).double().mean())
            if not torch.isfinite(parts.total):
                raise TrainingDiverged(f"{label or 'training'}: loss became "
                                       f"{parts.total.item()} at step {step} (seed {seed})")
            optimizer.zero_grad(set_to_none=True)
            parts.total.backward()
            grad_norm = clip_gradients(model.parameters(), config.grad_clip_norm, config.clip)
            rate = config.learning_rate_at(step)
            for group in optimizer.param_groups:
                group["lr"] = rate
            optimizer.step()
            if dale:
                corrections += model.project_dale_()
            done = step + 1
            validated, lowered = math.nan, False
            if config.validate_every > 0 and (done % config.validate_every == 0
                                              or done == config.steps):
                validated = validation_accuracy(model, task, seed, config.validation_trials,
                                                state.coherence)
                state.validations.append((done, validated))
                curriculum = config.curriculum
                if curriculum.enabled and validated > curriculum.threshold:
                    lowered_to = max(round(state.coherence - curriculum.step, 10),
                                     curriculum.min_coherence)
                    lowered = lowered_to < state.coherence
                    state.coherence = lowered_to
            if step % config.log_every == 0 or done == config.steps or not math.isnan(validated):
                state.rows.append(dict(
                    step=step, loss=parts.total.item(), fixation_mse=math.nan,
                    decision_cross_entropy=parts.cross_entropy.item(),
                    decision_accuracy=accuracy,
                    learning_rate=rate, grad_norm=float(grad_norm),
                    acg_penalty=parts.acg_penalty.item(), centroid_distance=parts.centroid_distance,
                    training_coherence=math.nan if used is None else used,
                    validation_accuracy=validated, coherence_lowered=lowered,
                ))
            if progress.due():
                progress.update(done, parts.total.item(), None)
    except BaseException:
        progress.close()
        raise
    progress.finish(config.steps, state.rows[-1]["loss"] if state.rows else None, None,
                    config.steps)
    return pd.DataFrame(state.rows, columns=["step", "loss", "fixation_mse",
                                             "decision_cross_entropy", "decision_accuracy",
                                             "learning_rate", "grad_norm", *EXTRA_COLUMNS])
