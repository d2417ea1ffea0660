"""What the fixed-point finder is tuned by, in one place.

:class:`FixedPointSettings` is what a caller chooses (per call, with defaults). The constants
below are the stages' fixed tuning, each measured or argued once (the comments say why); the
stages import them from here.
"""

from __future__ import annotations

from dataclasses import dataclass

# --- Memory
# Elements of a (chunk, N, N) block processed at once (16 MB): bounds memory and keeps the
# allocator from mapping and zeroing fresh pages for every batched Jacobian / solve.
CHUNK_ELEMENTS = 2**21

# --- Stage 1, Adam warm start (rnnlab.analysis.fixed_points.warm_start)
ADAM_BETA1, ADAM_BETA2, ADAM_EPS = 0.9, 0.999, 1e-8

# --- Stage 2, Newton with chord steps (rnnlab.analysis.fixed_points.newton)
# Newton's blocks: the chord steps re-read every LU factor of a block, which is several times
# faster while the block stays in cache. Since the factors are float32 (4 MB per 2²⁰ elements),
# blocks of 2²¹ (N = 256: 32 points) are 4 % faster than 2²⁰ on benchmarks a and b, 2²² is
# 20–45 % slower.
NEWTON_CHUNK_ELEMENTS = 2**21
NEWTON_MAX_STEP = 1.0  # relative to max(1, ‖h‖)
NEWTON_HALVINGS = 12  # backtracking down to 2⁻¹¹ of the Newton step, then LM takes over
NEWTON_ARMIJO = 1e-4
NEWTON_POLISH_FACTOR = 1e-8  # Newton stops at q < converged_q × this (‖r‖ 1e-4 × the threshold)
NEWTON_PROGRESS_WINDOW = 5  # iterations; a point whose q fell by less than ...
NEWTON_MIN_PROGRESS = 0.5  # ... this factor over the window is handed to LM
CHORD_STEPS = 4  # extra steps per Jacobian factorisation, each kept only if ...
CHORD_MIN_DECREASE = 0.9  # ... it lowers q by 10 % (a solve costs ~1/20 of a factorisation)

# --- Stage 3, Levenberg–Marquardt (rnnlab.analysis.fixed_points.levenberg_marquardt)
LM_LAMBDA_INITIAL = 1e-3
LM_LAMBDA_MIN = 1e-12
LM_LAMBDA_MAX = 1e12
LM_MAX_REJECTIONS = 30  # consecutive rejections (λ grown 2³⁰×) = stalled
LM_PROGRESS_WINDOW = 10  # iterations between progress checks on failing points
LM_PROGRESS_MIN_DECREASE = 0.01
LM_STEP_TOLERANCE = 1e-12
LM_DAMPING_FLOOR = 1e-6  # relative to the mean of diag(AᵀA)

# --- Points whose descent stalled (rnnlab.analysis.fixed_points.local_minima)
CURVATURE_STEP = 1e-4  # central-difference step of the local-minimum test, × max(1, ‖h‖)
POLISH_STEPS = 6  # Newton steps on q at stalled points (quadratic convergence to a ghost)
POLISH_DONE = 1e-3  # ... stopped once the step is below this × local_minimum_tolerance
POLISH_REACH = 100.0  # ... and only tried while the step is below this × the tolerance
POLISH_CONTRACTION = 0.25  # ... and shrinks by at least this factor every two steps

# --- Labels (rnnlab.analysis.fixed_points.classification)
IMAGINARY_TOLERANCE = 1e-9  # |Im λ| above this: a complex (rotating) eigenvalue


@dataclass(frozen=True)
class FixedPointSettings:
    """Optimiser and post-processing settings.

    Attributes:
        adam_steps: Adam iterations of the warm start (0, the default, skips it; see
            rnnlab.analysis.fixed_points.warm_start for what it changes).
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
