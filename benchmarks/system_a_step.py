"""System A's training step on the engine's current-based form, side by side with the generic
leaky engine and with plain autograd loops, at the thesis's shape.

One training step: forward on a batch of the task's trials, the thesis's per-trial masked MSE,
backward and an Adam update. Implementations (same shape (N, T, B), one input, one output):

- system_a:           SystemANetwork.forward: rnnlab.models.current_recurrence, φ before the
                      recurrent product, G frozen (its (N, N) weight gradient never computed),
                      Adam on I and w;
- leaky_engine:       LeakyRNN (tanh, no Dale, α = dt/τ) on rnnlab.models.recurrence, every
                      weight trained (the issue's "plain leaky tanh network of the same shape");
- leaky_engine_fixed: the same with W_rec and the bias untrained (input and readout only);
- system_a_loop:      SystemANetwork.forward_reference: System A as a plain Python loop over
                      the steps, differentiated by autograd (vectorised loss);
- thesis_loop:        the thesis's own structure, rewritten: a loop indexing input[:, t] and
                      writing each output into a preallocated (B, T, 1) tensor, and its loss
                      mask built by a Python loop over trials and steps (``mse_loss1``).

Timing: one thread, process CPU time (robust to other load on the machine), a warm-up step
then the best of ``--steps`` steps per implementation (the autograd loops: their first step
only, when it takes over 5 s). Also prints each implementation's peak resident memory growth.

Usage: python benchmarks/system_a_step.py [--shapes 500x7000x32] [--steps 3]
       [--implementations system_a,leaky_engine,...]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time

import numpy as np
import torch

from rnnlab.models import LeakyRNN, ModelConfig
from rnnlab.studies.system_a.evaluation import trial_mse
from rnnlab.studies.system_a.model import SystemAConfig, SystemANetwork
from rnnlab.studies.system_a.tasks import PulseDurationTask

IMPLEMENTATIONS = ["system_a", "leaky_engine", "leaky_engine_fixed", "system_a_loop",
                   "thesis_loop"]
SLOW_STEP_S = 5.0
TAU_MS = 100.0


def problem(n_units: int, n_steps: int, batch_size: int):
    """The task at dt = 7000 ms / T (its times rounded to that grid) and one batch of its
    trials: inputs (B, T, 1), targets (B, T, 1), loss masks (B, T)."""
    dt = 7000.0 / n_steps

    def grid(ms: float) -> float:
        return round(ms / dt) * dt

    task = PulseDurationTask(dt_ms=dt, trial_ms=n_steps * dt, onset_ms=grid(3000.0),
                             onset_jitter_ms=grid(1000.0), duration_mean_ms=grid(150.0),
                             duration_jitter_ms=grid(100.0), cost_onset_ms=grid(4500.0),
                             pulse_end_inclusive=dt == 1.0, precision_durations_ms=(),
                             precision_onset_ms=grid(3000.0))
    batch = task.sample(np.random.default_rng(0), batch_size)
    tensors = (torch.from_numpy(batch.inputs), torch.from_numpy(batch.targets),
               torch.from_numpy(batch.loss_mask))
    return task, tensors


def thesis_forward(model: SystemANetwork, inputs: torch.Tensor) -> torch.Tensor:
    """The thesis's loop structure: index the input per step, write each output in place."""
    batch_size, n_steps, _ = inputs.shape
    h = model.initial_state
    r = torch.tanh(h)
    output = torch.zeros(batch_size, n_steps, 1)
    alpha, gain = model.config.alpha, model.config.gain
    for t in range(n_steps):
        h = h + alpha * (-h + gain * r.matmul(model.connectivity.t())
                         + inputs[:, t, :].matmul(model.input_weights.t()))
        r = torch.tanh(h)
        output[:, t, :] = r.matmul(model.output_weights)
    return output


