"""Ring tasks of the E/I Mod-Cog study: shared conventions, and Yang et al. 2019's own dm1 and
dlygo, generated vectorised over trials.

The study's default tasks are the thesis' own Mod-Cog definitions (``rnnlab.studies.ei_modcog.
modcog``: ``dm1``, ``dlygo`` and the rest of the family, 93 names); the generators of this
module follow Yang et al. (2019)'s original task code instead and are registered as
``dm1_yang2019`` and ``dlygo_yang2019``. ``make_task`` builds either kind by name.

Conventions shared by every ring task (module constants below):

* time step ``DT_MS`` = 100 ms; period durations are given in ms and converted to steps with
  ``round(ms / dt_ms)``;
* a ring of ``N_RING`` = 16 units with preferred directions θ_k = 2πk/16;
* inputs (``INPUT_SIZE`` = 33): channel 0 fixation, channels 1–16 ring 1,
  channels 17–32 ring 2;
* outputs (``OUTPUT_SIZE`` = 17): output 0 fixation, outputs 1–16 the ring;
* a stimulus at direction θ with strength s drives ring unit k with
  ``s · STIMULUS_GAIN · exp(−d_k² / 2)``, d_k the circular distance between θ and θ_k in units of
  2π/16 (``STIMULUS_GAIN`` = 0.8);
* Gaussian input noise with std ``input_noise_std`` (default ``INPUT_NOISE_STD`` = 0.1, i.e.
  neurogym's σ/√dt with σ = 1, dt = 100) on every input channel on every step inside the trial;
* the fixation input is 1 until the decision period starts and 0 from then on;
* labels are 0 (keep fixating) before the decision period and 1 + index of the target direction
  during it;
* trials in a batch have their own period durations; the batch is as long as its longest trial
  and shorter trials are padded at the end with zero input (no noise), label 0 and both masks
  False.

A new ring task is a frozen dataclass subclass of :class:`RingTask` that declares

* ``name`` and ``period_names`` (in temporal order; the response period is called
  ``"decision"``),
* one constructor field ``<period>_ms`` per period holding the allowed durations,
* ``_draw_trials(rng, n)`` returning the trial variables (condition columns) and the target
  direction index of each trial,
* ``_period_stimulus(period, variables)`` returning the noise-free ring input of a period.

Everything else (duration draws, the time grid, fixation input, labels, masks, noise, padding,
``periods`` and ``conditions``) is done once here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from rnnlab.tasks import TaskRegistry
from rnnlab.tasks.base import TaskBatch

__all__ = [
    "DT_MS",
    "N_RING",
    "INPUT_SIZE",
    "OUTPUT_SIZE",
    "STIMULUS_GAIN",
    "INPUT_NOISE_STD",
    "RING_DIRECTIONS",
    "ring_bump",
    "RingInputs",
    "RingTask",
    "DM1Task",
    "DlyGoTask",
    "TASKS",
    "make_task",
    "task_names",
]

DT_MS: float = 100.0
N_RING: int = 16
INPUT_SIZE: int = 1 + 2 * N_RING  # fixation + ring 1 + ring 2
OUTPUT_SIZE: int = 1 + N_RING  # fixation + ring
STIMULUS_GAIN: float = 0.8
INPUT_NOISE_STD: float = 0.1
RING_DIRECTIONS: np.ndarray = 2.0 * np.pi * np.arange(N_RING) / N_RING
RING_DIRECTIONS.setflags(write=False)

# Input channel layout.
FIXATION_CHANNEL: int = 0
RING1_CHANNELS: slice = slice(1, 1 + N_RING)
RING2_CHANNELS: slice = slice(1 + N_RING, 1 + 2 * N_RING)

Durations = tuple[float, ...]


def ring_bump(directions: np.ndarray, strengths: np.ndarray | float = 1.0) -> np.ndarray:
    """Noise-free ring response to stimuli at ``directions`` (radians) with ``strengths``.

    Args:
        directions: shape (B,) (or scalar) stimulus directions in radians.
        strengths: shape (B,) or scalar stimulus strengths.

    Returns:
        float32 array (B, N_RING): ``s · 0.8 · exp(−d_k² / 2)`` with d_k the circular distance
        to unit k's preferred direction in units of 2π/N_RING.
    """
    directions = np.atleast_1d(np.asarray(directions, dtype=np.float64))
    strengths = np.broadcast_to(np.asarray(strengths, dtype=np.float64), directions.shape)
    diff = directions[:, None] - RING_DIRECTIONS[None, :]
    wrapped = (diff + np.pi) % (2.0 * np.pi) - np.pi  # in [-π, π)
    distance = np.abs(wrapped) / (2.0 * np.pi / N_RING)
    return (strengths[:, None] * STIMULUS_GAIN * np.exp(-0.5 * distance**2)).astype(np.float32)


def _as_durations(value: float | Sequence[float], field_name: str) -> Durations:
    """Normalise a duration argument (scalar or sequence of ms) to a non-empty tuple of floats."""
    values = tuple(float(v) for v in np.atleast_1d(np.asarray(value, dtype=np.float64)).ravel())
    if not values:
        raise ValueError(f"{field_name} must list at least one duration")
    if any(not np.isfinite(v) or v < 0 for v in values):
        raise ValueError(f"{field_name} must be finite and non-negative, got {values}")
    return values


class RingInputs:
    """What every ring task shares: the ring's preferred directions and the named constant
    inputs of the fixed-point analysis (fixation channel 0, ring 1 on channels 1–16)."""

    input_size: ClassVar[int] = INPUT_SIZE
    name: ClassVar[str] = "ring"

    @property
    def ring_directions(self) -> np.ndarray:
        """Preferred directions θ_k = 2πk/16 of the ring units (radians), shape (N_RING,)."""
        return RING_DIRECTIONS.copy()

    @property
    def fixed_point_conditions(self) -> tuple[str, ...]:
        """Names accepted by :meth:`fixed_point_inputs`."""
        return ("fixation", "go") + tuple(f"stimulus_{k}" for k in range(N_RING))

    def fixed_point_inputs(self, condition: str) -> np.ndarray:
        """Constant, noise-free float32 input vector (I,) for a named input condition.

        * ``"fixation"``: fixation channel 1, rings 0 (the delay / hold input);
        * ``"go"``: all zero (the decision-period input);
        * ``"stimulus_<k>"``: fixation 1 plus a strength-1 bump at θ_k on ring 1,
          k in 0..N_RING-1.
        """
        x = np.zeros(self.input_size, dtype=np.float32)
        if condition == "go":
            return x
        if condition == "fixation":
            x[FIXATION_CHANNEL] = 1.0
            return x
        match = re.fullmatch(r"stimulus_(\d+)", condition)
        if match is not None and int(match.group(1)) < N_RING:
            k = int(match.group(1))
            x[FIXATION_CHANNEL] = 1.0
            x[RING1_CHANNELS] = ring_bump(RING_DIRECTIONS[k], 1.0)[0]
            return x
        raise ValueError(
            f"unknown fixed-point condition {condition!r} for task {self.name!r}; expected "
            f"'fixation', 'go' or 'stimulus_<k>' with k in 0..{N_RING - 1}"
        )


@dataclass(frozen=True, kw_only=True)
class RingTask(RingInputs):
    """Shared machinery for ring tasks made of named periods (see the module docstring).

    Subclasses declare ``name``, ``period_names``, a ``<period>_ms`` field per period,
    ``_draw_trials`` and ``_period_stimulus``.
    """

    name: ClassVar[str] = "ring"
    period_names: ClassVar[tuple[str, ...]] = ()
    decision_period: ClassVar[str] = "decision"
    input_size: ClassVar[int] = INPUT_SIZE
    output_size: ClassVar[int] = OUTPUT_SIZE

    # Fields without defaults are not allowed here (subclass fields come after), so the shared
    # fields carry defaults too.
    input_noise_std: float = INPUT_NOISE_STD
    dt_ms: float = DT_MS

    def __post_init__(self) -> None:
        if self.decision_period not in self.period_names:
            raise TypeError(f"{type(self).__name__} must declare a '{self.decision_period}' period")
        if not self.dt_ms > 0:
            raise ValueError(f"dt_ms must be positive, got {self.dt_ms}")
        if not self.input_noise_std >= 0:
            raise ValueError(f"input_noise_std must be non-negative, got {self.input_noise_std}")
        for period in self.period_names:
            attr = f"{period}_ms"
            object.__setattr__(self, attr, _as_durations(getattr(self, attr), attr))
        if min(self.duration_steps(self.decision_period)) < 1:
            raise ValueError("every decision duration must last at least one time step")

    # ----------------------------------------------------------------------------- properties

    @property
    def max_n_steps(self) -> int:
        """Number of steps of the longest possible trial (the largest T a batch can have)."""
        return int(sum(max(self.duration_steps(p)) for p in self.period_names))

    @property
    def min_n_steps(self) -> int:
        """Number of steps of the shortest possible trial."""
        return int(sum(min(self.duration_steps(p)) for p in self.period_names))

    def duration_steps(self, period: str) -> tuple[int, ...]:
        """Allowed durations of ``period`` in steps (``round(ms / dt_ms)`` of each choice)."""
        return tuple(int(np.rint(ms / self.dt_ms)) for ms in getattr(self, f"{period}_ms"))

    # --------------------------------------------------------------------- subclass hooks

    def _draw_trials(
        self, rng: np.random.Generator, n: int
    ) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Draw the trial variables.

        Returns:
            (variables, target_index): ``variables`` maps condition column names to (n,) arrays
            (they become the first columns of ``conditions`` after ``trial``, in this order, and
            are passed to :meth:`_period_stimulus`); ``target_index`` is the (n,) int index of
            the correct ring unit.
        """
        raise NotImplementedError

    def _period_stimulus(self, period: str, variables: dict[str, np.ndarray]) -> np.ndarray | None:
        """Noise-free ring input (n, 2·N_RING) = [ring 1, ring 2] during ``period``, or None."""
        raise NotImplementedError

    # --------------------------------------------------------------------- helpers for hooks

    @staticmethod
    def ring_input(ring1: np.ndarray | None = None, ring2: np.ndarray | None = None) -> np.ndarray:
        """Concatenate per-ring inputs (n, N_RING) (either may be None = zero) to (n, 2·N_RING)."""
        given = ring1 if ring1 is not None else ring2
        if given is None:
            raise ValueError("ring_input needs at least one ring")
        out = np.zeros((given.shape[0], 2 * N_RING), dtype=np.float32)
        if ring1 is not None:
            out[:, :N_RING] = ring1
        if ring2 is not None:
            out[:, N_RING:] = ring2
        return out

    # --------------------------------------------------------------------- sampling

    def sample(self, rng: np.random.Generator, batch_size: int) -> TaskBatch:
        """Draw ``batch_size`` independent trials from ``rng`` (the only randomness used)."""
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
        n = int(batch_size)
        if n < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")

        variables, target_index = self._draw_trials(rng, n)
        target_index = np.asarray(target_index, dtype=np.int64)

        # Period durations (steps) per trial, drawn uniformly from the allowed choices.
        n_periods = len(self.period_names)
        steps = np.empty((n, n_periods), dtype=np.int64)
        for j, period in enumerate(self.period_names):
            choices = np.asarray(self.duration_steps(period), dtype=np.int64)
            steps[:, j] = choices[rng.integers(len(choices), size=n)]
        stops = np.cumsum(steps, axis=1)
        starts = stops - steps
        n_steps = int(stops[:, -1].max())

        # period_index[b, t] = index of the period step t of trial b is in; n_periods = padding.
        t = np.arange(n_steps)
        period_index = (t[None, None, :] >= stops[:, :, None]).sum(axis=1)

        # Noise-free input per (trial, period), with a final all-zero "padding period"; the whole
        # input is one gather from this table.
        decision_j = self.period_names.index(self.decision_period)
        table = np.zeros((n, n_periods + 1, self.input_size), dtype=np.float32)
        table[:, :decision_j, FIXATION_CHANNEL] = 1.0
        for j, period in enumerate(self.period_names):
            stimulus = self._period_stimulus(period, variables)
            if stimulus is not None:
                table[:, j, 1:] = stimulus
        inputs = table[np.arange(n)[:, None], period_index]

        loss_mask = period_index < n_periods
        decision_mask = period_index == decision_j
        if self.input_noise_std > 0:
            noise = rng.standard_normal(inputs.shape, dtype=np.float32)
            noise *= np.float32(self.input_noise_std)
            inputs += noise * loss_mask[:, :, None]

        label = target_index + 1
        labels = np.where(decision_mask, label[:, None], 0).astype(np.int64)

        columns: dict[str, np.ndarray] = {"trial": np.arange(n, dtype=np.int64)}
        columns.update({k: np.asarray(v) for k, v in variables.items()})
        for j, period in enumerate(self.period_names):
            columns[f"{period}_steps"] = steps[:, j]
        columns["label"] = label
        columns["target_direction"] = RING_DIRECTIONS[target_index]
        conditions = pd.DataFrame(columns)

        periods = {
            period: np.stack([starts[:, j], stops[:, j]], axis=1)
            for j, period in enumerate(self.period_names)
        }
        return TaskBatch(
            inputs=inputs,
            loss_mask=loss_mask,
            decision_mask=decision_mask,
            conditions=conditions,
            periods=periods,
            labels=labels,
            targets=None,
            metadata={
                "task": self.name,
                "dt_ms": float(self.dt_ms),
                "input_noise_std": float(self.input_noise_std),
            },
        )


