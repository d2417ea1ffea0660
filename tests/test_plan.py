"""The cluster bill (rnnlab.workflow.plan): its jobs are Snakemake's, its wall times follow from
the DAG, its training estimates from measured update times and the runs' steps."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from rnnlab.checkpoints import list_checkpoints, load_checkpoint
from rnnlab.training.trainer import TrainingConfig, Validator
from rnnlab.workflow import measure, schedule
from rnnlab.workflow.dag import rule_counts, workflow_jobs
from rnnlab.workflow.costs import JobCosts, seed_training, startup_modules
from rnnlab.workflow.plan import make_plan, report, this_machine

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TEST_CONFIG = ROOT / "config" / "test.yaml"
MACHINE = {"host": "test"}


@pytest.fixture(scope="module")
def test_jobs():
    return workflow_jobs(TEST_CONFIG, ROOT)


def dry_run_counts(configfile: Path) -> dict[str, int]:
    result = subprocess.run(
        [str(BIN / "snakemake"), "-n", "--forceall", "--configfile", str(configfile)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"},
    )
    assert result.returncode == 0, result.stderr
    table = result.stdout.split("Job stats:")[1]
    counts = {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\w+)\s+(\d+)$", table, re.M)}
    counts.pop("total")
    return counts


def test_the_plan_has_the_jobs_of_a_forced_dry_run(test_jobs):
    assert rule_counts(test_jobs) == dry_run_counts(TEST_CONFIG)


def test_a_partial_configfile_is_planned_merged_over_the_defaults_as_the_cli_merges_it():
    # config/thesis.yaml sets only what differs from config/config.yaml (e.g. one run of a
    # study's runs); the plan once read it alone and refused it.
    thesis = ROOT / "config" / "thesis.yaml"
    jobs = workflow_jobs(thesis, ROOT)
    assert rule_counts(jobs) == dry_run_counts(thesis)
    # training_jobs.runtime_minutes: a study's own SLURM time, the default for the rest
    asked = {job.wildcards["study"]: job.resources["runtime"] for job in jobs if job.rule == "train"}
    assert asked == {"vwm": 1800, "ei_modcog": 180, "system_a": 120, "ctrnn_zoo": 60, "two_afc": 60}


def test_jobs_estimated_longer_than_they_ask_for_are_named():
    from rnnlab.workflow.plan import short_request_lines

    jobs = [SimpleNamespace(jobid=i, kind=kind, label=f"job {i}", resources={"runtime": 60})
            for i, kind in enumerate(["training", "stage", "local"])]
    seconds = {0: 3000.0, 1: 4000.0, 2: 9000.0}
    plan = SimpleNamespace(jobs=jobs, estimates={i: SimpleNamespace(seconds=s) for i, s in seconds.items()})
    text = " ".join(short_request_lines(plan))
    assert text.startswith("1 cluster jobs are estimated longer") and "job 1 1:06:40 > 60 min" in text
    plan.estimates[1].seconds = 3000.0
    assert short_request_lines(plan) == ["Every cluster job asks for more time than its estimate."]


def test_jobs_know_how_they_are_measured(test_jobs):
    kinds = {job.rule: job.kind for job in test_jobs}
    assert kinds["train"] == "training" and kinds["all"] == "target"
    assert kinds["fixed_points"] == kinds["evaluate_checkpoints"] == "stage"
    assert kinds["aggregate"] == kinds["provenance"] == kinds["ei_modcog_weight_signs"] == "local"
    train = next(job for job in test_jobs
                 if job.rule == "train" and job.wildcards["study"] == "ei_modcog")
    assert {"snakemake.script", "rnnlab.experiment", "rnnlab.studies.ei_modcog.experiment"} <= set(
        startup_modules(train))
    figure = next(job for job in test_jobs if job.rule == "ei_modcog_weight_signs")
    assert "rnnlab.studies.ei_modcog.figures.weights" in startup_modules(figure)


# ------------------------------------------------------------------ scheduling arithmetic

# a (2 s) is needed by b (3 s) and c (1 s), both by d (1 s); e (4 s) stands alone.
DURATIONS = {1: 2.0, 2: 3.0, 3: 1.0, 4: 1.0, 5: 4.0}
DEPENDENCIES = {1: (), 2: (1,), 3: (1,), 4: (2, 3), 5: ()}


def test_the_longest_chain_is_a_then_b_then_d():
    assert schedule.critical_path(DURATIONS, DEPENDENCIES) == (6.0, [1, 2, 4])


def test_list_schedule_on_one_core_is_the_sum_and_on_many_the_longest_chain():
    assert schedule.list_schedule(DURATIONS, DEPENDENCIES, 1) == 11.0
    # 2 cores: a and e at 0; b at 2 (longer chain ahead than c); c at 4; d at 5, ends at 6.
    assert schedule.list_schedule(DURATIONS, DEPENDENCIES, 2) == 6.0
    assert schedule.list_schedule(DURATIONS, DEPENDENCIES, 100) == 6.0
    assert schedule.lower_bound(DURATIONS, DEPENDENCIES, 2) == 6.0  # max(11 / 2, 6)


def test_the_lower_bound_is_total_over_cores_when_jobs_cannot_be_split():
    three = {1: 2.0, 2: 2.0, 3: 2.0}
    independent = {1: (), 2: (), 3: ()}
    assert schedule.lower_bound(three, independent, 2) == 3.0
    assert schedule.list_schedule(three, independent, 2) == 4.0


def test_a_cycle_is_refused():
    with pytest.raises(ValueError, match="cycle"):
        schedule.list_schedule({1: 1.0, 2: 1.0}, {1: (2,), 2: (1,)}, 2)


# ------------------------------------------------------------------ training estimates


def test_validations_are_counted_as_the_trainer_validates():
    for steps, every in [(10, 5), (11, 5), (20000, 100), (3, 7)]:
        config = TrainingConfig(steps=steps, validate_every=every)
        due = sum(Validator.due(SimpleNamespace(config=config), s) for s in range(steps + 1))
        cost = measure.TrainingCost(0.0, 0.0, 0.0, 0.0, 0.0, 1)
        assert seed_training(dataclasses.asdict(config), cost, 120).validations == due


def ei_run(jobs, run: str = "eg") -> dict:
    return next(job.params["run"] for job in jobs if job.rule == "train"
                and job.wildcards["study"] == "ei_modcog" and job.wildcards["run"] == run)


def test_a_measured_update_is_positive(test_jobs, tmp_path):
    cost = measure.measure_training(ei_run(test_jobs), 1, tmp_path, timed_updates=2)
    assert cost.update > 0 and cost.checkpoint_write > 0 and cost.resume_save > 0
    assert cost.validation == 0  # the run does not validate


def test_untrained_checkpoints_are_as_many_as_the_run_writes(test_jobs, tmp_path):
    run_config = ei_run(test_jobs)
    measure.write_untrained_checkpoints(run_config, 1, tmp_path)
    steps = [load_checkpoint(path)["step"] for path in list_checkpoints(tmp_path)]
    assert steps == TrainingConfig.from_dict(run_config["training"]).checkpoint_steps


def test_the_training_estimate_grows_with_the_steps_by_the_measured_update(test_jobs, tmp_path):
    run_config = ei_run(test_jobs)
    cost = measure.measure_training(run_config, 1, tmp_path, timed_updates=2)
    training = dict(run_config["training"], steps=100)
    shorter = seed_training(training, cost, 120)
    longer = seed_training(dict(training, steps=200), cost, 120)
    assert longer.seconds - shorter.seconds == pytest.approx(100 * cost.update)


def planted(tmp_path: Path) -> Path:
    """The test config with run gd of ei_modcog trained for twice its steps."""
    config = yaml.safe_load(TEST_CONFIG.read_text())
    study = config["studies"]["ei_modcog"]
    steps = study["training_defaults"]["training"]["steps"]
    study["runs"]["gd"]["training"] = {"steps": 2 * steps}
    path = tmp_path / "planted.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def training_seconds(jobs, cache, scratch) -> tuple[dict[str, float], JobCosts]:
    """Seconds of the training jobs of ei_modcog per run, without their start-up."""
    costs = JobCosts(jobs, ROOT, cache, scratch, log=lambda message: None)
    found: dict[str, float] = {}
    for job in jobs:
        if job.rule == "train" and job.wildcards["study"] == "ei_modcog":
            run = job.wildcards["run"]
            found[run] = found.get(run, 0.0) + costs.training_seconds(job)
    return found, costs


def test_doubling_a_runs_steps_doubles_its_updates_and_changes_nothing_else(test_jobs, tmp_path):
    cache = measure.MeasurementCache(tmp_path / "cache.json", MACHINE)
    original, before = training_seconds(test_jobs, cache, tmp_path / "a")
    doubled, after = training_seconds(workflow_jobs(planted(tmp_path), ROOT), cache, tmp_path / "b")
    seed = before.training["ei_modcog/gd"]
    assert after.training["ei_modcog/gd"].steps == 2 * seed.steps
    updates = seed.steps * seed.cost.update * 2  # two seeds
    assert doubled["gd"] - original["gd"] == pytest.approx(updates)
    assert {run: s for run, s in doubled.items() if run != "gd"} == pytest.approx(
        {run: s for run, s in original.items() if run != "gd"})


def test_a_stage_is_measured_after_the_stage_making_its_input(test_jobs, tmp_path):
    cache = measure.MeasurementCache(tmp_path / "cache.json", MACHINE)
    measured = []
    costs = JobCosts(test_jobs, ROOT, cache, tmp_path / "scratch", log=measured.append)
    metrics = next(job for job in test_jobs if job.rule == "gradient_metrics")
    assert costs.stage_seconds(metrics) > 0
    # its input came from collect_gradients, run on the run's untrained checkpoints
    stages = [message.split()[1] for message in measured if "untrained" in message]
    assert stages == ["collect_gradients", "gradient_metrics"]
    assert (tmp_path / "scratch" / metrics.inputs["unit_gradients"]).is_file()


def test_the_cache_keeps_a_machines_measurements_and_refreshes_only_what_is_asked(tmp_path):
    path = tmp_path / "cache.json"
    cache = measure.MeasurementCache(path, MACHINE)
    cache.put("a", 1.0)
    cache.put("b", 2.0)
    assert measure.MeasurementCache(path, {"host": "another"}).get("a") is None
    refreshed = measure.MeasurementCache(path, MACHINE, refresh=True)
    assert refreshed.get("a") is None
    refreshed.put("a", 3.0)
    assert refreshed.get("a") == 3.0
    assert measure.MeasurementCache(path, MACHINE).get("b") == 2.0


def test_runs_differing_in_real_numbers_only_share_a_stage_measurement(test_jobs, tmp_path):
    cache = measure.MeasurementCache(tmp_path / "cache.json", MACHINE)
    costs = JobCosts(test_jobs, ROOT, cache, tmp_path / "scratch", log=lambda message: None)
    sweep = [job for job in test_jobs if job.rule == "fixed_points"]  # two inhibitory fractions
    assert {job.wildcards["run"] for job in sweep} == {"inhibition_0.2", "inhibition_0.4"}
    assert len({costs.stage_class(job) for job in sweep}) == 1
    evaluations = [job for job in test_jobs if job.rule == "evaluate_checkpoints"]
    # eg and gd differ in their optimiser's name; the test config's ablations in more than
    # real numbers (tanh, E-only readout, no row-sum penalty, leak 1, per-optimiser lr sweep)
    assert len({costs.stage_class(job) for job in evaluations}) == 8


# ------------------------------------------------------------------ the whole plan


def test_a_quick_plan_of_the_test_config_bills_every_job(tmp_path):
    cache = measure.MeasurementCache(tmp_path / "cache.json", this_machine())
    jobs = workflow_jobs(TEST_CONFIG, ROOT)
    for job in jobs:  # start-ups known: the test measures the rest
        cache.put(("startup", startup_modules(job)), 1.0)
    plan = make_plan(TEST_CONFIG, ROOT, cache.path, quick=True, log=lambda message: None)
    assert all(plan.estimates[job.jobid].seconds > 0 for job in jobs if job.kind != "target")
    scheduled, bound = plan.wall_time(2)
    assert scheduled >= bound > 0
    text = report(plan, [2, 16])
    assert f"{len(jobs)} jobs" in text and "Longest job: " in text
    assert re.search(r"^\s+16\s+\d+\.\d\d h \(\d+:\d\d:\d\d\)\s+\d+\.\d\d h \(", text, re.M)
    assert "untrained networks" in text


def test_a_study_with_its_own_trainer_is_timed_through_it(monkeypatch, tmp_path):
    """A study that trains with its own train_run is billed from two shortened runs of it: the
    difference per update, the rest once; its untrained checkpoints come from a 0-step run,
    copied to each checkpoint step it names."""
    import types

    from rnnlab import experiment

    calls = []

    def train_run(run_config, seed, checkpoint_directory, resume=None, **kwargs):
        calls.append(run_config["training"]["steps"])
        shared = {**run_config, "study": "ei_modcog"}
        return experiment.train_run(shared, seed, checkpoint_directory, **kwargs)

    module = types.ModuleType("rnnlab.studies.own_trainer.experiment")
    module.train_run = train_run
    module.training_steps = lambda config: 10 * config["training"]["steps"]
    module.with_training_steps = lambda config, steps: {
        **config, "training": {**config["training"], "steps": steps}}
    module.checkpoint_steps = lambda config: [0, 5, 10]
    monkeypatch.setitem(sys.modules, "rnnlab.studies.own_trainer.experiment", module)
    run_config = {"study": "own_trainer", "run": "r", "task": {"name": "dm1"},
                  "model": {"hidden_size": 8}, "optimizer": {"name": "gd"},
                  "training": {"steps": 40, "batch_size": 4, "checkpoint_fractions": [0.0, 1.0]}}
    assert measure.own_trainer(run_config) is module
    cost = measure.measure_own_training(run_config, 1, tmp_path / "timing", short=2, long=30)
    # an untimed warm-up first: the first run pays one-time costs (it once made update 0)
    assert calls == [2, 2, 30] and cost.update > 0 and cost.build >= 0
    measure.write_untrained_checkpoints(run_config, 1, tmp_path / "untrained")
    steps = [load_checkpoint(path)["step"] for path in list_checkpoints(tmp_path / "untrained")]
    assert steps == [0, 0, 0] and calls[-1] == 0