def thesis_loss(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """``mse_loss1``'s structure: the mask built element by element in Python."""
    batch_size, n_steps, _ = outputs.shape
    mask = np.zeros((batch_size, n_steps, 1), dtype="intp")
    for trial in range(batch_size):
        for t in range(n_steps):
            if targets[trial, t, :] != -1.0:
                mask[trial, t, :] = 1
    mask = torch.from_numpy(mask)
    per_step = (mask * (targets - outputs)).pow(2).mean(dim=-1)
    return (per_step.sum(dim=-1) / mask[:, :, 0].sum(dim=-1)).mean()


def make_step(name: str, n_units: int, task, tensors):
    inputs, targets, masks = tensors
    if name.startswith("leaky"):
        trainable = ("input", "recurrent", "bias", "output") if name == "leaky_engine" else (
            "input", "output")
        config = ModelConfig(input_size=1, output_size=1, hidden_size=n_units,
                             nonlinearity="tanh", leak=task.dt_ms / TAU_MS, dale=False,
                             spectral_scaling="spectral_radius", spectral_value=1.5,
                             trainable=trainable)
        torch.manual_seed(0)
        model = LeakyRNN(config)

        def forward():
            return model(inputs)[0]
    else:
        model = SystemANetwork(SystemAConfig(hidden_size=n_units, dt_ms=task.dt_ms), seed=1)
        if name == "system_a":
            def forward():
                return model(inputs, return_states=False)[0]
        elif name == "system_a_loop":
            def forward():
                return model.forward_reference(inputs)[0]
        else:
            # The thesis marks unscored steps with target −1.
            thesis_targets = torch.where(masks[..., None], targets, torch.full_like(targets, -1))

            def forward():
                return thesis_forward(model, inputs)
    parameters = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(parameters, lr=1e-3)

    def step():
        outputs = forward()
        if name == "thesis_loop":
            loss = thesis_loss(outputs, thesis_targets)
        else:
            loss = trial_mse(outputs, targets, masks)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    return step


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def time_one(name: str, shape, steps: int) -> tuple[float, int, float]:
    """(best CPU seconds per step, steps timed, peak RSS MB) of one implementation, in a fresh
    process so that the memory of the others is not counted."""
    import json
    import subprocess

    command = [sys.executable, __file__, "--worker", name, "x".join(map(str, shape)), str(steps)]
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    values = json.loads(result.stdout.strip().splitlines()[-1])
    return values["seconds"], values["steps"], values["peak_rss_mb"]


def worker(name: str, shape_text: str, steps: int) -> None:
    import json

    torch.set_num_threads(1)
    n_units, n_steps, batch_size = (int(v) for v in shape_text.split("x"))
    task, tensors = problem(n_units, n_steps, batch_size)
    step = make_step(name, n_units, task, tensors)
    start = time.process_time()
    step()  # warm-up: buffers, lazy initialisation
    first = time.process_time() - start
    # Only the autograd loops may be timed on their (slow) first step alone: the engines' first
    # step also maps and zeroes their pooled buffers, which later steps reuse.
    slow = first > SLOW_STEP_S and name.endswith("_loop")
    times = [first] if slow else []
    while len(times) < (1 if slow else steps):
        start = time.process_time()
        step()
        times.append(time.process_time() - start)
    print(json.dumps(dict(seconds=min(times), steps=len(times), peak_rss_mb=peak_rss_mb())))


def machine_line() -> str:
    load = os.getloadavg()
    return (f"torch {torch.__version__}, {os.cpu_count()} CPUs ({platform.processor() or '?'}), "
            f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shapes", default="500x7000x32", help="NxTxB,...")
    parser.add_argument("--steps", type=int, default=3, help="timed steps after a warm-up")
    parser.add_argument("--implementations", default=",".join(IMPLEMENTATIONS))
    args = parser.parse_args()
    print("System A training step:", machine_line())
    print("one thread, process CPU seconds per step (best of the timed steps, after a warm-up "
          "step); each implementation in a fresh process")
    header = f"{'N,T,B':>12} {'implementation':>19} {'s/step':>8} {'timed':>5} {'peak MB':>8} " \
             f"{'x system_a':>10}"
    print(header)
    print("-" * len(header))
    for shape in [tuple(int(v) for v in s.split("x")) for s in args.shapes.split(",")]:
        reference = None
        for name in args.implementations.split(","):
            seconds, timed, peak = time_one(name, shape, args.steps)
            reference = seconds if name == "system_a" else reference
            ratio = f"{seconds / reference:10.2f}" if reference else f"{'':>10}"
            print(f"{','.join(map(str, shape)):>12} {name:>19} {seconds:8.3f} {timed:5d} "
                  f"{peak:8.0f} {ratio}", flush=True)
    print("finished:", machine_line())


if __name__ == "__main__":
    main()
