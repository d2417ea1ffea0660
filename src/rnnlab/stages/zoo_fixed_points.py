"""Stage zoo_fixed_points: equilibria of a CTRNN-zoo network's flow and their attractor geometry.

For each of ``task.fixed_point_conditions`` the noise-free flow dx/dt = model.flow(x, u) (in
1/ms) is searched with ``find_equilibria`` and the analytic ``model.flow_jacobian``, from
states visited on test trials (plus small Gaussian noise). Points and example trajectories are
projected on the top 3 principal components of those trials. The attractor analytics depend
on the task:

* cddm: a line attractor per context input (motion_context, colour_context), with the
  selection vector's cosines to the relevant, irrelevant and context input directions;
* memory_anti_number: a line attractor for "hold";
* memory_anti_angle: a ring attractor for "hold" and "recall";
* three_bit_flip_flop: stable points and the saddles between them for "no_input";
* dmts: none.

Returns {"equilibria", "equilibrium_search", "equilibrium_trajectories",
"attractor_analytics"} (schemas in ``rnnlab.tables``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from rnnlab.analysis import attractors
from rnnlab.analysis.fixed_points import (
    FixedPointResult,
    FixedPointSettings,
    classify_flow_stability,
    find_equilibria,
)
from rnnlab.analysis.network_fixed_points import (
    PrincipalComponents,
    _period_names,
    search_summary,
)
from rnnlab.checkpoints import list_checkpoints
from rnnlab.experiment import load_model
from rnnlab.stages.tagging import tag
from rnnlab.tables import empty_frame

# Tolerances on q = ½‖dx/dt‖², in 1/ms² (the flow is in 1/ms). With τ = 100 ms,
# ‖dx/dt‖ = ‖φ(z) − x‖ / τ, so:
# * converged: ‖dx/dt‖ < 1.4e-6 /ms – the state drifts < 1.4e-3 per second (‖φ(z) − x‖ <
#   1.4e-4), far below anything visible on a trial; Levenberg–Marquardt takes true roots much
#   further, to rounding error;
# * slow: ‖dx/dt‖ < 1e-4 /ms – drift < 0.1 state units over a 1-s trial (‖φ(z) − x‖ < 0.01),
#   slow compared with the task's dynamics (a loose 1e-5 would allow 4.5 units per second).
CONVERGED_Q = 1e-12
SLOW_POINT_Q = 5e-9
# Analyses need at least this many points; fewer give NaN summary rows.
MIN_POINTS = 3


def _default_finder() -> dict:
    return dict(converged_q=CONVERGED_Q, slow_point_q=SLOW_POINT_Q)


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
        finder: ``FixedPointSettings`` fields; defaults ``converged_q`` = 1e-12 and
            ``slow_point_q`` = 5e-9, in 1/ms² (module constants for their meaning).
    """

    n_trials: int = 128
    n_initial_states: int = 256
    initial_state_noise: float = 0.01
    seed: int = 0
    stability_tolerance: float = 1e-3
    n_example_trials: int = 8
    n_eigenvalues: int | None = None
    finder: dict = field(default_factory=_default_finder)

    @classmethod
    def from_dict(cls, values: dict) -> "ZooEquilibriumSettings":
        unknown = set(values) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown equilibria setting(s): {sorted(unknown)}")
        values = dict(values)
        values["finder"] = {**_default_finder(), **values.get("finder", {})}
        return cls(**values)

    def finder_settings(self) -> FixedPointSettings:
        return FixedPointSettings(**self.finder)


# ----------------------------------------------------------------------------- search


def visited_states(model, task, settings: ZooEquilibriumSettings):
    """(batch, states (B, T, N) float64) of noise-free test trials."""
    batch = task.sample(np.random.default_rng(settings.seed), settings.n_trials)
    with torch.no_grad():
        _, states = model(torch.from_numpy(batch.inputs))
    return batch, states.double().numpy()


def initial_states(visited: np.ndarray, settings, rng) -> np.ndarray:
    """(K, N) visited states (rows of (S, N)) drawn with replacement, plus Gaussian noise."""
    chosen = rng.choice(len(visited), size=settings.n_initial_states, replace=True)
    noise = rng.standard_normal((settings.n_initial_states, visited.shape[1]))
    return visited[chosen] + settings.initial_state_noise * noise


def search(model, inputs: np.ndarray, initial: np.ndarray, settings) -> FixedPointResult:
    """Equilibria of the flow for constant input (I,) from initial states (K, N)."""
    return find_equilibria(model.flow, initial, inputs.astype(np.float64),
                           jacobian=model.flow_jacobian, settings=settings.finder_settings())


