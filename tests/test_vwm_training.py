"""A small vwm network trains (errors fall, rise with set size), Dale's law holds through
training, and the study's stages run on its checkpoints (rnnlab.studies.vwm)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from rnnlab.checkpoints import list_checkpoints, load_checkpoint
from rnnlab.experiment import load_model, train_run
from rnnlab.studies.vwm.model import sign_violations
from rnnlab.studies.vwm.stages.behaviour import behaviour
from rnnlab.studies.vwm.stages.fixed_points import fixed_points
from rnnlab.studies.vwm.stages.population import population

STEPS = 120


def run_config(**training):
    return {
        "study": "vwm", "run": "small",
        "task": {"name": "vwm", "max_items": 4, "set_sizes": [1, 4], "dt_ms": 50.0,
                 "init_ms": 50.0, "stimulus_ms": 100.0, "delay_ms": 150.0, "decode_ms": 100.0},
        "model": {"hidden_size": 32, "noise_type": "gamma", "noise_factor": 0.05},
        "optimizer": {"name": "adam", "learning_rate": 0.01},
        "training": {"steps": STEPS, "batch_size": 32, "loss": "sqrtl2",
                     "early_stopping_patience": 0, "log_every": 10, **training},
    }


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    torch.set_num_threads(1)
    directory = tmp_path_factory.mktemp("vwm") / "checkpoints"
    log = train_run(run_config(), 3, directory, progress_interval_seconds=1e9)
    return directory, log


def test_training_reduces_the_error_and_keeps_dale(trained):
    directory, log = trained
    first, last = log.iloc[:2], log.iloc[-3:]
    # chance is π/2 ≈ 1.57 rad of mean |error|
    assert first["angular_error_size_1"].mean() > 1.0
    assert last["angular_error_size_1"].mean() < 0.5
    assert last["angular_error_size_1"].mean() < last["angular_error_size_4"].mean()
    assert (log["n_clipped"] > 0).any()  # the projection had work to do ...
    model, _, payload = load_model(list_checkpoints(directory)[-1])
    assert sign_violations(model) == {"E": 0, "I": 0}  # ... and Dale's law held
    assert (model.B >= 0).all()
    assert int(payload["sign_corrections"].sum()) >= int(log["n_clipped"].sum())  # logged rows ⊂ updates


def test_training_is_deterministic(trained, tmp_path):
    _, log = trained
    again = train_run(run_config(steps=20), 3, tmp_path / "c", progress_interval_seconds=1e9)
    pd.testing.assert_frame_equal(again.iloc[:2].reset_index(drop=True),
                                  log.iloc[:2].reset_index(drop=True))


def test_without_projection_signs_flip(tmp_path):
    """The seed never projects W: with dale_projection none, weights cross zero."""
    train_run(run_config(steps=15, dale_projection="none"), 3, tmp_path / "c",
              progress_interval_seconds=1e9)
    model, _, _ = load_model(list_checkpoints(tmp_path / "c")[-1])
    violations = sign_violations(model)
    assert violations["E"] + violations["I"] > 0


def test_stages_on_the_trained_network(trained):
    directory, _ = trained
    tables = behaviour(directory, n_trials=400, set_sizes=[1, 4], n_bins=12, snr_set_sizes=[1, 4],
                       snr_stimuli=2, snr_repeats=20, seed=1)
    statistics = tables["error_statistics"].set_index("set_size")
    assert statistics.loc[1, "circular_variance"] < statistics.loc[4, "circular_variance"]
    assert statistics.loc[1, "n_errors"] == 200 and statistics.loc[4, "n_errors"] == 800
    snr = tables["snr"]
    assert (snr["snr_average_db"] > snr["snr_step_db"]).all()  # averaging removes noise
    pop = population(directory, n_trials=16, selectivity_trials=64, normalisation_pairs=8,
                     activity_threshold_hz=0.0, seed=1)
    assert set(pop["dale_signs"]["n_sign_violations"]) == {0}
    assert pop["selectivity_units"]["ipr"].between(0, 1).all()
    points = fixed_points(directory, n_trials=8, n_initial_states=16, initial_state_noise=0.1,
                          periods=["decode", "stimulus"], motif_tolerance=0.02,
                          n_example_trials=2, seed=1,
                          finder={"adam_steps": 50, "refine_steps": 30, "converged_q": 1e-10,
                                  "slow_point_q": 1e-4, "unique_tolerance": 1e-2,
                                  "keep_local_minima": False})
    found = points["vwm_fixed_points"]
    assert len(found) > 0
    exact = found[found["kind"] == "fixed"]
    assert len(exact) > 0 and (exact["q"] < 1e-10).all()
    search = points["vwm_fixed_point_search"].set_index("period")
    assert search.loc["decode", "input_norm"] == 0.0  # the decode period's real input
    assert search.loc["stimulus", "input_norm"] > 0.0  # the stimulus period's real input


class Killed(Exception):
    """Stands in for SIGKILL: training stops between two updates."""


def test_a_killed_run_resumes_bit_identical(tmp_path, monkeypatch):
    """Killed after 7 updates and resumed from its saved state (optimiser, plateau scheduler,
    curriculum, data and noise streams), the run ends with the same log and weights."""
    from rnnlab.studies.vwm import experiment
    from rnnlab.training.resume import ResumeStore

    config = run_config(steps=12, curriculum_stages=2, log_every=1)
    config["optimizer"]["plateau_patience"] = 2
    reference = train_run(config, 4, tmp_path / "reference", progress_interval_seconds=1e9)
    build_task = experiment.build_task

    def mortal(task_config):
        task = build_task(task_config)
        sample, left = task.sample, [7]

        def dying_sample(rng, batch_size):
            if left[0] == 0:
                raise Killed()
            left[0] -= 1
            return sample(rng, batch_size)

        object.__setattr__(task, "sample", dying_sample)
        return task

    store = ResumeStore(tmp_path / "resume", key="k", interval_seconds=0)
    monkeypatch.setattr(experiment, "build_task", mortal)
    with pytest.raises(Killed):
        train_run(config, 4, tmp_path / "killed", ResumeStore(store.directory, "k", 0),
                  progress_interval_seconds=1e9)
    monkeypatch.undo()
    assert store.load()["step"] == 7
    resumed = train_run(config, 4, tmp_path / "resumed", store, progress_interval_seconds=1e9)
    pd.testing.assert_frame_equal(resumed, reference)
    final = [load_checkpoint(list_checkpoints(tmp_path / d)[-1]) for d in ("reference", "resumed")]
    for name, value in final[0]["state_dict"].items():
        assert torch.equal(value, final[1]["state_dict"][name]), name
    assert reference["noise_factor"].nunique() == 2  # the curriculum changed stage
