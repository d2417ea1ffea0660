"""Stage collect_gradients: ∂L/∂h_t at every checkpoint, per population and per unit."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from rnnlab.analysis import credit
from rnnlab.analysis.gradients import hidden_state_gradients, preactivation_slopes
from rnnlab.analysis.evaluation import make_test_set
from rnnlab.checkpoints import list_checkpoints
from rnnlab.experiment import load_model
import rnnlab.studies.ei_modcog.tables  # noqa: F401  (registers the study's tables)
from rnnlab.stages.tagging import tag
from rnnlab.training.trainer import TrainingConfig


def collect_gradients(
    checkpoints: str | Path, n_trials: int, seed: int
) -> dict[str, pd.DataFrame]:
    """∂L/∂h_t at every checkpoint on one seeded batch → {"gradients": time courses (with the
    gate-adjusted gradient), "unit_gradients": per-unit statistics, "gradient_saliency": time ×
    unit saliency maps}."""
    timecourses, units, maps = [], [], []
    for path in list_checkpoints(checkpoints):
        model, task, payload = load_model(path)
        batch = make_test_set(task, n_trials, seed)
        training = TrainingConfig.from_dict(payload["run_config"].get("training", {}))
        states, grads = hidden_state_gradients(
            model,
            batch,
            label_smoothing=training.label_smoothing,
            fixdown_weight=training.fixdown_weight,
        )
        excitatory = model.excitatory.numpy()
        slopes = preactivation_slopes(model, batch, states)
        run, run_seed, step = payload["run_config"]["run"], payload["seed"], payload["step"]
        timecourses.append(
            tag(
                credit.gradient_timecourse(states, grads, excitatory, batch.loss_mask, slopes),
                run, run_seed, step,
            )
        )
        units.append(
            tag(
                credit.unit_statistics(grads, excitatory, batch.loss_mask),
                run, run_seed, step,
            )
        )
        maps.append(
            tag(credit.saliency_map(grads, excitatory, batch.loss_mask), run, run_seed, step)
        )
    return {
        "gradients": pd.concat(timecourses, ignore_index=True),
        "unit_gradients": pd.concat(units, ignore_index=True),
        "gradient_saliency": pd.concat(maps, ignore_index=True),
    }
