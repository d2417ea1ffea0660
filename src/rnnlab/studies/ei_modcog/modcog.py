"""The Mod-Cog task family as the thesis' own task module defines it, generated vectorised.

The thesis (seed 003) draws its trials from its port of Mod-Cog (Khona et al. 2023) to
neurogym's ``TrialEnv``. This module re-implements those definitions (read, not copied) as
seeded, vectorised generators with rnnlab's conventions (``rnnlab.studies.ei_modcog.tasks``):
dt 100 ms, 33 inputs (fixation, ring 1, ring 2), 17 outputs (fixation, 16 ring directions),
bumps ``0.8·exp(−d²/2)·strength`` with d in units of 2π/16, labels 0 (fixate) and 1 + the
target's ring index during the decision period.

Families (``_Reach``, ``_DMFamily``, ``_DelayMatch1DResponse`` in the thesis' module):

* **go family** (go, anti, rtgo, rtanti, dlygo, dlyanti): fixation, stimulus, delay, decision
  500 ms each (reaction-time tasks: fixation 500, decision 500 with the stimulus shown in the
  decision period), bump strength 1 on ring 1 or ring 2 (drawn per trial), no noise; anti tasks
  show the stimulus at θ + π. The thesis' ``go`` and ``dlygo`` are the same task (both have a
  500 ms delay).
* **dm family** (dm1, dm2, ctxdm1, ctxdm2, multidm): fixation U(200, 500) ms floored to the
  step (200, 300 or 400 ms), stimulus 500, decision 200; coherence ±{0.08, 0.16, 0.32, 0.64}
  per stimulated ring, bumps at two distinct directions with strengths 0.5 ± c/2; the target is
  the direction whose weighted strength summed over rings is larger.
* **delayed dm family** (dlydm1, dlydm2, ctxdlydm1, ctxdlydm2, multidlydm): fixation U(200,
  500), stim1 500, delay 500, stim2 500, decision 200; two distinct coherences of {0.3, 0.6, 1}
  as the strengths of the first and second bump.
* **match family** (dms, dnms, dmc, dnmc): fixation 300, sample 500, delay 200–1100, test 500,
  decision 900 on ring 1 or ring 2; match to sample (non-match 180° away) or to category (the
  thesis' category boundary: indices 0–8 vs 9–15); go to the test if match (dms, dmc) or
  non-match (dnms, dnmc), else keep fixating (label 0 in the decision period).
* Noise N(0, ``input_noise_std``²), σ/√dt with σ = 1: dm families on every input channel during
  the stimulus periods, match family on the stimulated ring during sample and test.
* ``…seqr`` / ``…seql``: the decision period lasts 1000 ms (reaction-time go tasks keep 500) and
  the target moves by int(±k·ω·dt) ring positions at its k-th step, ω = 0.01 rad/ms (one
  position per 100-ms step).
* ``…intr`` / ``…intl``: interval integration by ω·delay. Go family: the delay is drawn from
  {0, 100, …, 1100} ms and the stimulus is shown at θ_target ± ω·delay (radians). Delayed dm
  and match families: the target index moves by ± ω·delay *ring positions* (the thesis' module
  adds radians to an index): ± 5 for the delayed dm family (delay 500), ± 0 … 11 for the match
  family (delay drawn from {0, …, 1100} ms). ``…intseq`` combines intr with seqr.

Departures from the thesis' module, on purpose:

* its label layout rotates the ring by one (direction k is scored as output (k+1) mod 16 + 1,
  and a no-go decision shares output 1 with direction 15); here direction k is output k + 1 and a
  no-go decision is the fixation output 0, as in neurogym's yang19 collection;
* its go and match tasks alternate ring 1 and ring 2 from trial to trial (neurogym's
  RandomSchedule of two environments never repeats one); here each trial draws its ring;
* its match tasks draw the delay once per environment (global ``np.random`` at construction),
  and int variants per trial from the global generator; here every draw is per trial from the
  caller's generator.

``INTERVAL_OMEGA`` and every duration are module constants or task parameters; ``TASK_NAMES``
lists the 93 names of the thesis' module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from rnnlab.studies.ei_modcog.tasks import (
    DT_MS,
    INPUT_NOISE_STD,
    INPUT_SIZE,
    N_RING,
    OUTPUT_SIZE,
    RING_DIRECTIONS,
    RingInputs,
    ring_bump,
)
from rnnlab.tasks.base import TaskBatch

INTERVAL_OMEGA: float = 0.01  # rad/ms: the angular velocity of int and seq variants
INTERVAL_DELAYS_MS: tuple[float, ...] = tuple(float(d) for d in range(0, 1200, 100))
DM_COHERENCES: tuple[float, ...] = (0.08, 0.16, 0.32, 0.64)
DELAYED_DM_COHERENCES: tuple[float, ...] = (0.3, 0.6, 1.0)
DM_FIXATION_MS: tuple[float, ...] = (200.0, 300.0, 400.0)  # U(200, 500) floored to dt
MATCH_DELAYS_MS: tuple[float, ...] = tuple(float(d) for d in range(200, 1200, 100))


def _choices(value, name: str) -> tuple[float, ...]:
    values = tuple(float(v) for v in np.atleast_1d(np.asarray(value, dtype=np.float64)).ravel())
    if not values or any(not np.isfinite(v) or v < 0 for v in values):
        raise ValueError(f"{name} must list non-negative durations, got {values}")
    return values


@dataclass(frozen=True)
class TrialPlan:
    """What a family draws for n trials, before the batch is assembled.

    Attributes:
        periods: temporal order of (period name, (n,) int steps).
        stimuli: period → (n, 2·N_RING) noise-free ring input during the period.
        noisy: period → (I,) or (n, I) bool: the input channels that carry noise in that
            period (for every trial, or per trial).
        target: (n,) int ring index of the response, −1 for "keep fixating".
        conditions: condition columns (each (n,)).
    """

    periods: list[tuple[str, np.ndarray]]
    stimuli: dict[str, np.ndarray]
    noisy: dict[str, np.ndarray]
    target: np.ndarray
    conditions: dict[str, np.ndarray]


ALL_CHANNELS = np.ones(INPUT_SIZE, dtype=bool)


def ring_channels(modality: int) -> np.ndarray:
    """(I,) bool mask of ring ``modality`` (0: ring 1, 1: ring 2)."""
    mask = np.zeros(INPUT_SIZE, dtype=bool)
    mask[1 + N_RING * modality: 1 + N_RING * (modality + 1)] = True
    return mask


def _on_ring(bumps: np.ndarray, modality: np.ndarray) -> np.ndarray:
    """(n, N_RING) bumps placed on ring 1 or 2 per trial → (n, 2·N_RING)."""
    out = np.zeros((len(bumps), 2 * N_RING), dtype=np.float32)
    rows = np.arange(len(bumps))
    columns = modality[:, None] * N_RING + np.arange(N_RING)[None, :]
    out[rows[:, None], columns] = bumps
    return out


@dataclass(frozen=True, kw_only=True)
class ModCogTask(RingInputs):
    """Shared assembly of the thesis' Mod-Cog tasks (see the module docstring)."""

    name: ClassVar[str] = "modcog"
    decision_period: ClassVar[str] = "decision"
    input_size: ClassVar[int] = INPUT_SIZE
    output_size: ClassVar[int] = OUTPUT_SIZE

    dt_ms: float = DT_MS
    input_noise_std: float = INPUT_NOISE_STD
    seq: int = 0  # +1 (seqr), −1 (seql) or 0
    decision_ms: float | None = None  # None: the family's default (1000 with seq)

    def __post_init__(self) -> None:
        if not self.dt_ms > 0:
            raise ValueError(f"dt_ms must be positive, got {self.dt_ms}")
        if not self.input_noise_std >= 0:
            raise ValueError(f"input_noise_std must be non-negative, got {self.input_noise_std}")
        if self.seq not in (-1, 0, 1):
            raise ValueError(f"seq must be -1, 0 or 1, got {self.seq}")

    # ---------------------------------------------------------------- family hooks

    default_decision_ms: ClassVar[float] = 500.0
    seq_decision_ms: ClassVar[float] = 1000.0

    def _plan(self, rng: np.random.Generator, n: int) -> TrialPlan:
        raise NotImplementedError

    def _period_choices(self) -> dict[str, tuple[float, ...]]:
        """Allowed durations (ms) of every period, for ``min_n_steps`` / ``max_n_steps``."""
        raise NotImplementedError

    # ---------------------------------------------------------------- helpers

    @property
    def decision_duration_ms(self) -> float:
        if self.decision_ms is not None:
            return float(self.decision_ms)
        return self.seq_decision_ms if self.seq else self.default_decision_ms

    def steps(self, ms: float) -> int:
        return int(np.floor(ms / self.dt_ms + 1e-9))  # neurogym floors durations to the step

    def draw_steps(self, rng: np.random.Generator, choices: Sequence[float], n: int) -> np.ndarray:
        """(n,) steps of a period whose duration is drawn uniformly from ``choices`` (ms)."""
        options = np.array([self.steps(ms) for ms in choices], dtype=np.int64)
        if len(options) == 1:
            return np.full(n, options[0], dtype=np.int64)
        return options[rng.integers(len(options), size=n)]

    @property
    def min_n_steps(self) -> int:
        return int(sum(min(self.steps(ms) for ms in c) for c in self._period_choices().values()))

    @property
    def max_n_steps(self) -> int:
        return int(sum(max(self.steps(ms) for ms in c) for c in self._period_choices().values()))

    def seq_shift(self, k: np.ndarray) -> np.ndarray:
        """Ring positions the target has moved at decision step k: int(seq·k·ω·dt), evaluated
        as the thesis' module does (float product, truncated toward zero)."""
        return np.trunc(self.seq * k * INTERVAL_OMEGA * self.dt_ms).astype(np.int64)

    # ---------------------------------------------------------------- sampling

    def sample(self, rng: np.random.Generator, batch_size: int) -> TaskBatch:
        """Draw ``batch_size`` independent trials from ``rng`` (the only randomness used)."""
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
        n = int(batch_size)
        if n < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        plan = self._plan(rng, n)
        names = [name for name, _ in plan.periods]
        steps = np.stack([s for _, s in plan.periods], axis=1).astype(np.int64)  # (n, P)
        stops = np.cumsum(steps, axis=1)
        starts = stops - steps
        n_steps = int(stops[:, -1].max())
        t = np.arange(n_steps)
        period_index = (t[None, None, :] >= stops[:, :, None]).sum(axis=1)  # (n, T); P = pad
        n_periods = len(names)
        decision_j = names.index(self.decision_period)

        table = np.zeros((n, n_periods + 1, self.input_size), dtype=np.float32)
        table[:, :n_periods, 0] = 1.0
        table[:, decision_j, 0] = 0.0
        noise_table = np.zeros((n, n_periods + 1, self.input_size), dtype=bool)
        for j, period in enumerate(names):
            if period in plan.stimuli:
                table[:, j, 1:] += plan.stimuli[period]
            if period in plan.noisy:
                noise_table[:, j] = plan.noisy[period]
        inputs = table[np.arange(n)[:, None], period_index]
        loss_mask = period_index < n_periods
        decision_mask = period_index == decision_j
        if self.input_noise_std > 0 and noise_table.any():
            noise = rng.standard_normal(inputs.shape, dtype=np.float32)
            noise *= np.float32(self.input_noise_std)
            inputs += noise * noise_table[np.arange(n)[:, None], period_index]

        target = np.asarray(plan.target, dtype=np.int64)
        k = t[None, :] - starts[:, decision_j: decision_j + 1]  # decision step index
        moving = np.mod(target[:, None] + self.seq_shift(k), N_RING) + 1
        respond = (target >= 0)[:, None] & decision_mask
        labels = np.where(respond, moving, 0).astype(np.int64)
        first = np.where(target >= 0, np.mod(target, N_RING) + 1, 0)

        columns: dict[str, np.ndarray] = {"trial": np.arange(n, dtype=np.int64)}
        columns.update({key: np.asarray(value) for key, value in plan.conditions.items()})
        for j, period in enumerate(names):
            columns[f"{period}_steps"] = steps[:, j]
        columns["label"] = first
        columns["target_direction"] = np.where(
            target >= 0, RING_DIRECTIONS[np.mod(target, N_RING)], np.nan
        )
        periods = {period: np.stack([starts[:, j], stops[:, j]], axis=1)
                   for j, period in enumerate(names)}
        return TaskBatch(
            inputs=inputs,
            loss_mask=loss_mask,
            decision_mask=decision_mask,
            conditions=pd.DataFrame(columns),
            periods=periods,
            labels=labels,
            targets=None,
            metadata={"task": self.name, "dt_ms": float(self.dt_ms),
                      "input_noise_std": float(self.input_noise_std)},
        )


