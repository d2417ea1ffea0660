"""Stage system_a_dimensionality: principal components of the final network's activity and the
participation ratios of I and w on them, every formula side by side
(``rnnlab.studies.system_a.dimensionality``), and the spectrum of g·G."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

import rnnlab.studies.system_a.tables  # noqa: F401  (registers the study's tables)
from rnnlab.checkpoints import list_checkpoints
from rnnlab.experiment import load_model
from rnnlab.stages.tagging import tag
from rnnlab.studies.system_a import activity
from rnnlab.studies.system_a.dimensionality import project


def dimensionality(
    checkpoints,
    spontaneous_ms: float,
    spontaneous_window_ms: list[float],
    spontaneous_initial_state: float,
    spontaneous_pulse_ms: float,
    memory_durations_ms: list[float],
    memory_onset_ms: float,
    memory_trial_ms: float,
    memory_window_ms: list[float],
    memory_initial_state: float,
    n_sign_flips: int,
    significance_tolerance: float,
    seed: int,
) -> dict[str, pd.DataFrame]:
    """Tables ``participation_ratios``, ``pc_projections``, ``sign_flip_ratios`` and
    ``connectivity_spectrum`` of the final checkpoint (settings: the study's
    ``dimensionality`` section, see config/studies/system_a.schema.yaml)."""
    model, task, payload = load_model(list_checkpoints(checkpoints)[-1])
    run, network_seed = payload["run_config"]["run"], payload["seed"]
    rng = np.random.default_rng([seed, network_seed])
    spontaneous = activity.spontaneous_rates(model, task, spontaneous_ms, spontaneous_pulse_ms,
                                             spontaneous_initial_state)
    memory = activity.memory_rates(model, task, memory_durations_ms, memory_onset_ms,
                                   memory_trial_ms, memory_initial_state)
    matrices = {
        "input": (activity.spontaneous_covariance(
            spontaneous, activity.window_steps(task, spontaneous_window_ms)),
            model.input_weights.detach().numpy().ravel()),
        "output": (activity.memory_covariance(
            memory, activity.window_steps(task, memory_window_ms)),
            model.output_weights.detach().numpy().ravel()),
    }
    summaries, projections, flips = [], [], []
    for vector, (matrix, weight) in matrices.items():
        summary, arrays = project(matrix, weight, rng, n_sign_flips, significance_tolerance)
        summaries.append({"vector": vector, **dataclasses.asdict(summary)})
        projections.append(pd.DataFrame({
            "vector": vector, "pc": np.arange(len(arrays["eigenvalues"]), dtype=np.int64),
            "eigenvalue": arrays["eigenvalues"], "coefficient": arrays["coefficients"],
            "significant": arrays["significant"]}))
        flips.append(pd.DataFrame({
            "vector": vector, "draw": np.arange(n_sign_flips, dtype=np.int64),
            "pr_thesis": arrays["sign_flips"]}))
    eigenvalues = np.linalg.eigvals(model.recurrent_weight().double().numpy())
    spectrum = pd.DataFrame({"real": eigenvalues.real, "imag": eigenvalues.imag,
                             "gain": float(model.config.gain),
                             "n_units": np.int64(model.hidden_size)})
    return {
        "participation_ratios": tag(pd.DataFrame(summaries), run, network_seed),
        "pc_projections": tag(pd.concat(projections, ignore_index=True), run, network_seed),
        "sign_flip_ratios": tag(pd.concat(flips, ignore_index=True), run, network_seed),
        "connectivity_spectrum": tag(spectrum, run, network_seed),
    }
