"""The 2AFC perceptual-discrimination tasks of the study (numpy only: no torch, no TensorFlow,
so the PsychRNN job can draw its test trials from the same generator).

``two_channel`` – the seed's ``generate_batch``: two evidence channels (0 = left, 1 = right),
each with Gaussian noise of std ``noise_std`` on every step; during the stimulus period
[``stimulus_onset``, ``stimulus_offset``) the coherence c is added to the channel of the correct
side. The target is binary (label 0 = left, 1 = right), scored by cross-entropy at the decision
step (the last step of the trial). The signed coherence is +c for right, −c for left; at c = 0
the label is a fair coin and both channels carry noise only.

``psychrnn_discrimination`` – PsychRNN 1.0.0's ``PerceptualDiscrimination`` statistics
(``psychrnn/tasks/perceptual_discrimination.py``), vectorised and seeded: time t = k·dt ms;
stimulus onset ~ U(0, T/2), duration ~ U(T/8, 3T/8); while onset < t < onset + duration both
channels get +1 and the channel of the direction also +coherence; input noise of std
√(2·0.01·√10·√dt·0.1²) on every step and channel; coherence uniform on {0.1, 0.3, 0.5, 0.7}
unless given; the target is (1.0, 0.2) towards the direction from t > offset + 20 ms (0
before), scored (MSE) where t ≥ offset. A choice is the argmax of the time-mean output over the
scored steps (PsychRNN's ``accuracy_function``).

Both draw every random number from the caller's ``numpy.random.Generator``; ``sample`` accepts
the unsigned coherence per trial (scalar or (B,)) and, for ``psychrnn_discrimination``, a fixed
onset and duration (the trials averaged for PCA trajectories). Shapes: B trials, T steps.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from rnnlab.tasks import TaskRegistry
from rnnlab.tasks.base import TaskBatch

LEFT, RIGHT = 0, 1


def _coherences(rng, batch_size: int, coherence, choices) -> np.ndarray:
    """(B,) unsigned coherences: ``coherence`` (scalar or (B,)) or uniform draws from
    ``choices``."""
    if coherence is None:
        return rng.choice(np.asarray(choices, dtype=np.float64), size=batch_size)
    values = np.broadcast_to(np.asarray(coherence, dtype=np.float64), (batch_size,)).copy()
    if np.any(values < 0):
        raise ValueError("coherences are unsigned (the side is drawn); got a negative one")
    return values


def signed_trials(signed_coherences, repeats: int) -> tuple[np.ndarray, np.ndarray]:
    """The trials of a psychometric grid: each signed coherence ``repeats`` times, as
    (unsigned coherence (B,), label (B,)). At 0 the labels alternate (half left, half right)."""
    signed = np.repeat(np.asarray(signed_coherences, dtype=np.float64), repeats)
    labels = (signed > 0).astype(np.int64)
    zero = signed == 0
    labels[zero] = np.arange(int(zero.sum())) % 2
    return np.abs(signed), labels


def grid_batch(task, signed_coherences, repeats: int, seed: int, **fixed):
    """The test batch of a psychometric grid (the same trials for every network), mirror-
    balanced: the trials of −c are those of +c with the two channels swapped, and at 0 the
    second half of the trials is the first half swapped (with an odd count the last one stays
    as drawn). So the sampled noise favours neither side — an ideal observer answers right at
    +c exactly as often as left at −c, and half the time at 0 — and what departs from symmetry
    is the network's own bias. Without it, the few noise-only trials at 0 carry a bias of their
    own (60 trials: binomial SE 0.065; the seed-7 draw gave an ideal observer P(right) 0.58).
    Needs trials of fixed timing (``fixed`` onset and duration for psychrnn_discrimination)."""
    unsigned, labels = signed_trials(signed_coherences, repeats)
    rng = np.random.default_rng(seed)
    batch = task.sample(rng, len(labels), coherence=unsigned, labels=labels, **fixed)
    signed = np.repeat(np.asarray(signed_coherences, dtype=np.float64), repeats)
    pairs = []
    for value in sorted(set(signed.tolist())):
        if value < 0 and -value in signed:
            pairs.append((np.flatnonzero(signed == -value), np.flatnonzero(signed == value)))
        elif value == 0:
            zero = np.flatnonzero(signed == 0)
            half = len(zero) // 2
            pairs.append((zero[:half], zero[half:2 * half]))
    inputs = batch.inputs.copy()
    for source, target in pairs:
        if not np.array_equal(batch.loss_mask[source], batch.loss_mask[target]):
            raise ValueError("a mirror-balanced grid needs trials of fixed timing")
        inputs[target] = batch.inputs[source][..., ::-1]
    return dataclasses.replace(batch, inputs=inputs), signed


def mirror_image(batch: TaskBatch) -> TaskBatch:
    """The batch's B mirror images: the same trials with the two channels (and targets)
    swapped, the label flipped and the signed coherence negated."""
    mirror = batch.conditions.copy()
    mirror["label"] = 1 - mirror["label"]
    mirror["signed_coherence"] = -mirror["signed_coherence"]
    return dataclasses.replace(
        batch,
        inputs=batch.inputs[..., ::-1],
        targets=None if batch.targets is None else batch.targets[..., ::-1],
        conditions=mirror,
    )


@dataclass(frozen=True, kw_only=True)
class TwoChannelTask:
    """The seed's two-channel evidence task (see the module docstring)."""

    name: ClassVar[str] = "two_channel"
    mirror = staticmethod(mirror_image)  # rnnlab.tasks.mirror: class-balanced batches
    input_size: ClassVar[int] = 2
    output_size: ClassVar[int] = 2
    n_steps: int = 30
    dt_ms: float = 20.0
    stimulus_onset: int = 3
    stimulus_offset: int = 25
    noise_std: float = 0.5
    coherences: tuple[float, ...] = (0.05, 0.1, 0.2, 0.4)

    def __post_init__(self):
        if not 0 <= self.stimulus_onset < self.stimulus_offset <= self.n_steps:
            raise ValueError("need 0 ≤ stimulus_onset < stimulus_offset ≤ n_steps")
        object.__setattr__(self, "coherences", tuple(float(c) for c in self.coherences))

    @property
    def decision_step(self) -> int:
        return self.n_steps - 1

    def sample(self, rng: np.random.Generator, batch_size: int, coherence=None,
               labels=None) -> TaskBatch:
        """``batch_size`` trials; ``coherence`` (scalar or (B,), unsigned) and ``labels``
        ((B,) 0/1) fix what is otherwise drawn. Draw order: coherences, labels, noise."""
        unsigned = _coherences(rng, batch_size, coherence, self.coherences)
        if labels is None:
            labels = rng.integers(0, 2, size=batch_size)
        labels = np.asarray(labels, dtype=np.int64)
        inputs = rng.standard_normal((batch_size, self.n_steps, 2)) * self.noise_std
        stimulus = slice(self.stimulus_onset, self.stimulus_offset)
        inputs[np.arange(batch_size)[:, None], np.arange(self.n_steps)[stimulus][None, :],
               labels[:, None]] += unsigned[:, None]
        decision = np.zeros((batch_size, self.n_steps), dtype=bool)
        decision[:, self.decision_step] = True
        signed = np.where(labels == RIGHT, unsigned, -unsigned)
        conditions = pd.DataFrame(
            {"coherence": unsigned, "signed_coherence": signed, "label": labels}
        )
        periods = {
            "stimulus": np.tile([self.stimulus_onset, self.stimulus_offset], (batch_size, 1)),
            "decision": np.tile([self.decision_step, self.n_steps], (batch_size, 1)),
        }
        return TaskBatch(
            inputs=inputs.astype(np.float32),
            loss_mask=decision.copy(),
            decision_mask=decision,
            conditions=conditions,
            periods=periods,
        )


