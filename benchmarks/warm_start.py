"""What does the finder's warm start buy? Per initial state: which root it ends at and how far.

For each network the finder's stages are run with several warm starts (Adam for 300 / 50 / 0
steps), from the same initial states, and per initial state we record the final point and q.
Final points below CONVERGED_Q are matched to a catalogue of the unique roots found by any of
the variants (merged within 1e-3). Reported per variant: CPU time, converged fraction, unique
roots, the distance initial → final (median / 90th percentile / max), how many states end at a
different root than with the 300-step warm start, and how many end at a root farther from
their initial state than the nearest root of the catalogue ("jumped": the concern that Newton
from far away lands in another root's basin).

Networks: (a) and (b) of benchmarks/fixed_points.py (N = 256, 1024 states), and (t) an
untrained leaky tanh RNN of the project (dlygo task, N = 128, spectral radius 1.3, the tests'
kind of network) searched as ``analyse_fixed_points`` does (256 states visited on trials).

Usage: python benchmarks/warm_start.py
"""

from __future__ import annotations

import math
import os
import sys
import time
from pathlib import Path

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fixed_points as bench  # noqa: E402

from rnnlab.analysis.fixed_points import FixedPointSettings  # noqa: E402
from rnnlab.analysis.fixed_points.batched import ShiftedJacobian, as_batch  # noqa: E402
from rnnlab.analysis.fixed_points.finder import refine  # noqa: E402
from rnnlab.analysis.fixed_points.warm_start import adam_warm_start  # noqa: E402

VARIANTS = (300, 50, 0)


def final_states(step, jacobian, initial: np.ndarray, inputs: np.ndarray, adam_steps: int):
    """Per initial state: the finder's final state (K, N), q (K,), CPU seconds."""
    settings = FixedPointSettings(adam_steps=adam_steps, converged_q=bench.CONVERGED_Q)
    states, inputs_2d = as_batch(initial, inputs)
    residual_jacobian = ShiftedJacobian(jacobian, -1.0)  # as find_fixed_points builds it

    def residual(h, u):
        return step(h, u) - h

    start = time.process_time()
    warm = (adam_warm_start(residual, residual_jacobian, states, inputs_2d, settings)
            if adam_steps else states.clone())
    h, q, _, _ = refine(residual, residual_jacobian, warm, inputs_2d, settings)
    return h.numpy(), q.numpy(), time.process_time() - start


def report(name: str, step, jacobian, initial: np.ndarray, inputs: np.ndarray) -> None:
    runs = {k: final_states(step, jacobian, initial, inputs, k) for k in VARIANTS}
    converged = np.concatenate([h[q < bench.CONVERGED_Q] for h, q, _ in runs.values()])
    catalogue = bench.unique_rows(converged)
    to_root = np.linalg.norm(initial[:, None] - catalogue[None], axis=-1)  # (K, R)
    nearest = to_root.min(axis=1)
    print(f"\n({name}) N = {initial.shape[1]}, {len(initial)} initial states, "
          f"{len(catalogue)} roots found by any variant")
    print(f"{'adam':>5} {'CPU s':>6} {'conv.':>6} {'roots':>5} {'dist med':>8} {'p90':>6} "
          f"{'max':>6} {'≠ root of 300':>13} {'jumped':>6} {'jump excess med/max':>20}")
    reference = None
    for steps, (h, q, seconds) in runs.items():
        ok = q < bench.CONVERGED_Q
        root = np.full(len(h), -1)
        if ok.any():
            distance = np.linalg.norm(h[ok][:, None] - catalogue[None], axis=-1)
            root[ok] = distance.argmin(axis=1)
        if reference is None:
            reference = root
        moved = np.linalg.norm(h - initial, axis=1)
        both = (root >= 0) & (reference >= 0)
        differs = int((root[both] != reference[both]).sum())
        excess = moved[ok] - nearest[ok]
        jumped = excess > bench.UNIQUE_TOLERANCE
        print(f"{steps:5d} {seconds:6.1f} {ok.mean():6.1%} {len(np.unique(root[ok])):5d} "
              f"{np.median(moved):8.3f} {np.percentile(moved, 90):6.3f} {moved.max():6.3f} "
              f"{differs:13d} {int(jumped.sum()):6d} "
              f"{np.median(excess[jumped]) if jumped.any() else 0:9.3f}/"
              f"{excess.max(initial=0):<9.3f}")


def tanh_rnn():
    from rnnlab.studies.ei_modcog.experiment import build_model, build_task

    torch.manual_seed(0)
    task = build_task({"name": "dlygo"})
    model = build_model({"hidden_size": 128, "leak": 0.6, "nonlinearity": "tanh",
                         "spectral_scaling": "spectral_radius", "spectral_value": 1.3,
                         "balance_inhibition": True}, task)
    model.requires_grad_(False)
    rng = np.random.default_rng(1)
    batch = task.sample(rng, 64)
    with torch.no_grad():
        _, states = model(torch.from_numpy(batch.inputs))
    visited = states.double().numpy()[batch.loss_mask]
    chosen = rng.choice(len(visited), size=256, replace=True)
    initial = visited[chosen] + 0.01 * rng.standard_normal((256, visited.shape[1]))
    model = model.double()
    inputs = task.fixed_point_inputs("go").astype(np.float64)
    return model.step, model.step_jacobian, initial, inputs


def main() -> None:
    torch.set_num_threads(1)
    print(f"Warm start: load average {os.getloadavg()[0]:.1f}; converged means "
          f"q < {bench.CONVERGED_Q:g}; 'jumped' = final point farther from its initial state "
          f"than the nearest known root (by > {bench.UNIQUE_TOLERANCE:g})")
    for name, build in [("a: random, g = 1.2", bench.random_network),
                        ("b: random + rank 3", bench.structured_network)]:
        rng = np.random.default_rng(0)
        network = build(256, rng)
        initial = bench.visited_states(network, 1024, rng)
        report(name, network.step, network.jacobian, initial, np.zeros(0))
    step, jacobian, initial, inputs = tanh_rnn()
    report("t: leaky tanh RNN, dlygo, N = 128, untrained, ρ = 1.3", step, jacobian, initial,
           inputs)


if __name__ == "__main__":
    main()