def point_rows(result: FixedPointResult, condition: str, pcs, settings) -> pd.DataFrame:
    """One row per unique point (equilibria columns without run, seed, task)."""
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
                point=index,
                mode="exact" if result.is_converged[index] else "slow",
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
    """Long frame of the first ``n_trials`` trials projected on the PCs. states (B, T, N)."""
    periods = _period_names(batch)
    labels = condition_labels(task, batch.conditions)
    frames = []
    for trial in range(min(n_trials, batch.batch_size)):
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


# ----------------------------------------------------------------------------- analytics


def _long(condition: str, analysis: str, point: int, values: dict) -> list[dict]:
    """Rows (input_condition, analysis, point, quantity, value) of one point or summary."""
    return [
        dict(input_condition=condition, analysis=analysis, point=int(point), quantity=name,
             value=float(value))
        for name, value in values.items()
    ]


def input_directions(model, task, condition: str) -> dict[str, np.ndarray]:
    """cddm input directions (N,) in state space for a context input condition."""
    w = model.weight_input.detach().double().numpy()  # (N, I)
    motion, colour = w[:, 2] - w[:, 3], w[:, 4] - w[:, 5]  # right − left evidence
    relevant, irrelevant = (motion, colour) if condition == "motion_context" else (colour, motion)
    return dict(relevant=relevant, irrelevant=irrelevant, context=w[:, 0] - w[:, 1])


LINE_SUMMARY = ("n_points", "line_variance_explained", "length", "fraction_marginal",
                "right_tangent_cosine_mean")


def line_rows(result, points: np.ndarray, condition: str, pcs, directions: dict) -> list[dict]:
    """Per-point and summary rows of a line attractor through ``points`` (indices into result)."""
    names = list(directions)
    summary_names = LINE_SUMMARY + tuple(f"selection_cosine_{n}_mean" for n in names)
    if len(points) < MIN_POINTS:
        summary = dict.fromkeys(summary_names, np.nan) | {"n_points": len(points)}
        return _long(condition, "line", -1, summary)
    line = attractors.line_attractor(
        result.states[points], result.eigenvalues[points],
        input_directions=directions, jacobians=result.jacobians[points], marginal_target=0.0,
    )
    selection = np.array(line["selection_vector"].tolist(), dtype=np.float64)  # (P, N)
    selection_pcs = selection @ pcs.components.T  # arrows: directions, no mean subtracted
    projected = pcs.project(result.states[points[line["point"].to_numpy()]])
    rows = []
    for k, row in enumerate(line.itertuples(index=False)):
        values = dict(
            position=row.position,
            pc1=projected[k, 0],
            pc2=projected[k, 1],
            pc3=projected[k, 2],
            eigenvalue_real=row.marginal_eigenvalue_real,
            right_tangent_cosine=row.right_tangent_cosine,
            selection_pc1=selection_pcs[k, 0],
            selection_pc2=selection_pcs[k, 1] if selection_pcs.shape[1] > 1 else 0.0,
        )
        values |= {f"selection_cosine_{n}": getattr(row, f"selection_cosine_{n}") for n in names}
        rows += _long(condition, "line", points[row.point], values)
    summary = dict(
        n_points=len(points),
        line_variance_explained=line["line_variance_explained"].iloc[0],
        length=line["position"].max() - line["position"].min(),
        fraction_marginal=line["is_marginal"].mean(),
        right_tangent_cosine_mean=line["right_tangent_cosine"].mean(),
    )
    summary |= {f"selection_cosine_{n}_mean": line[f"selection_cosine_{n}"].mean() for n in names}
    return rows + _long(condition, "line", -1, summary)


RING_SUMMARY = ("n_points", "coverage", "largest_gap", "radius_mean", "radius_cv",
                "plane_variance_explained", "tangent_cosine_mean")


def ring_rows(result, points: np.ndarray, condition: str) -> list[dict]:
    """Per-point and summary rows of a ring attractor through ``points``."""
    if len(points) < MIN_POINTS:
        summary = dict.fromkeys(RING_SUMMARY, np.nan) | {"n_points": len(points)}
        return _long(condition, "ring", -1, summary)
    ring = attractors.ring_attractor(result.states[points], result.eigenvalues[points],
                                     jacobians=result.jacobians[points], marginal_target=0.0)
    rows = []
    for row in ring.points.itertuples(index=False):
        rows += _long(condition, "ring", points[row.point], dict(
            angle=row.angle, radius=row.radius, eigenvalue_real=row.marginal_eigenvalue_real,
            tangent_cosine=row.tangent_cosine,
        ))
    summary = dict(
        n_points=len(points), coverage=ring.coverage, largest_gap=ring.largest_gap,
        radius_mean=ring.radius_mean, radius_cv=ring.radius_cv,
        plane_variance_explained=ring.plane_variance_explained,
        tangent_cosine_mean=ring.mean_tangent_cosine,
    )
    return rows + _long(condition, "ring", -1, summary)