# ------------------------------------------------------------------------------- go family


@dataclass(frozen=True, kw_only=True)
class ReachTask(ModCogTask):
    """Go family (the thesis' ``_Reach``): respond toward (or, anti, away from) the stimulus."""

    anti: bool = False
    reaction: bool = False
    integrate: int = 0  # +1 intr, −1 intl
    fixation_ms: float = 500.0
    stimulus_ms: float = 500.0
    delay_ms: float = 500.0
    interval_delays_ms: tuple[float, ...] = INTERVAL_DELAYS_MS
    input_noise_std: float = 0.0  # the go family has no input noise

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "interval_delays_ms",
                           _choices(self.interval_delays_ms, "interval_delays_ms"))

    def _period_choices(self):
        if self.reaction:
            return {"fixation": (self.fixation_ms,), "decision": (self.decision_duration_ms,)}
        delay = self.interval_delays_ms if self.integrate else (self.delay_ms,)
        return {"fixation": (self.fixation_ms,), "stimulus": (self.stimulus_ms,),
                "delay": delay, "decision": (self.decision_duration_ms,)}

    def _plan(self, rng, n):
        target = rng.integers(N_RING, size=n)
        modality = rng.integers(2, size=n)
        choices = self._period_choices()
        periods = [(name, self.draw_steps(rng, c, n)) for name, c in choices.items()]
        delay_ms = (dict(periods)["delay"] * self.dt_ms) if "delay" in choices else np.zeros(n)
        theta = (RING_DIRECTIONS[target] + self.integrate * INTERVAL_OMEGA * delay_ms
                 + (np.pi if self.anti else 0.0)) % (2 * np.pi)
        shown = _on_ring(ring_bump(theta, 1.0), modality)
        stimuli = {("decision" if self.reaction else "stimulus"): shown}
        conditions = {"modality": modality, "direction": RING_DIRECTIONS[target],
                      "stimulus_direction": theta}
        return TrialPlan(periods, stimuli, {}, target, conditions)


