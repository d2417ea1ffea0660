"""Batched float64 fixed-point, slow-point and equilibrium finder for recurrent networks.

Method (Sussillo & Barak 2013, "Opening the black box"): a fixed point of a discrete map
h' = F(h, u) is a zero of the residual r(h) = F(h, u) − h; an equilibrium of a flow
dx/dt = f(x, u) is a zero of r(x) = f(x, u). With the input u held constant, each of K candidate
states (supplied by the caller, typically states visited on trials) is moved downhill on the
"speed"

    q(h) = ½ ‖r(h)‖²

in up to three stages, all K points at once:

1. Optional Adam warm start on Σ_k q(h_k) (``adam_steps``, default 0: off). The sum couples
   nothing: each point's gradient is its own ∂q/∂h_k, so this is K independent descents in one
   autograd pass. Adam only gets close (it jitters at the scale of its learning rate), so the
   best state seen per point is kept. What it buys, measured (benchmarks/warm_start.py,
   benchmarks/fixed_points.py, tests/test_fixed_points.py): from states visited on
   trajectories of random N = 256 maps with and without a rank-3 structure and of an untrained
   leaky tanh RNN, Newton straight from the initial states finds the same unique roots at
   40–50 % of the CPU time (which root a given state ends at differs for up to a quarter of
   the states); on a chaotic network the warm start drives points into local minima of q
   (5 % converge instead of 45 %); from states uniform in a box Newton takes every state to
   its nearest root while Adam wanders 3–4 units off to two more. Where it matters is a curved
   slow manifold (an approximate ring or line attractor): Newton's straight steps leave it and
   crawl, and miss a root on it that Adam's small steps reach. The library runs without it;
   the stages analysing trained networks (``network_fixed_points``, ``zoo_fixed_points``) keep
   300 steps.
2. Newton refinement, batched over points in small blocks: with A = ∂r/∂h (J_map − I for maps,
   J_rhs for flows) factor A = LU and take the step δ = −A⁻¹r, capped at max(1, ‖h‖) and
   backtracked (halved) until q decreases by the Armijo amount; then reuse the same factors for
   up to 4 chord steps −A⁻¹r(h) while each lowers q by ≥ 10 % (on the benchmark networks
   14 % and 31 % fewer factorisations than 2 steps that each halve q). A is factorised in float32
   (residuals stay float64: mixed-precision iterative refinement), and again in float64 for
   the points whose float32 step is not accepted. Near a root this converges
   quadratically down to rounding error at about one factorisation per point, several times
   cheaper than forming and factoring AᵀA. A point stops when polished below
   1e-8 × ``converged_q``; points Newton cannot move (singular A, no descent within 2⁻¹¹ of the
   step) or has not settled within ``refine_steps`` iterations go on to stage 3.
3. Levenberg–Marquardt refinement of those points: with A = ∂r/∂h (J_map − I for maps,
   J_rhs for flows) solve (AᵀA + λ D) δ = −Aᵀr, D the Marquardt diagonal diag(AᵀA) with a floor
   (so a zero column of A, e.g. a continuous attractor, is still damped). A point accepts its
   step if q decreases (λ ← λ/3) and otherwise rejects it (λ ← 2λ, same A reused). Near a true
   root this is Gauss–Newton and converges quadratically down to rounding error. A point stops
   once it is converged (q < ``converged_q``) and its next step either fails or moves it by
   less than 1e-12·max(1, ‖h‖); or once stalled (30 rejections in a row, or q ≥ ``slow_point_q``
   having fallen by < 1 % over the last 10 iterations). The loop ends when every point has
   stopped or after ``refine_steps`` iterations. Only running points are solved for, and only
   points that moved get a new Jacobian.

Slow-point mode (``stop_at_slow_point``, Sussillo & Barak 2013) runs only stage 3, with
isotropic damping, and stops each point as soon as q < ``slow_point_q``: the points stay spread
along an approximate continuous attractor instead of collapsing onto its few exact roots.

Afterwards points with q < ``converged_q`` are fixed points (``kind`` "fixed"), points with
``converged_q ≤ q < slow_point_q`` are slow points ("slow"), the rest are failures. A failure
whose descent stalled (LM stopped before its iteration limit) where the gradient of q has
vanished is a local minimum of q that is not a root ("local_minimum", counted in
``n_local_minima`` and returned unless ``keep_local_minima`` is off): in Sussillo & Barak's
sense a slow point too fast for ``slow_point_q``, typically the ghost of a saddle-node
bifurcation (the Jacobian A is singular there, so Gauss–Newton stalls on it). "Vanished" means
the Newton step along −∇q to the minimum of q on that line is at most
``local_minimum_tolerance`` (see :func:`_polish_local_minima`). The other failures (out of
iterations with q still falling, stalled on a slope, non-finite) are only counted. Points that
ran far from the
cloud of initial states are dropped as outliers, near-duplicates are merged (lowest q kept), and
at every remaining point the Jacobian of the map (or flow) is eigendecomposed and labelled:
see :func:`classify_map_motif` and :func:`classify_flow_stability`.

Shapes: K = initial states, N = state dimension, M = input dimension, P = unique points returned.
Everything runs in float64: the callables must accept float64 tensors (convert a network with
``copy.deepcopy(model).double()``). No randomness is used; results depend only on the inputs.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator, Literal

import numpy as np
import pandas as pd
import torch

Tensor = torch.Tensor
BatchedFunction = Callable[[Tensor, Tensor], Tensor]
TimeKind = Literal["map", "flow"]

__all__ = [
    "FixedPointResult",
    "FixedPointSettings",
    "classify_flow_stability",
    "classify_map_motif",
    "find_equilibria",
    "find_fixed_points",
    "find_roots",
]

_DTYPE = torch.float64
# Elements of a (chunk, N, N) block processed at once (16 MB): bounds memory and keeps the
# allocator from mapping and zeroing fresh pages for every batched Jacobian / solve.
_CHUNK_ELEMENTS = 2**21
_ADAM_BETA1, _ADAM_BETA2, _ADAM_EPS = 0.9, 0.999, 1e-8
_LM_LAMBDA_INITIAL = 1e-3
_LM_LAMBDA_MIN = 1e-12
_LM_LAMBDA_MAX = 1e12
_LM_MAX_REJECTIONS = 30  # consecutive rejections (λ grown 2³⁰×) = stalled
_LM_PROGRESS_WINDOW = 10  # iterations between progress checks on failing points
_LM_PROGRESS_MIN_DECREASE = 0.01
_LM_STEP_TOLERANCE = 1e-12
_LM_DAMPING_FLOOR = 1e-6  # relative to the mean of diag(AᵀA)
_IMAGINARY_TOLERANCE = 1e-9
# Newton's blocks: the chord steps re-read every LU factor of a block, which is several times
# faster while the block stays in cache. Since the factors are float32 (4 MB per 2²⁰ elements),
# blocks of 2²¹ (N = 256: 32 points) are 4 % faster than 2²⁰ on benchmarks a and b, 2²² is
# 20–45 % slower.
_NEWTON_CHUNK_ELEMENTS = 2**21
_NEWTON_MAX_STEP = 1.0  # relative to max(1, ‖h‖)
_NEWTON_HALVINGS = 12  # backtracking down to 2⁻¹¹ of the Newton step, then LM takes over
_NEWTON_ARMIJO = 1e-4
_NEWTON_POLISH_FACTOR = 1e-8  # Newton stops at q < converged_q × this (‖r‖ 1e-4 × the threshold)
_NEWTON_PROGRESS_WINDOW = 5  # iterations; a point whose q fell by less than ...
_NEWTON_MIN_PROGRESS = 0.5  # ... this factor over the window is handed to LM
_CHORD_STEPS = 4  # extra steps per Jacobian factorisation, each kept only if ...
_CHORD_MIN_DECREASE = 0.9  # ... it lowers q by 10 % (a solve costs ~1/20 of a factorisation)
_CURVATURE_STEP = 1e-4  # central-difference step of the local-minimum test, × max(1, ‖h‖)
_POLISH_STEPS = 6  # Newton steps on q at stalled points (quadratic convergence to a ghost)
_POLISH_DONE = 1e-3  # ... stopped once the step is below this × local_minimum_tolerance
_POLISH_REACH = 100.0  # ... and only tried while the step is below this × the tolerance
_POLISH_CONTRACTION = 0.25  # ... and shrinks by at least this factor every two steps


@dataclass(frozen=True)
class FixedPointSettings:
    """Optimiser and post-processing settings.

    Attributes:
        adam_steps: Adam iterations of the warm start (0, the default, skips it; see the module
            docstring for what it changes).
        adam_learning_rate: Adam step size, in state units.
        refine_steps: maximum Newton iterations after the warm start, and then maximum
            Levenberg–Marquardt iterations for the points Newton leaves (0 skips both).
        converged_q: q below this is a fixed point.
        slow_point_q: q in [converged_q, slow_point_q) is a slow point.
        unique_tolerance: two points whose concatenated (state, input) vectors are closer than
            this (Euclidean) are duplicates; the copy with the lowest q is kept.
        outlier_distance_scale: a point is an outlier when its distance to the centroid of the
            initial states exceeds this × the mean distance of the initial states to that
            centroid (``inf`` disables the test).
        keep_slow_points: return slow points (``is_converged`` False) as well as fixed points.
        stop_at_slow_point: slow-point mode (Sussillo & Barak 2013). Only Levenberg–Marquardt
            runs, with isotropic (Levenberg) damping, and each point stops as soon as
            q < ``slow_point_q``; Adam (whose per-coordinate normalised steps move a point as
            fast along a slow direction as along a fast one) and the undamped Newton stage are
            skipped, and ``refine_steps`` bounds the LM iterations. A trained network's
            continuous attractor is only approximate: a manifold of slow points with a few exact
            roots on it. Descending all the way (or taking Newton steps, which are long along
            the near-null direction) slides every point along the manifold to those few roots,
            so the exact mode finds 2–3 points where there is a line or ring; stopping at the
            tolerance leaves the points where they reached the manifold, spread along it like
            the initial states.
        keep_local_minima: return the failed points that sit at a local minimum of q
            (``kind`` "local_minimum": the ghost of a saddle-node bifurcation, or another
            non-root minimum too fast to be a slow point) as well. They are counted in
            ``n_local_minima`` either way.
        local_minimum_tolerance: a failed point whose descent stalled is at a local minimum of
            q when the curvature of q along −∇q is positive and the Newton step to the minimum
            of q on that line, ‖∇q‖ / (ûᵀ∇²q û) with û = ∇q/‖∇q‖, is at most this (state units):
            the gradient has vanished to within the distance at which points are told apart.
    """

    adam_steps: int = 0
    adam_learning_rate: float = 1e-2
    refine_steps: int = 60
    converged_q: float = 1e-12
    slow_point_q: float = 1e-6
    unique_tolerance: float = 1e-3
    outlier_distance_scale: float = 10.0
    keep_slow_points: bool = True
    stop_at_slow_point: bool = False
    keep_local_minima: bool = True
    local_minimum_tolerance: float = 1e-3

    def __post_init__(self) -> None:
        if self.adam_steps < 0 or self.refine_steps < 0:
            raise ValueError("adam_steps and refine_steps must be ≥ 0")
        if not self.adam_learning_rate > 0:
            raise ValueError("adam_learning_rate must be > 0")
        if not 0 < self.converged_q <= self.slow_point_q:
            raise ValueError("need 0 < converged_q ≤ slow_point_q")
        if self.unique_tolerance < 0 or not self.outlier_distance_scale > 0:
            raise ValueError("unique_tolerance must be ≥ 0 and outlier_distance_scale > 0")
        if self.local_minimum_tolerance < 0:
            raise ValueError("local_minimum_tolerance must be ≥ 0")


@dataclass(frozen=True, eq=False)  # eq=False: == on numpy fields would be ambiguous
class FixedPointResult:
    """Unique fixed / slow points, sorted by ascending q, and what happened to the others.

    Attributes:
        time_kind: "map" (discrete time; eigenvalues are those of J_map, labels from
            :func:`classify_map_motif`) or "flow" (continuous time; eigenvalues of J_rhs,
            labels from :func:`classify_flow_stability`).
        states: (P, N) float64 locations.
        inputs: (P, M) float64 input held constant at each point.
        q: (P,) float64 speed ½‖r‖² at each point.
        is_converged: (P,) bool, True for fixed points (q < converged_q), False otherwise
            (``kind`` "slow" or "local_minimum").
        kind: (P,) str, "fixed" (q < converged_q), "slow" (converged_q ≤ q < slow_point_q) or
            "local_minimum" (q ≥ slow_point_q at a local minimum of q: descent stalled and
            gradient vanished, see ``FixedPointSettings.local_minimum_tolerance``).
        jacobians: (P, N, N) float64 Jacobian of the map (or flow) w.r.t. the state.
        eigenvalues: (P, N) complex128, sorted by descending |λ| (maps) or descending Re λ
            (flows); ties put positive imaginary parts first.
        leading_right_eigenvector: (P, N) complex128 v with J v = λ₀ v for the leading
            eigenvalue λ₀ = eigenvalues[:, 0]; unit norm, largest component real positive.
        leading_left_eigenvector: (P, N) complex128 w with Jᵀ w = λ₀ w (same eigenvalue, i.e.
            wᵀ J = λ₀ wᵀ); same normalisation as the right one.
        labels: (P,) str, motif (maps) or stability (flows).
        initial_index: (P,) int64 index of the initial state each point came from.
        n_iterations: optimiser iterations run (Adam steps + Newton iterations +
            Levenberg–Marquardt iterations).
        n_initial: K. n_converged + n_slow + n_failed == n_initial.
        n_converged: initial states that reached q < converged_q.
        n_slow: initial states that ended as slow points (counted even if not kept).
        n_failed: initial states with q ≥ slow_point_q (or non-finite).
        n_local_minima: of the failed, those at a local minimum of q (``kind``
            "local_minimum", counted whether kept or not): their descent of q stopped before the
            iteration limit (every step rejected, or q fell by < 1 % over 10 iterations) and the
            gradient vanished there (``local_minimum_tolerance``) — a minimum of q that is not
            a root and too fast to be a slow point, e.g. the ghost of a saddle-node bifurcation.
            The rest of the failed ran out of iterations while q was still falling, stalled
            where the gradient had not vanished, or became non-finite.
        n_outliers: kept fixed/slow points dropped for lying too far from the initial states.
        n_unique: P, after merging duplicates.
    """

    time_kind: TimeKind
    states: np.ndarray
    inputs: np.ndarray
    q: np.ndarray
    is_converged: np.ndarray
    kind: np.ndarray
    jacobians: np.ndarray
    eigenvalues: np.ndarray
    leading_right_eigenvector: np.ndarray
    leading_left_eigenvector: np.ndarray
    labels: np.ndarray
    initial_index: np.ndarray
    n_iterations: int
    n_initial: int
    n_converged: int
    n_slow: int
    n_failed: int
    n_local_minima: int
    n_outliers: int
    n_unique: int

    def __len__(self) -> int:
        return self.n_unique

    @property
    def leading_eigenvalues(self) -> np.ndarray:
        """(P,) complex128 leading eigenvalue of each point."""
        return self.eigenvalues[:, 0]

    def to_frame(self, n_eigenvalues: int = 5) -> pd.DataFrame:
        """One row per unique point.

        Columns: ``point`` (int), ``q``, ``is_converged``, ``kind`` (fixed / slow /
        local_minimum), ``motif`` (the label, motif or
        stability), ``max_abs_eigenvalue``, ``max_real_eigenvalue``, ``eigenvalue_{k}_real`` and
        ``eigenvalue_{k}_imag`` for k < n_eigenvalues (in the sorted order, NaN beyond N),
        ``state`` and ``input`` (lists of floats, stored by pyarrow as list<double>).
        """
        n_points, n_states = self.eigenvalues.shape
        eigenvalues = self.eigenvalues
        columns: dict[str, object] = {
            "point": np.arange(n_points, dtype=np.int64),
            "q": self.q.astype(np.float64),
            "is_converged": self.is_converged.astype(bool),
            "kind": [str(kind) for kind in self.kind],
            "motif": [str(label) for label in self.labels],
            "max_abs_eigenvalue": (
                np.abs(eigenvalues).max(axis=1) if n_states else np.full(n_points, np.nan)
            ),
            "max_real_eigenvalue": (
                eigenvalues.real.max(axis=1) if n_states else np.full(n_points, np.nan)
            ),
        }
        for k in range(n_eigenvalues):
            present = k < n_states
            columns[f"eigenvalue_{k}_real"] = (
                eigenvalues[:, k].real.copy() if present else np.full(n_points, np.nan)
            )
            columns[f"eigenvalue_{k}_imag"] = (
                eigenvalues[:, k].imag.copy() if present else np.full(n_points, np.nan)
            )
        state_lists = pd.Series(self.states.tolist(), dtype=object)
        input_lists = pd.Series(self.inputs.tolist(), dtype=object)
        columns["state"] = state_lists
        columns["input"] = input_lists
        frame = pd.DataFrame(columns)
        return frame


# ---------------------------------------------------------------------------------------------
# Stability labels


def classify_map_motif(eigenvalues: np.ndarray, tolerance: float = 0.02) -> str:
    """Motif of a fixed point of a discrete map from the eigenvalues of J_map (EI-RNN thesis).

    With n_unstable = #{|λ| > 1 + tolerance}:

    - n_unstable == 0: "continuous" if some |λ| ≥ 1 − tolerance (a marginal direction: line /
      ring attractor), otherwise "stable".
    - n_unstable > 0: "rotational" if every unstable eigenvalue is complex (|Im λ| > 1e-9, the
      unstable directions come in rotating pairs), otherwise "saddle" (at least one real
      unstable direction; this includes fully unstable points).

    Args:
        eigenvalues: (N,) complex eigenvalues of the map's Jacobian, any order.
        tolerance: band around |λ| = 1.
    """
    values = np.asarray(eigenvalues, dtype=np.complex128).ravel()
    magnitude = np.abs(values)
    unstable = magnitude > 1.0 + tolerance
    if not unstable.any():
        return "continuous" if (magnitude >= 1.0 - tolerance).any() else "stable"
    if (np.abs(values[unstable].imag) > _IMAGINARY_TOLERANCE).all():
        return "rotational"
    return "saddle"


def classify_flow_stability(eigenvalues: np.ndarray, tolerance: float = 1e-3) -> str:
    """Stability of an equilibrium of a flow from the eigenvalues of J_rhs.

    With m = max Re λ and the threshold t = tolerance × max |λ| (relative to the spectral scale
    of the Jacobian): "stable" if m < −t, "marginal" if |m| ≤ t, "unstable" otherwise.

    Why relative and not an absolute 1e-10 (engellab's convention): a point with
    q = ½‖r‖² < 1e-12 is only located to about ‖r‖/σ_min(J) ≳ 1e-6, and the eigenvalues
    computed there are off by ~‖∂J/∂x‖·1e-6, so a marginal (line-attractor) eigenvalue is never
    within 1e-10 of zero — and in trained networks it is only approximately zero in the first
    place. A tolerance relative to the Jacobian's own scale is unit-free (rescaling time by τ
    rescales all eigenvalues) and reachable.

    Args:
        eigenvalues: (N,) complex eigenvalues of the flow's Jacobian, any order.
        tolerance: relative band around Re λ = 0.
    """
    values = np.asarray(eigenvalues, dtype=np.complex128).ravel()
    if values.size == 0:
        return "marginal"
    threshold = tolerance * float(np.abs(values).max())
    leading = float(values.real.max())
    if leading < -threshold:
        return "stable"
    if abs(leading) <= threshold:
        return "marginal"
    return "unstable"


# ---------------------------------------------------------------------------------------------
# Public finders


def find_roots(
    residual: BatchedFunction,
    initial_states: np.ndarray | Tensor,
    inputs: np.ndarray | Tensor,
    jacobian: BatchedFunction | None = None,
    settings: FixedPointSettings = FixedPointSettings(),
) -> FixedPointResult:
    """Zeros of a batched residual r(h, u), with the residual treated as a flow dh/dt = r.

    Args:
        residual: torch callable (h: (K, N), u: (K, M)) -> (K, N), float64, batched over K.
        initial_states: (K, N) starting states.
        inputs: (M,) input shared by all points, or (K, M) one input per point.
        jacobian: optional callable (h: (K, N), u: (K, M)) -> (K, N, N), ∂r/∂h; by default
            computed with ``torch.func.vmap(torch.func.jacrev(...))``.
        settings: optimiser and post-processing settings.

    Returns:
        A :class:`FixedPointResult` with ``time_kind="flow"``: eigenvalues are those of ∂r/∂h.
    """
    states, inputs_2d = _as_batch(initial_states, inputs)
    dynamics_jacobian = jacobian if jacobian is not None else _autograd_jacobian(residual)
    return _solve(residual, _ShiftedJacobian(dynamics_jacobian, 0.0), states, inputs_2d,
                  settings, "flow")


def find_fixed_points(
    step: BatchedFunction,
    initial_states: np.ndarray | Tensor,
    inputs: np.ndarray | Tensor,
    jacobian: BatchedFunction | None = None,
    settings: FixedPointSettings = FixedPointSettings(),
) -> FixedPointResult:
    """Fixed and slow points of a discrete map h' = step(h, u).

    Minimises q = ½‖step(h, u) − h‖²; labels come from |λ(J_map)| (:func:`classify_map_motif`).

    Args:
        step: torch callable (h: (K, N), u: (K, M)) -> (K, N), float64, batched over K.
        initial_states: (K, N) starting states.
        inputs: (M,) input shared by all points, or (K, M) one input per point.
        jacobian: optional callable (h: (K, N), u: (K, M)) -> (K, N, N), ∂step/∂h (the map's
            Jacobian, not the residual's); by default computed by batched autograd.
        settings: optimiser and post-processing settings.

    Returns:
        A :class:`FixedPointResult` with ``time_kind="map"``.
    """
    states, inputs_2d = _as_batch(initial_states, inputs)
    map_jacobian = jacobian if jacobian is not None else _autograd_jacobian(step)

    def residual(h: Tensor, u: Tensor) -> Tensor:
        return step(h, u) - h

    return _solve(residual, _ShiftedJacobian(map_jacobian, -1.0), states, inputs_2d, settings,
                  "map")


def find_equilibria(
    rhs: BatchedFunction,
    initial_states: np.ndarray | Tensor,
    inputs: np.ndarray | Tensor,
    jacobian: BatchedFunction | None = None,
    settings: FixedPointSettings = FixedPointSettings(),
) -> FixedPointResult:
    """Equilibria and slow points of a flow dx/dt = rhs(x, u).

    Minimises q = ½‖rhs(x, u)‖²; labels come from Re λ(J_rhs) (:func:`classify_flow_stability`).

    Args:
        rhs: torch callable (x: (K, N), u: (K, M)) -> (K, N), float64, batched over K.
        initial_states: (K, N) starting states.
        inputs: (M,) input shared by all points, or (K, M) one input per point.
        jacobian: optional callable (x: (K, N), u: (K, M)) -> (K, N, N), ∂rhs/∂x; by default
            computed by batched autograd.
        settings: optimiser and post-processing settings.

    Returns:
        A :class:`FixedPointResult` with ``time_kind="flow"``.
    """
    return find_roots(rhs, initial_states, inputs, jacobian=jacobian, settings=settings)


# ---------------------------------------------------------------------------------------------
# Internals


@contextmanager
def _single_thread() -> Iterator[None]:
    # Batched CPU linalg with >1 thread can fail or return wrong results for N ≳ 150 in
    # torch 2.13 (pytorch issue 142815); every batched solve / eig runs inside this.
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _as_batch(initial_states: np.ndarray | Tensor, inputs: np.ndarray | Tensor
              ) -> tuple[Tensor, Tensor]:
    """(K, N) states and (K, M) inputs as fresh float64 tensors."""
    states = torch.as_tensor(initial_states).detach().to(_DTYPE).clone()
    if states.ndim != 2 or states.shape[0] == 0:
        raise ValueError(f"initial_states must be (K, N) with K ≥ 1, got {tuple(states.shape)}")
    n_points = states.shape[0]
    inputs_t = torch.as_tensor(inputs).detach().to(_DTYPE)
    if inputs_t.ndim == 1:
        inputs_t = inputs_t.unsqueeze(0).expand(n_points, -1)
    elif inputs_t.ndim != 2 or inputs_t.shape[0] != n_points:
        raise ValueError(
            f"inputs must be (M,) or (K, M) with K = {n_points}, got {tuple(inputs_t.shape)}"
        )
    return states, inputs_t.clone().contiguous()


def _autograd_jacobian(function: BatchedFunction) -> BatchedFunction:
    """(h: (K, N), u: (K, M)) -> (K, N, N) Jacobian of ``function`` w.r.t. h by vmap(jacrev)."""

    def single(h: Tensor, u: Tensor) -> Tensor:
        return function(h.unsqueeze(0), u.unsqueeze(0)).squeeze(0)

    return torch.func.vmap(torch.func.jacrev(single, argnums=0))


class _ShiftedJacobian:
    """The residual's Jacobian A = J + shift·I from the dynamics' Jacobian J (the map's, with
    shift −1, or the flow's, shift 0). Newton evaluates J once per block and forms A directly
    in the precision it factorises in (one copy, no identity matrix, no float64 A)."""

    def __init__(self, base: BatchedFunction, shift: float):
        self.base = base
        self.shift = shift

    def shifted(self, jacobian: Tensor, dtype: torch.dtype) -> Tensor:
        """A = J + shift·I as a fresh ``dtype`` tensor from J (k, N, N) (J is not modified)."""
        a = jacobian.to(dtype, copy=True)
        if self.shift:
            a.diagonal(dim1=-2, dim2=-1).add_(self.shift)
        return a

    def __call__(self, h: Tensor, u: Tensor) -> Tensor:
        return self.shifted(self.base(h, u), _DTYPE)


def _evaluate_jacobian(jacobian: BatchedFunction, states: Tensor, inputs: Tensor) -> Tensor:
    """Batched Jacobian (K, N, N), built in chunks of points to bound memory."""
    n_points, n_states = states.shape
    chunk = max(1, _CHUNK_ELEMENTS // max(1, n_states * n_states))
    with torch.no_grad():
        blocks = [
            jacobian(states[start:start + chunk], inputs[start:start + chunk]).detach()
            for start in range(0, n_points, chunk)
        ]
    result = (blocks[0] if len(blocks) == 1 else torch.cat(blocks)).to(_DTYPE)
    if result.shape != (n_points, n_states, n_states):
        raise ValueError(
            f"jacobian must return (K, N, N) = {(n_points, n_states, n_states)}, "
            f"got {tuple(result.shape)}"
        )
    return result


def _residual_and_q(residual: BatchedFunction, states: Tensor, inputs: Tensor
                    ) -> tuple[Tensor, Tensor]:
    r = residual(states, inputs)
    if r.shape != states.shape:
        raise ValueError(f"residual must return (K, N) = {tuple(states.shape)}, "
                         f"got {tuple(r.shape)}")
    r = r.to(_DTYPE)
    return r, 0.5 * (r * r).sum(dim=-1)


def _adam_warm_start(residual: BatchedFunction, residual_jacobian: BatchedFunction,
                     states: Tensor, inputs: Tensor, settings: FixedPointSettings) -> Tensor:
    """Adam on Σ_k q(h_k); returns the lowest-q state seen for each point, (K, N)."""
    h = states.clone()
    best_h = states.clone()
    best_q = torch.full((h.shape[0],), float("inf"), dtype=_DTYPE)
    first_moment = torch.zeros_like(h)
    second_moment = torch.zeros_like(h)
    lr = settings.adam_learning_rate

    def keep_best(q: Tensor) -> None:
        better = q < best_q  # NaN compares False: a diverged point keeps its last good state
        best_q[better] = q[better]
        best_h[better] = h[better]

    for t in range(1, settings.adam_steps + 1):
        h_leaf = h.detach().requires_grad_(True)
        with torch.enable_grad():
            r, q = _residual_and_q(residual, h_leaf, inputs)
            if q.requires_grad:
                (gradient,) = torch.autograd.grad(q.sum(), h_leaf)
            else:  # residual not traceable by autograd: use the supplied Jacobian, g = Aᵀr
                gradient = None
        q = q.detach()
        if gradient is None:
            a = _evaluate_jacobian(residual_jacobian, h, inputs)
            gradient = torch.einsum("kij,ki->kj", a, r.detach())
        keep_best(q)
        # A point with non-finite q or gradient stops moving (its gradient is meaningless).
        usable = torch.isfinite(q).unsqueeze(-1) & torch.isfinite(gradient)
        gradient = torch.where(usable, gradient, 0.0)
        first_moment.mul_(_ADAM_BETA1).add_(gradient, alpha=1 - _ADAM_BETA1)
        second_moment.mul_(_ADAM_BETA2).addcmul_(gradient, gradient, value=1 - _ADAM_BETA2)
        m_hat = first_moment / (1 - _ADAM_BETA1**t)
        v_hat = second_moment / (1 - _ADAM_BETA2**t)
        h = h - lr * m_hat / (v_hat.sqrt() + _ADAM_EPS)

    with torch.no_grad():
        _, q = _residual_and_q(residual, h, inputs)
    keep_best(q)
    return best_h


def _chunks(index: Tensor, n_states: int, elements: int = _CHUNK_ELEMENTS) -> Iterator[Tensor]:
    """Consecutive pieces of ``index`` whose (piece, N, N) blocks fit the chunk budget."""
    size = max(1, elements // max(1, n_states * n_states))
    for start in range(0, index.numel(), size):
        yield index[start:start + size]


def _update_normal_equations(gram: Tensor, gradient: Tensor, residual_jacobian: BatchedFunction,
                             h: Tensor, inputs: Tensor, r: Tensor, index: Tensor) -> None:
    """Write AᵀA into gram (K, N, N) and Aᵀr into gradient (K, N) at rows ``index``."""
    for part in _chunks(index, h.shape[1]):
        a = _evaluate_jacobian(residual_jacobian, h[part], inputs[part])
        a_t = a.transpose(-1, -2)
        gram[part] = a_t @ a
        gradient[part] = (a_t @ r[part].unsqueeze(-1)).squeeze(-1)


def _damped_steps(gram: Tensor, gradient: Tensor, lam: Tensor, index: Tensor,
                  isotropic: bool = False) -> tuple[Tensor, Tensor]:
    """Solve (AᵀA + λD) δ = −Aᵀr at rows ``index``: δ (k, N) and whether each solve worked.
    D is the Marquardt diagonal diag(AᵀA) (floored), or with ``isotropic`` mean(diag(AᵀA))·I
    (Levenberg), which barely moves a point along near-null directions of A."""
    steps, solved = [], []
    for part in _chunks(index, gram.shape[-1]):
        system = gram[part]  # a copy: the damping is added in place below
        diagonal = system.diagonal(dim1=-2, dim2=-1)
        mean = diagonal.mean(dim=-1, keepdim=True)
        damping = (mean.expand_as(diagonal) if isotropic
                   else torch.maximum(diagonal, _LM_DAMPING_FLOOR * mean))
        damping = torch.where(damping > 0, damping, 1.0)  # A == 0: plain Levenberg damping
        diagonal.add_(lam[part].unsqueeze(-1) * damping)
        with _single_thread():
            factor, info = torch.linalg.cholesky_ex(system)
            delta = torch.cholesky_solve(-gradient[part].unsqueeze(-1), factor).squeeze(-1)
        ok = (info == 0) & torch.isfinite(delta).all(dim=-1)
        steps.append(torch.where(ok.unsqueeze(-1), delta, 0.0))
        solved.append(ok)
    return torch.cat(steps), torch.cat(solved)


def _levenberg_marquardt(residual: BatchedFunction, residual_jacobian: BatchedFunction,
                         states: Tensor, inputs: Tensor, settings: FixedPointSettings
                         ) -> tuple[Tensor, Tensor, int, Tensor]:
    """Batched LM refinement. Returns states (K, N), q (K,), the iterations run and
    ``stopped`` (K,) bool: the point stopped before the iteration limit (converged, or its
    descent stalled), rather than running out of iterations."""
    h = states.clone()
    n_points, n_states = h.shape
    with torch.no_grad():
        r, q = _residual_and_q(residual, h, inputs)
    lam = torch.full((n_points,), _LM_LAMBDA_INITIAL, dtype=_DTYPE)
    rejections = torch.zeros(n_points, dtype=torch.int64)
    # Non-finite points cannot be refined; exact roots need no refinement.
    done = ~torch.isfinite(q) | ~torch.isfinite(h).all(dim=-1) | (q == 0)
    stop_q = settings.slow_point_q if settings.stop_at_slow_point else 0.0
    done |= q < stop_q
    if settings.refine_steps == 0:
        return h, q, 0, done
    gram = torch.zeros(n_points, n_states, n_states, dtype=_DTYPE)
    gradient = torch.zeros(n_points, n_states, dtype=_DTYPE)
    _update_normal_equations(gram, gradient, residual_jacobian, h, inputs, r,
                             (~done).nonzero().squeeze(1))

    iterations = 0
    q_window_start = q.clone()
    for _ in range(settings.refine_steps):
        active = (~done).nonzero().squeeze(1)
        if active.numel() == 0:
            break
        iterations += 1
        delta, solved = _damped_steps(gram, gradient, lam, active,
                                      isotropic=settings.stop_at_slow_point)
        trial = h[active] + delta
        with torch.no_grad():
            r_trial, q_trial = _residual_and_q(residual, trial, inputs[active])
        accept = solved & torch.isfinite(q_trial) & (q_trial < q[active])

        accepted, rejected = active[accept], active[~accept]
        h[accepted] = trial[accept]
        r[accepted] = r_trial[accept]
        q[accepted] = q_trial[accept]
        lam[accepted] = (lam[accepted] / 3).clamp_min(_LM_LAMBDA_MIN)
        rejections[accepted] = 0
        lam[rejected] = lam[rejected] * 2
        rejections[rejected] += 1
        # Converged points keep refining until a step fails (rounding floor reached) or moves
        # them less than _LM_STEP_TOLERANCE (relative, absolute below |h| = 1: a root at the
        # origin keeps shrinking q without bound); others stop when stalled.
        tiny_step = torch.zeros(n_points, dtype=torch.bool)
        tiny_step[accepted] = delta[accept].norm(dim=-1) <= _LM_STEP_TOLERANCE * (
            h[accepted].norm(dim=-1).clamp_min(1.0))
        converged = q < settings.converged_q
        done = (done | (q == 0) | (q < stop_q) | (rejections >= _LM_MAX_REJECTIONS)
                | (lam > _LM_LAMBDA_MAX) | (converged & ((rejections >= 1) | tiny_step)))
        # Only accepted points moved: only those still running need a new Jacobian.
        _update_normal_equations(gram, gradient, residual_jacobian, h, inputs, r,
                                 accepted[~done[accepted]])
        if iterations % _LM_PROGRESS_WINDOW == 0:
            # A failing point whose q fell by < 1% over the window is stuck (e.g. in a local
            # minimum of q far above slow_point_q): stop paying for it.
            stuck = q > (1 - _LM_PROGRESS_MIN_DECREASE) * q_window_start
            done |= stuck & (q >= settings.slow_point_q)
            q_window_start = q.clone()
    return h, q, iterations, done


def _newton(residual: BatchedFunction, residual_jacobian: _ShiftedJacobian, states: Tensor,
            inputs: Tensor, settings: FixedPointSettings) -> tuple[Tensor, Tensor, Tensor, int]:
    """Batched Newton refinement with backtracking and chord steps (see the module docstring).

    Returns states (K, N), q (K,), ``settled`` (K,) bool — points polished below
    converged_q × _NEWTON_POLISH_FACTOR, which need no Levenberg–Marquardt — and the iterations
    run (Jacobian factorisations per point, at most).
    """
    h = states.clone()
    with torch.no_grad():
        r, q = _residual_and_q(residual, h, inputs)
    running = torch.isfinite(q) & torch.isfinite(h).all(dim=-1) & (q > 0)
    settled = q == 0
    iterations = 0
    q_window_start = q.clone()
    for _ in range(settings.refine_steps):
        active = running.nonzero().squeeze(1)
        if active.numel() == 0:
            break
        iterations += 1
        for part in _chunks(active, h.shape[1], _NEWTON_CHUNK_ELEMENTS):
            moved = _newton_iteration(residual, residual_jacobian, h, r, q, inputs, part)
            finished = moved & (q[part] < settings.converged_q * _NEWTON_POLISH_FACTOR)
            # A point Newton cannot move (singular Jacobian, no descent) goes on to LM.
            settled[part] |= finished
            running[part] &= moved & ~finished
        if iterations % _NEWTON_PROGRESS_WINDOW == 0:
            # Crawling far above the slow-point tolerance (q not even halved over the window:
            # e.g. towards a local minimum of q, where A is singular and every step is cut
            # back): a factorisation per point and iteration for little; LM takes these over.
            # (Below it, slow progress is a near-singular A near a root: Newton locates the
            # root far better than LM's q < converged_q does.)
            crawling = (q >= _NEWTON_MIN_PROGRESS * q_window_start) & (q >= settings.slow_point_q)
            running &= ~crawling
            q_window_start = q.clone()
    return h, q, settled, iterations


def _newton_iteration(residual: BatchedFunction, residual_jacobian: _ShiftedJacobian, h: Tensor,
                      r: Tensor, q: Tensor, inputs: Tensor, part: Tensor) -> Tensor:
    """One Jacobian for the points ``part`` (a chunk) and a Newton step from it, with
    backtracking and chord steps; updates h, r, q in place. Returns (k,) bool: whether each
    point moved.

    The Jacobian is factorised in float32 first (about half the cost of float64, and the
    factorisation is most of a step): the residuals stay float64, so the step and the chord
    steps are mixed-precision iterative refinement and still converge to float64 rounding while
    cond(A) ≪ 1/eps32. Points whose float32 step is not accepted (an ill-conditioned A) retry
    with float64 factors at once, so conditioning never costs a point its Newton step."""
    jacobian = _evaluate_jacobian(residual_jacobian.base, h[part], inputs[part])
    a = residual_jacobian.shifted(jacobian, torch.float32)
    moved = _newton_step(residual, a, h, r, q, inputs, part)
    retry = (~moved).nonzero().squeeze(1)
    if retry.numel():
        a = residual_jacobian.shifted(jacobian[retry], _DTYPE)
        moved[retry] = _newton_step(residual, a, h, r, q, inputs, part[retry])
    return moved


def _newton_step(residual: BatchedFunction, a: Tensor, h: Tensor, r: Tensor, q: Tensor,
                 inputs: Tensor, part: Tensor) -> Tensor:
    """A Newton step for the points ``part`` from their residual Jacobians a (k, N, N),
    factorised in a's precision; h, r, q updated in place. Returns (k,) bool: moved."""
    with _single_thread():
        factors, pivots, info = torch.linalg.lu_factor_ex(a)
        direction = -_lu_solve(factors, pivots, r[part])
    usable = (info == 0) & torch.isfinite(direction).all(dim=-1)
    h_part, r_part, q_part = h[part], r[part], q[part]
    # Cap the step at max(1, ‖h‖): near-singular directions (approximate continuous
    # attractors) would otherwise throw points far along them.
    limit = _NEWTON_MAX_STEP * h_part.norm(dim=-1).clamp_min(1.0)
    scale = (limit / direction.norm(dim=-1)).clamp(max=1.0).nan_to_num(0.0)
    moved = _backtrack(residual, h_part, r_part, q_part, direction, scale, inputs[part], usable)
    full_step = moved & (scale == 1.0)
    _chord_steps(residual, factors, pivots, h_part, r_part, q_part, inputs[part], full_step)
    h[part], r[part], q[part] = h_part, r_part, q_part
    return moved


def _lu_solve(factors: Tensor, pivots: Tensor, r: Tensor) -> Tensor:
    """A⁻¹r (k, N) in float64, from LU factors of A in any precision."""
    solution = torch.linalg.lu_solve(factors, pivots, r.to(factors.dtype).unsqueeze(-1))
    return solution.squeeze(-1).to(_DTYPE)


def _backtrack(residual: BatchedFunction, h: Tensor, r: Tensor, q: Tensor, direction: Tensor,
               scale: Tensor, inputs: Tensor, usable: Tensor,
               armijo: float = _NEWTON_ARMIJO) -> Tensor:
    """Armijo backtracking along ``direction`` (k, N) from step ``scale`` (k,), halving up to
    _NEWTON_HALVINGS times; h, r, q (k, …) updated in place. Returns (k,) bool: accepted.
    For a Newton direction the slope of q is −2q, so the test is q' ≤ (1 − 2c·t) q."""
    accepted = torch.zeros_like(usable)
    t = scale.clone()
    for _ in range(_NEWTON_HALVINGS):
        trying = (usable & ~accepted & (t > 0)).nonzero().squeeze(1)
        if trying.numel() == 0:
            break
        trial = h[trying] + t[trying].unsqueeze(-1) * direction[trying]
        with torch.no_grad():
            r_trial, q_trial = _residual_and_q(residual, trial, inputs[trying])
        good = torch.isfinite(q_trial) & (
            q_trial <= (1 - 2 * armijo * t[trying]) * q[trying])
        chosen = trying[good]
        h[chosen], r[chosen], q[chosen] = trial[good], r_trial[good], q_trial[good]
        accepted[chosen] = True
        t[trying[~good]] /= 2
    return accepted


def _chord_steps(residual: BatchedFunction, factors: Tensor, pivots: Tensor, h: Tensor,
                 r: Tensor, q: Tensor, inputs: Tensor, going: Tensor) -> None:
    """Steps −A₀⁻¹ r with the factors of the last Jacobian, for points ``going`` (k,), kept
    while each lowers q by _CHORD_MIN_DECREASE (near a root the Jacobian barely changes, and a
    solve is far cheaper than a new factorisation). h, r, q (k, …) updated in place."""
    going = going.clone()
    for _ in range(_CHORD_STEPS):
        going &= q > 0
        if not going.any():
            break
        with _single_thread():  # all k solves at once: cheaper than gathering the factors
            step = _lu_solve(factors, pivots, r)
        index = going.nonzero().squeeze(1)
        trial = h[index] - step[index]
        with torch.no_grad():
            r_trial, q_trial = _residual_and_q(residual, trial, inputs[index])
        good = torch.isfinite(q_trial) & (q_trial <= _CHORD_MIN_DECREASE * q[index])
        chosen = index[good]
        h[chosen], r[chosen], q[chosen] = trial[good], r_trial[good], q_trial[good]
        going[index[~good]] = False


def _refine(residual: BatchedFunction, residual_jacobian: _ShiftedJacobian, states: Tensor,
            inputs: Tensor, settings: FixedPointSettings) -> tuple[Tensor, Tensor, int, Tensor]:
    """Newton on every point, then Levenberg–Marquardt on the points Newton did not settle.
    Returns states (K, N), q (K,), the iterations run (Newton + LM) and ``stopped`` (K,) bool
    (settled by Newton, or stopped by LM before its iteration limit). In slow-point mode only
    LM runs (it stops each point below slow_point_q)."""
    if settings.stop_at_slow_point:
        return _levenberg_marquardt(residual, residual_jacobian, states, inputs, settings)
    h, q, settled, newton_iterations = _newton(residual, residual_jacobian, states, inputs,
                                               settings)
    rest = (~settled).nonzero().squeeze(1)
    if rest.numel() == 0:
        return h, q, newton_iterations, settled
    h[rest], q[rest], lm_iterations, settled[rest] = _levenberg_marquardt(
        residual, residual_jacobian, h[rest], inputs[rest], settings)
    return h, q, newton_iterations + lm_iterations, settled


def _polish_local_minima(residual: BatchedFunction, residual_jacobian: BatchedFunction,
                         states: Tensor, inputs: Tensor, tolerance: float
                         ) -> tuple[Tensor, Tensor, Tensor]:
    """Newton on q at points whose descent stalled; returns states (k, N), q (k,) and whether
    each is (numerically) a local minimum of q, (k,) bool.

    Why Gauss–Newton / LM stalls there: at a minimum of q with r ≠ 0 (the ghost of a
    saddle-node bifurcation) A = ∂r/∂h is singular along the slow direction v, so AᵀA has no
    curvature along v while ∇²q = AᵀA + Σᵢ rᵢ∇²rᵢ does. The model used here is
    H = AᵀA + s·vvᵀ with v the smallest right singular vector of A (two steps of inverse
    iteration on AᵀA through the LU factors of A) and s = rᵀ∂²r[v, v] (a central difference of
    r along v): exact along v, Gauss–Newton elsewhere, where LM has already converged. A point
    is a local minimum when H is positive definite and the Newton step ‖H⁻¹∇q‖ — the distance
    to the minimum of the model — is at most ``tolerance``; up to _POLISH_STEPS backtracked
    Newton steps first bring the points to it (so copies of one ghost merge), for points
    whose step is at most _POLISH_REACH × ``tolerance`` (the others are no candidates) and
    while it shrinks at least 4-fold every two steps (_POLISH_CONTRACTION: near a
    codimension-1 ghost the model is exact along v and the steps shrink fast; where they
    shrink slowly the model is poor and the point is only classified as it stands). Why not
    ‖∇q‖ relative to q: on benchmark network (b) LM stalls with ‖∇q‖·max(1, ‖h‖)/q between
    2e-3 and 0.2 at points 2e-5 to 1e-2 from the minimum; a distance needs the curvature.
    A minimum whose Jacobian is singular along several directions (not a codimension-1
    ghost) keeps H singular and is not claimed."""
    h = states.clone()
    n_points, n_states = h.shape
    with torch.no_grad():
        r, q = _residual_and_q(residual, h, inputs)
    newton_length = torch.full((n_points,), float("inf"), dtype=_DTYPE)
    earlier = newton_length.clone()  # the step length two evaluations back
    definite = torch.zeros(n_points, dtype=torch.bool)
    active = torch.ones(n_points, dtype=torch.bool)
    for iteration in range(_POLISH_STEPS + 1):
        index = active.nonzero().squeeze(1)
        if index.numel() == 0:
            break
        step, ok = _second_order_steps(residual, residual_jacobian, h[index], r[index],
                                       inputs[index])
        two_back = earlier[index]
        earlier[index] = newton_length[index]
        newton_length[index] = step.norm(dim=-1)
        definite[index] = ok
        # Only points whose model minimum is near get polished (one far off is no candidate),
        # and only while the steps shrink fast (the model is good: a codimension-1 ghost).
        moving = ok & (newton_length[index] > _POLISH_DONE * tolerance) & (
            newton_length[index] <= _POLISH_REACH * tolerance) & (
            newton_length[index] <= _POLISH_CONTRACTION * two_back)
        if iteration == _POLISH_STEPS or not moving.any():
            break
        going = index[moving]
        h_part, r_part, q_part = h[going], r[going], q[going]
        # Armijo test with the slope of q along a Newton step of q, ∇qᵀδ = −δᵀHδ ≈ −2·(q
        # decrease of the model); plain decrease is enough here.
        accepted = _backtrack(residual, h_part, r_part, q_part, step[moving],
                              torch.ones(len(going), dtype=_DTYPE), inputs[going],
                              torch.ones(len(going), dtype=torch.bool), armijo=0.0)
        h[going], r[going], q[going] = h_part, r_part, q_part
        active[:] = False
        active[going[accepted]] = True
    return h, q, definite & (newton_length <= tolerance)


def _second_order_steps(residual: BatchedFunction, residual_jacobian: BatchedFunction,
                        h: Tensor, r: Tensor, inputs: Tensor) -> tuple[Tensor, Tensor]:
    """Newton steps −H⁻¹∇q (k, N) with H = AᵀA + s·vvᵀ (see :func:`_polish_local_minima`)
    and whether H was positive definite, (k,) bool."""
    n_points, n_states = h.shape
    a = _evaluate_jacobian(residual_jacobian, h, inputs)
    gradient = torch.einsum("kij,ki->kj", a, r)
    with _single_thread():
        factors, pivots, info = torch.linalg.lu_factor_ex(a)
        v = torch.ones(n_points, n_states, 1, dtype=_DTYPE)
        for _ in range(2):  # (AᵀA)⁻¹ = A⁻¹A⁻ᵀ: inverse iteration for the smallest singular value
            v = torch.linalg.lu_solve(factors, pivots, v, adjoint=True)
            v = torch.linalg.lu_solve(factors, pivots, v)
            v = v / v.norm(dim=-2, keepdim=True)
    v = torch.nan_to_num(v.squeeze(-1))
    eps = (_CURVATURE_STEP * h.norm(dim=-1).clamp_min(1.0)).unsqueeze(-1)
    with torch.no_grad():
        r_plus, _ = _residual_and_q(residual, h + eps * v, inputs)
        r_minus, _ = _residual_and_q(residual, h - eps * v, inputs)
    s = (r * (r_plus + r_minus - 2 * r)).sum(dim=-1) / eps.squeeze(-1) ** 2
    hessian = a.transpose(-1, -2) @ a + s[:, None, None] * (v.unsqueeze(-1) * v.unsqueeze(-2))
    with _single_thread():
        factor, cholesky_info = torch.linalg.cholesky_ex(hessian)
        step = -torch.cholesky_solve(gradient.unsqueeze(-1), factor).squeeze(-1)
    ok = (info == 0) & (cholesky_info == 0) & torch.isfinite(step).all(dim=-1)
    return torch.where(ok.unsqueeze(-1), step, 0.0), ok


def _eigendecomposition(jacobians: np.ndarray, time_kind: TimeKind
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sorted eigenvalues (P, N) and leading right / left eigenvectors (P, N) each."""
    n_points, n_states = jacobians.shape[:2]
    if n_points == 0 or n_states == 0:
        empty = np.zeros((n_points, n_states), dtype=np.complex128)
        return empty, empty.copy(), empty.copy()
    matrices = torch.from_numpy(jacobians)
    with _single_thread():
        values, right = torch.linalg.eig(matrices)
        values_t, left = torch.linalg.eig(matrices.transpose(-1, -2))
    values, right = values.numpy(), right.numpy()
    values_t, left = values_t.numpy(), left.numpy()

    primary = np.abs(values) if time_kind == "map" else values.real
    # np.lexsort: last key is primary. Descending primary, then +Im first, then larger Re.
    order = np.lexsort((-values.real, -values.imag, -primary), axis=-1)
    rows = np.arange(n_points)
    sorted_values = np.take_along_axis(values, order, axis=-1)
    leading = sorted_values[:, 0]
    right_vector = right[rows, :, order[:, 0]]
    match = np.abs(values_t - leading[:, None]).argmin(axis=-1)
    left_vector = left[rows, :, match]
    return sorted_values, _fix_phase(right_vector), _fix_phase(left_vector)


def _fix_phase(vectors: np.ndarray) -> np.ndarray:
    """Unit norm, largest-magnitude component real and positive, per row of (P, N)."""
    vectors = vectors / np.linalg.norm(vectors, axis=-1, keepdims=True)
    pivot = vectors[np.arange(len(vectors)), np.abs(vectors).argmax(axis=-1)]
    return vectors * (np.conj(pivot) / np.abs(pivot))[:, None]


def _deduplicate(points: np.ndarray, q: np.ndarray, tolerance: float) -> np.ndarray:
    """Indices of points kept by greedy merging in order of ascending q (ties: lower index)."""
    order = np.lexsort((np.arange(len(q)), q))
    ordered = points[order]
    removed = np.zeros(len(order), dtype=bool)
    kept = []
    for i in range(len(order)):
        if removed[i]:
            continue
        kept.append(order[i])
        distance = np.linalg.norm(ordered[i:] - ordered[i], axis=-1)
        removed[i:] |= distance < tolerance
    return np.asarray(kept, dtype=np.int64)


def _solve(residual: BatchedFunction, residual_jacobian: _ShiftedJacobian,
           initial_states: Tensor, inputs: Tensor, settings: FixedPointSettings,
           time_kind: TimeKind) -> FixedPointResult:
    n_initial, n_states = initial_states.shape
    if settings.stop_at_slow_point:  # Adam's normalised steps would slide along the manifold
        warm = initial_states.clone()
    else:
        warm = _adam_warm_start(residual, residual_jacobian, initial_states, inputs, settings)
    states_t, q_t, refine_iterations, stopped = _refine(residual, residual_jacobian, warm,
                                                        inputs, settings)
    states, q = states_t.numpy(), q_t.numpy()
    inputs_np = inputs.numpy()

    finite = np.isfinite(q) & np.isfinite(states).all(axis=-1)
    converged = finite & (q < settings.converged_q)
    slow = finite & ~converged & (q < settings.slow_point_q)
    local_minimum = np.zeros(n_initial, dtype=bool)
    stalled = np.flatnonzero(finite & ~(converged | slow) & stopped.numpy())
    if len(stalled):
        polished, q_polished, at_minimum = _polish_local_minima(
            residual, residual_jacobian, states_t[stalled], inputs[stalled],
            settings.local_minimum_tolerance)
        states[stalled], q[stalled] = polished.numpy(), q_polished.numpy()
        local_minimum[stalled] = at_minimum.numpy()
    keep = (converged | (slow & settings.keep_slow_points)
            | (local_minimum & settings.keep_local_minima))

    initial = initial_states.numpy()
    centroid = initial.mean(axis=0)
    spread = float(np.linalg.norm(initial - centroid, axis=-1).mean())
    outlier = np.zeros(n_initial, dtype=bool)
    if spread > 0 and np.isfinite(settings.outlier_distance_scale):
        # A single initial state (spread 0) gives no scale: no outlier test then.
        distance = np.linalg.norm(np.where(finite[:, None], states, 0.0) - centroid, axis=-1)
        outlier = keep & (distance > settings.outlier_distance_scale * spread)
    keep &= ~outlier

    candidates = np.flatnonzero(keep)
    joint = np.concatenate([states[candidates], inputs_np[candidates]], axis=-1)
    index = candidates[_deduplicate(joint, q[candidates], settings.unique_tolerance)]

    unique_states = torch.from_numpy(states[index].copy())
    unique_inputs = torch.from_numpy(inputs_np[index].copy())
    if len(index):
        jacobians = _evaluate_jacobian(residual_jacobian.base, unique_states,
                                       unique_inputs).numpy()
    else:
        jacobians = np.zeros((0, n_states, n_states), dtype=np.float64)
    eigenvalues, right, left = _eigendecomposition(jacobians, time_kind)
    classify = classify_map_motif if time_kind == "map" else classify_flow_stability
    labels = np.array([classify(row) for row in eigenvalues], dtype=object).astype(str)
    if labels.size == 0:
        labels = np.zeros(0, dtype=str)

    return FixedPointResult(
        time_kind=time_kind,
        states=states[index].copy(),
        inputs=inputs_np[index].copy(),
        q=q[index].copy(),
        is_converged=converged[index].copy(),
        kind=np.where(converged[index], "fixed",
                      np.where(slow[index], "slow", "local_minimum")).astype(str),
        jacobians=jacobians,
        eigenvalues=eigenvalues,
        leading_right_eigenvector=right,
        leading_left_eigenvector=left,
        labels=labels,
        initial_index=index.astype(np.int64),
        n_iterations=(0 if settings.stop_at_slow_point else settings.adam_steps)
        + refine_iterations,
        n_initial=n_initial,
        n_converged=int(converged.sum()),
        n_slow=int(slow.sum()),
        n_failed=int((~(converged | slow)).sum()),
        n_local_minima=int(local_minimum.sum()),
        n_outliers=int(outlier.sum()),
        n_unique=len(index),
    )