def flip_flop_rows(result, labels: np.ndarray, condition: str, tolerance: float) -> list[dict]:
    """Saddle rows and counts of the flip-flop structure of all points of ``result``."""
    if len(result) == 0:
        summary = dict(n_points=0, n_stable=0, n_saddles=0, n_unstable=0,
                       n_saddles_connecting_two_stable=0, n_unstable_other=0, n_other=0)
        return _long(condition, "flip_flop", -1, summary)
    structure = attractors.flip_flop_structure(
        result.states, labels, result.eigenvalues, result.leading_right_eigenvector,
        time_kind="flow", tolerance=tolerance,
    )
    rows = []
    unstable = structure.unstable
    for row in unstable.itertuples(index=False):
        rows += _long(condition, "flip_flop", row.point, dict(
            n_unstable=row.n_unstable, is_saddle=row.is_saddle, connects_two=row.connects_two,
            plus_point=row.plus_point, minus_point=row.minus_point,
            plus_cosine=row.plus_cosine, minus_cosine=row.minus_cosine,
        ))
    connecting = unstable["is_saddle"] & unstable["connects_two"] if len(unstable) else []
    summary = dict(structure.counts())
    summary |= dict(n_unstable=len(unstable),
                    n_saddles_connecting_two_stable=int(np.sum(connecting)))
    return rows + _long(condition, "flip_flop", -1, summary)


def analytics_rows(model, task, condition: str, result, labels, pcs, settings) -> list[dict]:
    """The attractor analytics the task calls for at one input condition (maybe none)."""
    attracting = np.flatnonzero(labels != "unstable")  # stable and marginal points
    if task.name == "cddm" and condition in ("motion_context", "colour_context"):
        return line_rows(result, attracting, condition, pcs,
                         input_directions(model, task, condition))
    if task.name == "memory_anti_number" and condition == "hold":
        return line_rows(result, attracting, condition, pcs, {})
    if task.name == "memory_anti_angle" and condition in ("hold", "recall"):
        return ring_rows(result, attracting, condition)
    if task.name == "three_bit_flip_flop" and condition == "no_input":
        return flip_flop_rows(result, labels, condition, settings.stability_tolerance)
    return []


# ----------------------------------------------------------------------------- stage


def analyse_equilibria(model, task, settings: ZooEquilibriumSettings) -> dict[str, pd.DataFrame]:
    """The four tables without run and seed columns (``task`` included where the schema has it)."""
    model.requires_grad_(False)
    batch, states = visited_states(model, task, settings)
    visited = states.reshape(-1, states.shape[-1])  # (B·T, N): zoo trials have no padding
    pcs = PrincipalComponents.fit(visited)
    rng = np.random.default_rng(settings.seed)
    points, searches, analytics = [], [], []
    for condition in task.fixed_point_conditions:
        initial = initial_states(visited, settings, rng)
        result = search(model, task.fixed_point_inputs(condition), initial, settings)
        frame = point_rows(result, condition, pcs, settings)
        points.append(frame)
        searches.append(search_summary(result, condition))
        labels = frame["stability"].to_numpy(dtype=str)
        analytics += analytics_rows(model, task, condition, result, labels, pcs, settings)
    equilibria = pd.concat(points, ignore_index=True)
    equilibria.insert(0, "task", task.name)
    analytics_columns = [c for c in empty_frame("attractor_analytics").columns
                         if c not in ("run", "seed", "task")]
    analytics_frame = pd.DataFrame(analytics, columns=analytics_columns)
    analytics_frame.insert(0, "task", task.name)
    return {
        "equilibria": equilibria,
        "equilibrium_search": pd.DataFrame(searches),
        "equilibrium_trajectories": trajectory_rows(task, batch, states, pcs,
                                                    settings.n_example_trials),
        "attractor_analytics": analytics_frame,
    }


def equilibria(checkpoint_directory: str | Path, settings: dict) -> dict[str, pd.DataFrame]:
    """Equilibria of the final checkpoint's flow → {"equilibria", "equilibrium_search",
    "equilibrium_trajectories", "attractor_analytics"}; ``settings`` are
    ``ZooEquilibriumSettings`` fields (``finder``: ``FixedPointSettings`` fields)."""
    parsed = ZooEquilibriumSettings.from_dict(settings)
    model, task, payload = load_model(list_checkpoints(checkpoint_directory)[-1])
    frames = analyse_equilibria(model, task, parsed)
    run, seed = payload["run_config"]["run"], payload["seed"]
    return {name: tag(frame, run, seed) for name, frame in frames.items()}
