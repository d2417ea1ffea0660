"""Checkpoint files: ``step_<step>.pt`` holding the state dict, the step, the seed and the run's
resolved configuration. Loaded with ``torch.load(weights_only=True)``: a checkpoint never runs
code, and its configuration is plain data."""

from __future__ import annotations

import os
import re
from pathlib import Path

import torch

import rnnlab

_NAME = re.compile(r"step_(\d+)\.pt$")


class CheckpointError(ValueError):
    """A checkpoint file is missing, truncated or not an rnnlab checkpoint."""


def checkpoint_path(directory: str | Path, step: int) -> Path:
    return Path(directory) / f"step_{step:06d}.pt"


def save_checkpoint(
    path: str | Path,
    step: int,
    state_dict: dict,
    run_config: dict,
    seed: int,
    extras: dict | None = None,
) -> None:
    """Write a checkpoint atomically; ``extras`` are further tensors or plain values."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = dict(
        step=step,
        seed=seed,
        run_config=run_config,
        rnnlab_version=rnnlab.__version__,
        state_dict=state_dict,
        **(extras or {}),
    )
    temporary = path.with_name(f".{path.name}.partial")
    torch.save(payload, temporary)
    os.replace(temporary, path)  # atomic: an interrupted save leaves no half-written checkpoint


def load_checkpoint(path: str | Path) -> dict:
    path = Path(path)
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError as error:
        raise CheckpointError(f"{path}: no such checkpoint") from error
    except Exception as error:  # torch raises several types for truncated/corrupt zip files
        raise CheckpointError(f"{path}: unreadable checkpoint ({error})") from error
    required = {"step", "seed", "run_config", "state_dict"}
    if not isinstance(payload, dict) or not required <= set(payload):
        raise CheckpointError(f"{path}: not an rnnlab checkpoint (needs {sorted(required)})")
    return payload


def list_checkpoints(directory: str | Path) -> list[Path]:
    """Checkpoint files of a directory, by increasing step."""
    directory = Path(directory)
    if not directory.is_dir():
        raise CheckpointError(f"{directory}: no checkpoint directory")
    found = [p for p in directory.iterdir() if _NAME.search(p.name)]
    if not found:
        raise CheckpointError(f"{directory}: holds no step_*.pt checkpoint")
    return sorted(found, key=lambda p: int(_NAME.search(p.name).group(1)))
