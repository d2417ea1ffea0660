"""Fixed-point finding: rnnlab's batched finder against per-point fsolve and batched Adam.

Networks (float64, N = 256, the map h' = tanh(W h + b)):
  (a) random:          W = g G / √N, G standard normal, g = 1.2, b ~ N(0, 0.1²): one fixed
                       point, far from the visited states (q ≈ 20 there);
  (b) random + rank 3: W = g_r G / √N + Σ_{i≤3} m_i n_iᵀ / N with n_i = κ m_i + noise, g_r = 0.5,
                       κ = 2 (each structured direction is bistable: up to 27 stable and saddle
                       points);
  (c) a stress case:   as (a) with g = 1.5, chaotic: q has many local minima far above any
                       slow-point threshold, where every local method stalls (not a target;
                       run on a quarter of the states to keep the benchmark short).
Initial states: 1024 states visited by 32 trajectories of 300 steps (after 50 steps), plus
N(0, 0.01²) jitter, as the project's analyses sample them.

Methods, all single-threaded and timed in process CPU time:
  finder   rnnlab.analysis.fixed_points.find_fixed_points with the analytic Jacobian,
           converged_q = 1e-10 and the outlier filter off (every point counts), default
           settings otherwise (no warm start: Newton, then LM); finder-300 the same after a
           300-step Adam warm start (the default until it was measured not to pay);
  fsolve   scipy.optimize.fsolve (MINPACK hybrj, analytic Jacobian) point by point, on a
           subsample of the initial states; its time is extrapolated to all of them;
  Adam     batched Adam on Σ_k q(h_k) (the common fixed-point-finder recipe: lr 1e-2 decayed
           ×0.998 per step, up to 4000 steps, stopping when every point has q < 1e-10; the best
           state per point is kept).
Per method: time, fraction converged (q = ½‖F(h) − h‖² < 1e-10); for the finder also the
fractions ending as slow points and as (reported) local minima of q that are not roots (ghosts),
and the target's measure "found" = converged + slow + local minima; unique converged points
(merged within 1e-3; for the finder + unique local minima), and how many unique points of fsolve
and of Adam the finder's points miss.

Usage: python benchmarks/fixed_points.py [--fsolve-states 128] [--states 1024] [--units 256]
"""

from __future__ import annotations

import argparse
import math
import os
import time
import warnings

# One thread for every method, numpy's BLAS included (set before numpy loads it).
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from scipy.optimize import fsolve  # noqa: E402

from rnnlab.analysis.fixed_points import FixedPointSettings, find_fixed_points  # noqa: E402

CONVERGED_Q = 1e-10
UNIQUE_TOLERANCE = 1e-3


# ---------------------------------------------------------------------------------------------
# Networks


