"""rnnlab's Adam (``rnnlab.training.eager_optim``) against ``torch.optim.Adam``, side by side.

Two measures, the implementations interleaved over ``--rounds`` rounds:
  process   CPU seconds of a fresh interpreter that imports torch, builds the optimiser on a
            64-unit LeakyRNN's parameters and makes one step (what a training job pays once:
            torch.optim imports torch._dynamo on first use);
  step      µs of CPU per Adam step on those parameters (gradients fixed), one thread,
            ``--steps`` steps per round, the best round kept.
Prints the load average at the start and the end; the numbers depend on the machine.

Usage: python benchmarks/optimizer.py [--rounds 3] [--steps 3000]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time

PROCESS = """
import torch
from rnnlab.models.leaky_rnn import LeakyRNN, ModelConfig
from rnnlab.training.eager_optim import Adam
model = LeakyRNN(ModelConfig(input_size=7, output_size=3, hidden_size=64))
optimizer = (torch.optim.Adam if {torch_adam} else Adam)(model.parameters(), lr=1e-3)
for p in model.parameters():
    p.grad = torch.ones_like(p)
optimizer.step()
"""


def process_seconds(torch_adam: bool) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-c", PROCESS.format(torch_adam=torch_adam)], check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def step_microseconds(torch_adam: bool, steps: int) -> float:
    import torch

    from rnnlab.models.leaky_rnn import LeakyRNN, ModelConfig
    from rnnlab.training.eager_optim import Adam

    torch.manual_seed(0)
    model = LeakyRNN(ModelConfig(input_size=7, output_size=3, hidden_size=64))
    optimizer = (torch.optim.Adam if torch_adam else Adam)(model.parameters(), lr=1e-3)
    for parameter in model.parameters():
        parameter.grad = torch.randn_like(parameter)
    optimizer.step()  # state and lazy imports outside the timing
    started = time.process_time()
    for _ in range(steps):
        optimizer.step()
    return (time.process_time() - started) / steps * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=3000)
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    print(f"load average at start: {os.getloadavg()}")
    process = {"torch.optim.Adam": [], "eager_optim.Adam": []}
    step = {"torch.optim.Adam": [], "eager_optim.Adam": []}
    for _ in range(args.rounds):
        for name, torch_adam in (("torch.optim.Adam", True), ("eager_optim.Adam", False)):
            process[name].append(process_seconds(torch_adam))
            step[name].append(step_microseconds(torch_adam, args.steps))
    print(f"{'optimiser':18s} {'process CPU s (min / rounds)':>30s} {'µs per step (best)':>20s}")
    for name in process:
        rounds = " ".join(f"{s:.2f}" for s in process[name])
        print(f"{name:18s} {min(process[name]):8.2f} ({rounds}) {min(step[name]):18.1f}")
    saved = min(process["torch.optim.Adam"]) - min(process["eager_optim.Adam"])
    ratio = min(step["torch.optim.Adam"]) / min(step["eager_optim.Adam"])
    print(f"per training process: {saved:.2f} CPU-s less; per step: torch / eager = {ratio:.2f}")
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
