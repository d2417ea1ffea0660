"""The CTRNN task zoo (engellab RNN_training_pipeline layout): five regression tasks.

* ``cddm`` – context-dependent decision making (Mante et al. 2013);
* ``dmts`` – delayed match to sample;
* ``three_bit_flip_flop`` – 3-bit flip-flop memory (Sussillo & Barak 2013);
* ``memory_anti_number`` – remember a scalar, report its negative on a recall cue;
* ``memory_anti_angle`` – remember an angle, report the opposite angle on a recall cue.

Conventions shared by every zoo task (base class :class:`ZooTask`):

* time is in ms: step ``dt_ms`` (default ``DT_MS`` = 10 ms), trial length ``duration_ms``;
  a time ``ms`` is step ``round(ms / dt_ms)``;
* every trial of a task has the same length (so no padding); the periods tile [0, T) and are
  reported per trial in ``TaskBatch.periods`` as (B, 2) [start, stop). ``period_steps()`` gives
  the nominal boundaries; a task with ``response_jitter_ms`` > 0 moves the onset of its
  response period (and so the end of the period before it) later by a per-trial delay drawn
  uniformly from the steps in [0, response_jitter_ms]. Without the jitter a network can solve
  a delay task with a transient timed to the fixed response onset and needs no persistent
  memory; with it the memory must persist (Sussillo & Barak 2013, Mante et al. 2013 use
  variable timing for the same reason);
* outputs are regressed (MSE): ``targets`` float32 (B, T, O), ``labels`` None; ``loss_mask``
  marks the steps that enter the MSE, ``decision_mask`` the response period;
* ``loss_mask`` is True everywhere except a grace window of ``grace_ms`` after each onset of a
  new response (decision onset, or a flip-flop pulse): a rate network with τ ≈ 100 ms cannot
  step its output instantaneously, and fitting that step would only push it towards fast,
  brittle dynamics;
* optional Gaussian input noise ``input_noise_std`` (default 0: the model adds its own input
  noise) on every channel and step;
* ``condition_table()`` lists the distinct conditions (one row each); ``sample(rng, B)`` draws
  B rows uniformly from it; ``sample_conditions(conditions, rng)`` builds one trial per given
  row (the full-grid evaluation). Only the task's ``condition_columns`` are read from the given
  rows; the other columns of the table are recomputed from them;
* ``fixed_point_inputs(name)`` gives the noise-free constant input (I,) of a named condition,
  one of ``fixed_point_conditions``; ``fixed_point_period(name)`` names the period whose
  trajectories that input holds (e.g. the delay for "hold") and ``fixed_point_trials(name,
  conditions)`` the trials it holds them on (cddm: the trials of that context) – the slow-point
  search starts from those states and scales its tolerance by their spread and the period's
  duration;
* all randomness comes from the caller's ``numpy.random.Generator``.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from rnnlab.tasks.base import TaskBatch

__all__ = [
    "DT_MS",
    "INPUT_NOISE_STD",
    "CDDM_COHERENCES",
    "ANTI_NUMBER_VALUES",
    "ZooTask",
    "CDDMTask",
    "DMTSTask",
    "ThreeBitFlipFlopTask",
    "MemoryAntiNumberTask",
    "MemoryAntiAngleTask",
]

DT_MS: float = 10.0
INPUT_NOISE_STD: float = 0.0
#: Signed coherences ±0.8·2^{-k}, k = 0..6, and 0 (15 values, ascending).
CDDM_COHERENCES: tuple[float, ...] = tuple(
    sorted([0.0] + [s * 0.8 * 2.0**-k for k in range(7) for s in (-1.0, 1.0)])
)
#: Values remembered in memory_anti_number.
ANTI_NUMBER_VALUES: tuple[float, ...] = tuple(float(v) for v in np.linspace(-2.0, 2.0, 32))


def _check_rng(rng: object) -> None:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")


def _as_floats(values: float | Sequence[float], field_name: str) -> tuple[float, ...]:
    """Normalise a scalar or sequence argument to a non-empty tuple of finite floats."""
    out = tuple(float(v) for v in np.atleast_1d(np.asarray(values, dtype=np.float64)).ravel())
    if not out or not all(np.isfinite(out)):
        raise ValueError(f"{field_name} must be a non-empty sequence of finite numbers")
    return out


@dataclass(frozen=True)
class _Trials:
    """What a task builds for a batch, before noise.

    Attributes:
        inputs: float32 (B, T, I) noise-free input.
        targets: float32 (B, T, O).
        loss_mask: bool (B, T).
        extra: per-trial columns (B,) appended to ``conditions`` after the condition columns.
    """

    inputs: np.ndarray
    targets: np.ndarray
    loss_mask: np.ndarray
    extra: dict[str, np.ndarray]


@dataclass(frozen=True, kw_only=True)
class ZooTask:
    """Shared machinery of the zoo tasks (see the module docstring).

    Subclasses declare ``name``, ``input_size``, ``output_size``, ``decision_period``,
    ``fixed_point_conditions``, ``condition_columns`` and implement ``_period_bounds_ms``,
    ``_condition_grid``, ``_derive``, ``_build`` and ``_fixed_point_input``.
    """

    name: ClassVar[str] = "zoo"
    input_size: ClassVar[int] = 0
    output_size: ClassVar[int] = 0
    decision_period: ClassVar[str] = "decision"
    fixed_point_conditions: ClassVar[tuple[str, ...]] = ()
    #: Columns of a condition row that define the trial (the rest is derived from them).
    condition_columns: ClassVar[tuple[str, ...]] = ()

    dt_ms: float = DT_MS
    input_noise_std: float = INPUT_NOISE_STD
    duration_ms: float = 1500.0
    grace_ms: float = 100.0
    response_jitter_ms: float = 0.0

    def __post_init__(self) -> None:
        if not self.dt_ms > 0:
            raise ValueError(f"dt_ms must be positive, got {self.dt_ms}")
        if not self.input_noise_std >= 0:
            raise ValueError(f"input_noise_std must be non-negative, got {self.input_noise_std}")
        if not self.grace_ms >= 0:
            raise ValueError(f"grace_ms must be non-negative, got {self.grace_ms}")
        if self.n_steps < 1:
            raise ValueError(f"duration_ms must last at least one step, got {self.duration_ms}")
        if not self.response_jitter_ms >= 0:
            raise ValueError(
                f"response_jitter_ms must be non-negative, got {self.response_jitter_ms}")
        bounds = self.period_steps()  # validates the period boundaries
        start, stop = bounds[self.decision_period]
        if self.jitter_steps and (
            list(bounds).index(self.decision_period) == 0
            or start + self.jitter_steps >= stop
        ):
            raise ValueError(
                f"{self.name}: response_jitter_ms = {self.response_jitter_ms} needs a period "
                f"before {self.decision_period!r} and must leave it at least one step "
                f"(nominal steps {start}..{stop})"
            )

    # ----------------------------------------------------------------------------- time grid

    def steps(self, ms: float) -> int:
        """Number of steps in ``ms`` milliseconds: ``round(ms / dt_ms)``."""
        return int(np.rint(ms / self.dt_ms))

    @property
    def n_steps(self) -> int:
        """Steps per trial, T."""
        return self.steps(self.duration_ms)

    @property
    def max_n_steps(self) -> int:
        """Same as :attr:`n_steps` (every trial has the same length); matches the ring tasks."""
        return self.n_steps

    @property
    def grace_steps(self) -> int:
        return self.steps(self.grace_ms)

    @property
    def jitter_steps(self) -> int:
        """Largest delay of the response onset, in steps."""
        return self.steps(self.response_jitter_ms)

    def period_steps(self) -> dict[str, tuple[int, int]]:
        """Period name -> [start, stop) in steps, in temporal order, tiling [0, T).

        Raises:
            ValueError: the boundaries are out of order or the response period is empty.
        """
        bounds_ms = self._period_bounds_ms()
        bounds = {name: (self.steps(a), self.steps(b)) for name, (a, b) in bounds_ms.items()}
        previous = 0
        for name, (start, stop) in bounds.items():
            if start != previous or stop < start:
                raise ValueError(
                    f"{self.name}: period boundaries out of order at {name!r} "
                    f"(steps {start}..{stop} after {previous}); periods are {bounds}"
                )
            previous = stop
        if previous != self.n_steps:
            raise ValueError(f"{self.name}: periods {bounds} must end at T = {self.n_steps}")
        start, stop = bounds[self.decision_period]
        if stop <= start:
            raise ValueError(f"{self.name}: the {self.decision_period!r} period is empty")
        return bounds

    def _window(self, start, stop) -> np.ndarray:
        """bool (T,) True on steps [start, stop) for int bounds, or (B, T) for (B,) bounds."""
        t = np.arange(self.n_steps)
        start, stop = np.asarray(start), np.asarray(stop)
        if start.ndim == 0 and stop.ndim == 0:
            return (t >= start) & (t < stop)
        return (t[None, :] >= start.reshape(-1, 1)) & (t[None, :] < stop.reshape(-1, 1))

    def trial_periods(self, batch_size: int, rng: np.random.Generator | None
                      ) -> dict[str, np.ndarray]:
        """Period name -> int64 (B, 2) [start, stop) per trial.

        The nominal ``period_steps()``, with the response onset of each trial delayed by a
        uniform draw from {0, …, jitter_steps} (drawn from ``rng`` only when jitter_steps > 0).
        """
        bounds = self.period_steps()
        periods = {
            name: np.tile(np.array([start, stop], dtype=np.int64), (batch_size, 1))
            for name, (start, stop) in bounds.items()
        }
        if self.jitter_steps:
            delay = rng.integers(0, self.jitter_steps + 1, size=batch_size)
            names = list(bounds)
            before = names[names.index(self.decision_period) - 1]
            periods[self.decision_period][:, 0] += delay
            periods[before][:, 1] += delay
        return periods

    def _grace_loss_mask(self, periods: dict[str, np.ndarray]) -> np.ndarray:
        """bool (B, T): everything except ``grace_ms`` after each trial's response onset."""
        onset = periods[self.decision_period][:, 0]
        return ~self._window(onset, onset + self.grace_steps)

    # ----------------------------------------------------------------------------- conditions

    def condition_table(self) -> pd.DataFrame:
        """One row per distinct condition (see the task's docstring for the columns)."""
        return self._derive(self._condition_grid())

    def _complete(self, conditions: pd.DataFrame) -> pd.DataFrame:
        """Validate given condition rows and recompute the derived columns (index 0..B-1)."""
        if not isinstance(conditions, pd.DataFrame):
            raise TypeError(f"conditions must be a DataFrame, got {type(conditions).__name__}")
        missing = [c for c in self.condition_columns if c not in conditions.columns]
        if missing:
            raise ValueError(f"{self.name}: conditions lack the columns {missing}")
        if len(conditions) < 1:
            raise ValueError("conditions must have at least one row")
        key = conditions[list(self.condition_columns)].reset_index(drop=True)
        return self._derive(key)

    # ----------------------------------------------------------------------------- sampling

    def sample(self, rng: np.random.Generator, batch_size: int) -> TaskBatch:
        """Draw ``batch_size`` trials with conditions drawn uniformly from the condition table."""
        _check_rng(rng)
        n = int(batch_size)
        if n < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        table = self.condition_table()
        rows = table.iloc[rng.integers(len(table), size=n)].reset_index(drop=True)
        return self.sample_conditions(rows, rng)

    def sample_conditions(self, conditions: pd.DataFrame, rng: np.random.Generator) -> TaskBatch:
        """One trial per row of ``conditions`` (B rows), in order; ``rng`` supplies the noise."""
        _check_rng(rng)
        table = self._complete(conditions)
        n = len(table)
        periods = self.trial_periods(n, rng)
        trials = self._build(table, rng, periods)
        inputs = trials.inputs
        if self.input_noise_std > 0:
            noise = rng.standard_normal(inputs.shape, dtype=np.float32)
            inputs = inputs + noise * np.float32(self.input_noise_std)

        decision_mask = self._window(*periods[self.decision_period].T)
        columns: dict[str, object] = {"trial": np.arange(n, dtype=np.int64)}
        columns.update({c: table[c].to_numpy() for c in table.columns})
        columns.update(trials.extra)
        return TaskBatch(
            inputs=inputs.astype(np.float32, copy=False),
            loss_mask=trials.loss_mask,
            decision_mask=decision_mask,
            conditions=pd.DataFrame(columns),
            periods=periods,
            labels=None,
            targets=trials.targets.astype(np.float32, copy=False),
            metadata={
                "task": self.name,
                "dt_ms": float(self.dt_ms),
                "input_noise_std": float(self.input_noise_std),
            },
        )

    def without_noise(self) -> "ZooTask":
        """The same task with every noise the task itself adds switched off (its inputs are the
        condition's mean input): the trials the fixed-point analysis runs, like the
        condition-averaged trajectories of Mante et al. (2013)."""
        return dataclasses.replace(self, input_noise_std=0.0)

    # ----------------------------------------------------------------------------- fixed points

    #: Condition -> the period during which trials receive (about) that constant input.
    fixed_point_periods: ClassVar[dict[str, str]] = {}

    def fixed_point_period(self, condition: str) -> str:
        """The period whose states the constant input of ``condition`` holds."""
        self.fixed_point_inputs(condition)  # validates the name
        return self.fixed_point_periods[condition]

    def fixed_point_trials(self, condition: str, conditions: pd.DataFrame) -> np.ndarray:
        """bool (B,): the trials of ``conditions`` that receive the input of ``condition``
        during its period (all of them unless the task says otherwise)."""
        self.fixed_point_inputs(condition)
        return np.ones(len(conditions), dtype=bool)

    def fixed_point_inputs(self, condition: str) -> np.ndarray:
        """Constant, noise-free float32 input (I,) for one of ``fixed_point_conditions``."""
        if condition not in self.fixed_point_conditions:
            raise ValueError(
                f"unknown fixed-point condition {condition!r} for task {self.name!r}; expected "
                f"one of {', '.join(self.fixed_point_conditions)}"
            )
        return np.asarray(self._fixed_point_input(condition), dtype=np.float32)

    # ----------------------------------------------------------------------------- hooks

    def _period_bounds_ms(self) -> dict[str, tuple[float, float]]:
        """Period name -> (start_ms, stop_ms), in temporal order."""
        raise NotImplementedError

    def _condition_grid(self) -> pd.DataFrame:
        """The distinct values of ``condition_columns`` (one row each)."""
        raise NotImplementedError

    def _derive(self, key: pd.DataFrame) -> pd.DataFrame:
        """Validate ``condition_columns`` rows and add the derived columns (table layout)."""
        raise NotImplementedError

    def _build(self, table: pd.DataFrame, rng: np.random.Generator,
               periods: dict[str, np.ndarray]) -> _Trials:
        raise NotImplementedError

    def _fixed_point_input(self, condition: str) -> np.ndarray:
        raise NotImplementedError


