"""Trial streams: consecutive trials concatenated into fixed-length sequences.

neurogym's supervised ``Dataset(env, batch_size, seq_len)`` (what the E/I Mod-Cog thesis trains
on) fills each batch row with whole trials one after the other and cuts the row at ``seq_len``
steps: the network runs through trial boundaries without a reset, and the last trial of a row
is cut wherever ``seq_len`` falls. (With the default cache of neurogym 2.3.1 and the thesis'
batch sizes the cache is exactly one batch long, so every batch starts on fresh trials and
nothing carries over between batches.) ``trial_stream`` builds the same batches from any
classification task of rnnlab, vectorised and from the caller's generator.

Shapes: B rows, T = ``n_steps``, I inputs, K trials drawn per row.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from rnnlab.tasks.base import TaskBatch


def trials_per_row(task, n_steps: int) -> int:
    """K: enough trials to fill ``n_steps`` steps even if every trial is the shortest one."""
    shortest = int(task.min_n_steps)
    if shortest < 1:
        raise ValueError(f"task {task.name!r} can draw empty trials; it cannot be streamed")
    return math.ceil(n_steps / shortest)


def trial_stream(task, rng: np.random.Generator, batch_size: int, n_steps: int) -> TaskBatch:
    """B rows of ``n_steps`` steps, each the concatenation of consecutive trials of ``task``.

    K = ``trials_per_row`` trials are drawn per row in one ``task.sample(rng, B·K)`` call (row b
    gets trials b·K … b·K + K − 1, in order); a trial's steps are its ``loss_mask`` steps (padding
    dropped). Every step of a row is in some trial, so ``loss_mask`` is all True; inputs,
    ``labels`` and ``decision_mask`` are those of the trial the step is in. ``conditions`` lists
    the trials that appear, with their ``row`` and ``start_step`` in it (a cut trial starts
    there but does not end); ``periods`` is empty (a row holds many trials).
    """
    if n_steps < 1:
        raise ValueError(f"n_steps must be at least 1, got {n_steps}")
    k = trials_per_row(task, n_steps)
    trials = task.sample(rng, batch_size * k)
    if trials.labels is None:
        raise ValueError(f"task {task.name!r} has no labels: only classification tasks stream")
    lengths = trials.loss_mask.sum(axis=1).reshape(batch_size, k)  # (B, K)
    ends = np.cumsum(lengths, axis=1)
    starts = ends - lengths
    t = np.arange(n_steps)
    which = (t[None, :, None] >= ends[:, None, :]).sum(axis=2)  # (B, T) trial within the row
    source = np.arange(batch_size)[:, None] * k + which  # (B, T) trial in the sample
    offset = t[None, :] - np.take_along_axis(starts, which, axis=1)
    inputs = trials.inputs[source, offset]
    labels = trials.labels[source, offset]
    decision_mask = trials.decision_mask[source, offset]

    shown = starts < n_steps  # (B, K) trials that appear in their row
    conditions = trials.conditions.iloc[np.flatnonzero(shown.ravel())].reset_index(drop=True)
    conditions.insert(1, "row", np.repeat(np.arange(batch_size), shown.sum(axis=1)))
    conditions.insert(2, "start_step", starts[shown].astype(np.int64))
    return TaskBatch(
        inputs=inputs,
        loss_mask=np.ones((batch_size, n_steps), dtype=bool),
        decision_mask=decision_mask,
        conditions=pd.DataFrame(conditions),
        periods={},
        labels=labels,
        targets=None,
        metadata={**trials.metadata, "trial_stream_steps": int(n_steps)},
    )
