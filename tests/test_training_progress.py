"""A training run's log: what is trained, fresh start or resume, progress at an interval of wall
time (step, loss, validation, elapsed, time left), a final line; a bar on a terminal."""

import io
import logging
import re
import sys

import pytest

import rnnlab.experiment as experiment
from rnnlab.experiment import train_run
from rnnlab.training.progress import format_duration
from rnnlab.training.resume import ResumeStore

STEPS = 20


class Killed(Exception):
    """Stands in for SIGKILL between two updates."""


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class ClockedTask:
    """A task whose every batch takes ``seconds`` of the fake clock's time; raises Killed when
    asked for more than ``batches`` batches (None: never)."""

    def __init__(self, task, clock: FakeClock, seconds: float = 1.0, batches=None):
        self._task, self._clock, self._seconds, self._left = task, clock, seconds, batches

    def __getattr__(self, name):
        return getattr(self._task, name)

    def sample(self, rng, batch_size):
        if self._left == 0:
            raise Killed
        if self._left is not None:
            self._left -= 1
        self._clock.now += self._seconds
        return self._task.sample(rng, batch_size)


def clocked_tasks(monkeypatch, clock, batches=None):
    build_task = experiment.build_task
    monkeypatch.setattr(
        experiment, "build_task", lambda config: ClockedTask(build_task(config), clock,
                                                             batches=batches)
    )


def config(**training):
    return dict(
        study="ei_modcog", run="progress",
        task=dict(name="dm1"),
        model=dict(hidden_size=16, leak=0.5),
        optimizer=dict(name="gd", learning_rate=0.05, recurrent_learning_rate=0.05),
        training=dict(steps=STEPS, batch_size=8, checkpoint_fractions=[0, 1], log_every=4,
                      **training),
    )


def training_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "rnnlab.training"]


def progress_lines(lines):
    return [line for line in lines if re.search(r": step \d+/\d+ ", line)]


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.INFO, logger="rnnlab.training")
    return caplog


def test_progress_lines_at_the_interval_with_step_loss_elapsed_and_time_left(
    tmp_path, monkeypatch, logs
):
    clock = FakeClock()
    clocked_tasks(monkeypatch, clock)  # every update takes 1 s
    train_run(config(validate_every=5, validation_trials=16), 1, tmp_path,
              progress_interval_seconds=5, clock=clock)
    lines = training_lines(logs)
    first = lines[0]
    assert first.startswith("ei_modcog/progress seed 1: training LeakyRNN (16 units, ")
    assert "on dm1: 20 steps of 8 trials, gd, validation every 5 steps on 16 trials" in first
    assert first.endswith("starting fresh at step 0")

    progress = progress_lines(lines)
    # The clock starts after the validation batch; a line every 5 updates of 1 s each.
    assert [int(re.search(r"step (\d+)/20", line)[1]) for line in progress] == [5, 10, 15, 20]
    line = progress[1]
    assert line.startswith("ei_modcog/progress seed 1: step 10/20 (50.0%), loss ")
    assert re.search(r"loss \d\.\d+", line)
    assert "validation loss" in line and "at step 5" in line  # the latest validation so far
    assert "elapsed 10.0 s, left ~10.0 s (1 steps/s)" in line
    assert "elapsed 5.0 s, left ~15.0 s" in progress[0]

    last = lines[-1]
    assert last.startswith("ei_modcog/progress seed 1: finished 20/20 steps in 20.0 s, 1 steps/s; ")
    assert re.search(r"final loss \d\.\d+, validation loss \d\.\d+ at step 20", last)
    assert len(lines) == 1 + 4 + 1


def test_a_resumed_run_says_so_and_from_which_step(tmp_path, monkeypatch, logs):
    reference = train_run(config(), 2, tmp_path / "reference", progress_interval_seconds=3600)
    clock = FakeClock()
    store = ResumeStore(tmp_path / "resume", "k", interval_seconds=0)
    clocked_tasks(monkeypatch, clock, batches=8)
    with pytest.raises(Killed):
        train_run(config(), 2, tmp_path / "killed", ResumeStore(store.directory, "k", 0),
                  progress_interval_seconds=5, clock=clock)
    saved_step = store.load()["step"]
    assert saved_step == 8
    monkeypatch.undo()
    logs.clear()

    clocked_tasks(monkeypatch, clock)
    resumed = train_run(config(), 2, tmp_path / "resumed", store, progress_interval_seconds=5,
                        clock=clock)
    assert resumed.equals(reference)
    lines = training_lines(logs)
    assert f"resuming from the state saved in {store.path} at step 8 of 20 (8 updates already " \
           "done); results are bit-identical to an uninterrupted run's" in lines[0]
    progress = progress_lines(lines)
    # Time left from this process alone: 5 updates in 5 s, 7 to go.
    assert [int(re.search(r"step (\d+)/20", line)[1]) for line in progress] == [13, 18]
    assert "elapsed 5.0 s, left ~7.0 s" in progress[0]
    assert "finished 20/20 steps in 12.0 s (12 of them in this process, after resuming at 8)" \
        in lines[-1]


def test_nothing_is_logged_per_step_when_the_interval_is_long(tmp_path, monkeypatch, logs):
    clock = FakeClock()
    clocked_tasks(monkeypatch, clock, batches=None)
    stderr = io.StringIO()  # not a terminal: no bar
    monkeypatch.setattr(sys, "stderr", stderr)
    train_run(config(), 1, tmp_path, progress_interval_seconds=3600, clock=clock)
    lines = training_lines(logs)
    assert len(lines) == 2 and not progress_lines(lines)
    assert "starting fresh" in lines[0] and "finished 20/20 steps" in lines[1]
    assert stderr.getvalue() == ""


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_terminal_gets_a_one_line_progress_bar(tmp_path, monkeypatch, logs):
    clock = FakeClock()
    clocked_tasks(monkeypatch, clock)
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    train_run(config(), 1, tmp_path, progress_interval_seconds=3600, clock=clock)
    drawn = terminal.getvalue()
    assert drawn.count("\n") == 1 and drawn.endswith("\n")  # one line, redrawn with \r
    frames = [frame for frame in drawn.rstrip("\n").split("\r") if frame]
    assert len(frames) > 10  # redrawn every 0.5 s of clock time: every 1-s update
    assert re.fullmatch(r"\x1b\[Kei_modcog/progress seed 1 \[#{15}-{15}\] 10/20 loss \S+ "
                        r"10\.0 s left ~10\.0 s", frames[9])
    assert frames[-1].startswith("\x1b[Kei_modcog/progress seed 1 [" + "#" * 30 + "] 20/20 ")
    assert len(training_lines(logs)) == 2  # the log itself is unchanged


def test_durations():
    assert format_duration(4.94) == "4.9 s"
    assert format_duration(59.96) == "0:01:00"
    assert format_duration(3725) == "1:02:05"
    assert format_duration(float("nan")) == "?"


def test_a_failed_run_ends_the_bar_line_before_the_error(tmp_path, monkeypatch, logs):
    from rnnlab.training.trainer import TrainingDiverged

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    diverging = config()
    diverging["optimizer"].update(learning_rate=1e6, recurrent_learning_rate=1e6,
                                  grad_clip_norm=1e12)
    with pytest.raises(TrainingDiverged):
        train_run(diverging, 4, tmp_path, progress_interval_seconds=0)
    assert terminal.getvalue().endswith("\n") and terminal.getvalue().count("\n") == 1
