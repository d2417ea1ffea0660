"""cddm: context-dependent decision making (Mante et al. 2013), a zoo task."""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from rnnlab.studies.ctrnn_zoo.tasks.base import CDDM_COHERENCES, ZooTask, Trials, as_floats
from rnnlab.tasks.base import TaskBatch


@dataclass(frozen=True, kw_only=True)
class CDDMTask(ZooTask):
    """Context-dependent decision making (Mante et al. 2013; engellab input layout).

    Trial (defaults, T = 1500 ms = 150 steps; the engellab T/3, 2T/3 split, giving 500 ms of
    evidence before the response, comparable to Mante's 750 ms viewing):

    * ``cue`` [0, stim_on_ms = 500): context cue only;
    * ``stimulus`` [500, stim_off_ms): context cue + evidence;
    * ``delay`` [stim_off_ms, decision_on_ms = 1000): context cue only (present only when
      ``stim_off_ms`` is set, i.e. not None, and before the decision onset);
    * ``decision`` [1000, T): context cue (+ evidence, still on, when ``stim_off_ms`` is None)
      and the response.

    Inputs (6): [context motion, context colour, motion right, motion left, colour right,
    colour left]. The context channel of the trial's context is ``context_amplitude`` for the
    whole trial; from stimulus onset to ``stim_off_ms`` (default None: to the end of the trial)
    the motion channels carry ``stimulus_amplitude · (1 ± c_motion)/2`` (right +, left −) and the
    colour channels likewise with c_colour; outside that window they are 0.

    Evidence noise (``evidence_noise_std`` σ_e, default 0, in input units per time step): while
    the evidence is on, each of the four evidence channels gets its own independent Gaussian
    noise N(0, σ_e²) at every step, drawn from the caller's rng, so the mean evidence is the
    noise-free level above (mean right − left = stimulus_amplitude · c) and the momentary
    evidence is unreliable. With σ_e large relative to the coherences the best policy is to
    integrate the evidence over the whole stimulus period (Mante et al. 2013; Song, Yang & Wang
    2016), which is what makes a trained network form a line attractor per context; without it
    a network can read the sign of the constant evidence at any instant and needs no memory
    (measured: end-of-stimulus states fast under the context input, no line). This noise comes
    on top of ``input_noise_std`` (every channel, every step).

    Outputs (2): [right, left]. Target 0 before the decision period; during it 1 on the side
    of the sign of the relevant coherence (motion coherence in the motion context, colour in the
    colour context; positive = right) and 0 on the other; both 0.5 when the relevant coherence
    is 0 (no correct side). ``loss_mask``: all steps but the first ``grace_ms`` of the decision
    and, with ``stimulus_in_loss`` False (default True), but the stimulus period: the output is
    then free while the evidence is shown and only has to be 0 during the cue and right from
    the decision (Mante et al. 2013 trained the output at the end of the stimulus only).
    Nothing in the input marks the decision onset, so a target of 0 during the stimulus makes
    the network time the onset with a transient that runs through the whole stimulus period
    (measured: the end-of-stimulus states of zero-coherence trials drift 1.5 L in 200 ms under
    the constant context input), and its stimulus-period states are never slow.

    Condition columns: ``context`` ("motion" / "colour"), ``motion_coherence``,
    ``colour_coherence``, ``relevant_coherence``, ``irrelevant_coherence``, ``correct_choice``
    (+1 right, −1 left, 0 for zero relevant coherence). The table has 2 × 15 × 15 = 450 rows.

    Fixed-point conditions: ``"motion_context"`` / ``"colour_context"`` (that cue on, all four
    evidence channels at their zero-coherence value 0.5 · stimulus_amplitude – the input of a
    c = 0 trial after stimulus onset) and ``"no_input"`` (all zero).
    """

    name: ClassVar[str] = "cddm"
    input_size: ClassVar[int] = 6
    output_size: ClassVar[int] = 2
    decision_period: ClassVar[str] = "decision"
    contexts: ClassVar[tuple[str, str]] = ("motion", "colour")
    fixed_point_conditions: ClassVar[tuple[str, ...]] = (
        "motion_context", "colour_context", "no_input",
    )  # fmt: skip
    condition_columns: ClassVar[tuple[str, ...]] = (
        "context", "motion_coherence", "colour_coherence",
    )  # fmt: skip
    zero_coherence_target: ClassVar[float] = 0.5

    duration_ms: float = 1500.0
    stim_on_ms: float = 500.0
    stim_off_ms: float | None = None
    decision_on_ms: float = 1000.0
    grace_ms: float = 100.0
    coherences: tuple[float, ...] = CDDM_COHERENCES
    context_amplitude: float = 1.0
    stimulus_amplitude: float = 1.0
    evidence_noise_std: float = 0.0
    stimulus_in_loss: bool = True

    def __post_init__(self) -> None:
        if not self.evidence_noise_std >= 0:
            raise ValueError(
                f"evidence_noise_std must be non-negative, got {self.evidence_noise_std}")
        if self.stim_off_ms is not None and not (
            self.stim_on_ms < self.stim_off_ms <= self.decision_on_ms
        ):
            raise ValueError(
                f"cddm: stim_off_ms = {self.stim_off_ms} must lie in (stim_on_ms, "
                f"decision_on_ms] = ({self.stim_on_ms}, {self.decision_on_ms}]"
            )
        if self.response_jitter_ms:
            # Nothing in the input marks the decision onset: a jittered onset would make the
            # target unpredictable (measured: validation score 0.89 → 0.73).
            raise ValueError("cddm: the decision onset has no cue; response_jitter_ms must be 0")
        coherences = tuple(sorted(set(as_floats(self.coherences, "coherences"))))
        if any(abs(c) > 1 for c in coherences):
            raise ValueError(f"coherences must lie in [-1, 1], got {coherences}")
        object.__setattr__(self, "coherences", coherences)
        super().__post_init__()

    def _period_bounds_ms(self):
        if self.stim_off_ms is None or self.steps(self.stim_off_ms) == self.steps(
                self.decision_on_ms):
            return {
                "cue": (0.0, self.stim_on_ms),
                "stimulus": (self.stim_on_ms, self.decision_on_ms),
                "decision": (self.decision_on_ms, self.duration_ms),
            }
        return {
            "cue": (0.0, self.stim_on_ms),
            "stimulus": (self.stim_on_ms, self.stim_off_ms),
            "delay": (self.stim_off_ms, self.decision_on_ms),
            "decision": (self.decision_on_ms, self.duration_ms),
        }

    def _condition_grid(self):
        grid = list(itertools.product(self.contexts, self.coherences, self.coherences))
        return pd.DataFrame(grid, columns=list(self.condition_columns))

    def _derive(self, key):
        context = key["context"].astype(str).to_numpy()
        bad = sorted(set(context) - set(self.contexts))
        if bad:
            raise ValueError(f"cddm: unknown contexts {bad}; expected {self.contexts}")
        motion = key["motion_coherence"].to_numpy(dtype=np.float64)
        colour = key["colour_coherence"].to_numpy(dtype=np.float64)
        if not (np.all(np.abs(motion) <= 1) and np.all(np.abs(colour) <= 1)):
            raise ValueError("cddm: coherences must be finite and lie in [-1, 1]")
        is_motion = context == "motion"
        relevant = np.where(is_motion, motion, colour)
        irrelevant = np.where(is_motion, colour, motion)
        return pd.DataFrame({
            "context": context,
            "motion_coherence": motion,
            "colour_coherence": colour,
            "relevant_coherence": relevant,
            "irrelevant_coherence": irrelevant,
            "correct_choice": np.sign(relevant).astype(np.int64),
        })  # fmt: skip

    def _build(self, table, rng, periods):
        n, T = len(table), self.n_steps
        is_motion = table["context"] == "motion"
        inputs = np.zeros((n, T, self.input_size), dtype=np.float32)
        inputs[:, :, 0] = self.context_amplitude * is_motion[:, None]
        inputs[:, :, 1] = self.context_amplitude * ~is_motion[:, None]
        evidence_stop = T if self.stim_off_ms is None else periods["stimulus"][:, 1]
        evidence_on = self._window(periods["stimulus"][:, 0], evidence_stop)  # (B, T)
        half = 0.5 * self.stimulus_amplitude
        for channel, coherence, sign in (
            (2, "motion_coherence", 1.0), (3, "motion_coherence", -1.0),
            (4, "colour_coherence", 1.0), (5, "colour_coherence", -1.0),
        ):  # fmt: skip
            level = half * (1.0 + sign * table[coherence])
            inputs[:, :, channel] = np.where(evidence_on, level[:, None], 0.0)
        if self.evidence_noise_std > 0:
            noise = rng.standard_normal((n, T, 4), dtype=np.float32)
            noise *= np.float32(self.evidence_noise_std)
            inputs[:, :, 2:] += np.where(evidence_on[:, :, None], noise, np.float32(0.0))

        choice = table["correct_choice"]
        right = np.where(choice > 0, 1.0, np.where(choice < 0, 0.0, self.zero_coherence_target))
        left = np.where(choice == 0, self.zero_coherence_target, 1.0 - right)
        targets = np.zeros((n, T, self.output_size), dtype=np.float32)
        decision = self._window(*periods["decision"].T)  # (B, T)
        targets[:, :, 0] = np.where(decision, right[:, None], 0.0)
        targets[:, :, 1] = np.where(decision, left[:, None], 0.0)
        loss_mask = self._grace_loss_mask(periods)
        if not self.stimulus_in_loss:
            loss_mask &= ~self._window(*periods["stimulus"].T)
        return Trials(inputs, targets, loss_mask, {})

    def ideal_outputs(self, batch) -> np.ndarray:
        """float64 (B, T, 2): the Bayes-optimal outputs under the MSE given the evidence so far.

        In the trial's context the sufficient statistic is the summed relevant evidence
        difference S_t = Σ_{s ≤ t} (right_s − left_s) over the n_t evidence steps so far; with
        noise std σ per channel and step (``evidence_noise_std`` and ``input_noise_std`` add in
        quadrature) and amplitude A, S_t | c ~ N(n_t·A·c, 2σ²·n_t). With the coherences
        equally likely a priori, the posterior over c gives E[target] = P(c > 0 | S_t) +
        ½ P(c = 0 | S_t) for "right" (and the mirror for "left") during the decision period,
        and 0 elsewhere (the known target). Without noise the relevant coherence is read off
        exactly and the outputs equal the targets."""
        n, T = batch.inputs.shape[:2]
        is_motion = (batch.conditions["context"] == "motion").to_numpy()
        inputs = batch.inputs.astype(np.float64)
        difference = np.where(is_motion[:, None], inputs[:, :, 2] - inputs[:, :, 3],
                              inputs[:, :, 4] - inputs[:, :, 5])  # (B, T)
        start = batch.periods["stimulus"][:, 0]
        steps = np.arange(T)
        evidence_stop = (np.full(n, T) if self.stim_off_ms is None
                         else batch.periods["stimulus"][:, 1])
        on = (steps[None, :] >= start[:, None]) & (steps[None, :] < evidence_stop[:, None])
        summed = np.cumsum(np.where(on, difference, 0.0), axis=1)  # S_t
        count = np.cumsum(on, axis=1)  # n_t
        variance = 2.0 * (self.evidence_noise_std**2 + self.input_noise_std**2)
        coherences = np.asarray(self.coherences)  # (C,)
        amplitude = self.stimulus_amplitude
        if variance > 0:
            log_likelihood = (amplitude * coherences * summed[..., None]
                              - 0.5 * count[..., None] * (amplitude * coherences) ** 2) / variance
        else:  # the mean evidence so far identifies c
            mean = summed / np.maximum(count, 1) / amplitude
            log_likelihood = -1e12 * (mean[..., None] - coherences) ** 2
        log_likelihood -= log_likelihood.max(axis=-1, keepdims=True)
        posterior = np.exp(log_likelihood)
        posterior /= posterior.sum(axis=-1, keepdims=True)  # (B, T, C)
        right = (posterior * np.where(coherences > 0, 1.0, np.where(
            coherences < 0, 0.0, self.zero_coherence_target))).sum(axis=-1)
        left = (posterior * np.where(coherences < 0, 1.0, np.where(
            coherences > 0, 0.0, self.zero_coherence_target))).sum(axis=-1)
        decision = batch.decision_mask
        return np.stack([np.where(decision, right, 0.0), np.where(decision, left, 0.0)], axis=-1)

    # Right ↔ left in both modalities; the context channels stay.
    _MIRRORED_CHANNELS: ClassVar[list[int]] = [0, 1, 3, 2, 5, 4]
    _SIGNED_COLUMNS: ClassVar[tuple[str, ...]] = (
        "motion_coherence", "colour_coherence", "relevant_coherence", "irrelevant_coherence",
        "correct_choice",
    )  # fmt: skip

    def mirror(self, batch: TaskBatch) -> TaskBatch:
        """The batch's B mirror images (``rnnlab.tasks.mirror``): right and left evidence
        swapped in both modalities, the outputs swapped, the coherences and the correct choice
        negated. Each is a trial of this task: noise-free, it equals the trial of the negated
        coherences (tests/test_zoo_tasks.py); with noise, the swapped noise is as likely."""
        conditions = batch.conditions.copy()
        for column in self._SIGNED_COLUMNS:
            conditions[column] = -conditions[column]
        return dataclasses.replace(
            batch,
            # Contiguous, as a drawn batch (torch.from_numpy takes no negative strides).
            inputs=np.ascontiguousarray(batch.inputs[..., self._MIRRORED_CHANNELS]),
            targets=np.ascontiguousarray(batch.targets[..., ::-1]),
            conditions=conditions,
        )

    def without_noise(self) -> "CDDMTask":
        return dataclasses.replace(self, input_noise_std=0.0, evidence_noise_std=0.0)

    fixed_point_periods: ClassVar[dict[str, str]] = {
        "motion_context": "stimulus", "colour_context": "stimulus", "no_input": "cue",
    }  # fmt: skip

    def fixed_point_trials(self, condition, conditions):
        super().fixed_point_trials(condition, conditions)
        if condition == "no_input":
            return np.ones(len(conditions), dtype=bool)
        context = "motion" if condition == "motion_context" else "colour"
        return (conditions["context"] == context).to_numpy()

    def _fixed_point_input(self, condition):
        x = np.zeros(self.input_size)
        if condition == "no_input":
            return x
        x[0 if condition == "motion_context" else 1] = self.context_amplitude
        x[2:] = 0.5 * self.stimulus_amplitude
        return x


