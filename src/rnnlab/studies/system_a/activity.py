"""The activity the thesis's PCA is computed on: spontaneous activity (``I_partic_ratio``) and the
memory period of three pulse trials (``pca_trials``), simulated with the trained network.

Quirks of the thesis kept as settings (their defaults reproduce it):

* spontaneous activity starts from h_0 = 0.1·1 (``spontaneous_initial_state``) and, because the
  thesis builds it with its task generator at onset 0 and duration 0 whose pulse end is
  inclusive, receives one 1-ms pulse of the task's amplitude at t = 0
  (``spontaneous_pulse_ms``; at a coarser dt the same area, amplitude × 1 ms, in the first step);
* the memory trials start from h_0 = 0.1·1 too (``memory_initial_state``): the thesis's
  ``I_partic_ratio`` overwrites the network's h_0 before ``w_partic_ratio`` runs, whereas its
  training and precision trials start from 0.

Shapes: rates (T, N) float32 as the network computes them.
"""

from __future__ import annotations

import numpy as np
import torch

from rnnlab.studies.system_a.dimensionality import covariance
from rnnlab.studies.system_a.tasks import PulseDurationTask


def window_steps(task: PulseDurationTask, window_ms) -> slice:
    start, stop = window_ms
    return slice(task.steps(start, "window start"), task.steps(stop, "window end"))


def spontaneous_input(task: PulseDurationTask, duration_ms: float, pulse_ms: float) -> np.ndarray:
    """(1, T, 1): zero except a pulse of the task's amplitude lasting ``pulse_ms`` from t = 0,
    with the same area (amplitude × pulse_ms) when it is not a whole number of steps."""
    n_steps = task.steps(duration_ms, "spontaneous_ms")
    inputs = np.zeros((1, n_steps, 1), dtype=np.float32)
    whole, rest = divmod(pulse_ms / task.dt_ms, 1.0)
    inputs[0, : int(whole), 0] = task.amplitude
    if rest > 1e-9 and int(whole) < n_steps:
        inputs[0, int(whole), 0] = task.amplitude * rest
    return inputs


def spontaneous_rates(model, task: PulseDurationTask, duration_ms: float, pulse_ms: float,
                      initial_state: float) -> np.ndarray:
    """Firing rates (T, N) of spontaneous activity from h_0 = initial_state·1."""
    inputs = torch.from_numpy(spontaneous_input(task, duration_ms, pulse_ms))
    start = torch.full((model.hidden_size,), float(initial_state))
    _, rates = model.rates(inputs, start)
    return rates[0].numpy()


def memory_rates(model, task: PulseDurationTask, durations_ms, onset_ms: float, trial_ms: float,
                 initial_state: float) -> np.ndarray:
    """Firing rates (K, T, N) of one pulse trial per duration (onset fixed, pulse as the task's,
    h_0 = initial_state·1)."""
    durations = np.array([task.steps(d, "memory duration") for d in durations_ms])
    onset = np.full(len(durations), task.steps(onset_ms, "memory_onset_ms"))
    batch = task.trials(onset, durations, np.ones(len(durations), dtype=bool),
                        task.steps(trial_ms, "memory_trial_ms"))
    start = torch.full((model.hidden_size,), float(initial_state))
    _, rates = model.rates(torch.from_numpy(batch.inputs), start)
    return rates.numpy()


def spontaneous_covariance(rates: np.ndarray, window: slice) -> np.ndarray:
    """Covariance of the spontaneous rates over the window, normalised by n − 1 (thesis)."""
    return covariance(rates[window], ddof=1)


def memory_covariance(rates: np.ndarray, window: slice) -> np.ndarray:
    """Mean over trials of each trial's covariance over the window, normalised by n (thesis)."""
    return np.mean([covariance(trial[window], ddof=0) for trial in rates], axis=0)
