"""Wall time of a DAG of jobs on N cores, each job on one core.

Two numbers bracket what a scheduler can do: the lower bound max(total work / N, the longest
chain of dependent jobs), which no schedule beats, and a list schedule – whenever a core is
free it takes, among the jobs whose inputs are done, the one with the longest chain of work
still ahead of it (its "bottom level") – a schedule that exists, so the DAG can finish by then.
Snakemake's own scheduler picks jobs differently; a cluster adds queueing, which none of this
knows.

Jobs are ids; ``durations`` maps each to seconds and ``dependencies`` each to the ids it needs.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence


def dependents(dependencies: Mapping[int, Sequence[int]]) -> dict[int, list[int]]:
    """For each job, the jobs that need it."""
    found: dict[int, list[int]] = {job: [] for job in dependencies}
    for job, needed in dependencies.items():
        for other in needed:
            found[other].append(job)
    return found


def topological_order(dependencies: Mapping[int, Sequence[int]]) -> list[int]:
    """Every job after the jobs it needs.

    Raises:
        ValueError: the dependencies have a cycle.
    """
    waiting = {job: len(needed) for job, needed in dependencies.items()}
    after = dependents(dependencies)
    order = [job for job, count in waiting.items() if count == 0]
    for job in order:  # grows while it is walked
        for other in after[job]:
            waiting[other] -= 1
            if waiting[other] == 0:
                order.append(other)
    if len(order) != len(waiting):
        raise ValueError("the dependencies have a cycle")
    return order


def bottom_levels(durations: Mapping[int, float],
                  dependencies: Mapping[int, Sequence[int]]) -> dict[int, float]:
    """For each job, the seconds of the longest chain from its start to the end of the DAG."""
    after = dependents(dependencies)
    levels: dict[int, float] = {}
    for job in reversed(topological_order(dependencies)):
        levels[job] = durations[job] + max((levels[other] for other in after[job]), default=0.0)
    return levels


def critical_path(durations: Mapping[int, float],
                  dependencies: Mapping[int, Sequence[int]]) -> tuple[float, list[int]]:
    """(seconds, jobs) of the longest chain of dependent jobs: no number of cores finishes the
    DAG sooner."""
    if not durations:
        return 0.0, []
    levels = bottom_levels(durations, dependencies)
    after = dependents(dependencies)
    job = max((job for job, needed in dependencies.items() if not needed), key=levels.get)
    chain = [job]
    while after[job]:
        job = max(after[job], key=levels.get)
        chain.append(job)
    return levels[chain[0]], chain


def lower_bound(durations: Mapping[int, float], dependencies: Mapping[int, Sequence[int]],
                cores: int) -> float:
    """Seconds no schedule on ``cores`` cores beats: max(total / cores, the longest chain)."""
    return max(sum(durations.values()) / cores, critical_path(durations, dependencies)[0])


def list_schedule(durations: Mapping[int, float], dependencies: Mapping[int, Sequence[int]],
                  cores: int) -> float:
    """Seconds until the last job ends when ``cores`` cores each take, whenever free, the ready
    job with the longest chain ahead (ties: the lower id)."""
    if cores < 1:
        raise ValueError(f"cores must be ≥ 1, got {cores}")
    levels = bottom_levels(durations, dependencies)
    after = dependents(dependencies)
    waiting = {job: len(needed) for job, needed in dependencies.items()}
    ready = [(-levels[job], job) for job, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    running: list[tuple[float, int]] = []  # (end, job)
    now = 0.0
    while ready or running:
        while ready and len(running) < cores:
            _, job = heapq.heappop(ready)
            heapq.heappush(running, (now + durations[job], job))
        now, job = heapq.heappop(running)
        for other in after[job]:
            waiting[other] -= 1
            if waiting[other] == 0:
                heapq.heappush(ready, (-levels[other], other))
    return now
