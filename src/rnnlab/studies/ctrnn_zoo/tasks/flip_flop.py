"""three_bit_flip_flop: 3-bit flip-flop memory (Sussillo & Barak 2013), a zoo task."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from rnnlab.studies.ctrnn_zoo.tasks.base import ZooTask, Trials


@dataclass(frozen=True, kw_only=True)
class ThreeBitFlipFlopTask(ZooTask):
    """3-bit flip-flop (Sussillo & Barak 2013).

    Trial (defaults, T = 2000 ms):

    * ``initial_pulse`` [0, pulse_ms = 50): a pulse on every channel at once, with the signs of
      the condition (``initial_0..2``) – it sets the initial state, so every target is ±1 and a
      trained network needs only the 2³ corner attractors (no "unset" state);
    * ``hold`` [pulse_ms, T): sparse random pulses; the response period.

    Inputs (3): channel k carries ``± pulse_amplitude`` during a pulse on that channel, else 0.
    After the initial pulse, a pulse starts on channel k at a step with probability
    ``pulse_probability = pulse_rate_hz · dt_ms / 1000`` (independently per channel, sign ±1
    with probability 1/2 each – a pulse may repeat the current state), provided at least
    ``refractory_ms`` have passed since the previous pulse onset on that channel and the pulse
    ends inside the trial.

    Outputs (3): output k = sign of the last pulse on channel k (the current pulse counts from
    its onset). ``loss_mask``: all steps but the first ``grace_ms`` after any pulse onset.

    Condition columns: ``initial_0``, ``initial_1``, ``initial_2`` (±1); the table has the
    8 sign patterns. Sampled trials also report ``n_pulses_k`` (random pulses after the initial
    one) and ``final_k`` (target at the last step). The pulse times are drawn from ``rng`` in
    both :meth:`sample` and :meth:`sample_conditions`.

    Fixed-point conditions: ``"no_input"``.
    """

    name: ClassVar[str] = "three_bit_flip_flop"
    n_bits: ClassVar[int] = 3
    input_size: ClassVar[int] = 3
    output_size: ClassVar[int] = 3
    decision_period: ClassVar[str] = "hold"
    fixed_point_conditions: ClassVar[tuple[str, ...]] = ("no_input",)
    condition_columns: ClassVar[tuple[str, ...]] = ("initial_0", "initial_1", "initial_2")

    duration_ms: float = 2000.0
    pulse_ms: float = 50.0
    refractory_ms: float = 200.0
    pulse_rate_hz: float = 1.5
    pulse_amplitude: float = 1.0
    grace_ms: float = 50.0

    def __post_init__(self) -> None:
        if self.response_jitter_ms:
            raise ValueError("three_bit_flip_flop: pulse times are random already; "
                             "response_jitter_ms must be 0")
        super().__post_init__()
        if self.steps(self.pulse_ms) < 1:
            raise ValueError(f"pulse_ms must last at least one step, got {self.pulse_ms}")
        if self.refractory_ms < self.pulse_ms:
            raise ValueError("refractory_ms must be at least pulse_ms (pulses must not overlap)")
        if not 0 <= self.pulse_probability <= 1:
            raise ValueError(f"pulse_rate_hz gives a per-step probability {self.pulse_probability}")

    @property
    def pulse_probability(self) -> float:
        """Per-step, per-channel probability of a pulse onset (outside the refractory time)."""
        return self.pulse_rate_hz * self.dt_ms / 1000.0

    def _period_bounds_ms(self):
        return {"initial_pulse": (0.0, self.pulse_ms), "hold": (self.pulse_ms, self.duration_ms)}

    def _condition_grid(self):
        grid = list(itertools.product((-1, 1), repeat=self.n_bits))
        return pd.DataFrame(grid, columns=list(self.condition_columns))

    def _derive(self, key):
        values = key[list(self.condition_columns)].to_numpy()
        if not np.isin(values, (-1, 1)).all():
            raise ValueError("three_bit_flip_flop: initial signs must be -1 or +1")
        return pd.DataFrame(values.astype(np.int64), columns=list(self.condition_columns))

    def _pulse_onsets(self, initial: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Signed pulse onsets, int (B, T, K): ±1 at a pulse's first step, else 0."""
        # Draw everything up front so the number of draws does not depend on the outcome.
        shape = (initial.shape[0], self.n_steps, self.n_bits)
        wants = rng.random(shape) < self.pulse_probability
        signs = np.where(rng.random(shape) < 0.5, -1, 1)
        return self._accepted_onsets(initial, wants, signs)

    def _accepted_onsets(self, initial: np.ndarray, wants: np.ndarray,
                         signs: np.ndarray) -> np.ndarray:
        """Onsets (B, T, K) from the initial signs (B, K), the wanted onsets (B, T, K) bool and
        their signs (B, T, K): a wanted onset is accepted when the pulse fits in the trial and
        ``refractory_ms`` have passed since the channel's last onset (step 0's first)."""
        n, T, K = wants.shape
        pulse, refractory = self.steps(self.pulse_ms), self.steps(self.refractory_ms)
        onsets = np.zeros((n, T, K), dtype=np.int64)
        onsets[:, 0] = initial
        # Sequential in time: walk the (sparse) wanted onsets of each trial and channel in time
        # order (np.nonzero's C order: trial, step, channel). A step-by-step loop over the
        # whole (B, K) array cost most of a training batch.
        first = max(refractory, 1)
        last: dict[tuple[int, int], int] = {}
        for b, t, k in zip(*(a.tolist() for a in np.nonzero(wants[:, first:T - pulse + 1]))):
            t += first
            if t - last.get((b, k), 0) >= refractory:
                onsets[b, t, k] = signs[b, t, k]
                last[b, k] = t
        return onsets

    def _build(self, table, rng, periods):
        n, T = len(table), self.n_steps
        initial = table[list(self.condition_columns)]
        onsets = self._pulse_onsets(initial, rng)
        pulse = self.steps(self.pulse_ms)
        # Input = onsets convolved with a pulse-long box (pulses never overlap).
        cumulative = np.cumsum(onsets, axis=1)
        shifted = np.zeros_like(cumulative)
        shifted[:, pulse:] = cumulative[:, :-pulse]
        inputs = (self.pulse_amplitude * (cumulative - shifted)).astype(np.float32)
        # Target = sign of the latest onset: forward-fill the onset step index (t = 0 always has
        # one, the initial pulse).
        t = np.arange(T)[None, :, None]
        latest = np.maximum.accumulate(np.where(onsets != 0, t, 0), axis=1)
        targets = np.take_along_axis(onsets, latest, axis=1).astype(np.float32)
        # Loss mask: off for grace_steps after any onset.
        counts = np.cumsum((onsets != 0).any(axis=2), axis=1)
        grace = self.grace_steps
        recent = counts.copy()  # onsets in (t − grace, t]
        recent[:, grace:] -= counts[:, : T - grace]
        loss_mask = recent == 0
        extra: dict[str, np.ndarray] = {}
        for k in range(self.n_bits):
            extra[f"n_pulses_{k}"] = (onsets[:, 1:, k] != 0).sum(axis=1).astype(np.int64)
        for k in range(self.n_bits):
            extra[f"final_{k}"] = targets[:, -1, k].astype(np.int64)
        return Trials(inputs, targets, loss_mask, extra)

    fixed_point_periods: ClassVar[dict[str, str]] = {"no_input": "hold"}

    def _fixed_point_input(self, condition):
        return np.zeros(self.input_size)