# ------------------------------------------------------------------------------- dm families


@dataclass(frozen=True, kw_only=True)
class DecisionTask(ModCogTask):
    """dm and delayed dm families (the thesis' ``_DMFamily``)."""

    modality_weights: tuple[float, float] = (1.0, 1.0)
    stimulated: tuple[bool, bool] = (True, False)
    delay_comparison: bool = False
    integrate: int = 0
    coherences: tuple[float, ...] = DM_COHERENCES
    fixation_ms: tuple[float, ...] = DM_FIXATION_MS
    stimulus_ms: float = 500.0
    delay_ms: float = 500.0

    default_decision_ms: ClassVar[float] = 200.0

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "coherences", tuple(float(c) for c in self.coherences))
        object.__setattr__(self, "fixation_ms", _choices(self.fixation_ms, "fixation_ms"))
        if not any(self.stimulated):
            raise ValueError("at least one ring must be stimulated")
        if self.delay_comparison and len(self.coherences) < 2:
            raise ValueError("a delayed comparison needs two distinct coherences")

    @property
    def stimulus_periods(self) -> tuple[str, ...]:
        return ("stim1", "stim2") if self.delay_comparison else ("stimulus",)

    def _period_choices(self):
        if self.delay_comparison:
            return {"fixation": self.fixation_ms, "stim1": (self.stimulus_ms,),
                    "delay": (self.delay_ms,), "stim2": (self.stimulus_ms,),
                    "decision": (self.decision_duration_ms,)}
        return {"fixation": self.fixation_ms, "stimulus": (self.stimulus_ms,),
                "decision": (self.decision_duration_ms,)}

    def _plan(self, rng, n):
        index_1 = rng.integers(N_RING, size=n)
        index_2 = (index_1 + rng.integers(1, N_RING, size=n)) % N_RING  # any other direction
        periods = [(name, self.draw_steps(rng, c, n)) for name, c in self._period_choices().items()]
        cohs = np.asarray(self.coherences)
        strength_1, strength_2 = np.zeros(n), np.zeros(n)
        conditions = {"direction_1": RING_DIRECTIONS[index_1],
                      "direction_2": RING_DIRECTIONS[index_2]}
        stimuli = {p: np.zeros((n, 2 * N_RING), dtype=np.float32) for p in self.stimulus_periods}
        for ring, (weight, on) in enumerate(zip(self.modality_weights, self.stimulated)):
            if not on:
                continue
            if self.delay_comparison:
                first = rng.integers(len(cohs), size=n)
                second = (first + rng.integers(1, len(cohs), size=n)) % len(cohs)
                c1, c2 = cohs[first], cohs[second]
                slot = slice(ring * N_RING, (ring + 1) * N_RING)
                stimuli["stim1"][:, slot] = ring_bump(RING_DIRECTIONS[index_1], c1)
                stimuli["stim2"][:, slot] = ring_bump(RING_DIRECTIONS[index_2], c2)
            else:
                signed = cohs[rng.integers(len(cohs), size=n)] * rng.choice([-1.0, 1.0], size=n)
                c1, c2 = 0.5 + signed / 2, 0.5 - signed / 2
                conditions[f"signed_coherence_{ring + 1}"] = signed
                slot = slice(ring * N_RING, (ring + 1) * N_RING)
                stimuli["stimulus"][:, slot] = (ring_bump(RING_DIRECTIONS[index_1], c1)
                                                + ring_bump(RING_DIRECTIONS[index_2], c2))
            conditions[f"strength_1_ring{ring + 1}"] = c1
            conditions[f"strength_2_ring{ring + 1}"] = c2
            strength_1 += weight * c1
            strength_2 += weight * c2
        # Ties (multidm with opposite coherences) are broken at random, as the thesis' jitter does.
        jitter = rng.uniform(-1e-6, 1e-6, size=n)
        target = np.where(strength_1 + jitter > strength_2, index_1, index_2)
        if self.integrate:
            target = np.mod(target + self.integrate * INTERVAL_OMEGA * self.delay_ms,
                            N_RING).astype(np.int64)
        noisy = {p: ALL_CHANNELS for p in self.stimulus_periods}
        return TrialPlan(periods, stimuli, noisy, target, conditions)


