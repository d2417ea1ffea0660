"""Stage population: what the trained network's units do, and whether Dale's law held.

- E/I input statistics (the seed's snr_analysis input histograms, split by presynaptic
  population): on ``n_trials`` trials of the training distribution, run with spike noise, each
  unit's rate and its expected recurrent input from the E units (W_eff[:, E] r_E ≥ 0), from the
  I units (≤ 0) and from all (net), each as mean and SD over trials × delay steps, and its
  external input B·u over trials × stimulus steps.
- Mixed selectivity (the seed's mixed_selectivity): ``selectivity_trials`` trials of set size 1;
  r̄_i = unit i's decode-window mean rate; vector strength R_ik = |Σ r̄_i e^{iθ_k}| / Σ r̄_i over
  the trials showing slot k, and IPR_i = (Σ_k R_ik)² / (M Σ_k R_ik²). Units whose mean rate is
  below ``activity_threshold_hz`` are reported but flagged inactive (their R is noise / 0).
- Divisive normalisation (the seed's dn_analysis): ``normalisation_pairs`` random orientation
  pairs shown as item 1 alone (slot 0), item 2 alone (slot 1) and both; with the decode-window
  mean rates r1, r2, r12 (N,) of each, least squares across units r12 ≈ w1·r1 + w2·r2 gives
  (w1, w2) per pair; 0 ≤ w1, w2 ≤ 1 is sub-linear summation, the signature of normalisation.
- Dale signs: synapses of the trained W_eff whose sign is not their presynaptic unit's, weights
  at exactly 0, and the projection's cumulative clips during training (checkpoint extra).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import torch

import rnnlab.studies.vwm.tables  # noqa: F401  (registers the study's tables)
from rnnlab.stages.tagging import tag
from rnnlab.studies.vwm.model import sign_violations
from rnnlab.studies.vwm.stages.common import (
    CHUNK_TRIALS,
    final_network,
    generators,
    populations,
    run_trials,
)

SIGNALS = ("rate", "excitatory_input", "inhibitory_input", "recurrent_input", "external_input")


class RunningMoments:
    """Per-unit mean and SD over many (trial, step) samples, accumulated in float64."""

    def __init__(self, n_units: int):
        self.count = 0
        self.total = np.zeros(n_units)
        self.squares = np.zeros(n_units)

    def add(self, values: torch.Tensor) -> None:
        flat = values.reshape(-1, values.shape[-1]).double()
        self.count += flat.shape[0]
        self.total += flat.sum(0).numpy()
        self.squares += (flat * flat).sum(0).numpy()

    def mean_sd(self) -> tuple[np.ndarray, np.ndarray]:
        mean = self.total / self.count
        return mean, np.sqrt(np.maximum(self.squares / self.count - mean**2, 0.0))


@torch.no_grad()
def input_statistics(model, task, n_trials: int, rng, noise) -> pd.DataFrame:
    batch = task.sample(rng, n_trials)
    delay = slice(*task.period_bounds["delay"])
    stimulus = slice(*task.period_bounds["stimulus"])
    effective = model.effective_recurrent()
    excitatory = model.sign > 0
    moments = {signal: RunningMoments(model.hidden_size) for signal in SIGNALS}
    for start in range(0, n_trials, CHUNK_TRIALS):
        part = batch.inputs[start:start + CHUNK_TRIALS]
        inputs = torch.from_numpy(part)
        rates = model(inputs, noise)
        # rates after step t − 1 drive step t: the input a unit receives during the delay
        previous = torch.cat([torch.zeros_like(rates[:, :1]), rates[:, :-1]], dim=1)[:, delay]
        from_e = previous[..., excitatory] @ effective[:, excitatory].T
        from_i = previous[..., ~excitatory] @ effective[:, ~excitatory].T
        moments["rate"].add(rates[:, delay])
        moments["excitatory_input"].add(from_e)
        moments["inhibitory_input"].add(from_i)
        moments["recurrent_input"].add(from_e + from_i)
        moments["external_input"].add(inputs[:, stimulus] @ model.B.T)
    population = populations(model)
    frames = []
    for signal, accumulated in moments.items():
        mean, sd = accumulated.mean_sd()
        frames.append(pd.DataFrame(dict(unit=np.arange(model.hidden_size), population=population,
                                        signal=signal, mean_value=mean, sd_value=sd)))
    return pd.concat(frames, ignore_index=True)


def decode_means(model, task, batch, noise) -> np.ndarray:
    """Decode-window mean rates (B, N)."""
    start, _ = task.period_bounds["decode"]
    return run_trials(model, batch, noise, record_from=start).mean(dim=1).double().numpy()


def selectivity(model, task, n_trials: int, threshold: float, rng,
                noise) -> tuple[pd.DataFrame, pd.DataFrame]:
    batch = task.sample_set_sizes(rng, np.ones(n_trials, dtype=np.int64))
    rates = decode_means(model, task, batch, noise)  # (B, N)
    presence = batch.metadata["presence"].astype(bool)
    theta = batch.metadata["theta"]
    strength = np.full((model.hidden_size, task.max_items), np.nan)
    for item in range(task.max_items):
        shown = presence[:, item]
        if not shown.any():
            continue
        r = rates[shown]  # (n_k, N)
        phasor = np.exp(1j * theta[shown, item])
        total = r.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            strength[:, item] = np.where(total > 0, np.abs(phasor @ r) / total, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        ipr = strength.sum(1) ** 2 / (task.max_items * (strength**2).sum(1))
    population = populations(model)
    mean_rate = rates.mean(axis=0)
    per_item = pd.DataFrame(dict(
        unit=np.repeat(np.arange(model.hidden_size), task.max_items),
        population=np.repeat(population, task.max_items),
        item=np.tile(np.arange(task.max_items), model.hidden_size),
        vector_strength=strength.reshape(-1)))
    units = pd.DataFrame(dict(unit=np.arange(model.hidden_size), population=population,
                              mean_rate_hz=mean_rate, ipr=ipr, active=mean_rate > threshold))
    return per_item, units


def normalisation(model, task, n_pairs: int, rng, noise) -> pd.DataFrame:
    theta = rng.uniform(-np.pi, np.pi, size=(n_pairs, task.max_items))
    responses = []
    for slots in ((0,), (1,), (0, 1)):
        presence = np.zeros((n_pairs, task.max_items), dtype=np.float32)
        presence[:, list(slots)] = 1
        responses.append(decode_means(model, task, task.trials(presence, theta, rng), noise))
    r1, r2, r12 = responses  # (P, N) each
    rows = []
    for pair in range(n_pairs):
        design = np.stack([r1[pair], r2[pair]], axis=1)  # (N, 2)
        weights, *_ = np.linalg.lstsq(design, r12[pair], rcond=None)
        residual = r12[pair] - design @ weights
        spread = np.sum((r12[pair] - r12[pair].mean()) ** 2)
        rows.append(dict(trial=pair, theta_1=float(theta[pair, 0]), theta_2=float(theta[pair, 1]),
                         w1=float(weights[0]), w2=float(weights[1]),
                         r_squared=float(1 - residual @ residual / spread) if spread > 0 else np.nan,
                         in_region=bool(0 <= weights[0] <= 1 and 0 <= weights[1] <= 1)))
    return pd.DataFrame(rows)


def dale_signs(model, payload) -> pd.DataFrame:
    violations = sign_violations(model)
    weights = model.W.detach()
    clipped = payload.get("sign_corrections")
    n_e = model.n_excitatory
    projection = payload["run_config"].get("training", {}).get("dale_projection", "clip")
    rows = []
    for population, columns in (("E", slice(0, n_e)), ("I", slice(n_e, None))):
        block = weights[:, columns]
        rows.append(dict(
            population=population, n_synapses=int(block.numel()),
            n_sign_violations=violations[population], n_zero=int((block == 0).sum()),
            n_clipped=0 if clipped is None else int(clipped[columns].sum()),
            projection=projection if model.config.dale else "no Dale's law"))
    return pd.DataFrame(rows)


def population(checkpoints: str | Path, n_trials: int, selectivity_trials: int,
               normalisation_pairs: int, activity_threshold_hz: float,
               seed: int) -> dict[str, pd.DataFrame]:
    """The final network's E/I inputs, mixed selectivity, normalisation and Dale signs."""
    model, task, payload = final_network(checkpoints)
    rng, noise = generators(seed)
    per_item, units = selectivity(model, task, selectivity_trials, activity_threshold_hz, rng,
                                  noise)
    tables = {
        "input_statistics": input_statistics(model, task, n_trials, rng, noise),
        "selectivity": per_item,
        "selectivity_units": units,
        "normalisation": normalisation(model, task, normalisation_pairs, rng, noise),
        "dale_signs": dale_signs(model, payload),
    }
    run, seed_ = payload["run_config"]["run"], payload["seed"]
    return {name: tag(frame, run, seed_) for name, frame in tables.items()}
