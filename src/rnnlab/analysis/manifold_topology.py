"""Is a ring attractor's manifold closed? Two tests of a one-dimensional closed curve.

1. **Persistent homology** of the slow points (Vietoris–Rips filtration, ``ripser``): a closed
   curve has exactly one long-lived H1 bar (one loop), and that loop forms at the scale at which
   the sampling joins neighbouring points, not only once a gap in the curve is bridged. Summary
   of the H1 bars (birth b, death d, persistence p = d − b, in state units):

   * ``loop_persistence`` p₁ of the longest bar and ``second_persistence`` p₂ of the next;
   * ``second_loop_ratio`` = p₂ / p₁ (0 with a single bar): one dominant loop when ≤
     ``MAX_SECOND_LOOP_RATIO``;
   * ``loop_birth_fraction`` = b₁ / d₁: the scale at which the loop closes relative to its
     size. A densely sampled circle closes at its point spacing (b₁/d₁ ≈ spacing / (√3 R),
     small); an arc whose ends are bridged only across a wide gap, or two disjoint arcs, close
     at the gap (b₁/d₁ ≥ 0.3 for gaps ≥ 30° of a circle). Closed when ≤ ``LOOP_MAX_BIRTH_FRACTION``.
   * ``gap_fraction``: the last H0 death (the longest edge needed to connect the cloud) over
     d₁ (reported: isolated slow points off the ring raise it without opening the ring).

2. **Ordered neighbours**: the states the network holds for remembered angles θ₁ < … < θ_K
   (e.g. the end-of-delay states of noise-free trials on a fine angle grid), in that order, are
   neighbours on the manifold all the way round, the wrap-around θ_K → θ₁ included. For each
   consecutive pair the rank of one among the other's nearest neighbours (the smaller of the
   two ranks; 1 = nearest) is ≤ ``NEIGHBOUR_MAX_RANK``; an open arc whose ends the readout maps
   to the same angle fails at the wrap-around, where the pair is two of the farthest states.
   Reported: ``fraction_ordered_neighbours``, ``worst_neighbour_rank``, ``wrap_neighbour_rank``,
   ``max_step_ratio`` (largest step between consecutive states / median step) and
   ``wrap_step_ratio`` (wrap-around step / median step).

Points are rows of (P, N) arrays; the homology runs on at most ``MAX_HOMOLOGY_POINTS`` points
(a deterministic farthest-point subsample, which keeps the coverage of the cloud).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

__all__ = [
    "LoopHomology",
    "OrderedNeighbours",
    "farthest_point_sample",
    "loop_homology",
    "ordered_neighbours",
]

# Hyperparameters (defaults of the public functions; the module docstring gives their meaning).
MAX_SECOND_LOOP_RATIO = 1.0 / 3.0
LOOP_MAX_BIRTH_FRACTION = 0.25
NEIGHBOUR_MAX_RANK = 4
MAX_HOMOLOGY_POINTS = 300


def farthest_point_sample(points: np.ndarray, n: int) -> np.ndarray:
    """Indices (min(n, P),) of a greedy farthest-point subsample of (P, N) points, starting at
    the point farthest from the centroid (deterministic)."""
    points = np.asarray(points, dtype=np.float64)
    if len(points) <= n:
        return np.arange(len(points))
    first = int(np.argmax(np.linalg.norm(points - points.mean(axis=0), axis=1)))
    chosen = [first]
    distance = np.linalg.norm(points - points[first], axis=1)
    for _ in range(n - 1):
        index = int(np.argmax(distance))
        chosen.append(index)
        distance = np.minimum(distance, np.linalg.norm(points - points[index], axis=1))
    return np.array(sorted(chosen))


@dataclass(frozen=True)
class LoopHomology:
    """H0 and H1 persistence of a point cloud (see the module docstring).

    Attributes:
        n_points: points the homology ran on.
        h1: (K, 2) birth, death of every H1 bar, longest first.
        h0_deaths: (P − 1,) finite H0 deaths (the edges that join the cloud), ascending.
        loop_birth, loop_death, loop_persistence: of the longest H1 bar (NaN without one).
        second_persistence: of the second longest (0 with one bar, NaN without any).
        second_loop_ratio: second_persistence / loop_persistence (0 with one bar).
        loop_birth_fraction: loop_birth / loop_death.
        gap_fraction: largest finite H0 death / loop_death.
        is_closed: one dominant bar (second_loop_ratio ≤ its threshold) that closes early
            (birth fraction ≤ its threshold).
    """

    n_points: int
    h1: np.ndarray
    h0_deaths: np.ndarray
    loop_birth: float
    loop_death: float
    loop_persistence: float
    second_persistence: float
    second_loop_ratio: float
    loop_birth_fraction: float
    gap_fraction: float
    is_closed: bool

    def summary(self) -> dict[str, float]:
        """The scalar statistics (one row of a summary table)."""
        values = asdict(self)
        del values["h1"], values["h0_deaths"]
        return {k: float(v) for k, v in values.items()}


def loop_homology(points: np.ndarray, max_second_ratio: float = MAX_SECOND_LOOP_RATIO,
                  max_birth_fraction: float = LOOP_MAX_BIRTH_FRACTION,
                  max_points: int = MAX_HOMOLOGY_POINTS) -> LoopHomology:
    """Rips persistent homology (H0, H1) of points (P, N) and the closed-curve verdict."""
    from ripser import ripser  # imported here: only this analysis needs the compiled library

    points = np.asarray(points, dtype=np.float64)
    points = points[np.all(np.isfinite(points), axis=1)]
    points = points[farthest_point_sample(points, max_points)]
    nan = float("nan")
    if len(points) < 3:
        return LoopHomology(len(points), np.zeros((0, 2)), np.zeros(0), nan, nan, nan, nan, nan,
                            nan, nan, False)
    distance = np.linalg.norm(points[:, None, :] - points[None, :, :], axis=-1)  # (P, P)
    diagrams = ripser(distance, maxdim=1, distance_matrix=True)["dgms"]
    h0 = diagrams[0][:, 1]
    h0_deaths = np.sort(h0[np.isfinite(h0)])
    h1 = np.asarray(diagrams[1], dtype=np.float64).reshape(-1, 2)
    h1 = h1[np.argsort(-(h1[:, 1] - h1[:, 0]), kind="stable")]
    if len(h1) == 0:
        return LoopHomology(len(points), h1, h0_deaths, nan, nan, nan, nan, nan, nan, nan, False)
    persistence = h1[:, 1] - h1[:, 0]
    birth, death = float(h1[0, 0]), float(h1[0, 1])
    second = float(persistence[1]) if len(h1) > 1 else 0.0
    ratio = second / float(persistence[0]) if persistence[0] > 0 else nan
    birth_fraction = birth / death if death > 0 else nan
    gap = float(h0_deaths[-1]) / death if len(h0_deaths) and death > 0 else nan
    return LoopHomology(
        n_points=len(points), h1=h1, h0_deaths=h0_deaths, loop_birth=birth, loop_death=death,
        loop_persistence=float(persistence[0]), second_persistence=second,
        second_loop_ratio=ratio, loop_birth_fraction=birth_fraction, gap_fraction=gap,
        is_closed=bool(ratio <= max_second_ratio and birth_fraction <= max_birth_fraction),
    )


@dataclass(frozen=True)
class OrderedNeighbours:
    """Whether states ordered by a circular variable are neighbours all the way round.

    Attributes:
        ranks: (K,) neighbour rank of each consecutive pair (k, k+1 mod K), the smaller of the
            two directions (1 = nearest); the last entry is the wrap-around.
        steps: (K,) distances of those pairs (state units).
        fraction_ordered_neighbours: fraction of pairs with rank ≤ max_rank.
        worst_neighbour_rank, wrap_neighbour_rank: the largest rank, the wrap-around's.
        max_step_ratio, wrap_step_ratio: the largest step and the wrap-around step / the median.
        is_closed: every pair, the wrap-around included, has rank ≤ max_rank.
    """

    ranks: np.ndarray
    steps: np.ndarray
    fraction_ordered_neighbours: float
    worst_neighbour_rank: float
    wrap_neighbour_rank: float
    max_step_ratio: float
    wrap_step_ratio: float
    is_closed: bool

    def summary(self) -> dict[str, float]:
        values = asdict(self)
        del values["ranks"], values["steps"]
        return {k: float(v) for k, v in values.items()}


def ordered_neighbours(states: np.ndarray, angles: np.ndarray,
                       max_rank: int = NEIGHBOUR_MAX_RANK) -> OrderedNeighbours:
    """States (K, N), one per value of a circular variable ``angles`` (K,) (rad), sorted by
    angle and checked pair by pair round the circle (module docstring). Needs K ≥ 3 distinct
    angles; fewer give NaN statistics and ``is_closed`` False."""
    states = np.asarray(states, dtype=np.float64)
    angles = np.mod(np.asarray(angles, dtype=np.float64), 2 * np.pi)
    nan = float("nan")
    if len(states) < 3:
        return OrderedNeighbours(np.zeros(0), np.zeros(0), nan, nan, nan, nan, nan, False)
    ordered = states[np.argsort(angles, kind="stable")]
    distance = np.linalg.norm(ordered[:, None, :] - ordered[None, :, :], axis=-1)  # (K, K)
    np.fill_diagonal(distance, np.inf)
    # rank[i, j]: 1 + number of states closer to i than j is.
    rank = 1 + (distance[:, None, :] < distance[:, :, None]).sum(axis=-1)
    following = (np.arange(len(ordered)) + 1) % len(ordered)
    index = np.arange(len(ordered))
    pair_rank = np.minimum(rank[index, following], rank[following, index]).astype(np.float64)
    steps = distance[index, following]
    median = float(np.median(steps))
    return OrderedNeighbours(
        ranks=pair_rank,
        steps=steps,
        fraction_ordered_neighbours=float(np.mean(pair_rank <= max_rank)),
        worst_neighbour_rank=float(pair_rank.max()),
        wrap_neighbour_rank=float(pair_rank[-1]),
        max_step_ratio=float(steps.max() / median) if median > 0 else nan,
        wrap_step_ratio=float(steps[-1] / median) if median > 0 else nan,
        is_closed=bool(np.all(pair_rank <= max_rank)),
    )