@dataclass(frozen=True, kw_only=True)
class DM1Task(RingTask):
    """Perceptual decision on ring 1 as Yang et al. (2019)'s task code defines "dm1".

    Two bumps at θ1 and θ2 = θ1 + offset (offset 4..12 grid steps, i.e. ≥ 90° apart) are shown
    on ring 1 during the stimulus period with strengths γ̄ ± c (γ̄ ~ U(0.8, 1.2), c drawn from
    ``coherences`` with a random sign); the target is the direction of the stronger bump.
    """

    name: ClassVar[str] = "dm1_yang2019"
    period_names: ClassVar[tuple[str, ...]] = ("fixation", "stimulus", "decision")
    min_offset: ClassVar[int] = N_RING // 4  # 90°
    max_offset: ClassVar[int] = N_RING - N_RING // 4  # 270°

    fixation_ms: Durations = (200.0, 300.0, 400.0, 500.0)
    stimulus_ms: Durations = (400.0, 800.0, 1600.0)
    decision_ms: Durations = (500.0,)
    coherences: tuple[float, ...] = (0.08, 0.16, 0.32)
    mean_strength_range: tuple[float, float] = (0.8, 1.2)

    def __post_init__(self) -> None:
        super().__post_init__()
        coherences = tuple(float(c) for c in np.atleast_1d(self.coherences))
        if not coherences or any(not np.isfinite(c) or c < 0 for c in coherences):
            raise ValueError(f"coherences must be non-empty and non-negative, got {coherences}")
        object.__setattr__(self, "coherences", coherences)
        low, high = (float(v) for v in self.mean_strength_range)
        if not low <= high:
            raise ValueError(f"mean_strength_range must be (low, high), got {(low, high)}")
        object.__setattr__(self, "mean_strength_range", (low, high))

    def _draw_trials(self, rng, n):
        index_1 = rng.integers(N_RING, size=n)
        offset = rng.integers(self.min_offset, self.max_offset + 1, size=n)
        index_2 = (index_1 + offset) % N_RING
        mean_strength = rng.uniform(*self.mean_strength_range, size=n)
        coherence = np.asarray(self.coherences)[rng.integers(len(self.coherences), size=n)]
        sign = rng.choice(np.array([-1.0, 1.0]), size=n)
        signed = coherence * sign
        variables = {
            "direction_1": RING_DIRECTIONS[index_1],
            "direction_2": RING_DIRECTIONS[index_2],
            "strength_1": mean_strength + signed,
            "strength_2": mean_strength - signed,
            "coherence": coherence,
            "signed_coherence": signed,
        }
        # Ties (coherence 0) go to stimulus 1.
        target_index = np.where(signed >= 0, index_1, index_2)
        return variables, target_index

    def _period_stimulus(self, period, variables):
        if period != "stimulus":
            return None
        ring1 = ring_bump(variables["direction_1"], variables["strength_1"]) + ring_bump(
            variables["direction_2"], variables["strength_2"]
        )
        return self.ring_input(ring1=ring1)