# --------------------------------------------------------------------------------------- cddm


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
        coherences = tuple(sorted(set(_as_floats(self.coherences, "coherences"))))
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
        is_motion = (table["context"] == "motion").to_numpy()
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
            level = half * (1.0 + sign * table[coherence].to_numpy())
            inputs[:, :, channel] = np.where(evidence_on, level[:, None], 0.0)
        if self.evidence_noise_std > 0:
            noise = rng.standard_normal((n, T, 4), dtype=np.float32)
            noise *= np.float32(self.evidence_noise_std)
            inputs[:, :, 2:] += np.where(evidence_on[:, :, None], noise, np.float32(0.0))

        choice = table["correct_choice"].to_numpy()
        right = np.where(choice > 0, 1.0, np.where(choice < 0, 0.0, self.zero_coherence_target))
        left = np.where(choice == 0, self.zero_coherence_target, 1.0 - right)
        targets = np.zeros((n, T, self.output_size), dtype=np.float32)
        decision = self._window(*periods["decision"].T)  # (B, T)
        targets[:, :, 0] = np.where(decision, right[:, None], 0.0)
        targets[:, :, 1] = np.where(decision, left[:, None], 0.0)
        loss_mask = self._grace_loss_mask(periods)
        if not self.stimulus_in_loss:
            loss_mask &= ~self._window(*periods["stimulus"].T)
        return _Trials(inputs, targets, loss_mask, {})

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


