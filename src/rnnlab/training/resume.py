"""Resume state of a training job, so that a killed job continues where it stopped.

A workflow job's outputs are deleted by Snakemake before the job is rerun, so the resume state
lives outside them, in a directory of its own (``ResumeStore.directory``): ``state.pt`` holds
everything the rest of the run depends on — parameters, optimiser state, the data and noise
generators' states, the validation history and the log rows so far — and is replaced atomically
at most every ``interval_seconds``. Resuming from it gives bit-identical results to a run that
was never interrupted (same machine, same thread count).

``key`` names what the state belongs to (run configuration, seed, code fingerprint); a state
with another key is ignored and overwritten, so an edited configuration or edited code never
continues from stale state.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from pathlib import Path
from typing import Callable

import torch

STATE_FILE = "state.pt"

log = logging.getLogger(__name__)


class ResumeStore:
    """Where ``train`` saves its resume state and finds it again.

    Args:
        directory: the store's own directory (created on first save).
        key: identifies the run the state belongs to.
        interval_seconds: minimum wall time between two saves; 0 saves after every update.
        clock: seconds, monotonic (injectable for tests).
    """

    def __init__(
        self,
        directory: str | Path,
        key: str,
        interval_seconds: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        if interval_seconds < 0:
            raise ValueError(f"interval_seconds must be ≥ 0, got {interval_seconds}")
        self.directory = Path(directory)
        self.key = key
        self.interval_seconds = interval_seconds
        self.clock = clock
        self._last_save = clock()

    @classmethod
    def for_training(cls, directory: str | Path, run_config: dict, seed: int, code: str,
                     interval_seconds: float) -> "ResumeStore":
        """The store of one training job's (run, seed), keyed by the run configuration, the seed
        and ``code`` (a fingerprint of the code that trains)."""
        from rnnlab.tables import config_hash

        key = config_hash(dict(run=run_config, seed=seed, code=code))
        return cls(directory, key, interval_seconds)

    @property
    def path(self) -> Path:
        return self.directory / STATE_FILE

    @property
    def checkpoint_directory(self) -> Path:
        """Where checkpoints are written during training, before they are handed over."""
        return self.directory / "checkpoints"

    def load(self) -> dict | None:
        """The saved state of this key, or None (no state, another key, or unreadable)."""
        if not self.path.exists():
            return None
        try:
            state = torch.load(self.path, map_location="cpu", weights_only=True)
        except Exception as error:  # a state we cannot read is not worth failing the run for
            log.warning("ignoring unreadable resume state %s (%s)", self.path, error)
            return None
        if not isinstance(state, dict) or state.get("key") != self.key:
            log.info("ignoring resume state %s of another configuration or code", self.path)
            return None
        return state

    def due(self) -> bool:
        return self.clock() - self._last_save >= self.interval_seconds

    def save(self, state: dict) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{STATE_FILE}.partial")
        torch.save({**state, "key": self.key}, temporary)
        os.replace(temporary, self.path)
        self._last_save = self.clock()

    def hand_over_checkpoints(self, destination: str | Path) -> None:
        """Copy the checkpoints into ``destination`` (the job's output), each atomically.
        Copied, not moved: if the job dies before it ends, Snakemake deletes the output and the
        next attempt still needs them."""
        destination = Path(destination)
        destination.mkdir(parents=True, exist_ok=True)
        if self.checkpoint_directory.is_dir():
            for path in sorted(self.checkpoint_directory.glob("step_*.pt")):
                temporary = destination / f".{path.name}.partial"
                shutil.copyfile(path, temporary)
                os.replace(temporary, destination / path.name)

    def finish(self) -> None:
        """The run is complete and its outputs are written: drop the state and checkpoints."""
        shutil.rmtree(self.directory, ignore_errors=True)

