"""The CTRNN task zoo (engellab RNN_training_pipeline layout): the conventions and machinery
shared by its five regression tasks (one module each in this package):

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
import functools
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
    "ConditionRows",
    "Trials",
    "ZooTask",
    "as_floats",
    "check_rng",
]

DT_MS: float = 10.0
INPUT_NOISE_STD: float = 0.0
#: Signed coherences ±0.8·2^{-k}, k = 0..6, and 0 (15 values, ascending).
CDDM_COHERENCES: tuple[float, ...] = tuple(
    sorted([0.0] + [s * 0.8 * 2.0**-k for k in range(7) for s in (-1.0, 1.0)])
)
#: Values remembered in memory_anti_number.
ANTI_NUMBER_VALUES: tuple[float, ...] = tuple(float(v) for v in np.linspace(-2.0, 2.0, 32))


@functools.lru_cache(maxsize=32)
def _condition_table(task: "ZooTask") -> pd.DataFrame:
    """A task's condition table (not to be modified: ``condition_table`` hands out copies)."""
    return task._derive(task._condition_grid())


@functools.lru_cache(maxsize=32)
def _condition_arrays(task: "ZooTask") -> "ConditionRows":
    """The condition table's columns as arrays (what ``sample`` draws rows from)."""
    return ConditionRows.from_frame(_condition_table(task))


class ConditionRows:
    """Condition rows as one numpy array (B,) per column: what ``_build`` reads.

    Training draws a batch per update, and selecting rows of a DataFrame, building its column
    index and comparing its string columns cost pandas more than the task's own arithmetic
    (measured: ``benchmarks/zoo_sampling.py``); the arrays hold the same values as the
    DataFrame's ``to_numpy()`` columns. ``rows[name]`` is a column (B,), ``rows[[names]]`` the
    columns side by side (B, k), ``len(rows)`` is B.
    """

    def __init__(self, columns: dict[str, np.ndarray]):
        self._columns = columns

    @property
    def columns(self) -> list[str]:
        return list(self._columns)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> "ConditionRows":
        return cls({c: frame[c].to_numpy() for c in frame.columns})

    def take(self, index: np.ndarray) -> "ConditionRows":
        """The rows ``index`` (int (B,)), in that order."""
        return ConditionRows({c: values[index] for c, values in self._columns.items()})

    def __len__(self) -> int:
        return len(next(iter(self._columns.values()), ()))

    def __getitem__(self, key):
        if isinstance(key, list):
            return np.stack([self._columns[c] for c in key], axis=1)
        return self._columns[key]


def check_rng(rng: object) -> None:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")


def as_floats(values: float | Sequence[float], field_name: str) -> tuple[float, ...]:
    """Normalise a scalar or sequence argument to a non-empty tuple of finite floats."""
    out = tuple(float(v) for v in np.atleast_1d(np.asarray(values, dtype=np.float64)).ravel())
    if not out or not all(np.isfinite(out)):
        raise ValueError(f"{field_name} must be a non-empty sequence of finite numbers")
    return out


@dataclass(frozen=True)
class Trials:
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
        """One row per distinct condition (see the task's docstring for the columns); built
        once per task (the tasks are frozen), a copy each call."""
        return _condition_table(self).copy()

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
        check_rng(rng)
        n = int(batch_size)
        if n < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        table = _condition_arrays(self)
        # The table's rows are complete already: no second validation (training draws a
        # batch per step, and pandas' per-call overhead was a third of a step).
        return self._batch(table.take(rng.integers(len(table), size=n)), rng)

    def sample_conditions(self, conditions: pd.DataFrame, rng: np.random.Generator) -> TaskBatch:
        """One trial per row of ``conditions`` (B rows), in order; ``rng`` supplies the noise."""
        check_rng(rng)
        return self._batch(ConditionRows.from_frame(self._complete(conditions)), rng)

    def _batch(self, table: ConditionRows, rng: np.random.Generator) -> TaskBatch:
        """The batch of complete condition rows (index 0..B−1)."""
        n = len(table)
        periods = self.trial_periods(n, rng)
        trials = self._build(table, rng, periods)
        inputs = trials.inputs
        if self.input_noise_std > 0:
            noise = rng.standard_normal(inputs.shape, dtype=np.float32)
            inputs = inputs + noise * np.float32(self.input_noise_std)

        decision_mask = self._window(*periods[self.decision_period].T)
        columns: dict[str, object] = {"trial": np.arange(n, dtype=np.int64)}
        columns.update({c: table[c] for c in table.columns})
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

    def ideal_outputs(self, batch: TaskBatch) -> np.ndarray:
        """float64 (B, T, O): the outputs of an ideal observer that minimises the expected
        squared error given the inputs seen so far (step t included) – the ceiling of the
        validation score. The target of every zoo task but cddm is a function of its noise-free
        input, so the ideal output is the target itself (score 1); cddm's noisy evidence
        limits it (``CDDMTask.ideal_outputs``). With ``input_noise_std`` > 0 this default is an
        upper bound."""
        return batch.targets.astype(np.float64)

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

    def _build(self, table: ConditionRows, rng: np.random.Generator,
               periods: dict[str, np.ndarray]) -> Trials:
        raise NotImplementedError

    def _fixed_point_input(self, condition: str) -> np.ndarray:
        raise NotImplementedError
