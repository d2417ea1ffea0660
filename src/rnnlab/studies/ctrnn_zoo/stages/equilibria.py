"""Stage zoo_equilibria: equilibria and slow points of a CTRNN-zoo network's flow.

For each of ``task.fixed_point_conditions`` the noise-free flow dx/dt = model.flow(x, u) (in
1/ms) is searched twice with the library's finder and the analytic ``model.flow_jacobian``:

* **exact** (mode "exact"): roots, q = ½‖dx/dt‖² < 1e-12 /ms², from states visited anywhere on
  the test trials (Adam → Newton → Levenberg–Marquardt, to rounding error);
* **slow** (mode "slow", Sussillo & Barak 2013): slow points, from states visited during the
  period the condition's input holds (``rnnlab.analysis.held_states``: e.g. the delay for
  "hold"), each descending q only until it is below the condition's tolerance
  (``stop_at_slow_point``), so the points stay spread along the slow manifold the trajectories
  sit on instead of sliding to its few exact roots.

The slow tolerance is set by the task's own time and length scales: a point is slow when, left
alone for the whole period (its longest duration on the test trials, T), it drifts less than
``slow_drift_fraction`` (f, default 0.1) of the spread L of the states visited in that period
(RMS distance to their mean): ‖dx/dt‖ < f·L/T, i.e. q < ½(f·L/T)². The search table also
reports how slow the trials' own end-of-period states are under the constant input (median q
and the fraction below the tolerance) – whether the network's memory manifold is slow at all.

Points and example trajectories are projected on the top 3 principal components of the test
trials. The attractor analytics (``rnnlab.analysis.attractor_summaries``, which states when a
line or ring counts as found; the end-of-period states are first held ``held_relaxation_ms``
more under the condition's constant input) run on the slow points and depend on the task:

* cddm: a line attractor per context input (motion_context, colour_context), with the
  selection vector's cosines to the relevant, irrelevant and context input directions;
* memory_anti_number: a line attractor for "hold" and for "recall";
* memory_anti_angle: a ring attractor for "hold" and for "recall", with the closure test of
  ``stages.closure`` (persistent homology of the slow points, held states ordered by angle)
  and the drift round the loop; its slow search is also seeded from the held states of every
  angle of the closure grid;
* three_bit_flip_flop: stable points and the saddles between them for "no_input" (exact roots);
* dmts: none.

Every line and ring also gets its output geometry (``rnnlab.analysis.readout_geometry``: how
much of its direction or plane lies in the row space of W_out).

Returns {"equilibria", "equilibrium_search", "equilibrium_trajectories",
"attractor_analytics"} (schemas in ``rnnlab.studies.ctrnn_zoo.tables``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from rnnlab.analysis.attractor_summaries import flip_flop_rows, line_rows, output_rows, ring_rows
from rnnlab.analysis.fixed_points import (
    FixedPointResult,
    FixedPointSettings,
    classify_flow_stability,
    find_equilibria,
)
from rnnlab.analysis.network_fixed_points import (
    TRAINED_NETWORK_ADAM_STEPS,
    PrincipalComponents,
    _period_names,
    search_summary,
)
from rnnlab.analysis.held_states import HeldStates, held_speed, held_states, relax
from rnnlab.checkpoints import list_checkpoints
from rnnlab.experiment import load_model
from rnnlab.stages.tagging import tag
import rnnlab.studies.ctrnn_zoo.tables  # noqa: F401  (registers the study's tables)
from rnnlab.studies.ctrnn_zoo.stages.closure import closure_rows, grid_held_states
from rnnlab.tables import empty_frame

# Tolerances of the exact search on q = ½‖dx/dt‖², in 1/ms² (the flow is in 1/ms). With τ = 100 ms,
# ‖dx/dt‖ = ‖φ(z) − x‖ / τ, so:
# * converged: ‖dx/dt‖ < 1.4e-6 /ms – the state drifts < 1.4e-3 per second (‖φ(z) − x‖ <
#   1.4e-4), far below anything visible on a trial; Levenberg–Marquardt takes true roots much
#   further, to rounding error;
# * slow: ‖dx/dt‖ < 1e-4 /ms – drift < 0.1 state units over a 1-s trial (‖φ(z) − x‖ < 0.01),
#   slow compared with the task's dynamics (a loose 1e-5 would allow 4.5 units per second).
CONVERGED_Q = 1e-12
SLOW_POINT_Q = 5e-9
# Tasks whose memory is a ring: closure test, drift round the loop, slow search seeded at every
# angle of the closure grid.
RING_TASKS = ("memory_anti_angle",)


# The exact search keeps a 300-step Adam warm start (the library's default is none): on a
# trained network's approximate line or ring the slow manifold is curved, Newton's straight
# steps leave it at once and crawl (tests/test_zoo_stages.py, approximate ring: Newton alone
# finds one of its two roots), while Adam's small steps follow it to both.
EXACT_ADAM_STEPS = TRAINED_NETWORK_ADAM_STEPS


def _default_finder() -> dict:
    return dict(adam_steps=EXACT_ADAM_STEPS, converged_q=CONVERGED_Q, slow_point_q=SLOW_POINT_Q)


@dataclass(frozen=True)
class ZooEquilibriumSettings:
    """Settings of the stage (the study's ``equilibria`` section).

    Attributes:
        n_trials: test trials whose states seed the search and define the PCA.
        n_initial_states: initial states per input condition.
        initial_state_noise: std of the Gaussian noise added to each initial state (state units).
        seed: seeds the test trials and the choice of initial states.
        stability_tolerance: relative band around Re λ = 0 (× max|λ|), for ``stability`` and
            ``n_unstable`` (see ``classify_flow_stability``).
        n_example_trials: trajectories written to ``equilibrium_trajectories``.
        n_eigenvalues: eigenvalues stored per point (None: all N; the spectrum figure wants them).
        finder: ``FixedPointSettings`` fields of the exact search; defaults ``adam_steps``
            = 300 (``EXACT_ADAM_STEPS``), ``converged_q`` = 1e-12 and ``slow_point_q`` = 5e-9,
            in 1/ms² (module constants for their meaning).
            The slow search uses the same optimiser settings with its own tolerance.
        slow_drift_fraction: f of the slow tolerance q < ½(f·L/T)² (module docstring).
        slow_unique_fraction: slow points closer than this × L are merged.
        held_relaxation_ms: the end-of-period states are held this long under the condition's
            constant input (noise-free) before their distance to the slow points is measured
            (``held_coverage``): the fast modes excited by what else the trials' input carried
            (cddm's evidence, absent from the context-only fixed-point input) decay, the slow
            modes along an attractor barely move.
        closure_angles: remembered angles (an even grid) of the ring-closure test's held states
            (``stages.closure``).
        closure_relaxation_ms: how long those end-of-period states are held under the
            condition's input before the test; they also seed the slow search.
        closure_drift_ms: how long the relaxed states are then left under the condition's
            input to measure the drift round the loop (degrees of remembered angle per s).
    """

    n_trials: int = 128
    n_initial_states: int = 256
    initial_state_noise: float = 0.01
    seed: int = 0
    stability_tolerance: float = 1e-3
    n_example_trials: int = 8
    n_eigenvalues: int | None = None
    finder: dict = field(default_factory=_default_finder)
    slow_drift_fraction: float = 0.1
    slow_unique_fraction: float = 0.01
    held_relaxation_ms: float = 300.0
    closure_angles: int = 72
    closure_relaxation_ms: float = 1000.0
    closure_drift_ms: float = 1000.0

    @classmethod
    def from_dict(cls, values: dict) -> "ZooEquilibriumSettings":
        unknown = set(values) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown equilibria setting(s): {sorted(unknown)}")
        values = dict(values)
        values["finder"] = {**_default_finder(), **values.get("finder", {})}
        return cls(**values)

    def finder_settings(self) -> FixedPointSettings:
        """Settings of the exact search (roots only: no slow points, no local minima of q,
        which the flip-flop analytics would take for equilibria)."""
        return FixedPointSettings(**{**self.finder, "keep_slow_points": False,
                                     "keep_local_minima": False})

    def slow_settings(self, q_tolerance: float, scale: float) -> FixedPointSettings:
        """Settings of the slow search with tolerance ``q_tolerance`` on a manifold of
        spread ``scale``."""
        converged = min(self.finder["converged_q"], q_tolerance)
        return FixedPointSettings(**{
            **self.finder, "converged_q": converged, "slow_point_q": q_tolerance,
            "keep_slow_points": True, "stop_at_slow_point": True,
            "keep_local_minima": False,  # above the tolerance: not on the slow manifold
            "unique_tolerance": self.slow_unique_fraction * scale,
        })  # fmt: skip


# ----------------------------------------------------------------------------- search


def test_trials(task, n_trials: int, rng: np.random.Generator):
    """``n_trials`` trials covering the condition table: every condition the same number of
    times (± 1; the remainder drawn at random) when the table has at most ``n_trials`` rows, so
    e.g. every remembered angle is on a trial; otherwise ``n_trials`` random conditions."""
    table = task.condition_table()
    if len(table) > n_trials:
        return task.sample(rng, n_trials)
    repeats, remainder = divmod(n_trials, len(table))
    rows = np.concatenate([np.tile(np.arange(len(table)), repeats),
                           rng.choice(len(table), size=remainder, replace=False)])
    return task.sample_conditions(table.iloc[rows].reset_index(drop=True), rng)


def visited_states(model, task, settings: ZooEquilibriumSettings):
    """(batch, states (B, T, N) float64) of noise-free test trials (``test_trials``): the
    model's noise is off (eval mode) and so is the task's (``task.without_noise()``, e.g. the
    cddm evidence noise): the states are those of each condition's mean input."""
    batch = test_trials(task.without_noise(), settings.n_trials,
                        np.random.default_rng(settings.seed))
    with torch.no_grad():
        _, states = model(torch.from_numpy(batch.inputs))
    return batch, states.double().numpy()


def initial_states(visited: np.ndarray, settings, rng) -> np.ndarray:
    """(K, N) visited states (rows of (S, N)) drawn with replacement, plus Gaussian noise."""
    chosen = rng.choice(len(visited), size=settings.n_initial_states, replace=True)
    noise = rng.standard_normal((settings.n_initial_states, visited.shape[1]))
    return visited[chosen] + settings.initial_state_noise * noise


def search(model, inputs: np.ndarray, initial: np.ndarray, settings,
           finder: FixedPointSettings | None = None) -> FixedPointResult:
    """Equilibria of the flow for constant input (I,) from initial states (K, N); ``finder``
    defaults to the exact search's settings."""
    finder = settings.finder_settings() if finder is None else finder
    return find_equilibria(model.flow, initial, inputs.astype(np.float64),
                           jacobian=model.flow_jacobian, settings=finder)



def point_rows(result: FixedPointResult, condition: str, pcs, settings, mode: str = "exact",
               first_index: int = 0) -> pd.DataFrame:
    """One row per unique point (equilibria columns without run, seed, task), numbered from
    ``first_index``; ``mode`` is the search ("exact" or "slow")."""
    projected = pcs.project(result.states) if len(result) else np.zeros((0, 3))
    limit = settings.n_eigenvalues
    rows = []
    for index in range(len(result)):
        eigenvalues = result.eigenvalues[index]
        top = eigenvalues if limit is None else eigenvalues[:limit]
        threshold = settings.stability_tolerance * float(np.abs(eigenvalues).max(initial=0.0))
        rows.append(
            dict(
                input_condition=condition,
                point=first_index + index,
                mode=mode,
                rhs_squared_norm=2.0 * float(result.q[index]),
                stability=classify_flow_stability(eigenvalues, settings.stability_tolerance),
                max_real_eigenvalue=float(eigenvalues.real.max(initial=-np.inf)),
                n_unstable=int((eigenvalues.real > threshold).sum()),
                eigenvalues_real=top.real.tolist(),
                eigenvalues_imag=top.imag.tolist(),
                state=result.states[index].tolist(),
                pc1=float(projected[index, 0]),
                pc2=float(projected[index, 1]),
                pc3=float(projected[index, 2]),
            )
        )
    columns = [c for c in empty_frame("equilibria").columns if c not in ("run", "seed", "task")]
    return pd.DataFrame(rows, columns=columns)


# ----------------------------------------------------------------------------- trajectories


def condition_labels(task, conditions: pd.DataFrame) -> list[str]:
    """Short label of each trial's condition (B,), e.g. "motion +0.40", "A→B", "θ 90°"."""
    if task.name == "cddm":
        return [f"{c} {r:+.2f}" for c, r in
                zip(conditions["context"], conditions["relevant_coherence"])]
    if task.name == "dmts":
        return [f"{'AB'[s]}→{'AB'[t]}" for s, t in
                zip(conditions["sample_stimulus"], conditions["test_stimulus"])]
    if task.name == "three_bit_flip_flop":
        final = conditions[[f"final_{k}" for k in range(3)]].to_numpy()
        return ["final " + "".join("+" if v > 0 else "−" for v in row) for row in final]
    if task.name == "memory_anti_number":
        return [f"value {v:+.2f}" for v in conditions["value"]]
    if task.name == "memory_anti_angle":
        return [f"θ {np.degrees(a):.0f}°" for a in conditions["angle"]]
    return [""] * len(conditions)


def trajectory_rows(task, batch, states: np.ndarray, pcs, n_trials: int) -> pd.DataFrame:
    """Long frame of ``n_trials`` trials evenly spaced through the batch (whose trials run
    through the condition table in order, ``test_trials``, so the examples span the
    conditions), projected on the PCs. states (B, T, N)."""
    periods = _period_names(batch)
    labels = condition_labels(task, batch.conditions)
    frames = []
    chosen = np.unique(np.linspace(0, batch.batch_size - 1, min(n_trials, batch.batch_size))
                       .round().astype(int))
    for trial in chosen:
        projected = pcs.project(states[trial])
        frames.append(
            pd.DataFrame(
                {
                    "trial": np.int64(trial),
                    "time_step": np.arange(batch.n_steps, dtype=np.int64),
                    "period": periods[trial].astype(str),
                    "condition": labels[trial],
                    "pc1": projected[:, 0],
                    "pc2": projected[:, 1],
                    "pc3": projected[:, 2],
                }
            )
        )
    columns = [c for c in empty_frame("equilibrium_trajectories").columns
               if c not in ("run", "seed")]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)




def input_directions(model, task, condition: str) -> dict[str, np.ndarray]:
    """cddm input directions (N,) in state space for a context input condition."""
    w = model.weight_input.detach().double().numpy()  # (N, I)
    motion, colour = w[:, 2] - w[:, 3], w[:, 4] - w[:, 5]  # right − left evidence
    relevant, irrelevant = (motion, colour) if condition == "motion_context" else (colour, motion)
    return dict(relevant=relevant, irrelevant=irrelevant, context=w[:, 0] - w[:, 1])



def analytics_rows(model, task, condition: str, exact, slow, exact_labels, pcs, settings,
                   held: HeldStates, first_slow: int, grid=None, q_tolerance: float = np.nan
                   ) -> list[dict]:
    """The attractor analytics the task calls for at one input condition (maybe none).

    Line and ring analytics run on the slow points (``slow``, numbered from ``first_slow`` in
    the equilibria table), each with its output geometry (analysis "output"); a ring also with
    its closure test (analysis "closure", ``stages.closure``), which its verdict requires; the
    flip-flop structure on the exact roots. ``grid``: the ring's (angles, relaxed held states)
    (``stages.closure.grid_held_states``); ``q_tolerance``: the slow search's."""
    every_slow = np.arange(len(slow))
    weight_output = model.effective_output_weight().detach().double().numpy()
    if task.name == "cddm" and condition in ("motion_context", "colour_context"):
        return line_rows(slow, every_slow, condition, pcs,
                         input_directions(model, task, condition), held, first_slow
                         ) + output_rows(slow.states, weight_output, condition, 1)
    if task.name == "memory_anti_number" and condition in ("hold", "recall"):
        return (line_rows(slow, every_slow, condition, pcs, {}, held, first_slow)
                + output_rows(slow.states, weight_output, condition, 1))
    if task.name == "memory_anti_angle" and condition in ("hold", "recall"):
        closure = closure_rows(model, task, condition, slow.states, grid, q_tolerance,
                               held.period_ms, settings.closure_drift_ms, pcs)
        closed = next(r["value"] for r in closure
                      if r["point"] == -1 and r["quantity"] == "is_closed")
        return (ring_rows(slow, every_slow, condition, held, first_slow, closed=closed == 1)
                + closure + output_rows(slow.states, weight_output, condition, 2))
    if task.name == "three_bit_flip_flop" and condition == "no_input":
        return flip_flop_rows(exact, exact_labels, condition, settings.stability_tolerance,
                              n_bits=task.output_size)
    return []


# ----------------------------------------------------------------------------- stage


def _search_row(result, condition: str, mode: str, held: HeldStates, q_tolerance: float,
                held_q: np.ndarray, slow_q: float) -> dict:
    return dict(search_summary(result, condition), mode=mode, period=held.period,
                period_ms=held.period_ms, manifold_scale=held.scale, q_tolerance=q_tolerance,
                held_q_median=float(np.median(held_q)),
                held_fraction_slow=float(np.mean(held_q < slow_q)))


def analyse_equilibria(model, task, settings: ZooEquilibriumSettings) -> dict[str, pd.DataFrame]:
    """The four tables without run and seed columns (``task`` included where the schema has it)."""
    model.requires_grad_(False)
    batch, states = visited_states(model, task, settings)
    visited = states.reshape(-1, states.shape[-1])  # (B·T, N): zoo trials have no padding
    pcs = PrincipalComponents.fit(visited)
    rng = np.random.default_rng(settings.seed)
    exact_finder = settings.finder_settings()
    points, searches, analytics = [], [], []
    for condition in task.fixed_point_conditions:
        inputs = task.fixed_point_inputs(condition)
        held = held_states(task, batch, states, condition)
        held_q = held_speed(model, inputs, held)
        slow_q = held.q_tolerance(settings.slow_drift_fraction, exact_finder.converged_q)

        exact = search(model, inputs, initial_states(visited, settings, rng), settings)
        exact_frame = point_rows(exact, condition, pcs, settings, "exact")
        slow_initial = initial_states(held.visited, settings, rng)
        grid = None
        if task.name in RING_TASKS:  # seeded at every angle of the grid too (stages.closure)
            grid = grid_held_states(model, task, condition, settings.closure_angles,
                                    settings.closure_relaxation_ms, settings.seed)
            slow_initial = np.concatenate([slow_initial, grid[1]])
        slow = search(model, inputs, slow_initial, settings,
                      settings.slow_settings(slow_q, held.scale))
        slow_frame = point_rows(slow, condition, pcs, settings, "slow", len(exact))
        points += [exact_frame, slow_frame]
        searches += [
            _search_row(exact, condition, "exact", held, exact_finder.converged_q, held_q, slow_q),
            _search_row(slow, condition, "slow", held, slow_q, held_q, slow_q),
        ]
        exact_labels = exact_frame["stability"].to_numpy(dtype=str)
        relaxed = relax(model, inputs, held, settings.held_relaxation_ms, task.dt_ms)
        analytics += analytics_rows(model, task, condition, exact, slow, exact_labels, pcs,
                                    settings, relaxed, len(exact), grid, slow_q)
    equilibria = pd.concat([p for p in points if len(p)] or points[:1], ignore_index=True)
    equilibria.insert(0, "task", task.name)
    analytics_columns = [c for c in empty_frame("attractor_analytics").columns
                         if c not in ("run", "seed", "task")]
    analytics_frame = pd.DataFrame(analytics, columns=analytics_columns)
    analytics_frame.insert(0, "task", task.name)
    search_columns = [c for c in empty_frame("equilibrium_search").columns
                      if c not in ("run", "seed")]
    return {
        "equilibria": equilibria,
        "equilibrium_search": pd.DataFrame(searches)[search_columns],
        "equilibrium_trajectories": trajectory_rows(task, batch, states, pcs,
                                                    settings.n_example_trials),
        "attractor_analytics": analytics_frame,
    }


def equilibria(checkpoints: str | Path, **settings) -> dict[str, pd.DataFrame]:
    """Equilibria of the final checkpoint's flow → {"equilibria", "equilibrium_search",
    "equilibrium_trajectories", "attractor_analytics"}; ``settings`` are
    ``ZooEquilibriumSettings`` fields (``finder``: ``FixedPointSettings`` fields)."""
    parsed = ZooEquilibriumSettings.from_dict(settings)
    model, task, payload = load_model(list_checkpoints(checkpoints)[-1])
    frames = analyse_equilibria(model, task, parsed)
    run, seed = payload["run_config"]["run"], payload["seed"]
    return {name: tag(frame, run, seed) for name, frame in frames.items()}
