"""The task interface shared by every study (``base``: :class:`Task`, :class:`TaskBatch`) and a
registry type for a study's tasks.

Tasks live with the study that trains on them (``rnnlab.studies.<study>.tasks``); each study's
registry builds them by name::

    from rnnlab.studies.ei_modcog.tasks import make_task
    task = make_task("dm1", input_noise_std=0.0)
    batch = task.sample(np.random.default_rng(0), batch_size=64)
"""

from __future__ import annotations

from rnnlab.tasks.base import Task, TaskBatch

__all__ = ["Task", "TaskBatch", "TaskRegistry"]


class TaskRegistry:
    """Task classes by their ``name``, built with keyword parameters (their constructor
    arguments)."""

    def __init__(self, *classes: type):
        self.classes: dict[str, type] = {cls.name: cls for cls in classes}

    def names(self) -> list[str]:
        """Sorted names accepted by :meth:`make`."""
        return sorted(self.classes)

    def __contains__(self, name: str) -> bool:
        return name in self.classes

    def __getitem__(self, name: str) -> type:
        return self.classes[name]

    def make(self, name: str, **params) -> Task:
        """Build the task registered as ``name`` with keyword ``params``.

        Raises:
            ValueError: ``name`` is not a registered task.
            TypeError: a parameter is not an argument of that task.
        """
        try:
            cls = self.classes[name]
        except (KeyError, TypeError):
            raise ValueError(
                f"unknown task {name!r}; known tasks: {', '.join(self.names())}"
            ) from None
        return cls(**params)
