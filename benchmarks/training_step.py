"""Training-step throughput: the fused recurrence (LeakyRNN.forward) against eager loops.

Implementations compared (same model, same parameters, same inputs):

- engine:        LeakyRNN.forward, the fused recurrence of rnnlab.models.recurrence;
- naive:         LeakyRNN.forward_reference, the previous Python loop (indexes drive[:, t],
                 whose backward materialises a full-size zero gradient for every step);
- naive-unbind:  the same loop over drive.unbind(1), a stronger eager baseline.

A training step is forward, a mean-squared loss on the outputs, backward and an SGD update.
"trial-steps/s" counts B·T network steps per second. "% GEMM" is the recurrent work of a step,
6·B·T·N² flops (forward W h, backward Wᵀ δ, and ∂L/∂W), over the time a step took, relative
to the rate of the per-step product (B, N) × (N, N) measured in the same run; "all" adds the
input and output projections (4·B·T·N·I + 6·B·T·N·O flops, I = O = 33).

Sections:
  single   one thread, in this process, timed in process CPU time (robust to other load on
           the machine); implementations interleaved round by round, best round kept (a
           baseline whose first step takes over 5 s is timed on that step only).
  packing  whole-machine throughput in wall time: two single-thread engine processes side
           by side against one process with two threads (engine, naive, naive-unbind).

Usage: python benchmarks/training_step.py [--sections single,packing] [--shapes 128x100x64,...]
       [--nonlinearities softplus,tanh] [--seconds 6]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import time

import torch

from rnnlab.models import LeakyRNN, ModelConfig

SHAPES = [(128, 100, 64), (256, 150, 256), (500, 700, 32)]  # (N, T, B)
N_INPUTS = N_OUTPUTS = 33  # Mod-Cog sized input and output
IMPLEMENTATIONS = ["engine", "naive", "naive-unbind"]
ROUNDS = 3
CPU_BUDGET_S = 20.0  # an implementation stops being re-timed once it has used this much
SLOW_STEP_S = 5.0  # a first step slower than this is its only measurement (no warm-up)


# ---------------------------------------------------------------------------------------------
# One training step


def unbind_forward(model: LeakyRNN, inputs: torch.Tensor):
    """The plain loop over drive.unbind(1). inputs (B, T, I) → outputs (B, T, O), states."""
    drive = inputs @ model.weight_input.T + model.bias
    state = inputs.new_zeros(inputs.shape[0], model.hidden_size)
    alpha, phi = model.alpha, model.nonlinearity.function
    states = []
    for drive_t in drive.unbind(1):
        state = (1 - alpha) * state + alpha * phi(drive_t + state @ model.weight_recurrent.T)
        states.append(state)
    states_tensor = torch.stack(states, dim=1)
    return model.readout(states_tensor), states_tensor


def make_problem(n_units: int, n_steps: int, batch_size: int, nonlinearity: str):
    """A default-configured model, random inputs (B, T, I) and an SGD optimiser."""
    torch.manual_seed(0)
    config = ModelConfig(input_size=N_INPUTS, output_size=N_OUTPUTS, hidden_size=n_units,
                         nonlinearity=nonlinearity, leak=0.2)
    model = LeakyRNN(config)
    inputs = torch.randn(batch_size, n_steps, N_INPUTS)
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-4)
    return model, inputs, optimizer


def runner(model: LeakyRNN, implementation: str):
    if implementation == "engine":
        return model.forward
    if implementation == "naive":
        return model.forward_reference
    if implementation == "naive-unbind":
        return lambda inputs: unbind_forward(model, inputs)
    raise ValueError(implementation)


def training_step(run, inputs: torch.Tensor, optimizer: torch.optim.Optimizer) -> None:
    outputs, _ = run(inputs)
    loss = outputs.square().mean()
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()


# ---------------------------------------------------------------------------------------------
# Single thread


def gemm_rate(n_units: int, n_steps: int, batch_size: int, repeats: int = 5) -> float:
    """flop/s of T back-to-back (B, N) × (N, N) products, best of ``repeats`` (CPU time)."""
    generator = torch.Generator().manual_seed(0)
    state = torch.randn(batch_size, n_units, generator=generator)
    weight_t = torch.randn(n_units, n_units, generator=generator).t()
    out = torch.empty(batch_size, n_units)
    best = float("inf")
    for _ in range(repeats + 1):
        start = time.process_time()
        for _ in range(n_steps):
            torch.mm(state, weight_t, out=out)
        best = min(best, time.process_time() - start)
    return 2.0 * batch_size * n_units * n_units * n_steps / best


def time_implementations(n_units: int, n_steps: int, batch_size: int, nonlinearity: str
                         ) -> dict[str, float]:
    """Best CPU seconds per training step of each implementation, interleaved by rounds."""
    model, inputs, optimizer = make_problem(n_units, n_steps, batch_size, nonlinearity)
    runs = {name: runner(model, name) for name in IMPLEMENTATIONS}
    best = {name: float("inf") for name in IMPLEMENTATIONS}
    used = {name: 0.0 for name in IMPLEMENTATIONS}
    for name, run in runs.items():  # warm-up: first-touch allocations, lazy initialisation
        start = time.process_time()
        training_step(run, inputs, optimizer)
        elapsed = time.process_time() - start
        if elapsed > SLOW_STEP_S:  # so slow that warming up changes nothing: keep it
            best[name], used[name] = elapsed, math.inf
    for _ in range(ROUNDS):
        for name, run in runs.items():
            if used[name] > CPU_BUDGET_S:
                continue
            start = time.process_time()
            training_step(run, inputs, optimizer)
            elapsed = time.process_time() - start
            best[name] = min(best[name], elapsed)
            used[name] += elapsed
    return best


def single_thread_section(shapes, nonlinearities) -> None:
    torch.set_num_threads(1)
    print("\n== Training step, one thread (process CPU time, best of "
          f"{ROUNDS} interleaved rounds; slow baselines stop after {CPU_BUDGET_S:.0f} s) ==")
    header = (f"{'nonlin':8} {'N,T,B':>12} {'GEMM GF/s':>9} | {'engine ms':>9} {'%GEMM':>5} "
              f"{'all':>4} {'kstep/s':>7} | {'naive ms':>9} {'%GEMM':>5} | {'unbind ms':>9} "
              f"{'%GEMM':>5} | "
              f"{'x naive':>7} {'x unbind':>8}")
    print(header)
    print("-" * len(header))
    for nonlinearity in nonlinearities:
        for n_units, n_steps, batch_size in shapes:
            rate = gemm_rate(n_units, n_steps, batch_size)
            best = time_implementations(n_units, n_steps, batch_size, nonlinearity)
            flops = 6.0 * batch_size * n_steps * n_units**2
            projections = batch_size * n_steps * n_units * (4.0 * N_INPUTS + 6.0 * N_OUTPUTS)

            def percent(name, work=flops):
                return 100.0 * work / best[name] / rate

            print(f"{nonlinearity:8} {f'{n_units},{n_steps},{batch_size}':>12} {rate / 1e9:9.1f} | "
                  f"{best['engine'] * 1e3:9.1f} {percent('engine'):5.0f} "
                  f"{percent('engine', flops + projections):4.0f} "
                  f"{batch_size * n_steps / best['engine'] / 1e3:7.1f} | "
                  f"{best['naive'] * 1e3:9.1f} {percent('naive'):5.0f} | "
                  f"{best['naive-unbind'] * 1e3:9.1f} {percent('naive-unbind'):5.0f} | "
                  f"{best['naive'] / best['engine']:7.2f} "
                  f"{best['naive-unbind'] / best['engine']:8.2f}", flush=True)
    print("kstep/s = thousand trial-steps per second; x naive = naive time / engine time")


# ---------------------------------------------------------------------------------------------
# Job packing (subprocesses)


def worker(implementation: str, n_units: int, n_steps: int, batch_size: int, threads: int,
           seconds: float, nonlinearity: str) -> None:
    """Warm up, say "ready", wait for a line on stdin, then train for ``seconds`` (at least one
    step) and print {"trial_steps": ..., "wall": ...} as JSON."""
    torch.set_num_threads(threads)
    model, inputs, optimizer = make_problem(n_units, n_steps, batch_size, nonlinearity)
    run = runner(model, implementation)
    if implementation != "naive":  # the naive loop's steps take long enough without
        training_step(run, inputs, optimizer)
    print("ready", flush=True)
    sys.stdin.readline()
    start = time.perf_counter()
    steps = 0
    while steps == 0 or time.perf_counter() - start < seconds:
        training_step(run, inputs, optimizer)
        steps += 1
    wall = time.perf_counter() - start
    print(json.dumps({"trial_steps": steps * batch_size * n_steps, "wall": wall}), flush=True)


def run_together(jobs: list[tuple[str, int]], shape, seconds: float, nonlinearity: str) -> float:
    """Start one worker per (implementation, threads), release them at once; trial-steps/s of
    the whole machine (the sum of the workers' rates)."""
    n_units, n_steps, batch_size = shape
    processes = []
    for implementation, threads in jobs:
        env = dict(os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
        command = [sys.executable, __file__, "--worker", implementation, str(n_units),
                   str(n_steps), str(batch_size), str(threads), str(seconds), nonlinearity]
        processes.append(subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                          text=True, env=env))
    for process in processes:
        if process.stdout.readline().strip() != "ready":
            raise RuntimeError("a benchmark worker failed to start")
    for process in processes:
        process.stdin.write("go\n")
        process.stdin.flush()
    total = 0.0
    for process in processes:
        result = json.loads(process.stdout.readline())
        process.wait()
        total += result["trial_steps"] / result["wall"]
    return total


def packing_section(shapes, nonlinearity: str, seconds: float) -> None:
    print(f"\n== Whole machine (2 cores), wall time, {nonlinearity}, ~{seconds:.0f} s per "
          "configuration ==")
    header = (f"{'N,T,B':>12} | {'engine 2x1thr':>13} {'engine 1x2thr':>13} "
              f"{'naive 1x2thr':>12} {'unbind 1x2thr':>13} | {'x naive':>7} {'x unbind':>8} "
              f"{'x engine 1x2':>12}")
    print(header + "   (kilo trial-steps/s)")
    print("-" * len(header))
    for shape in shapes:
        packed = run_together([("engine", 1), ("engine", 1)], shape, seconds, nonlinearity)
        threaded = run_together([("engine", 2)], shape, seconds, nonlinearity)
        naive = run_together([("naive", 2)], shape, seconds, nonlinearity)
        unbind = run_together([("naive-unbind", 2)], shape, seconds, nonlinearity)
        print(f"{','.join(map(str, shape)):>12} | {packed / 1e3:13.1f} {threaded / 1e3:13.1f} "
              f"{naive / 1e3:12.1f} {unbind / 1e3:13.1f} | {packed / naive:7.2f} "
              f"{packed / unbind:8.2f} {packed / threaded:12.2f}", flush=True)
    print("x naive = two single-thread engine processes / the naive loop as one 2-thread process")


# ---------------------------------------------------------------------------------------------


def machine_line() -> str:
    load = os.getloadavg()
    return (f"torch {torch.__version__}, {os.cpu_count()} CPUs ({platform.processor() or '?'}), "
            f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")


def parse_shapes(text: str) -> list[tuple[int, int, int]]:
    return [tuple(int(v) for v in item.split("x")) for item in text.split(",")]


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        implementation, *numbers, seconds, nonlinearity = sys.argv[2:]
        n_units, n_steps, batch_size, threads = map(int, numbers)
        worker(implementation, n_units, n_steps, batch_size, threads, float(seconds),
               nonlinearity)
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sections", default="single,packing")
    parser.add_argument("--shapes", default=",".join("x".join(map(str, s)) for s in SHAPES),
                        help="NxTxB,...")
    parser.add_argument("--nonlinearities", default="softplus,tanh",
                        help="single-thread section; packing uses the first")
    parser.add_argument("--seconds", type=float, default=6.0, help="per packing configuration")
    args = parser.parse_args()
    shapes = parse_shapes(args.shapes)
    nonlinearities = args.nonlinearities.split(",")
    sections = args.sections.split(",")
    print("Training-step benchmark:", machine_line())
    if "single" in sections:
        single_thread_section(shapes, nonlinearities)
    if "packing" in sections:
        packing_section(shapes, nonlinearities[0], args.seconds)
    print("\nfinished:", machine_line())


if __name__ == "__main__":
    main()
