"""Stale Snakemake locks on this host.

A Snakemake killed with SIGKILL (or by a lost session) leaves its lock in ``.snakemake/locks``
and the next run refuses to start until ``--unlock``. The lock does not say who holds it, so the
workflow records its owner (host, pid, process start time) once the lock is taken, and removes a
lock whose owner is known to be gone from this host. A lock of another host, or of an owner we
did not record, is left to Snakemake.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
from pathlib import Path

import psutil

LOCK_DIRECTORY = Path(".snakemake/locks")
LOCK_OWNER = Path(".snakemake/rnnlab_lock_owner.json")


def process_start_time(pid: int) -> float | None:
    """Start time of process ``pid`` (seconds since the epoch), or None if it is not running."""
    try:
        return psutil.Process(pid).create_time()
    except psutil.Error:
        return None


def this_process() -> dict:
    pid = os.getpid()
    return dict(host=socket.gethostname(), pid=pid, start=process_start_time(pid))


def remove_stale_lock(
    lock_directory: Path = LOCK_DIRECTORY, owner_file: Path = LOCK_OWNER
) -> str | None:
    """Remove the lock if its recorded owner no longer runs on this host; returns a message
    saying so, or None when the lock was left alone (or there was none)."""
    if not lock_directory.is_dir() or not owner_file.exists():
        return None
    try:
        owner = json.loads(owner_file.read_text())
    except (OSError, ValueError):
        return None
    if owner.get("host") != socket.gethostname() or owner.get("start") is None:
        return None
    if process_start_time(owner["pid"]) == owner["start"]:
        return None  # the owner still runs: the lock is real
    shutil.rmtree(lock_directory, ignore_errors=True)
    owner_file.unlink(missing_ok=True)
    return (
        f"rnnlab: removed the lock left by Snakemake process {owner['pid']} on "
        f"{owner['host']}, which is no longer running"
    )


def record_lock_owner(lock_directory: Path = LOCK_DIRECTORY, owner_file: Path = LOCK_OWNER):
    if lock_directory.is_dir():
        owner_file.write_text(json.dumps(this_process()))


def forget_lock_owner(owner_file: Path = LOCK_OWNER) -> None:
    owner_file.unlink(missing_ok=True)
