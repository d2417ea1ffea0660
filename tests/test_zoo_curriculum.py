"""The zoo's own train_run: a run without a curriculum trains exactly as the shared trainer; a
curriculum trains in phases (task variant per phase, optimiser restarted, global steps, the
last phase validating on the run's own task) and resumes bit-identically across phases."""

import copy

import pytest
import torch

import rnnlab.experiment as experiment
import rnnlab.studies.ctrnn_zoo.experiment as zoo_experiment
from rnnlab.checkpoints import list_checkpoints, load_checkpoint
from rnnlab.studies.ctrnn_zoo.curriculum import (
    curriculum_problems,
    phase_seed,
    phases_of,
    scaled_curriculum,
)
from rnnlab.training.resume import ResumeStore

from test_resume import Budget, Killed, MortalTask, assert_same_checkpoints

SHORT_DELAYS = dict(duration_ms=1200.0, test_on_ms=500.0, response_jitter_ms=200.0)
PLAIN = dict(
    study="ctrnn_zoo", run="dmts",
    task=dict(name="dmts", dt_ms=50.0, duration_ms=2000.0, test_on_ms=1000.0,
              response_jitter_ms=600.0),
    model=dict(hidden_size=12, leak=0.2, nonlinearity="relu", dale=True,
               initialization="balanced_gaussian", nonnegative_input_output=True,
               autapses=False, spectral_scaling="spectral_radius", spectral_value=0.9,
               input_noise_std=0.02, recurrent_noise_std=0.02),
    optimizer=dict(name="adam", learning_rate=0.01),
    training=dict(steps=12, batch_size=4, checkpoint_fractions=[0.0, 0.25, 0.5, 1.0],
                  log_every=2, validate_every=2, validation_trials=8, keep_best=True),
)
PHASED = dict(PLAIN, curriculum=[dict(steps=6, task=SHORT_DELAYS), dict(steps=6)])


def test_without_a_curriculum_the_zoo_trains_exactly_as_the_shared_trainer(tmp_path,
                                                                           monkeypatch):
    own = zoo_experiment.train_run(PLAIN, 3, tmp_path / "own")
    monkeypatch.delattr(zoo_experiment, "train_run")  # the shared trainer's path
    shared = experiment.train_run(PLAIN, 3, tmp_path / "shared")
    assert own.equals(shared) and "phase" not in own
    assert_same_checkpoints(tmp_path / "own", tmp_path / "shared")


def recorded_tasks(monkeypatch) -> list[dict]:
    built, build = [], zoo_experiment.build_task

    def recording(task_config):
        built.append(dict(task_config))
        return build(task_config)

    monkeypatch.setattr(zoo_experiment, "build_task", recording)
    return built


def test_a_curriculum_trains_each_phase_on_its_task_in_global_steps(tmp_path, monkeypatch):
    built = recorded_tasks(monkeypatch)
    log = zoo_experiment.train_run(PHASED, 3, tmp_path / "phased")
    # The network is built for the run's task, then phase 0 trains on short delays, phase 1 on
    # the run's task.
    assert [t["duration_ms"] for t in built] == [2000.0, 1200.0, 2000.0]
    assert built[1]["test_on_ms"] == 500.0 and built[2] == PHASED["task"]
    assert log["step"].tolist() == [0, 2, 4, 5, 6, 8, 10, 11]
    assert log["phase"].tolist() == [0, 0, 0, 0, 1, 1, 1, 1]
    paths = list_checkpoints(tmp_path / "phased")
    assert [p.name for p in paths] == [f"step_{s:06d}.pt" for s in (0, 3, 6, 12)]
    final = load_checkpoint(paths[-1])
    # Validation in the last phase only, its steps global; the best of them is kept.
    assert final["validation_steps"].tolist() == [6, 8, 10, 12]
    assert final["parameters_step"] == final["best_validation_step"] >= 6
    assert final["run_config"] == PHASED
    # Sign corrections count from the first update: at least those of step 6.
    middle = load_checkpoint(paths[2])
    assert (final["sign_corrections"] >= middle["sign_corrections"]).all()
    assert middle["sign_corrections"].sum() > 0
    # The phases differ from one phase of the same length: the curriculum changes the result.
    plain = zoo_experiment.train_run(PLAIN, 3, tmp_path / "plain")
    assert not plain["loss"].equals(log["loss"])
    assert torch.equal(load_checkpoint(paths[0])["state_dict"]["weight_recurrent"],
                       load_checkpoint(list_checkpoints(tmp_path / "plain")[0])
                       ["state_dict"]["weight_recurrent"])