# ------------------------------------------------------------------------------- match family


@dataclass(frozen=True, kw_only=True)
class MatchTask(ModCogTask):
    """Delayed match family (the thesis' ``_DelayMatch1DResponse``)."""

    match_to: str = "sample"  # "sample" or "category"
    go_on_match: bool = True
    integrate: int = 0
    fixation_ms: float = 300.0
    sample_ms: float = 500.0
    delay_ms: tuple[float, ...] = MATCH_DELAYS_MS
    test_ms: float = 500.0
    interval_delays_ms: tuple[float, ...] = INTERVAL_DELAYS_MS

    default_decision_ms: ClassVar[float] = 900.0

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.match_to not in ("sample", "category"):
            raise ValueError(f"match_to must be 'sample' or 'category', not {self.match_to!r}")
        object.__setattr__(self, "delay_ms", _choices(self.delay_ms, "delay_ms"))
        object.__setattr__(self, "interval_delays_ms",
                           _choices(self.interval_delays_ms, "interval_delays_ms"))

    def _period_choices(self):
        delay = self.interval_delays_ms if self.integrate else self.delay_ms
        return {"fixation": (self.fixation_ms,), "sample": (self.sample_ms,), "delay": delay,
                "test": (self.test_ms,), "decision": (self.decision_duration_ms,)}

    def _plan(self, rng, n):
        half = N_RING // 2
        match = rng.integers(2, size=n).astype(bool)
        sample = rng.integers(N_RING, size=n)
        modality = rng.integers(2, size=n)
        periods = [(name, self.draw_steps(rng, c, n)) for name, c in self._period_choices().items()]
        if self.match_to == "category":
            category = (sample > half).astype(np.int64)  # the thesis' boundary: 0–8 vs 9–15
            test_category = np.where(match, category, 1 - category)
            test = rng.integers(half, size=n) + test_category * half
        else:
            test = np.where(match, sample, (sample + half) % N_RING)
        target = test.copy()
        if self.integrate:
            delay_ms = dict(periods)["delay"] * self.dt_ms
            target = np.mod(target + self.integrate * INTERVAL_OMEGA * delay_ms,
                            N_RING).astype(np.int64)
        go = match == self.go_on_match
        target = np.where(go, target, -1)
        stimuli = {"sample": _on_ring(ring_bump(RING_DIRECTIONS[sample], 1.0), modality),
                   "test": _on_ring(ring_bump(RING_DIRECTIONS[test], 1.0), modality)}
        stimulated_ring = np.stack([ring_channels(0), ring_channels(1)])[modality]  # (n, I)
        noisy = {"sample": stimulated_ring, "test": stimulated_ring}
        conditions = {"modality": modality, "sample_direction": RING_DIRECTIONS[sample],
                      "test_direction": RING_DIRECTIONS[test], "match": match}
        return TrialPlan(periods, stimuli, noisy, target, conditions)