class TanhMap:
    """h' = tanh(W h + b) in float64. weight (N, N), bias (N,)."""

    def __init__(self, weight: np.ndarray, bias: np.ndarray):
        self.weight = weight
        self.bias = bias
        self.weight_t = torch.from_numpy(weight)
        self.bias_t = torch.from_numpy(bias)

    def step(self, h: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
        """(K, N) → (K, N); u (K, 0) is unused."""
        return torch.tanh(h @ self.weight_t.T + self.bias_t)

    def jacobian(self, h: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
        """∂F/∂h = diag(1 − F²) W, (K, N) → (K, N, N)."""
        slope = 1 - self.step(h, u) ** 2
        return slope[:, :, None] * self.weight_t[None]

    def residual_np(self, h: np.ndarray) -> np.ndarray:
        return np.tanh(self.weight @ h + self.bias) - h

    def residual_jacobian_np(self, h: np.ndarray) -> np.ndarray:
        slope = 1 - np.tanh(self.weight @ h + self.bias) ** 2
        return slope[:, None] * self.weight - np.eye(len(h))

    def q(self, states: np.ndarray) -> np.ndarray:
        """½‖F(h) − h‖² per row of (K, N)."""
        r = np.tanh(states @ self.weight.T + self.bias) - states
        return 0.5 * (r * r).sum(axis=1)


def random_network(n_units: int, rng: np.random.Generator, gain: float = 1.2) -> TanhMap:
    weight = gain * rng.standard_normal((n_units, n_units)) / math.sqrt(n_units)
    return TanhMap(weight, 0.1 * rng.standard_normal(n_units))


def chaotic_network(n_units: int, rng: np.random.Generator) -> TanhMap:
    return random_network(n_units, rng, gain=1.5)


def structured_network(n_units: int, rng: np.random.Generator) -> TanhMap:
    weight = 0.5 * rng.standard_normal((n_units, n_units)) / math.sqrt(n_units)
    m = rng.standard_normal((3, n_units))
    n = 2.0 * m + 0.5 * rng.standard_normal((3, n_units))
    weight += m.T @ n / n_units
    return TanhMap(weight, 0.1 * rng.standard_normal(n_units))


def visited_states(network: TanhMap, n_states: int, rng: np.random.Generator) -> np.ndarray:
    """(K, N) states from 32 trajectories (steps 50–349), jittered by N(0, 0.01²)."""
    n_trajectories, burn_in, length = 32, 50, 300
    h = rng.standard_normal((n_trajectories, network.weight.shape[0]))
    visited = []
    for t in range(burn_in + length):
        h = np.tanh(h @ network.weight.T + network.bias)
        if t >= burn_in:
            visited.append(h)
    visited = np.concatenate(visited)
    chosen = visited[rng.choice(len(visited), size=n_states, replace=False)]
    return chosen + 0.01 * rng.standard_normal(chosen.shape)


# ---------------------------------------------------------------------------------------------
# Methods: each returns (final states (K, N), CPU seconds)


def run_finder(network: TanhMap, initial: np.ndarray, adam_steps: int):
    settings = FixedPointSettings(converged_q=CONVERGED_Q, outlier_distance_scale=math.inf,
                                  unique_tolerance=UNIQUE_TOLERANCE, adam_steps=adam_steps)
    start = time.process_time()
    result = find_fixed_points(network.step, initial, np.zeros(0), jacobian=network.jacobian,
                               settings=settings)
    return result, time.process_time() - start


def run_fsolve(network: TanhMap, initial: np.ndarray):
    start = time.process_time()
    with warnings.catch_warnings():  # non-convergence is counted from q below
        warnings.simplefilter("ignore", RuntimeWarning)
        solutions = np.stack([
            fsolve(network.residual_np, x0, fprime=network.residual_jacobian_np)
            for x0 in initial
        ])
    return solutions, time.process_time() - start


def run_adam(network: TanhMap, initial: np.ndarray, max_steps: int = 4000):
    start = time.process_time()
    h = torch.tensor(initial, requires_grad=True)
    optimizer = torch.optim.Adam([h], lr=1e-2)
    schedule = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.998)
    best_q = torch.full((len(initial),), math.inf, dtype=torch.float64)
    best_h = h.detach().clone()
    empty = torch.zeros(len(initial), 0, dtype=torch.float64)
    for _ in range(max_steps):
        r = network.step(h, empty) - h
        q = 0.5 * (r * r).sum(dim=1)
        with torch.no_grad():
            better = q < best_q
            best_q[better] = q[better]
            best_h[better] = h[better]
            if bool((best_q < CONVERGED_Q).all()):
                break
        optimizer.zero_grad()
        q.sum().backward()
        optimizer.step()
        schedule.step()
    return best_h.numpy(), time.process_time() - start


# ---------------------------------------------------------------------------------------------
# Comparison


def unique_rows(points: np.ndarray, tolerance: float = UNIQUE_TOLERANCE) -> np.ndarray:
    """Greedy merge of rows closer than ``tolerance``: (P, N) → (U, N)."""
    kept: list[np.ndarray] = []
    for point in points:
        if not kept or np.linalg.norm(np.asarray(kept) - point, axis=1).min() >= tolerance:
            kept.append(point)
    return np.asarray(kept).reshape(-1, points.shape[1])


def count_missed(points: np.ndarray, reference: np.ndarray) -> int:
    """Rows of ``points`` with no row of ``reference`` within the merge tolerance."""
    if len(points) == 0:
        return 0
    if len(reference) == 0:
        return len(points)
    distance = np.linalg.norm(points[:, None, :] - reference[None, :, :], axis=-1)
    return int((distance.min(axis=1) >= UNIQUE_TOLERANCE).sum())


def finder_line(label: str, result, seconds: float) -> str:
    n_states = result.n_initial
    found = (result.n_converged + result.n_slow + result.n_local_minima) / n_states
    ghosts = int((result.kind == "local_minimum").sum())
    return (f"{label:10} {seconds:6.1f} {result.n_converged / n_states:10.1%} "
            f"{result.n_slow / n_states:6.1%} {result.n_local_minima / n_states:7.1%} "
            f"{found:6.1%} {int(result.is_converged.sum()):4d} +{ghosts:<2d}")


def compare(name: str, network: TanhMap, initial: np.ndarray, n_fsolve: int) -> None:
    n_states = len(initial)
    default = FixedPointSettings().adam_steps
    result, finder_time = run_finder(network, initial, default)
    finder_points = result.states[result.is_converged]
    warm, warm_time = run_finder(network, initial, 300)

    subsample = np.linspace(0, n_states - 1, min(n_fsolve, n_states)).round().astype(int)
    fsolve_states, fsolve_time = run_fsolve(network, initial[subsample])
    fsolve_time *= n_states / len(subsample)
    fsolve_ok = network.q(fsolve_states) < CONVERGED_Q
    fsolve_points = unique_rows(fsolve_states[fsolve_ok])

    adam_states, adam_time = run_adam(network, initial)
    adam_ok = network.q(adam_states) < CONVERGED_Q
    adam_points = unique_rows(adam_states[adam_ok])

    print(f"\n({name}) N = {initial.shape[1]}, {n_states} initial states")
    print(f"{'method':10} {'CPU s':>6} {'converged':>10} {'slow':>6} {'loc.min':>7} "
          f"{'found':>6} {'unique':>7} {'finder misses':>14}")
    print(finder_line("finder", result, finder_time) + f"  (default: adam_steps={default}, "
          "Newton, then LM)")
    print(finder_line("finder-300", warm, warm_time) + "  (300 Adam steps, Newton, then LM)")
    print(f"{'fsolve':10} {fsolve_time:6.1f} {fsolve_ok.mean():10.1%} {'':>6} {'':>7} {'':>6} "
          f"{len(fsolve_points):4d}    {count_missed(fsolve_points, finder_points):7d} of "
          f"{len(fsolve_points):<3d}  (time ×{n_states / len(subsample):.0f} from "
          f"{len(subsample)} states)")
    print(f"{'Adam':10} {adam_time:6.1f} {adam_ok.mean():10.1%} {'':>6} {'':>7} {'':>6} "
          f"{len(adam_points):4d}    {count_missed(adam_points, finder_points):7d} of "
          f"{len(adam_points):<3d}")
    print(f"finder: {fsolve_time / finder_time:.1f}x faster than fsolve, "
          f"{adam_time / finder_time:.1f}x faster than Adam; {result.n_failed} failed, "
          f"{result.n_local_minima} of them at a local minimum of q (reported); "
          f"{result.n_iterations} iterations (Adam + Newton + LM)")
    print(f"finder-300: {fsolve_time / warm_time:.1f}x faster than fsolve; "
          f"misses {count_missed(fsolve_points, warm.states[warm.is_converged])} fsolve "
          f"and {count_missed(adam_points, warm.states[warm.is_converged])} Adam points; "
          f"{warm.n_failed} failed ({warm.n_local_minima} at a local minimum of q)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=256)
    parser.add_argument("--states", type=int, default=1024)
    parser.add_argument("--fsolve-states", type=int, default=128)
    args = parser.parse_args()
    torch.set_num_threads(1)
    load = os.getloadavg()
    print(f"Fixed-point benchmark: torch {torch.__version__}, one thread, load average "
          f"{load[0]:.1f}; converged means q < {CONVERGED_Q:g}")
    # The stress case on a quarter of the states: its many stalled points make it the slowest.
    networks = [("a: random, g = 1.2", random_network, 1),
                ("b: random + rank 3", structured_network, 1),
                ("c: stress case, random, g = 1.5 (chaotic)", chaotic_network, 4)]
    for name, build, fraction in networks:
        rng = np.random.default_rng(0)
        network = build(args.units, rng)
        initial = visited_states(network, args.states // fraction, rng)
        compare(name, network, initial, args.fsolve_states // fraction)


if __name__ == "__main__":
    main()
