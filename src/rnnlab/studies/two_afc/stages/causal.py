"""Causal perturbations of a trained network (the seed's ``dynamics_causal_perturbations``):
gradient saliency, lesions of the top-k vs k random units, clamping.

Saliency of unit i: the mean over test trials and time steps of |∂D/∂r_{i,t}|, where
D = logit_correct − logit_wrong at the decision step and r_{i,t} is the unit's rate at step t as
every other unit and the readout see it (the gradient of a zero probe added to r_t, so it is
the total derivative through all later steps). Trials of zero coherence have no correct side
and are left out. The top-k units by saliency are lesioned (r ← 0 on every step) and compared
with ``random_draws`` sets of k units drawn at random from the other units; clamping holds the
top-k (or k random) units at each of ``clamp_values``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from rnnlab.studies.two_afc.models import UnitPerturbation
from rnnlab.studies.two_afc.stages.behaviour import choice_curve, decision_choices


def saliency(model, batch, labels: np.ndarray) -> np.ndarray:
    """(N,) mean |∂(logit_correct − logit_wrong)/∂r_{i,t}| over trials and steps."""
    inputs = torch.from_numpy(batch.inputs)
    probe = torch.zeros(inputs.shape[0], inputs.shape[1], model.hidden_size, requires_grad=True)
    logits, _ = model(inputs, rate_probe=probe)
    decision = logits[:, -1]
    index = torch.as_tensor(labels, dtype=torch.long)
    margin = (decision.gather(1, index[:, None]) - decision.gather(1, 1 - index[:, None])).sum()
    (gradient,) = torch.autograd.grad(margin, probe)
    return gradient.abs().mean(dim=(0, 1)).double().numpy()


def causal_tables(model, grid, signed, grid_coherences, decided, decided_labels, top_k: int,
                  random_draws: int, clamp_values, seed: int) -> dict[str, pd.DataFrame]:
    """{"afc_saliency", "afc_lesion", "afc_clamp"} of one network (see the module docstring).
    ``grid``: the psychometric test batch (with its signed coherences); ``decided``: its
    trials of non-zero coherence with their correct sides ``decided_labels``."""
    scores = saliency(model, decided, decided_labels)
    order = np.argsort(-scores, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    top = np.sort(order[:top_k])
    saliency_frame = pd.DataFrame({"unit": np.arange(len(scores), dtype=np.int64),
                                   "saliency": scores, "rank": rank.astype(np.int64),
                                   "top_k": rank < top_k})
    rng = np.random.default_rng(seed)
    others = np.setdiff1d(np.arange(len(scores)), top)
    random_sets = [np.sort(rng.choice(others, size=top_k, replace=False))
                   for _ in range(random_draws)]
    sets = [("intact", 0, np.array([], dtype=np.int64)), ("top_k", 0, top)]
    sets += [("random_k", draw, units) for draw, units in enumerate(random_sets)]
    lesion_rows, clamp_rows = [], []
    for condition, draw, units in sets:
        choices, _ = decision_choices(model, grid, UnitPerturbation.lesion(units))
        curve = choice_curve(signed, choices)
        curve.insert(0, "condition", condition)
        curve.insert(1, "draw", draw)
        decided_choices, _ = decision_choices(model, decided, UnitPerturbation.lesion(units))
        curve["accuracy"] = float((decided_choices == decided_labels).mean())
        lesion_rows.append(curve)
        if condition == "intact":
            continue
        for value in clamp_values:
            choices, _ = decision_choices(model, decided, UnitPerturbation.clamp(units, value))
            clamp_rows.append(dict(units=condition, draw=draw, clamp_value=float(value),
                                   accuracy=float((choices == decided_labels).mean()),
                                   p_right=float((choices == 1).mean())))
    return {
        "afc_saliency": saliency_frame,
        "afc_lesion": pd.concat(lesion_rows, ignore_index=True),
        "afc_clamp": pd.DataFrame(clamp_rows),
    }