def kill_curriculum_after(monkeypatch, batches: int):
    """Every phase's task built from now on raises Killed once ``batches`` batches were drawn
    in all (a curriculum builds its tasks through the zoo's own ``build_task``)."""
    build, budget = zoo_experiment.build_task, Budget(batches)
    monkeypatch.setattr(zoo_experiment, "build_task",
                        lambda config: MortalTask(build(config), budget))


# Batches drawn: phase 0's 6 updates, then phase 1's validation batch and its updates.
@pytest.mark.parametrize("killed_after, phase, step", [(4, 0, 4), (10, 1, 3)])
def test_a_killed_curriculum_resumes_bit_identically(tmp_path, monkeypatch, killed_after, phase,
                                                     step):
    reference = zoo_experiment.train_run(PHASED, 3, tmp_path / "reference")
    kill_curriculum_after(monkeypatch, killed_after)
    with pytest.raises(Killed):
        zoo_experiment.train_run(PHASED, 3, tmp_path / "killed",
                                 ResumeStore(tmp_path / "resume", "run", 0))
    monkeypatch.undo()
    saved = ResumeStore(tmp_path / "resume" / f"phase_{phase}", "run").load()
    assert saved is not None and saved["step"] == step
    resumed = zoo_experiment.train_run(PHASED, 3, tmp_path / "resumed",
                                       ResumeStore(tmp_path / "resume", "run", 0))
    assert resumed.equals(reference)
    assert_same_checkpoints(tmp_path / "reference", tmp_path / "resumed")


def test_phases_their_checks_their_seeds_and_the_plans_shortening():
    assert [(p.start, p.end) for p in phases_of(PHASED)] == [(0, 6), (6, 12)]
    assert [(p.start, p.end) for p in phases_of(PLAIN)] == [(0, 12)]
    assert curriculum_problems(PHASED) == [] and curriculum_problems(PLAIN) == []
    wrong = copy.deepcopy(PHASED)
    wrong["curriculum"][1]["task"] = {"duration_ms": 1500.0}
    wrong["curriculum"][0]["steps"] = 5
    problems = curriculum_problems(wrong)
    assert len(problems) == 2 and "add up to 11" in problems[0] and "last" in problems[1]
    assert phase_seed(3, 0) == 3 and phase_seed(3, 1) not in (3, phase_seed(3, 2))
    for steps in (0, 1, 2, 7, 1000):
        shortened = scaled_curriculum(PHASED, steps)
        assert shortened["training"]["steps"] == steps
        assert sum(p["steps"] for p in shortened["curriculum"]) == steps
    assert [p["steps"] for p in scaled_curriculum(PHASED, 7)["curriculum"]] in ([4, 3], [3, 4])
    assert PHASED["training"]["steps"] == 12  # not modified


def test_the_plans_untrained_run_of_a_curriculum_writes_step_0(tmp_path):
    untrained = zoo_experiment.with_training_steps(PHASED, 0)
    log = zoo_experiment.train_run(untrained, 3, tmp_path / "zero")
    assert log.empty or set(log["phase"]) == {1}
    assert [p.name for p in list_checkpoints(tmp_path / "zero")] == ["step_000000.pt"]


def test_the_studys_check_names_a_wrong_curriculum():
    from rnnlab.studies.ctrnn_zoo.study import STUDY

    assert STUDY.check({}, {"dmts": PHASED}) == []
    wrong = copy.deepcopy(PHASED)
    wrong["curriculum"][0]["task"]["delay_ms"] = 5.0  # not a dmts parameter
    wrong["curriculum"][1]["steps"] = 7
    found = STUDY.check({}, {"dmts": wrong})
    assert len(found) == 1 and "add up to 13" in found[0]
    wrong["curriculum"][1]["steps"] = 6
    found = STUDY.check({}, {"dmts": wrong})
    assert len(found) == 1 and "phase 0's task" in found[0] and "delay_ms" in found[0]


def test_a_phase_may_change_the_optimizer_settings(tmp_path):
    slow = copy.deepcopy(PHASED)
    slow["curriculum"][1]["optimizer"] = {"learning_rate": 0.001}
    phases = phases_of(slow)
    assert [p.optimizer_config["learning_rate"] for p in phases] == [0.01, 0.001]
    assert phases[1].optimizer_config["name"] == "adam"
    fast = zoo_experiment.train_run(PHASED, 3, tmp_path / "fast")
    slowed = zoo_experiment.train_run(slow, 3, tmp_path / "slow")
    first = fast["phase"] == 0
    assert fast[first].equals(slowed[first])  # phase 0 is the same
    assert not fast[~first]["loss"].equals(slowed[~first]["loss"])
