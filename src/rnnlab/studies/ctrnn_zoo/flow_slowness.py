"""The flow-slowness penalty: a training option of the zoo that asks the network's deterministic
flow under a fixed-point condition's constant input to vanish at the states the trials visit
in that condition's period – the kinetic energy the slow-point analysis minimises, at the states
the attractor is made of, under exactly the input the attractor verdict uses.

A run's ``flow_slowness`` (optional; absent or a weight of 0 = off, the run trains exactly as
before)::

    flow_slowness: {weight: 1.0, conditions: [motion_context, colour_context], every: 5,
                    relative: false, along: false}

adds to every training loss λ · mean_{(b, t)} ‖Δt · F(x_{b,t}, u₀)‖², where, for each condition
c of ``conditions`` (the task's ``fixed_point_conditions``):

* u₀ = ``task.fixed_point_inputs(c)`` (I,) – cddm's "motion_context": the motion cue on and all
  four evidence channels at their zero-coherence value 0.5 · stimulus_amplitude, the input under
  which the line verdict looks for slow points;
* the trials b are ``task.fixed_point_trials(c, batch.conditions)`` (cddm: that context's trials)
  and the steps t lie in ``task.fixed_point_periods[c]`` (cddm: the stimulus), every
  ``every``-th step counted back from the period's last step (the end-of-period state, which the
  verdict holds, is always in);
* x_{b,t} (N,) the training forward pass's state (noise included) and
  F(x, u) = (−x + φ(W_in u + W_rec x + b)) / τ the model's noise-free flow (``LeakyRNN.flow``,
  1/ms); Δt · F = ``step(x, u₀) − x`` is the deterministic step the network would take there under
  u₀, so ‖Δt F‖² = 2 Δt² q with q = ½‖F‖² the kinetic energy of Sussillo & Barak (2013), in the
  same units as the ``slowness`` penalty's ‖x_{t+1} − x_t‖² (λ means the same in both).

The mean is over all selected (trial, step) pairs of all conditions; with none selected the
penalty is 0 (gradient 0). With ``relative: true`` each condition's ‖Δt F‖² is divided by s², the
total variance of its selected states: a drift in units of the states' own spread, as the line
verdict measures it (its tolerance is a fraction of the held states' extent L per period).
With ``along: true`` only the flow's component along the line is penalised: along v, the first
principal axis of the condition's end-of-period states in the batch (no gradient through v), and
the relative spread is the states' variance along v. The full flow at noisy training states
includes the flow back onto the line (the recurrent and evidence noise push the states off it),
which an attractor needs; the line's drift is the component along it. Measured on cddm: the
absolute penalty (and ``slowness`` on the stimulus) is lowered most cheaply by shrinking the
whole state space (‖W_in right − left‖ 2.5 → 1.4, lines 3 → 1.6–2.2 units long) while the
drift relative to the line's length does not fall; the ratio is blind to that scale.

Why (measured on cddm: config/config.yaml): the task's loss sees a context's line only through
the choice, and the evidence noise's diffusion hides a drift along the line of 0.4–0.6 L/s at
zero coherence, so in a third to a half of the trained networks the line's centre is not slow
(two stable points and a saddle) and the line verdict fails. The ``slowness`` penalty on the
stimulus penalises the trajectory's own speed, which the evidence input (the signal the network
must integrate, and its noise) dominates; this penalty removes the evidence's deviation from
zero coherence and asks the flow itself to vanish, i.e. for the visited states to be slow points
of u₀ – a line of them, since the states spread along the integrated evidence. Haviv, Rivkind &
Barak (2019, ICML) add such a speed term at memory states to make them slow points.

On cddm it did not give more line verdicts than the task loss alone (config/config.yaml, the
comment above the cddm run: measured for λ 0.1–20, absolute, relative and along the line), so
no run of the default configuration sets it.

Cost: one extra ``flow`` evaluation (B·T/every·N·(N + I) multiply-adds) and its gradient per
update. The model enters the penalty, so it is built as a closure over the model in
``experiment.train_run`` (the trainer's hook gets ``(states, batch)`` only).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from rnnlab.studies.ctrnn_zoo.slowness import period_bounds
from rnnlab.tasks.base import TaskBatch

if TYPE_CHECKING:  # torch is imported where a penalty is computed: the study's config check
    import torch  # imports this module while Snakemake parses the workflow (torch: ~3 s there)


@dataclass(frozen=True)
class FlowSlowness:
    """λ (``weight``, > 0), the fixed-point conditions and the subsampling ``every`` (≥ 1)."""

    weight: float
    conditions: tuple[str, ...]
    every: int = 1
    relative: bool = False
    along: bool = False

    @classmethod
    def of_run(cls, run_config: dict) -> "FlowSlowness | None":
        """The run's flow-slowness setting, or None when it has none (or a weight of 0)."""
        values = run_config.get("flow_slowness")
        if not values or float(values.get("weight", 0.0)) == 0.0:
            return None
        setting = cls(float(values["weight"]), tuple(values["conditions"]),
                      int(values.get("every", 1)), bool(values.get("relative", False)),
                      bool(values.get("along", False)))
        if setting.weight < 0:
            raise ValueError(f"flow_slowness weight must be ≥ 0, got {setting.weight}")
        if setting.every < 1:
            raise ValueError(f"flow_slowness every must be ≥ 1, got {setting.every}")
        return setting

    def penalty(self, model, task):
        """The hook ``state_penalty(states, batch)`` of the trainer for ``model`` on ``task``:
        λ · flow_penalty(...)."""
        inputs = {c: task.fixed_point_inputs(c) for c in self.conditions}
        periods = {c: task.fixed_point_period(c) for c in self.conditions}

        def state_penalty(states: torch.Tensor, batch: TaskBatch) -> torch.Tensor:
            selections = []
            for condition in self.conditions:
                trials = np.asarray(task.fixed_point_trials(condition, batch.conditions), bool)
                mask = steps_in(batch, periods[condition], self.every) & trials[:, None]
                direction = None
                if self.along:
                    ends = end_states(states, batch, periods[condition], trials)
                    direction = principal_axis(ends)
                    if direction is None:  # fewer than 2 such trials: no line to speak of
                        continue
                selections.append((inputs[condition], mask, direction))
            return self.weight * flow_penalty(model, states, selections, self.relative)

        return state_penalty