# --------------------------------------------------------------------------------------- dmts


@dataclass(frozen=True, kw_only=True)
class DMTSTask(ZooTask):
    """Delayed match to sample with two stimuli, A and B.

    Trial (defaults, T = 1500 ms):

    * ``fixation`` [0, sample_on_ms = 100): no input;
    * ``sample`` [100, sample_off_ms = 400): the sample stimulus;
    * ``delay`` [400, test_on_ms = 1000): no input;
    * ``decision`` [1000, T): the test stimulus, and the response.

    Inputs (2): one-hot [stimulus A, stimulus B] at ``stimulus_amplitude`` while a stimulus is
    shown. Outputs (2): [match, non-match]; target 0 before the decision period, then 1 on the
    correct output and 0 on the other. ``loss_mask``: all steps but the first ``grace_ms`` of
    the decision period.

    Condition columns: ``sample_stimulus`` and ``test_stimulus`` (0 = A, 1 = B), ``match``
    (bool), ``correct_output`` (0 = match, 1 = non-match). The table has 4 rows.

    Fixed-point conditions: ``"no_input"`` (fixation and delay), ``"stimulus_a"``,
    ``"stimulus_b"`` (that stimulus on).
    """

    name: ClassVar[str] = "dmts"
    input_size: ClassVar[int] = 2
    output_size: ClassVar[int] = 2
    decision_period: ClassVar[str] = "decision"
    fixed_point_conditions: ClassVar[tuple[str, ...]] = ("no_input", "stimulus_a", "stimulus_b")
    condition_columns: ClassVar[tuple[str, ...]] = ("sample_stimulus", "test_stimulus")

    duration_ms: float = 1500.0
    sample_on_ms: float = 100.0
    sample_off_ms: float = 400.0
    test_on_ms: float = 1000.0
    grace_ms: float = 100.0
    stimulus_amplitude: float = 1.0

    def _period_bounds_ms(self):
        return {
            "fixation": (0.0, self.sample_on_ms),
            "sample": (self.sample_on_ms, self.sample_off_ms),
            "delay": (self.sample_off_ms, self.test_on_ms),
            "decision": (self.test_on_ms, self.duration_ms),
        }

    def _condition_grid(self):
        grid = list(itertools.product((0, 1), (0, 1)))
        return pd.DataFrame(grid, columns=list(self.condition_columns))

    def _derive(self, key):
        sample = key["sample_stimulus"].to_numpy()
        test = key["test_stimulus"].to_numpy()
        if not (np.isin(sample, (0, 1)).all() and np.isin(test, (0, 1)).all()):
            raise ValueError("dmts: sample_stimulus and test_stimulus must be 0 (A) or 1 (B)")
        sample, test = sample.astype(np.int64), test.astype(np.int64)
        match = sample == test
        return pd.DataFrame({
            "sample_stimulus": sample,
            "test_stimulus": test,
            "match": match,
            "correct_output": np.where(match, 0, 1).astype(np.int64),
        })  # fmt: skip

    def _build(self, table, rng, periods):
        n, T = len(table), self.n_steps
        one_hot = np.eye(2, dtype=np.float32)
        sample_on = self._window(*periods["sample"].T)[:, :, None]  # (B, T, 1)
        test_on = self._window(*periods["decision"].T)[:, :, None]
        sample = self.stimulus_amplitude * one_hot[table["sample_stimulus"]][:, None, :]
        test = self.stimulus_amplitude * one_hot[table["test_stimulus"]][:, None, :]
        inputs = (sample_on * sample + test_on * test).astype(np.float32)
        targets = (test_on * one_hot[table["correct_output"]][:, None, :]).astype(np.float32)
        return _Trials(inputs, targets, self._grace_loss_mask(periods), {})

    fixed_point_periods: ClassVar[dict[str, str]] = {
        "no_input": "delay", "stimulus_a": "sample", "stimulus_b": "sample",
    }  # fmt: skip

    def fixed_point_trials(self, condition, conditions):
        super().fixed_point_trials(condition, conditions)
        if condition == "no_input":
            return np.ones(len(conditions), dtype=bool)
        sample = 0 if condition == "stimulus_a" else 1
        return (conditions["sample_stimulus"] == sample).to_numpy()

    def _fixed_point_input(self, condition):
        x = np.zeros(self.input_size)
        if condition == "stimulus_a":
            x[0] = self.stimulus_amplitude
        elif condition == "stimulus_b":
            x[1] = self.stimulus_amplitude
        return x


