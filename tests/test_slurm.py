"""The tiny test config through a real SLURM cluster with snakemake-executor-plugin-slurm."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from slurm_cluster import SlurmCluster, available
from test_workflow import copy_workflow

BIN = Path(sys.executable).parent
REASON = available()
pytestmark = [
    pytest.mark.slow(seconds=120),
    pytest.mark.skipif(REASON is not None, reason=REASON or ""),
    pytest.mark.xdist_group("slurm"),  # one cluster at a time: its ports are fixed
]


@pytest.fixture
def cluster(tmp_path):
    slurm = SlurmCluster(tmp_path / "slurm")
    slurm.start()
    yield slurm
    slurm.stop()


def run_through_slurm(workflow: Path, cluster: SlurmCluster, *targets: str, extra=()):
    command = [
        # These runs take 1–2 min; a run that hangs (jobs never seen to finish) is stopped after
        # 10 min and the cluster's own account of its jobs goes in the failure message.
        "timeout", "-k", "10", "600",  # SIGTERM does not always end a hung run
        str(BIN / "snakemake"),
        "--workflow-profile", "profiles/slurm",
        "--configfile", "config/test.yaml",
        "--slurm-status-command", "squeue",  # no accounting database here: sacct fails
        "--slurm-init-seconds-before-status-checks", "1",
        "--seconds-between-status-checks", "2",
        "--slurm-no-account",
        # The profile's memory is sized for the thesis config (4–8 GB, doubled on a retry); the
        # tiny test config needs < 500 MB, and a request at the test node's whole memory fails
        # as a job array (the plugin adds a few MB for the array payload).
        "--set-resources", "train:mem_mb=1000", "fixed_points:mem_mb=1000",
        "--jobs", "4",
        *extra,
        *targets,
    ]
    env = {**cluster.environment, "PATH": f"{BIN}:{cluster.environment['PATH']}"}
    return subprocess.run(command, cwd=workflow, env=env, capture_output=True, text=True)


def diagnosis(result, workflow: Path, cluster: SlurmCluster, length: int = 5000) -> str:
    """A failed run's message: the end of its output, the cluster's account of its node and jobs
    and the jobs' SLURM logs (only read when an assertion fails)."""
    job_logs = sorted((workflow / ".snakemake" / "slurm_logs").rglob("*.log"))[:6]
    return "\n".join([(result.stdout + result.stderr)[-length:], cluster.diagnostics()]
                     + [f"--- {path.relative_to(workflow)}\n"
                        + path.read_text(errors="replace")[-1500:] for path in job_logs])


def test_test_config_runs_end_to_end_through_slurm(tmp_path, cluster):
    workflow = copy_workflow(tmp_path / "workflow")
    # Two figures whose ancestors hold every kind of job (training, a checkpoint analysis,
    # aggregates on the submit host, local figure rules); the rest of the DAG would only add
    # minutes of the same job kinds to the suite.
    result = run_through_slurm(
        workflow, cluster, "ei_modcog_learning_curves", "ei_modcog_fixed_point_motifs"
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, diagnosis(result, workflow, cluster)
    single = log.count("has been submitted with SLURM jobid")
    arrays = re.findall(r"Submitted array job with Snakemake IDs ([\d,]+) and SLURM job ID", log)
    in_arrays = sum(len(ids.split(",")) for ids in arrays)
    # 6 training and 2 fixed-point jobs went through SLURM, the jobs of a rule that were ready
    # together as one job array (profiles/slurm: slurm-array-jobs).
    assert single + in_arrays == 8, log[-3000:]
    assert arrays and single + len(arrays) < 8
    for name in ("learning_curves", "fixed_point_motifs"):
        assert (workflow / "results" / "figures" / "ei_modcog" / f"{name}.png").stat().st_size > 0
    print(f"jobs run through SLURM: {single + in_arrays} in {single + len(arrays)} sbatch calls "
          f"({len(arrays)} job arrays)")


def test_a_failing_slurm_job_fails_the_run(tmp_path, cluster):
    workflow = copy_workflow(tmp_path / "workflow")
    script = workflow / "workflow_scripts" / "train.py"
    script.write_text('raise SystemExit("deliberate failure for the test")\n')
    # No retry (the profile retries a failed job once): one failure is enough to see.
    result = run_through_slurm(workflow, cluster, "results/ei_modcog/runs/eg/seed1/train_log.parquet",
                               extra=("--retries", "0"))
    log = result.stdout + result.stderr
    # 124, -9: stopped by the timeout
    assert result.returncode not in (0, 124, -9), diagnosis(result, workflow, cluster, 3000)
    assert "Error in rule train" in log, diagnosis(result, workflow, cluster, 3000)
