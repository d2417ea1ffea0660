"""The CTRNN zoo's five tasks (seed 004), one module each, on the shared machinery of ``base``.

Use :func:`make_task` to build one by name::

    task = make_task("cddm", evidence_noise_std=0.5)
    batch = task.sample(np.random.default_rng(0), batch_size=64)
"""

from __future__ import annotations

from rnnlab.studies.ctrnn_zoo.tasks.base import (
    ANTI_NUMBER_VALUES,
    CDDM_COHERENCES,
    DT_MS,
    INPUT_NOISE_STD,
    ZooTask,
)
from rnnlab.studies.ctrnn_zoo.tasks.cddm import CDDMTask
from rnnlab.studies.ctrnn_zoo.tasks.dmts import DMTSTask
from rnnlab.studies.ctrnn_zoo.tasks.flip_flop import ThreeBitFlipFlopTask
from rnnlab.studies.ctrnn_zoo.tasks.memory import MemoryAntiAngleTask, MemoryAntiNumberTask
from rnnlab.tasks import TaskRegistry

__all__ = [
    "ANTI_NUMBER_VALUES",
    "CDDM_COHERENCES",
    "DT_MS",
    "INPUT_NOISE_STD",
    "TASKS",
    "CDDMTask",
    "DMTSTask",
    "MemoryAntiAngleTask",
    "MemoryAntiNumberTask",
    "ThreeBitFlipFlopTask",
    "ZooTask",
    "build_task",
    "make_task",
]

TASKS = TaskRegistry(
    CDDMTask, DMTSTask, ThreeBitFlipFlopTask, MemoryAntiNumberTask, MemoryAntiAngleTask
)
make_task = TASKS.make


def build_task(task_config: dict):
    """The zoo task of a run's ``task`` section (``name`` and the task's parameters)."""
    parameters = dict(task_config)
    return make_task(parameters.pop("name"), **parameters)


def task_or_none(task_config: dict):
    """``build_task``, or None when the section is wrong (the config check reports it)."""
    try:
        return build_task(task_config)
    except (TypeError, ValueError):
        return None
