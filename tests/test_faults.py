"""The workflow under faults: Snakemake killed with SIGKILL in the middle of training."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import torch
import yaml

from rnnlab.checkpoints import list_checkpoints, load_checkpoint
from rnnlab.experiment import train_run
from rnnlab.tables import read_table
from test_resume import assert_same_checkpoints
from test_workflow import BIN, copy_workflow, snakemake

TARGET = "results/figures/ei_modcog/learning_curves.png"  # needs eg and gd, seeds 1 and 2
SLOW_STEPS = 1500


def slow_gd_config(workflow: Path) -> None:
    """The test config with run gd trained long enough to be killed in the middle."""
    config = yaml.safe_load((workflow / "config" / "test.yaml").read_text())
    config["studies"]["ei_modcog"]["runs"]["gd"]["training"] = dict(steps=SLOW_STEPS)
    (workflow / "config" / "config.yaml").write_text(yaml.safe_dump(config))


def resume_step(state: Path) -> int:
    try:
        return int(torch.load(state, weights_only=True)["step"])
    except Exception:  # not written yet, or being replaced
        return -1


@pytest.mark.slow(seconds=40)
def test_sigkill_in_training_resumes_and_recomputes_only_the_killed_jobs(tmp_path):
    workflow = copy_workflow(tmp_path / "workflow")
    slow_gd_config(workflow)
    eg_logs = [workflow / f"results/ei_modcog/runs/eg/seed{seed}/train_log.parquet" for seed in (1, 2)]
    done = snakemake(workflow, "--cores", "2", *[str(p.relative_to(workflow)) for p in eg_logs])
    assert done.returncode == 0, done.stderr[-3000:]
    finished = {path: path.stat().st_mtime_ns for path in eg_logs}

    arguments = [str(BIN / "snakemake"), "--cores", "2", TARGET,
                 "--set-resources", "train:resume_interval_seconds=0"]
    running = subprocess.Popen(
        arguments, cwd=workflow, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"},
    )
    states = [workflow / f"results/resume/ei_modcog/gd/seed{seed}/state.pt" for seed in (1, 2)]
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline and resume_step(states[0]) < 100:
            assert running.poll() is None, "the workflow ended before it could be killed"
            time.sleep(0.2)
    finally:
        os.killpg(running.pid, signal.SIGKILL)  # Snakemake and every job it started
        running.wait()
    killed_at = resume_step(states[0])
    assert 100 <= killed_at < SLOW_STEPS, killed_at

    assert (workflow / ".snakemake" / "locks").is_dir()  # the killed Snakemake's lock

    # The next plain run removes the dead run's lock, redoes only the incomplete jobs, and the
    # killed training continues from its saved state.
    result = snakemake(workflow, "--cores", "2", TARGET)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "removed the lock left by Snakemake process" in result.stderr
    assert {path: path.stat().st_mtime_ns for path in eg_logs} == finished
    output = result.stdout + result.stderr
    assert output.count("rule train:") == 2 and "wildcards: study=ei_modcog, run=eg" not in output
    job_log = (workflow / "results/logs/train/ei_modcog/gd/seed1.log").read_text()
    assert (
        f"resuming from the state saved in results/resume/ei_modcog/gd/seed1/state.pt at step "
        f"{killed_at} of {SLOW_STEPS} ({killed_at} updates already done); results are "
        "bit-identical to an uninterrupted run's" in job_log
    )

    # Bit-identical to a training that was never interrupted.
    checkpoints = workflow / "results/ei_modcog/runs/gd/seed1/checkpoints"
    run_config = load_checkpoint(list_checkpoints(checkpoints)[-1])["run_config"]
    torch.set_num_threads(1)  # as the job (threads: 1)
    reference = train_run(run_config, 1, tmp_path / "reference")
    assert_same_checkpoints(tmp_path / "reference", checkpoints)
    log = read_table(workflow / "results/ei_modcog/runs/gd/seed1/train_log.parquet", "train_log")
    assert log["loss"].tolist() == reference["loss"].tolist()

    # No half-written file anywhere, and no resume state left behind.
    assert not [p for p in (workflow / "results").rglob("*") if p.name.endswith(".partial")]
    assert not (workflow / "results" / "resume" / "ei_modcog" / "gd" / "seed1").exists()
    assert (workflow / TARGET).stat().st_size > 10_000
