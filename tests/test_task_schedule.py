"""Several tasks trained round-robin by one network (rnnlab.tasks.schedule; the E/I thesis'
model_perf t_5): the schedule, the trainer's turn taking, resuming mid-cycle, checkpoint
evaluation on every task, and the thesis' five tasks as a size-sweep task set."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnnlab.checkpoints import list_checkpoints
from rnnlab.tables import Provenance, read_table, write_table
from rnnlab.experiment import train_run
from rnnlab.stages.evaluation import evaluate_checkpoints
from rnnlab.studies.ei_modcog.experiment import build_model, build_task
from rnnlab.studies.ei_modcog.families import family_runs
from rnnlab.tasks.schedule import RoundRobinTasks, task_at, tasks_of
from rnnlab.training.optimizers import OptimizerConfig
from rnnlab.training.resume import ResumeStore
from rnnlab.training.trainer import TrainingConfig, train

FIVE = ["dm1", "dm2", "dms", "dnms", "ctxdlydm1"]


class Recording:
    """A task that records the name of every batch drawn from it into a shared list."""

    def __init__(self, task, calls: list):
        self.task, self.calls = task, calls
        self.name, self.input_size, self.output_size = task.name, task.input_size, task.output_size
        self.dt_ms, self.min_n_steps = task.dt_ms, task.min_n_steps

    def sample(self, rng, batch_size):
        self.calls.append(self.name)
        return self.task.sample(rng, batch_size)


def test_the_schedule_takes_turns_in_the_listed_order():
    schedule = build_task({"name": "dm1", "round_robin": FIVE})
    assert isinstance(schedule, RoundRobinTasks)
    assert [task_at(schedule, k).name for k in range(7)] == FIVE + FIVE[:2]
    assert schedule.name == "dm1+dm2+dms+dnms+ctxdlydm1"
    assert (schedule.input_size, schedule.output_size, schedule.dt_ms) == (33, 17, 100.0)
    assert [t.name for t in tasks_of(schedule)] == FIVE
    single = build_task({"name": "dm1"})
    assert task_at(single, 3) is single and tasks_of(single) == (single,)
    # The task parameters apply to every task of the list.
    quiet = build_task({"name": "dm1", "round_robin": ["dm1", "dm2"], "input_noise_std": 0.0})
    assert {t.input_noise_std for t in quiet.tasks} == {0.0}


def test_a_schedule_rejects_tasks_one_network_cannot_share():
    with pytest.raises(ValueError, match="must start with"):
        build_task({"name": "dm2", "round_robin": ["dm1", "dm2"]})
    with pytest.raises(ValueError, match="share dt_ms"):
        RoundRobinTasks((build_task({"name": "dm1"}), build_task({"name": "dm2", "dt_ms": 20.0})))
    with pytest.raises(ValueError, match="twice"):
        RoundRobinTasks((build_task({"name": "dm1"}), build_task({"name": "dm1"})))
    with pytest.raises(ValueError, match="at least two"):
        RoundRobinTasks((build_task({"name": "dm1"}),))
    with pytest.raises(TypeError, match="draws no batch"):
        build_task({"name": "dm1", "round_robin": ["dm1", "dm2"]}).sample(None, 4)


def _train(task, steps, resume=None, stream=0):
    torch.manual_seed(0)
    model = build_model({"hidden_size": 12}, task)
    saved = {}
    log = train(model, task, OptimizerConfig(name="eg"),
                TrainingConfig(steps=steps, batch_size=4, checkpoint_fractions=(1.0,), log_every=1,
                               trial_stream_steps=stream),
                seed=3, save_checkpoint=lambda step, state, extras: saved.update(state),
                resume=resume)
    return log, saved


def test_the_trainer_draws_each_update_from_the_task_whose_turn_it_is(tmp_path):
    calls: list[str] = []
    tasks = tuple(Recording(build_task({"name": name}), calls) for name in ("dm1", "dms", "dm2"))
    log, _ = _train(RoundRobinTasks(tasks), 7, stream=40)
    assert calls == ["dm1", "dms", "dm2", "dm1", "dms", "dm2", "dm1"]
    assert len(log) == 7 and np.isfinite(log["loss"]).all()

    # Killed after update 4 (mid-cycle), resumed: the turns and the result are those of an
    # uninterrupted run.
    whole_log, whole = _train(RoundRobinTasks(tasks), 7, stream=40)
    store = ResumeStore(tmp_path / "resume", key="run", interval_seconds=0.0)
    _train(RoundRobinTasks(tasks), 4, resume=store, stream=40)  # saves its state at step 4
    calls.clear()
    resumed_log, resumed = _train(RoundRobinTasks(tasks), 7, resume=store, stream=40)
    assert calls == ["dms", "dm2", "dm1"]
    assert resumed_log["loss"].tolist() == whole_log["loss"].tolist()
    for name, value in whole.items():
        torch.testing.assert_close(resumed[name], value, rtol=0, atol=0)


def test_validation_on_a_schedule_is_refused():
    schedule = build_task({"name": "dm1", "round_robin": ["dm1", "dm2"]})
    model = build_model({"hidden_size": 8}, schedule)
    with pytest.raises(ValueError, match="validation on a round-robin"):
        train(model, schedule, OptimizerConfig(), TrainingConfig(steps=2, validate_every=1),
              seed=0, save_checkpoint=lambda *args: None)


def test_checkpoints_of_a_schedule_are_tested_on_every_task(tmp_path):
    run_config = {
        "study": "ei_modcog", "run": "size_t_2_h8",
        "task": {"name": "dm1", "round_robin": ["dm1", "dms"]},
        "model": {"hidden_size": 8},
        "optimizer": {"name": "eg"},
        "training": {"steps": 2, "batch_size": 4, "checkpoint_fractions": [0.0, 1.0]},
    }
    train_run(run_config, 1, tmp_path / "checkpoints")
    assert len(list_checkpoints(tmp_path / "checkpoints")) == 2
    table = evaluate_checkpoints(tmp_path / "checkpoints", n_trials=10, seed=5)["evaluation"]
    counts = table.groupby(["checkpoint_step", "task"]).size()
    assert counts.to_dict() == {(0, "dm1"): 10, (0, "dms"): 10, (2, "dm1"): 10, (2, "dms"): 10}
    # The tasks' different condition columns make one valid table.
    write_table(table, tmp_path / "evaluation.parquet", "evaluation",
                Provenance("ei_modcog", "size_t_2_h8", "1", "0" * 16))
    assert len(read_table(tmp_path / "evaluation.parquet", "evaluation")) == 40
    # Each task's rows are its own test set: the same trials as the task evaluated alone.
    alone = build_task({"name": "dms"}).sample(np.random.default_rng(5), 10)
    dms = table[(table.task == "dms") & (table.checkpoint_step == 0)]
    assert dms["label"].tolist() == alone.conditions["label"].tolist()


def test_make_plan_sizes_a_schedule_by_each_of_its_tasks():
    from rnnlab.workflow.measure import run_shape

    run_config = {"study": "ei_modcog", "run": "r", "model": {"hidden_size": 8},
                  "task": {"name": "dm1", "round_robin": ["dm1", "dms"]}}
    batch = run_shape(run_config)["batch"]
    assert batch["dm1.inputs"][2] == batch["dms.inputs"][2] == 33
    assert batch["dms.inputs"][1] > batch["dm1.inputs"][1]  # dms trials are longer
    single = run_shape({**run_config, "task": {"name": "dm1"}})["batch"]
    assert set(single) == {name.removeprefix("dm1.") for name in batch if name.startswith("dm1.")}


def test_the_size_sweep_trains_the_thesis_task_sets():
    family = {"enabled": True, "seeds": [1], "hidden_sizes": [128, 256],
              "task_sets": {"t_1": ["dm1"], "t_5": FIVE},
              "run": {"task": {"name": "dm1", "input_noise_std": 0.1}}}
    overrides, labels = family_runs({"size_sweep": family}, "size_sweep")
    assert sorted(overrides) == ["size_t_1_h128", "size_t_1_h256", "size_t_5_h128",
                                 "size_t_5_h256"]
    assert overrides["size_t_1_h128"]["task"] == {"name": "dm1", "input_noise_std": 0.1}
    assert overrides["size_t_5_h256"]["task"] == {"name": "dm1", "round_robin": FIVE,
                                                  "input_noise_std": 0.1}
    assert overrides["size_t_5_h256"]["model"]["hidden_size"] == 256
    assert labels["size_t_5_h128"] == {"hidden_size": 128, "task_set": "t_5",
                                       "tasks": "dm1, dm2, dms, dnms, ctxdlydm1"}
    # Without task sets the runs keep their names (the default config's size_h<H>).
    del family["task_sets"]
    assert sorted(family_runs({"size_sweep": family}, "size_sweep")[0]) == ["size_h128",
                                                                             "size_h256"]