# ---------------------------------------------------------------------------- 3-bit flip-flop


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
        n, T, K = initial.shape[0], self.n_steps, self.n_bits
        pulse, refractory = self.steps(self.pulse_ms), self.steps(self.refractory_ms)
        # Draw everything up front so the number of draws does not depend on the outcome.
        wants = rng.random((n, T, K)) < self.pulse_probability
        signs = np.where(rng.random((n, T, K)) < 0.5, -1, 1)
        onsets = np.zeros((n, T, K), dtype=np.int64)
        onsets[:, 0] = initial
        last = np.zeros((n, K), dtype=np.int64)
        # Sequential in time (the refractory rule), vectorised over trials and channels.
        for t in range(max(refractory, 1), T - pulse + 1):
            start = wants[:, t] & (t - last >= refractory)
            onsets[:, t] = np.where(start, signs[:, t], 0)
            last = np.where(start, t, last)
        return onsets

    def _build(self, table, rng, periods):
        n, T = len(table), self.n_steps
        initial = table[list(self.condition_columns)].to_numpy()
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
        return _Trials(inputs, targets, loss_mask, extra)

    fixed_point_periods: ClassVar[dict[str, str]] = {"no_input": "hold"}

    def _fixed_point_input(self, condition):
        return np.zeros(self.input_size)


