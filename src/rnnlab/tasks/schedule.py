"""Several tasks trained by one network, one task per update.

The E/I Mod-Cog thesis trains its five-task networks (``model_perf/t_5_*``: dm1, dm2, dms,
dnms, ctxdlydm1) with ``task_sampling: round_robin``: update k draws its whole batch from task
k mod n, in the listed order, through one shared input layer and one shared readout (no rule
input). :class:`RoundRobinTasks` is that schedule, generic over any tasks that share the input
and output layout and the time step.

What uses it:

* the trainer (``rnnlab.training.trainer``) asks ``task_at(step)`` for the task of each update
  (``tasks_of`` gives the components of a schedule, or the task itself);
* checkpoint evaluation tests every component on its own test set (``tasks_of``), so the
  evaluation table has one ``task`` per component and a pooled accuracy is the mean over tasks;
* models are sized from ``input_size`` / ``output_size`` / ``dt_ms``, which all components share.

A schedule draws no batch of its own (``sample`` raises): a batch mixing tasks of different
lengths and periods is not what the thesis trains or tests on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class RoundRobinTasks:
    """``tasks`` trained in turn: update k uses ``tasks[k % len(tasks)]``."""

    tasks: tuple

    def __post_init__(self) -> None:
        tasks = tuple(self.tasks)
        if len(tasks) < 2:
            raise ValueError("a round-robin schedule needs at least two tasks")
        names = [task.name for task in tasks]
        if len(set(names)) != len(names):
            raise ValueError(f"a task is listed twice in the round-robin schedule {names}")
        for attribute in ("input_size", "output_size", "dt_ms"):
            values = {getattr(task, attribute) for task in tasks}
            if len(values) != 1:
                raise ValueError(
                    f"the tasks {names} of a round-robin schedule must share {attribute} "
                    f"(one network trains on all of them); got {sorted(values)}"
                )
        object.__setattr__(self, "tasks", tasks)

    @property
    def name(self) -> str:
        return "+".join(task.name for task in self.tasks)

    @property
    def input_size(self) -> int:
        return self.tasks[0].input_size

    @property
    def output_size(self) -> int:
        return self.tasks[0].output_size

    @property
    def dt_ms(self) -> float:
        return self.tasks[0].dt_ms

    def task_at(self, step: int):
        """The task of update ``step`` (0-based)."""
        return self.tasks[int(step) % len(self.tasks)]

    def sample(self, rng, batch_size):
        raise TypeError(
            f"the round-robin schedule {self.name} draws no batch of its own; sample one of its "
            "tasks (task_at(step), or tasks_of(schedule) to test each)"
        )


def tasks_of(task) -> Sequence:
    """The component tasks of a schedule; ``(task,)`` for a single task."""
    return task.tasks if isinstance(task, RoundRobinTasks) else (task,)


def task_at(task, step: int):
    """The task update ``step`` trains on: the schedule's turn, or the task itself."""
    return task.task_at(step) if isinstance(task, RoundRobinTasks) else task
