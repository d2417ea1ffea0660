"""Class-balanced batches from a task's mirror symmetry.

A two-choice task whose left and right sides are exchangeable has a mirror image of every trial:
the same trial with the two sides' inputs and outputs swapped and the signed quantities (the
coherence, the correct choice) negated. A task that has one provides
``mirror(batch) -> TaskBatch`` (the B mirror images of a batch's B trials, in order).

``mirror_paired_sample`` draws half a batch and appends its mirror images: each side is then
exactly half of every batch and each noise sample is seen once for each side, so an update's
gradient carries no class imbalance (a random batch of B trials is off balance by ≈ √B / 2 trials
on either side, and the last batches' imbalance is what a network ends on). Shapes: B trials.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from rnnlab.tasks.base import TaskBatch


def concatenated(first: TaskBatch, second: TaskBatch) -> TaskBatch:
    """The trials of ``first`` followed by those of ``second`` (same steps and channels); the
    metadata is ``first``'s."""
    if first.inputs.shape[1:] != second.inputs.shape[1:]:
        raise ValueError(
            f"cannot join batches of shapes {first.inputs.shape} and {second.inputs.shape}")

    def joined(a, b):
        return None if a is None else np.concatenate([a, b])

    return dataclasses.replace(
        first,
        inputs=joined(first.inputs, second.inputs),
        loss_mask=joined(first.loss_mask, second.loss_mask),
        decision_mask=joined(first.decision_mask, second.decision_mask),
        conditions=pd.concat([first.conditions, second.conditions], ignore_index=True),
        periods={name: joined(bounds, second.periods[name])
                 for name, bounds in first.periods.items()},
        labels=joined(first.labels, second.labels),
        targets=joined(first.targets, second.targets),
    )


def has_mirror(task) -> bool:
    """Whether ``task`` (or every task of a schedule with ``tasks``) has a mirror image."""
    return all(callable(getattr(one, "mirror", None)) for one in getattr(task, "tasks", (task,)))


def mirror_paired_sample(task, rng: np.random.Generator, batch_size: int,
                         **sample_options) -> TaskBatch:
    """``batch_size`` (even) trials: ``batch_size / 2`` drawn by ``task.sample`` (with
    ``sample_options``), then their mirror images (``task.mirror``), in the same order."""
    if batch_size % 2:
        raise ValueError(f"mirror-paired batches need an even batch size, got {batch_size}")
    if not has_mirror(task):
        raise ValueError(f"task {getattr(task, 'name', task)!r} has no mirror image")
    half = task.sample(rng, batch_size // 2, **sample_options)
    return concatenated(half, task.mirror(half))