# ------------------------------------------------------------------------------- the names


def _variants(base: str, family: type, params: dict, *,
              interval: bool = False) -> dict[str, tuple[type, dict]]:
    """``base`` and its seqr / seql variants (and intr / intl / intseq with ``interval``)."""
    names = {base: (family, params)}
    names[f"{base}seqr"] = (family, {**params, "seq": 1})
    names[f"{base}seql"] = (family, {**params, "seq": -1})
    if interval:
        names[f"{base}intr"] = (family, {**params, "integrate": 1})
        names[f"{base}intl"] = (family, {**params, "integrate": -1})
        names[f"{base}intseq"] = (family, {**params, "integrate": 1, "seq": 1})
    return names


def _definitions() -> dict[str, tuple[type, dict]]:
    """Task name → (family class, parameters): the 93 constructors of the thesis' module."""
    d: dict[str, tuple[type, dict]] = {}
    d |= _variants("go", ReachTask, {})
    d |= _variants("anti", ReachTask, {"anti": True})
    # Reaction-time seq variants keep the 500 ms decision (the thesis' module sets no timing).
    for base, anti in (("rtgo", False), ("rtanti", True)):
        d[base] = (ReachTask, {"anti": anti, "reaction": True})
        d[f"{base}seqr"] = (ReachTask, {"anti": anti, "reaction": True, "seq": 1,
                                        "decision_ms": 500.0})
        d[f"{base}seql"] = (ReachTask, {"anti": anti, "reaction": True, "seq": -1,
                                        "decision_ms": 500.0})
    d |= _variants("dlygo", ReachTask, {}, interval=True)
    d |= _variants("dlyanti", ReachTask, {"anti": True}, interval=True)
    for base, weights, stimulated in (
        ("dm1", (1.0, 1.0), (True, False)), ("dm2", (1.0, 1.0), (False, True)),
        ("ctxdm1", (1.0, 0.0), (True, True)), ("ctxdm2", (0.0, 1.0), (True, True)),
        ("multidm", (1.0, 1.0), (True, True)),
    ):
        params = {"modality_weights": weights, "stimulated": stimulated}
        d |= _variants(base, DecisionTask, params)
        delayed = {**params, "delay_comparison": True, "coherences": DELAYED_DM_COHERENCES}
        d |= _variants(base.replace("dm", "dlydm"), DecisionTask, delayed, interval=True)
    for base, match_to, go in (("dms", "sample", True), ("dnms", "sample", False),
                               ("dmc", "category", True), ("dnmc", "category", False)):
        d |= _variants(base, MatchTask, {"match_to": match_to, "go_on_match": go}, interval=True)
    return d


DEFINITIONS: dict[str, tuple[type, dict]] = _definitions()
TASK_NAMES: tuple[str, ...] = tuple(sorted(DEFINITIONS))


def make_modcog_task(name: str, **params) -> ModCogTask:
    """The thesis' Mod-Cog task ``name`` (one of ``TASK_NAMES``), with ``params`` over its
    definition (e.g. ``input_noise_std``, durations)."""
    try:
        family, defaults = DEFINITIONS[name]
    except KeyError:
        raise ValueError(f"unknown Mod-Cog task {name!r}") from None
    task = family(**{**defaults, **params})
    object.__setattr__(task, "name", name)  # instance attribute over the ClassVar
    return task