# ------------------------------------------------------------------------------ memory-anti


@dataclass(frozen=True, kw_only=True)
class _MemoryAntiTask(ZooTask):
    """Shared timing of the memory-anti tasks: stimulus, delay, recall.

    Trial (defaults, T = 1500 ms):

    * ``fixation`` [0, stim_on_ms = 100): no input;
    * ``stimulus`` [100, stim_off_ms = 400): the value to remember;
    * ``delay`` [400, recall_on_ms = 1000): no input;
    * ``recall`` [1000, T): the recall cue (last input channel) at ``cue_amplitude``, and the
      response.

    Targets are 0 before the recall period. ``loss_mask``: all steps but the first
    ``grace_ms`` of the recall period. Fixed-point conditions: ``"hold"`` (all inputs zero: the
    fixation/delay input) and ``"recall"`` (recall cue on, stimulus channels zero).
    """

    decision_period: ClassVar[str] = "recall"
    fixed_point_conditions: ClassVar[tuple[str, ...]] = ("hold", "recall")
    fixed_point_periods: ClassVar[dict[str, str]] = {"hold": "delay", "recall": "recall"}

    duration_ms: float = 1500.0
    stim_on_ms: float = 100.0
    stim_off_ms: float = 400.0
    recall_on_ms: float = 1000.0
    grace_ms: float = 100.0
    cue_amplitude: float = 1.0

    def _period_bounds_ms(self):
        return {
            "fixation": (0.0, self.stim_on_ms),
            "stimulus": (self.stim_on_ms, self.stim_off_ms),
            "delay": (self.stim_off_ms, self.recall_on_ms),
            "recall": (self.recall_on_ms, self.duration_ms),
        }

    def _memory_trials(self, stimulus: np.ndarray, response: np.ndarray,
                       periods: dict[str, np.ndarray]) -> _Trials:
        """Trials from the stimulus (B, I−1) shown in ``stimulus`` and the response (B, O)."""
        n, T = stimulus.shape[0], self.n_steps
        shown = self._window(*periods["stimulus"].T)[:, :, None]  # (B, T, 1)
        recall = self._window(*periods["recall"].T)[:, :, None]
        inputs = np.zeros((n, T, self.input_size), dtype=np.float32)
        inputs[:, :, :-1] = shown * stimulus[:, None, :]
        inputs[:, :, -1:] = recall * self.cue_amplitude
        targets = (recall * response[:, None, :]).astype(np.float32)
        return _Trials(inputs, targets, self._grace_loss_mask(periods), {})

    def _fixed_point_input(self, condition):
        x = np.zeros(self.input_size)
        if condition == "recall":
            x[-1] = self.cue_amplitude
        return x


