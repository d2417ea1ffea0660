"""Task generators: batches of trials drawn vectorised from a caller-supplied numpy Generator.

Use :func:`make_task` to build a task by name::

    task = make_task("dm1", input_noise_std=0.0)
    batch = task.sample(np.random.default_rng(0), batch_size=64)
"""

from __future__ import annotations

from rnnlab.tasks.base import Task, TaskBatch
from rnnlab.tasks.ring import DlyGoTask, DM1Task, RingTask
from rnnlab.tasks.zoo import (
    CDDMTask,
    DMTSTask,
    MemoryAntiAngleTask,
    MemoryAntiNumberTask,
    ThreeBitFlipFlopTask,
    ZooTask,
)

__all__ = [
    "TASKS",
    "CDDMTask",
    "DM1Task",
    "DMTSTask",
    "DlyGoTask",
    "MemoryAntiAngleTask",
    "MemoryAntiNumberTask",
    "RingTask",
    "Task",
    "TaskBatch",
    "ThreeBitFlipFlopTask",
    "ZooTask",
    "available_tasks",
    "make_task",
]

#: Registry of task name -> task class (constructed with keyword parameters).
TASKS: dict[str, type] = {
    cls.name: cls
    for cls in (
        DM1Task,
        DlyGoTask,
        CDDMTask,
        DMTSTask,
        ThreeBitFlipFlopTask,
        MemoryAntiNumberTask,
        MemoryAntiAngleTask,
    )
}


def available_tasks() -> list[str]:
    """Sorted names accepted by :func:`make_task`."""
    return sorted(TASKS)


def make_task(name: str, **params) -> Task:
    """Build the task registered as ``name`` with keyword ``params`` (its constructor arguments).

    Raises:
        ValueError: ``name`` is not a registered task.
        TypeError: a parameter is not an argument of that task.
    """
    try:
        cls = TASKS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown task {name!r}; known tasks: {', '.join(available_tasks())}"
        ) from None
    return cls(**params)
