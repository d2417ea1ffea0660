"""The zoo tasks' training batches: ``sample`` (condition rows as arrays, ``ConditionRows``)
against the same batch built from a DataFrame of the drawn rows (``sample_conditions``, the
path every batch took before), side by side.

Per task of the default config's zoo (its task settings), ms of CPU per batch of 32 trials,
the two paths interleaved over ``--rounds`` rounds of ``--batches`` batches, the best round
kept. Both give the same batch (``tests/test_zoo_tasks.py``). A training update of the zoo's
64-unit networks costs ≈ 15–20 ms, so the difference is a share of every zoo training job.
Prints the load average at the start and the end; the numbers depend on the machine.

Usage: python benchmarks/zoo_sampling.py [--rounds 3] [--batches 200]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from rnnlab.studies.ctrnn_zoo.tasks import build_task  # noqa: E402

BATCH = 32


def default_tasks() -> dict:
    """The zoo runs' tasks as config/config.yaml sets them."""
    section = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())["studies"]["ctrnn_zoo"]
    common = section["training_defaults"]["task"]
    return {run: build_task({**common, **spec["task"]}) for run, spec in section["runs"].items()}


def frame_path(task, rng: np.random.Generator):
    """The batch from a DataFrame of drawn rows (the rows drawn as ``sample`` draws them)."""
    if getattr(task, "continuous_angles", False):
        rows = pd.DataFrame({"angle": rng.uniform(0.0, 2.0 * np.pi, size=BATCH)})
    else:
        table = task.condition_table()
        rows = table.iloc[rng.integers(len(table), size=BATCH)].reset_index(drop=True)
    return task.sample_conditions(rows, rng)


def milliseconds(build, task, batches: int) -> float:
    rng = np.random.default_rng(0)
    started = time.process_time()
    for _ in range(batches):
        build(task, rng)
    return (time.process_time() - started) / batches * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batches", type=int, default=200)
    arguments = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    paths = {"arrays": lambda task, rng: task.sample(rng, BATCH), "DataFrame": frame_path}
    print(f"{'task':22s} {'DataFrame':>10s} {'arrays':>8s} {'ratio':>6s}  ms per batch of {BATCH}")
    for run, task in default_tasks().items():
        best = {name: float("inf") for name in paths}
        for name, build in paths.items():
            build(task, np.random.default_rng(1))  # caches and lazy imports outside the timing
        for _ in range(arguments.rounds):
            for name, build in paths.items():
                best[name] = min(best[name], milliseconds(build, task, arguments.batches))
        ratio = best["DataFrame"] / best["arrays"]
        print(f"{run:22s} {best['DataFrame']:10.2f} {best['arrays']:8.2f} {ratio:6.1f}")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