@dataclass(frozen=True, kw_only=True)
class DlyGoTask(RingTask):
    """Delayed go on ring 1 with Yang et al. (2019)'s variable stimulus and delay ("dlygo").

    A strength-1 bump at θ is shown on ring 1 during the stimulus period only; fixation stays on
    through the delay; the target in the decision period is θ.
    """

    name: ClassVar[str] = "dlygo_yang2019"
    period_names: ClassVar[tuple[str, ...]] = ("fixation", "stimulus", "delay", "decision")

    fixation_ms: Durations = (200.0, 300.0, 400.0, 500.0)
    stimulus_ms: Durations = (300.0, 500.0, 700.0)
    delay_ms: Durations = (200.0, 400.0, 800.0, 1600.0)
    decision_ms: Durations = (500.0,)

    def _draw_trials(self, rng, n):
        index = rng.integers(N_RING, size=n)
        return {"direction": RING_DIRECTIONS[index]}, index

    def _period_stimulus(self, period, variables):
        if period != "stimulus":
            return None
        return self.ring_input(ring1=ring_bump(variables["direction"], 1.0))


YANG2019_TASKS = TaskRegistry(DM1Task, DlyGoTask)
"""The Yang-2019 generators of this module (the thesis' Mod-Cog ones are in ``modcog``)."""


