"""A killed training run resumes from its saved state with bit-identical results."""

import pytest
import torch

import rnnlab.experiment as experiment
from rnnlab.checkpoints import list_checkpoints, load_checkpoint
from rnnlab.experiment import train_run
from rnnlab.training.resume import ResumeStore


class Killed(Exception):
    """Stands in for SIGKILL: training stops between two updates."""


class Budget:
    """Batches left before a kill, shared by every task drawing on it."""

    def __init__(self, batches: int):
        self.left = batches


class MortalTask:
    """A task (frozen dataclass) whose ``sample`` raises Killed once ``budget`` is spent."""

    def __init__(self, task, budget: Budget):
        self._task, self._budget = task, budget

    def __getattr__(self, name):
        return getattr(self._task, name)

    def sample(self, rng, batch_size):
        if self._budget.left == 0:
            raise Killed
        self._budget.left -= 1
        return self._task.sample(rng, batch_size)


def kill_after(monkeypatch, batches: int):
    """Make the next train_run stop when it asks for batch ``batches`` + 1 (every study's run
    without a trainer of its own, the zoo's runs without a curriculum too, builds its task
    through ``rnnlab.experiment.build_task``)."""
    build_task, budget = experiment.build_task, Budget(batches)
    monkeypatch.setattr(experiment, "build_task",
                        lambda run_config: MortalTask(build_task(run_config), budget))


CONFIGS = {
    # GD with Dale's law and momentum, recurrent noise, validation keeping the best parameters
    "gd_dale_noise_best": dict(
        study="ei_modcog", run="gd",
        task=dict(name="dm1"),
        model=dict(hidden_size=24, leak=0.5, recurrent_noise_std=0.05),
        optimizer=dict(name="gd", learning_rate=0.05, recurrent_learning_rate=0.05, momentum=0.9),
        training=dict(steps=30, batch_size=16, checkpoint_fractions=[0, 0.5, 1], log_every=3,
                      validate_every=4, validation_trials=32, keep_best=True),
    ),
    # Adam on a regression task with input and recurrent noise
    "adam_regression_noise": dict(
        study="ctrnn_zoo", run="adam",
        task=dict(name="memory_anti_number"),
        model=dict(hidden_size=24, leak=0.2, input_noise_std=0.05, recurrent_noise_std=0.05,
                   dale=False, autapses=False),
        optimizer=dict(name="adam", learning_rate=0.01),
        training=dict(steps=30, batch_size=16, checkpoint_fractions=[0, 1], log_every=5,
                      validate_every=10, validation_trials=32, keep_best=True),
    ),
    # Mirror-paired batches and a step size decaying from step 9 (both kills land after it)
    "mirror_decay": dict(
        study="ctrnn_zoo", run="cddm",
        task=dict(name="cddm", evidence_noise_std=0.5, stimulus_in_loss=False),
        model=dict(hidden_size=16, dale=True, initialization="balanced_gaussian",
                   nonnegative_input_output=True),
        optimizer=dict(name="adam", learning_rate=0.01),
        training=dict(steps=30, batch_size=8, checkpoint_fractions=[0, 1], log_every=5,
                      validate_every=10, validation_trials=16, class_balance="mirror",
                      learning_rate_decay=dict(start_fraction=0.3, final_factor=0.1)),
    ),
}


def assert_same_checkpoints(left, right):
    left_paths, right_paths = list_checkpoints(left), list_checkpoints(right)
    assert [p.name for p in left_paths] == [p.name for p in right_paths]
    for a, b in zip(left_paths, right_paths):
        first, second = load_checkpoint(a), load_checkpoint(b)
        assert first.keys() == second.keys()
        for key in first:
            if key == "state_dict":
                for name in first[key]:
                    assert torch.equal(first[key][name], second[key][name]), (a.name, name)
            elif isinstance(first[key], torch.Tensor):
                assert torch.equal(first[key], second[key]), (a.name, key)
            else:
                assert first[key] == second[key], (a.name, key)


@pytest.mark.parametrize("name", sorted(CONFIGS))
@pytest.mark.parametrize("killed_after", [7, 19])
def test_resumed_run_is_bit_identical_to_an_uninterrupted_one(tmp_path, monkeypatch, name,
                                                              killed_after):
    config = CONFIGS[name]
    reference = train_run(config, seed=2, checkpoint_directory=tmp_path / "reference")

    store = ResumeStore(tmp_path / "resume", key="run-a", interval_seconds=0)
    kill_after(monkeypatch, killed_after)
    with pytest.raises(Killed):
        train_run(config, 2, tmp_path / "killed", ResumeStore(store.directory, "run-a", 0))
    monkeypatch.undo()
    saved = store.load()
    # The validation batch is the first sample: the last completed update is killed_after − 1.
    assert saved is not None and saved["step"] == killed_after - 1

    resumed = train_run(config, 2, tmp_path / "resumed", store)
    assert resumed.equals(reference)
    assert_same_checkpoints(tmp_path / "reference", tmp_path / "resumed")


def test_a_finished_but_not_yet_handed_over_run_resumes_at_its_end(tmp_path, monkeypatch):
    """A job training several seeds keeps each finished seed's state until the last seed is
    done: rerun after a kill, a finished seed comes back without a single update."""
    config = CONFIGS["gd_dale_noise_best"]
    store = ResumeStore(tmp_path / "resume", "k", interval_seconds=3600)  # no periodic save
    reference = train_run(config, 2, tmp_path / "first", store)
    assert store.load()["step"] == config["training"]["steps"]
    kill_after(monkeypatch, 1)  # the validation batch only: any training batch would kill it
    resumed = train_run(config, 2, tmp_path / "again", ResumeStore(store.directory, "k", 3600))
    assert resumed.equals(reference)
    assert_same_checkpoints(tmp_path / "first", tmp_path / "again")


def test_state_of_another_key_is_ignored_and_finish_removes_the_state(tmp_path, monkeypatch):
    config = CONFIGS["gd_dale_noise_best"]
    kill_after(monkeypatch, 10)
    with pytest.raises(Killed):
        train_run(config, 2, tmp_path / "killed", ResumeStore(tmp_path / "resume", "old", 0))
    monkeypatch.undo()
    assert ResumeStore(tmp_path / "resume", "old").load()["step"] == 9
    # An edited configuration or code has another key: it starts from step 0.
    other = ResumeStore(tmp_path / "resume", "new", interval_seconds=0)
    assert other.load() is None
    log = train_run(config, 2, tmp_path / "fresh", other)
    assert log.equals(train_run(config, 2, tmp_path / "reference"))
    other.finish()
    assert not (tmp_path / "resume").exists()


def test_resume_state_is_saved_no_more_often_than_the_interval(tmp_path):
    now = [0.0]
    store = ResumeStore(tmp_path, "k", interval_seconds=10, clock=lambda: now[0])
    assert not store.due()
    now[0] = 9.9
    assert not store.due()
    now[0] = 10.0
    assert store.due()
    store.save({"step": 3})
    assert not store.due() and store.load()["step"] == 3


def test_unreadable_state_is_ignored(tmp_path):
    store = ResumeStore(tmp_path, "k")
    tmp_path.joinpath("state.pt").write_bytes(b"truncated")
    assert store.load() is None
    with pytest.raises(ValueError, match="interval_seconds"):
        ResumeStore(tmp_path, "k", interval_seconds=-1)
