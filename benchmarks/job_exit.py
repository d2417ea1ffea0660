"""A workflow job's end: the interpreter's normal teardown against ``script_setup.finish``
(flush the log, ``os._exit``), side by side.

Each measure is a fresh interpreter that imports one job kind's modules, does a little work
with them, and ends either way; its CPU seconds (user + system, from the child's rusage) are
summed per way over ``--rounds`` interleaved rounds and printed per process:
  torch     a stage job's stack: torch, rnnlab's model, Parquet tables (most jobs of the DAG);
  figure    a figure job's stack: pandas, pyarrow, matplotlib (a figure drawn and saved).
Prints the load average at the start and the end; the numbers depend on the machine.

Usage: python benchmarks/job_exit.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETUP = f"""
import sys
sys.path[:0] = [{str(ROOT / "workflow_scripts")!r}, {str(ROOT / "src")!r}]
from script_setup import finish
"""
STACKS = {
    "torch": """
import pandas as pd
import torch
from rnnlab.models.leaky_rnn import LeakyRNN, ModelConfig
model = LeakyRNN(ModelConfig(input_size=7, output_size=3, hidden_size=64))
outputs, states = model(torch.zeros(8, 20, 7))
pd.DataFrame({{"x": states.detach().numpy().ravel()}}).to_parquet({path!r})
""",
    "figure": """
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import pyarrow.parquet
figure, axis = plt.subplots(figsize=(3, 2))
axis.plot(pd.Series(range(100)).cumsum())
figure.savefig({path!r}, dpi=150, format="png")
""",
}


def process_seconds(stack: str, fast_exit: bool, path: str) -> float:
    code = SETUP + STACKS[stack].format(path=path) + ("finish()\n" if fast_exit else "")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-c", code], check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if not os.path.getsize(path):
        raise RuntimeError(f"{stack}: the job wrote nothing to {path}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    totals = {(stack, fast): 0.0 for stack in STACKS for fast in (False, True)}
    with tempfile.TemporaryDirectory() as directory:
        for _ in range(rounds):
            for stack in STACKS:
                for fast in (False, True):
                    path = os.path.join(directory, f"{stack}{int(fast)}.out")
                    totals[stack, fast] += process_seconds(stack, fast, path)
    print(f"{'job stack':10s} {'teardown':>10s} {'finish()':>10s} {'saved':>8s}  CPU-s per process")
    for stack in STACKS:
        normal, fast = totals[stack, False] / rounds, totals[stack, True] / rounds
        print(f"{stack:10s} {normal:10.2f} {fast:10.2f} {normal - fast:8.2f}")
    print(f"load average at end: {os.getloadavg()[0]:.2f}  ({rounds} rounds)")


if __name__ == "__main__":
    main()