def steps_in(batch: TaskBatch, period: str, every: int = 1) -> np.ndarray:
    """bool (B, T): True at the steps t of ``period`` ([start, stop) of ``batch.periods``) with
    (stop − 1 − t) divisible by ``every`` – the period's last step and every ``every``-th before."""
    bounds = period_bounds(batch, period, "flow_slowness")
    steps = np.arange(batch.n_steps)[None, :]
    inside = (steps >= bounds[:, :1]) & (steps < bounds[:, 1:])
    return inside & ((bounds[:, 1:] - 1 - steps) % every == 0)


def end_states(states: torch.Tensor, batch: TaskBatch, period: str,
               trials: np.ndarray) -> torch.Tensor:
    """(K, N) the states of the K selected ``trials`` (bool (B,)) at their period's last step."""
    import torch

    last = np.asarray(batch.periods[period])[:, 1] - 1  # (B,)
    rows = np.flatnonzero(trials)
    return states[torch.as_tensor(rows), torch.as_tensor(last[rows])]


def principal_axis(points: torch.Tensor) -> torch.Tensor | None:
    """(N,) unit first principal axis of ``points`` (K, N), without a gradient (None for K < 2):
    the direction along which the trials' end states spread, i.e. along the line they lie on."""
    import torch

    if len(points) < 2:
        return None
    centred = (points - points.mean(0)).detach()
    return torch.linalg.svd(centred, full_matrices=False)[2][0]


def flow_penalty(model, states: torch.Tensor, selections: list[tuple],
                 relative: bool = False) -> torch.Tensor:
    """mean over the selected (trial, step) pairs of ‖step(x, u₀) − x‖² = ‖Δt F(x, u₀)‖², or,
    where a condition gives a direction v, of (v · Δt F(x, u₀))²; ``relative``: each
    condition's sum divided by the variance s² of its selected states (the total variance, or
    along v; with its gradient), so that scaling the states by a does not change it.

    states (B, T, N) (the training pass's, with their graph); ``selections``: per condition its
    constant input u₀ (I,), a bool mask (B, T) of the states to evaluate under it and optionally
    a unit direction v (N,) or None. 0 (with a gradient of 0) when nothing is selected."""
    import torch

    total = states.new_zeros(())
    count = 0
    for inputs, mask, *rest in selections:
        direction = rest[0] if rest else None
        mask = torch.as_tensor(np.asarray(mask, bool))
        n = int(mask.sum())
        if n == 0:
            continue
        visited = states[mask]  # (n, N)
        u = torch.as_tensor(inputs, dtype=states.dtype).expand(n, -1)  # (n, I)
        moved = model.step(visited, u) - visited  # (n, N)
        centred = visited - visited.mean(0)
        if direction is not None:
            moved, centred = moved @ direction, centred @ direction  # (n,)
        squared = moved.pow(2).sum()
        if relative:
            spread = centred.pow(2).sum() / n
            squared = squared / spread.clamp_min(torch.finfo(states.dtype).tiny)
        total = total + squared
        count += n
    return total / max(count, 1)


def flow_slowness_problems(run_config: dict) -> list[str]:
    """What is wrong with the run's ``flow_slowness`` (the schema checks the types): its
    conditions must be the task's fixed-point conditions."""
    if not run_config.get("flow_slowness"):
        return []
    from rnnlab.studies.ctrnn_zoo.tasks import task_or_none

    task = task_or_none(run_config["task"])
    if task is None:
        return []  # the task's own check reports it
    return [f"flow_slowness: the task has no fixed-point condition {c!r} "
            f"(it has {list(task.fixed_point_conditions)})"
            for c in run_config["flow_slowness"].get("conditions", [])
            if c not in task.fixed_point_conditions]
