"""Final performance of the families of runs (learning-rate sweep, ablations, network size):
the aggregate ``final_performance`` and the thesis' plateau detection (tables only, no torch).

Every quantity is reduced to one value per (run, seed) before the bootstrap over seeds, so n
counts seeds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from rnnlab.analysis.statistics import summarise_over_seeds


def time_to_plateau(accuracy: Sequence[float], window: int, tolerance: float) -> int:
    """Index of the first validation point at which accuracy stopped rising: the first
    t ≥ ``window`` with accuracy[t] − accuracy[t − window] < ``tolerance``; len(accuracy) when
    it never did (still rising at the end) — the thesis' ``time_to_plateau``.

    ``accuracy``: accuracies at successive validation points (the thesis: one per epoch; here
    one per checkpoint after step 0). A curve no longer than ``window`` returns its length.
    """
    values = np.asarray(accuracy, dtype=float)
    for t in range(window, len(values)):
        if values[t] - values[t - window] < tolerance:
            return t
    return len(values)


def per_seed_accuracy(evaluation: pd.DataFrame) -> pd.DataFrame:
    """Test accuracy per (run, seed, checkpoint_step), pooled over the evaluated tasks."""
    return (
        evaluation.groupby(["run", "seed", "checkpoint_step"], sort=True)["correct"]
        .mean()
        .rename("accuracy")
        .reset_index()
    )


def run_performance(
    accuracy: pd.DataFrame, plateau_window: int | None, plateau_tolerance: float | None
) -> pd.DataFrame:
    """Per (run, seed): final accuracy (last checkpoint), best accuracy over the checkpoints
    after step 0, and — with a plateau window — the training step at which the accuracy
    plateaued (the checkpoint ``time_to_plateau`` points at; the final step when it never did)
    and ``plateaued`` (1 when it did, 0 when the accuracy was still rising at the end)."""
    rows = []
    for (run, seed), group in accuracy.groupby(["run", "seed"], sort=True):
        group = group.sort_values("checkpoint_step")
        trained = group[group["checkpoint_step"] > 0]
        row = dict(
            run=run,
            seed=int(seed),
            final_accuracy=float(group["accuracy"].iloc[-1]),
            best_accuracy=float(trained["accuracy"].max()) if len(trained) else np.nan,
        )
        if plateau_window is not None:
            history = trained["accuracy"].to_numpy()
            index = time_to_plateau(history, plateau_window, plateau_tolerance)
            steps = trained["checkpoint_step"].to_numpy()
            row["plateau_step"] = float(steps[min(index, len(steps) - 1)]) if len(steps) else np.nan
            row["plateaued"] = float(index < len(history))
        rows.append(row)
    return pd.DataFrame(rows)


def final_performance(
    tables,
    seed,
    n_resamples,
    *,
    runs: Mapping[str, Mapping],
    plateau_window: int | None = None,
    plateau_tolerance: float | None = None,
    control: str | None = None,
    per_network: bool = False,
):
    """Final (and best) test accuracy of each run of a family, mean and 95% CI over seeds.

    ``runs``: run → the columns describing it in the family (e.g. optimizer and learning_rate;
    variant; hidden_size); the statistic table is grouped by them. With ``plateau_window``,
    also ``plateau_step`` and ``plateaued`` (its mean: the fraction of seeds that plateaued). With ``control`` (a run of ``runs``), also
    ``difference_from_control``: each run's final accuracy minus the control's on the same
    seed (paired), so its CI is that of the effect, not of two independent means. With
    ``per_network``, one row per (run, seed) (grouped by ``seed`` too: n = 1, no CI), for
    figures that mark single networks.
    """
    accuracy = per_seed_accuracy(tables["evaluation"])
    accuracy = accuracy[accuracy["run"].isin(list(runs))]
    performance = run_performance(accuracy, plateau_window, plateau_tolerance)
    quantities = ["final_accuracy", "best_accuracy"]
    if plateau_window is not None:
        quantities += ["plateau_step", "plateaued"]
    if control is not None:
        reference = performance[performance["run"] == control].set_index("seed")["final_accuracy"]
        performance["difference_from_control"] = performance["final_accuracy"] - performance[
            "seed"
        ].map(reference)
        quantities.append("difference_from_control")
    columns = sorted({column for labels in runs.values() for column in labels})
    labels = pd.DataFrame([{"run": run, **dict(values)} for run, values in runs.items()])
    per_seed = performance.merge(labels, on="run", how="left")
    by = ["run"] + columns + (["seed"] if per_network else [])
    return summarise_over_seeds(per_seed, by, quantities, seed, n_resamples)