class StudyTasks(TaskRegistry):
    """Every task of the study by name: the thesis' Mod-Cog family (``modcog.DEFINITIONS``:
    several names share a family class with different parameters) and the Yang-2019 variants.
    ``self[name]`` is the class that generates ``name``."""

    def __init__(self):
        super().__init__(DM1Task, DlyGoTask)

    @staticmethod
    def _modcog():
        from rnnlab.studies.ei_modcog import modcog  # modcog imports this module

        return modcog

    def names(self) -> list[str]:
        return sorted(set(self._modcog().TASK_NAMES) | set(self.classes))

    def __contains__(self, name) -> bool:
        return name in self.classes or name in self._modcog().DEFINITIONS

    def __getitem__(self, name: str) -> type:
        definitions = self._modcog().DEFINITIONS
        return definitions[name][0] if name in definitions else self.classes[name]

    def make(self, name: str, **params):
        """The task ``name`` with ``params`` over its defaults (see ``make_task``)."""
        modcog = self._modcog()
        if name in modcog.DEFINITIONS:
            return modcog.make_modcog_task(name, **params)
        return super().make(name, **params)


TASKS = StudyTasks()


def task_names() -> list[str]:
    """Every task name ``make_task`` accepts."""
    return TASKS.names()


def make_task(name: str, **params):
    """The study's task ``name``: a thesis Mod-Cog task (``modcog.TASK_NAMES``, e.g. ``dm1``,
    ``dlygo``, ``dlygointr``, ``dm1seqr``) or a Yang-2019 variant (``dm1_yang2019``,
    ``dlygo_yang2019``), with ``params`` over its defaults.

    Raises:
        ValueError: unknown name. TypeError: a parameter the task does not have.
    """
    return TASKS.make(name, **params)
