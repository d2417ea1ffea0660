"""A real single-node SLURM cluster for tests: munged, slurmctld and slurmd started by hand
(there is no systemd), configured in a temporary directory and stopped afterwards.

Facts this encodes: without an accounting database sacct fails, so the workflow must poll with
squeue, which needs MinJobAge long enough that finished jobs are still listed; DefMemPerCPU
keeps one job from taking the whole node; RealMemory must not exceed what `slurmd -C` reports.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

NODE = "rnnlabnode"


def available() -> str | None:
    """None when a cluster can be started here, else the reason it cannot."""
    if os.geteuid() != 0:
        return "starting slurmctld and slurmd needs root"
    missing = [c for c in ("munged", "slurmctld", "slurmd", "sbatch", "squeue") if not shutil.which(c)]
    if missing:
        return f"not installed: {missing} (apt-get install slurm-wlm munge)"
    return None


def _node_resources() -> tuple[int, int]:
    reported = subprocess.run(["slurmd", "-C"], capture_output=True, text=True, check=True).stdout
    cpus = int(re.search(r"CPUs=(\d+)", reported).group(1))
    memory = int(re.search(r"RealMemory=(\d+)", reported).group(1))
    return cpus, memory


def _configuration(directory: Path, spool: Path, cpus: int, memory_mb: int) -> str:
    return f"""ClusterName=rnnlab
SlurmctldHost=localhost(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation={directory}/state
SlurmdSpoolDir={spool}
SlurmctldPidFile={directory}/slurmctld.pid
SlurmdPidFile={directory}/slurmd.pid
SlurmctldLogFile={directory}/slurmctld.log
SlurmdLogFile={directory}/slurmd.log
SlurmctldPort=6917
SlurmdPort=6918
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MinJobAge=300
DefMemPerCPU=1000
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
NodeName={NODE} NodeAddr=127.0.0.1 CPUs={cpus} RealMemory={memory_mb} State=UNKNOWN
PartitionName=debug Nodes={NODE} Default=YES MaxTime=INFINITE State=UP
"""


class SlurmCluster:
    """Start with ``start()``; ``environment`` points SLURM clients at it; ``stop()`` ends
    every daemon this object started (and only those)."""

    def __init__(self, directory: Path):
        self.directory = directory
        # slurmstepd makes a Unix socket <spool>/<node>_<job>.<step> (at most 108 bytes): a
        # spool under pytest's tmp_path (…/pytest-of-root/pytest-161/popen-gw0/test_…/slurm/spool)
        # is too long for it, and every job launch fails and is held ("launch failed requeued
        # held") while the run waits. Short, and removed by stop().
        self.spool = Path(tempfile.mkdtemp(prefix="slurm-", dir="/tmp"))
        self.environment = {**os.environ, "SLURM_CONF": str(directory / "slurm.conf")}
        self._pid_files: list[Path] = []
        self._started_munge = False

    def start(self, timeout: float = 60) -> None:
        (self.directory / "state").mkdir(parents=True)
        cpus, memory = _node_resources()
        memory = min(memory, 8000)  # at or below what slurmd -C reports
        configuration = _configuration(self.directory, self.spool, cpus, memory)
        (self.directory / "slurm.conf").write_text(configuration)
        self._start_munge()
        subprocess.run(["slurmctld", "-c"], env=self.environment, check=True)
        self._pid_files.append(self.directory / "slurmctld.pid")
        subprocess.run(["slurmd", "-N", NODE], env=self.environment, check=True)
        self._pid_files.append(self.directory / "slurmd.pid")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = subprocess.run(["sinfo", "-h", "-o", "%t"], env=self.environment,
                                   capture_output=True, text=True)
            if state.stdout.strip() == "idle":
                return
            time.sleep(0.5)
        raise RuntimeError(f"SLURM node did not become idle; see {self.directory}/slurmctld.log")

    def _start_munge(self) -> None:
        probe = subprocess.run("munge -n | unmunge", shell=True, capture_output=True)
        if probe.returncode == 0:
            return  # a munged is already running: use it, and leave it running
        if not Path("/etc/munge/munge.key").exists():
            subprocess.run(["mungekey", "--create"], check=True)
        socket_directory = Path("/run/munge")
        socket_directory.mkdir(parents=True, exist_ok=True)
        shutil.chown(socket_directory, "munge", "munge")
        subprocess.run(["runuser", "-u", "munge", "--", "munged"], check=True)
        self._started_munge = True

    def diagnostics(self) -> str:
        """What the cluster says about its node and jobs, and the tails of its daemons' logs: for
        a failure message, so a run that hung on a CI machine can be read from CI's output."""
        parts = []
        for command in (["sinfo", "-N", "-o", "%N %t %c %m %E"],
                        ["squeue", "--states=all", "-o", "%i %j %T %r %M"],
                        ["scontrol", "show", "node", NODE]):
            shown = subprocess.run(command, env=self.environment, capture_output=True, text=True,
                                   timeout=30)
            parts.append(f"$ {' '.join(command)}\n{shown.stdout}{shown.stderr}")
        for name in ("slurmctld.log", "slurmd.log"):
            path = self.directory / name
            tail = path.read_text(errors="replace").splitlines()[-25:] if path.exists() else []
            parts.append(f"--- {name} (last 25 lines)\n" + "\n".join(tail))
        return "\n".join(parts)

    def stop(self) -> None:
        for pid_file in reversed(self._pid_files):
            try:
                os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
            except (FileNotFoundError, ProcessLookupError, ValueError):
                pass
        self._pid_files.clear()
        shutil.rmtree(self.spool, ignore_errors=True)
        if self._started_munge:
            subprocess.run(["runuser", "-u", "munge", "--", "munged", "--stop"], check=False)
            self._started_munge = False
