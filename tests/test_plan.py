"""The cluster bill (rnnlab.workflow.plan): its jobs are Snakemake's, its wall times follow from
the DAG, its training estimates from measured update times and the runs' steps."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from rnnlab.checkpoints import list_checkpoints, load_checkpoint
from rnnlab.training.trainer import TrainingConfig
from rnnlab.workflow import measure, schedule
from rnnlab.workflow.dag import rule_counts, workflow_jobs

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TEST_CONFIG = ROOT / "config" / "test.yaml"


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


# ------------------------------------------------------------------ measurements


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
