"""Wall time of the whole workflow from scratch, and of a no-op rerun (`snakemake -n` with every
output up to date), on a copy of the workflow in a temporary directory.

    .venv/bin/python benchmarks/pipeline.py               # default config (minutes)
    .venv/bin/python benchmarks/pipeline.py --shape-only  # default DAG, tiny networks
    .venv/bin/python benchmarks/pipeline.py --shape-only --seeds-per-job 3

``--seeds-per-job K`` instead times the training stage alone (every network trained, nothing
else), from scratch, once with one seed per job and once with K seeds per job
(``training_jobs.seeds_per_job``), side by side in fresh copies.

``--shape-only`` keeps the default config's DAG (every study, run, seed and figure: the same
jobs and files, which is what a no-op rerun's time depends on) but trains and analyses tiny
networks (config/test.yaml's sizes), so the no-op time is measured in a few minutes.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DAG_KEYS = ("seeds", "runs", "inhibitory_fractions", "example_inhibitory_fraction")

sys.path.insert(0, str(ROOT / "tests"))
from test_workflow import copy_workflow  # noqa: E402  (the tests' copy of the workflow)


def shape_config(destination: Path) -> list[str]:
    """config/test.yaml without the keys that shape the DAG, merged over the default config."""
    sizes = yaml.safe_load((ROOT / "config" / "test.yaml").read_text())

    def strip(node):
        if isinstance(node, dict):
            for key in DAG_KEYS:
                node.pop(key, None)
            for value in node.values():
                strip(value)

    strip(sizes)
    (destination / "shape.yaml").write_text(yaml.safe_dump(sizes))
    return ["--configfile", "shape.yaml"]


def snakemake(directory: Path, *arguments: str) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run(
        [str(BIN / "snakemake"), *arguments], cwd=directory, capture_output=True, text=True,
        env={**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"},
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"snakemake {' '.join(arguments)} failed:\n{result.stderr[-3000:]}")
    return elapsed, result.stdout + result.stderr


def training_stage(options, extra_for) -> None:
    """Wall time of training every network, 1 vs K seeds per job, each in a fresh copy."""
    times = {}
    for seeds_per_job, last_rule in ((1, "train"), (options.seeds_per_job, "copy_trained_seed")):
        with tempfile.TemporaryDirectory() as temporary:
            directory = copy_workflow(Path(temporary) / "workflow")
            (directory / "jobs.yaml").write_text(
                yaml.safe_dump({"training_jobs": {"seeds_per_job": seeds_per_job}}))
            extra = extra_for(directory) + ["jobs.yaml"]
            elapsed, log = snakemake(directory, "--cores", str(options.cores), "--until",
                                     last_rule, *extra)
            counts = dict(re.findall(r"^(train\w*)\s+(\d+)$", log, re.M))
            times[seeds_per_job] = elapsed
            print(f"training stage, {seeds_per_job} seed(s) per job: {elapsed:.1f} s "
                  f"(training jobs: {counts})", flush=True)
    one, grouped = times[1], times[options.seeds_per_job]
    print(f"ratio 1 seed per job / {options.seeds_per_job} seeds per job: {one / grouped:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shape-only", action="store_true",
                        help="default DAG with tiny networks (measures the no-op rerun quickly)")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5, help="no-op reruns timed")
    parser.add_argument("--seeds-per-job", type=int, default=0,
                        help="time the training stage with 1 vs this many seeds per job instead")
    options = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    if options.seeds_per_job > 1:
        training_stage(options, shape_config if options.shape_only else lambda directory: [
            "--configfile", "config/config.yaml"])
        print(f"load average at end: {os.getloadavg()[0]:.2f}")
        return
    with tempfile.TemporaryDirectory() as temporary:
        directory = copy_workflow(Path(temporary) / "workflow")
        extra = shape_config(directory) if options.shape_only else []
        scratch, log = snakemake(directory, "--cores", str(options.cores), *extra)
        jobs = re.findall(r"(\d+) of (\d+) steps \(100%\) done", log)
        label = "default DAG, tiny networks" if options.shape_only else "default config"
        print(f"from scratch ({label}, --cores {options.cores}): {scratch:.1f} s, "
              f"{jobs[-1][1] if jobs else '?'} jobs")
        noop = []
        for _ in range(options.repeats):
            elapsed, log = snakemake(directory, "-n", *extra)
            assert "Nothing to be done" in log, log[-2000:]
            noop.append(elapsed)
        print(f"no-op `snakemake -n`: best {min(noop):.2f} s, median "
              f"{sorted(noop)[len(noop) // 2]:.2f} s over {len(noop)} runs")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