@dataclass(frozen=True, kw_only=True)
class MemoryAntiNumberTask(_MemoryAntiTask):
    """Remember a scalar x and report −x on the recall cue.

    Timing as in :class:`_MemoryAntiTask` (fixation, stimulus, delay, recall; T = 1500 ms).
    Inputs (2): [value, recall cue]; the value channel is x during the stimulus period.
    Outputs (1): −x during the recall period, 0 before.

    Condition columns: ``value`` (x), ``target_value`` (−x); the table has one row per
    entry of ``values`` (default 32 values linspace(−2, 2, 32)).
    Fixed-point conditions: ``"hold"``, ``"recall"``.
    """

    name: ClassVar[str] = "memory_anti_number"
    input_size: ClassVar[int] = 2
    output_size: ClassVar[int] = 1
    condition_columns: ClassVar[tuple[str, ...]] = ("value",)

    values: tuple[float, ...] = ANTI_NUMBER_VALUES

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", _as_floats(self.values, "values"))
        super().__post_init__()

    def _condition_grid(self):
        return pd.DataFrame({"value": np.asarray(self.values)})

    def _derive(self, key):
        value = key["value"].to_numpy(dtype=np.float64)
        if not np.all(np.isfinite(value)):
            raise ValueError("memory_anti_number: values must be finite")
        return pd.DataFrame({"value": value, "target_value": -value})

    def _build(self, table, rng, periods):
        value = table["value"].to_numpy()
        return self._memory_trials(value[:, None], -value[:, None], periods)