def psychrnn_noise_std(dt_ms: float, stimulus_noise: float = 0.1) -> float:
    """PsychRNN's per-step input noise std √(2·0.01·√10·√dt·σ²) (σ = 0.1 in its task)."""
    return math.sqrt(2 * 0.01 * math.sqrt(10) * math.sqrt(dt_ms) * stimulus_noise**2)


@dataclass(frozen=True, kw_only=True)
class PsychRNNDiscriminationTask:
    """PsychRNN's PerceptualDiscrimination statistics (see the module docstring); a regression
    task (``targets``), as PsychRNN trains it (masked MSE)."""

    name: ClassVar[str] = "psychrnn_discrimination"
    mirror = staticmethod(mirror_image)  # rnnlab.tasks.mirror: class-balanced batches
    input_size: ClassVar[int] = 2
    output_size: ClassVar[int] = 2
    T_ms: float = 2000.0
    dt_ms: float = 10.0
    tau_ms: float = 100.0
    coherences: tuple[float, ...] = (0.1, 0.3, 0.5, 0.7)
    hi: float = 1.0
    lo: float = 0.2
    response_delay_ms: float = 20.0

    def __post_init__(self):
        object.__setattr__(self, "coherences", tuple(float(c) for c in self.coherences))

    @property
    def n_steps(self) -> int:
        return int(self.T_ms // self.dt_ms)

    @property
    def noise_std(self) -> float:
        return psychrnn_noise_std(self.dt_ms)

    def sample(self, rng: np.random.Generator, batch_size: int, coherence=None, labels=None,
               onset_ms: float | None = None, duration_ms: float | None = None) -> TaskBatch:
        """Draw order: coherences, labels, onsets, durations, noise (fixed ones are not drawn)."""
        unsigned = _coherences(rng, batch_size, coherence, self.coherences)
        if labels is None:
            labels = rng.integers(0, 2, size=batch_size)
        labels = np.asarray(labels, dtype=np.int64)
        T = self.T_ms
        onset = (np.full(batch_size, float(onset_ms)) if onset_ms is not None
                 else rng.random(batch_size) * T / 2.0)
        duration = (np.full(batch_size, float(duration_ms)) if duration_ms is not None
                    else rng.random(batch_size) * T / 4.0 + T / 8.0)
        t = np.arange(self.n_steps) * self.dt_ms  # (T,) ms, PsychRNN's time of step k
        offset = onset + duration
        on = (onset[:, None] < t[None, :]) & (t[None, :] < offset[:, None])  # (B, T)
        inputs = rng.standard_normal((batch_size, self.n_steps, 2)) * self.noise_std
        inputs += on[..., None] * 1.0
        inputs[np.arange(batch_size), :, labels] += on * unsigned[:, None]
        responding = t[None, :] > (offset + self.response_delay_ms)[:, None]
        targets = np.zeros((batch_size, self.n_steps, 2))
        targets[np.arange(batch_size), :, labels] = responding * self.hi
        targets[np.arange(batch_size), :, 1 - labels] = responding * self.lo
        mask = t[None, :] >= offset[:, None]
        signed = np.where(labels == RIGHT, unsigned, -unsigned)
        conditions = pd.DataFrame({
            "coherence": unsigned, "signed_coherence": signed, "label": labels,
            "onset_ms": onset, "duration_ms": duration,
        })
        first_scored = np.argmax(mask, axis=1)
        periods = {"response": np.stack([first_scored, np.full(batch_size, self.n_steps)], 1)}
        return TaskBatch(
            inputs=inputs.astype(np.float32),
            loss_mask=mask,
            decision_mask=mask.copy(),
            conditions=conditions,
            periods=periods,
            targets=targets.astype(np.float32),
        )


def psychrnn_choices(outputs: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """(B,) choice 0/1: argmax of the time-mean of the masked output (PsychRNN's
    ``accuracy_function``: the mean runs over every step, masked ones as zeros).
    outputs (B, T, 2), mask (B, T)."""
    masked = np.asarray(outputs, dtype=np.float64) * np.asarray(mask, dtype=np.float64)[..., None]
    return np.argmax(masked.mean(axis=1), axis=1).astype(np.int64)


TASKS = TaskRegistry(TwoChannelTask, PsychRNNDiscriminationTask)


def make_task(name: str, **params):
    if "coherences" in params:
        params["coherences"] = tuple(params["coherences"])
    return TASKS.make(name, **params)
