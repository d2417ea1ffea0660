"""Batched float64 fixed-point, slow-point and equilibrium finder for recurrent networks.

Method (Sussillo & Barak 2013, "Opening the black box"): a fixed point of a discrete map
h' = F(h, u) is a zero of the residual r(h) = F(h, u) − h; an equilibrium of a flow
dx/dt = f(x, u) is a zero of r(x) = f(x, u). With the input u held constant, each of K candidate
states (supplied by the caller, typically states visited on trials) is moved downhill on the
"speed"

    q(h) = ½ ‖r(h)‖²

in up to three stages, all K points at once:

1. an optional Adam warm start (``adam_steps``, default 0: off; module ``warm_start``);
2. Newton refinement with backtracking and chord steps, the Jacobian factorised in float32
   first (``newton``); points Newton cannot move or has not settled within ``refine_steps``
   iterations go on to
3. Levenberg–Marquardt refinement (``levenberg_marquardt``).

Slow-point mode (``stop_at_slow_point``, Sussillo & Barak 2013) runs only stage 3, with
isotropic damping, and stops each point as soon as q < ``slow_point_q``: the points stay spread
along an approximate continuous attractor instead of collapsing onto its few exact roots.

Afterwards points with q < ``converged_q`` are fixed points (``kind`` "fixed"), points with
``converged_q ≤ q < slow_point_q`` are slow points ("slow"), the rest are failures. A failure
whose descent stalled (LM stopped before its iteration limit) where the gradient of q has
vanished is a local minimum of q that is not a root ("local_minimum", counted in
``n_local_minima`` and returned unless ``keep_local_minima`` is off): in Sussillo & Barak's
sense a slow point too fast for ``slow_point_q``, typically the ghost of a saddle-node
bifurcation (see ``local_minima``). The other failures (out of iterations with q still falling,
stalled on a slope, non-finite) are only counted. Points that ran far from the cloud of initial
states are dropped as outliers, near-duplicates are merged (lowest q kept), and at every
remaining point the Jacobian of the map (or flow) is eigendecomposed and labelled: see
:func:`classify_map_motif` and :func:`classify_flow_stability`.

Modules, one idea each (the public names are re-exported here):

- ``settings``: :class:`FixedPointSettings` and the stages' fixed tuning constants;
- ``result``: :class:`FixedPointResult` and its table;
- ``classification``: eigendecomposition, motif and stability labels;
- ``batched``: residuals and Jacobians of K points at once, in chunks, on one thread;
- ``warm_start``, ``newton``, ``levenberg_marquardt``: stages 1–3;
- ``local_minima``: polishing and testing the points whose descent stalled;
- ``finder``: the driver (stages, filters, deduplication) and the ``find_*`` functions.

Shapes: K = initial states, N = state dimension, M = input dimension, P = unique points returned.
Everything runs in float64: the callables must accept float64 tensors (convert a network with
``copy.deepcopy(model).double()``). No randomness is used; results depend only on the inputs.
"""

from rnnlab.analysis.fixed_points.batched import BatchedFunction
from rnnlab.analysis.fixed_points.classification import (
    classify_flow_stability,
    classify_map_motif,
)
from rnnlab.analysis.fixed_points.finder import find_equilibria, find_fixed_points, find_roots
from rnnlab.analysis.fixed_points.result import FixedPointResult, TimeKind
from rnnlab.analysis.fixed_points.settings import FixedPointSettings

__all__ = [
    "FixedPointResult",
    "FixedPointSettings",
    "classify_flow_stability",
    "classify_map_motif",
    "find_equilibria",
    "find_fixed_points",
    "find_roots",
]