@dataclass(frozen=True, kw_only=True)
class MemoryAntiAngleTask(_MemoryAntiTask):
    """Remember an angle θ and report the opposite angle θ + π on the recall cue.

    Timing as in :class:`_MemoryAntiTask` (fixation, stimulus, delay, recall; T = 1500 ms).
    Inputs (3): [r·cos θ, r·sin θ, recall cue] with r = ``radius`` (default 2) during the
    stimulus period. Outputs (2): [r·cos(θ + π), r·sin(θ + π)] during the recall period,
    0 before.

    Condition columns: ``angle`` θ (radians), ``target_angle`` (θ + π mod 2π); the table has
    ``n_angles`` (default 36) rows θ_k = 2πk / n_angles.
    Fixed-point conditions: ``"hold"``, ``"recall"``.
    """

    name: ClassVar[str] = "memory_anti_angle"
    input_size: ClassVar[int] = 3
    output_size: ClassVar[int] = 2
    condition_columns: ClassVar[tuple[str, ...]] = ("angle",)

    n_angles: int = 36
    radius: float = 2.0

    def __post_init__(self) -> None:
        if int(self.n_angles) < 1:
            raise ValueError(f"n_angles must be at least 1, got {self.n_angles}")
        super().__post_init__()

    def _condition_grid(self):
        return pd.DataFrame({"angle": 2.0 * np.pi * np.arange(int(self.n_angles)) / self.n_angles})

    def _derive(self, key):
        angle = key["angle"].to_numpy(dtype=np.float64)
        if not np.all(np.isfinite(angle)):
            raise ValueError("memory_anti_angle: angles must be finite")
        return pd.DataFrame({"angle": angle, "target_angle": np.mod(angle + np.pi, 2.0 * np.pi)})

    def _build(self, table, rng, periods):
        angle = table["angle"].to_numpy()
        stimulus = self.radius * np.stack([np.cos(angle), np.sin(angle)], axis=1)
        opposite = angle + np.pi
        response = self.radius * np.stack([np.cos(opposite), np.sin(opposite)], axis=1)
        return self._memory_trials(stimulus, response, periods)
