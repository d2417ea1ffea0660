"""Parquet tables of the 2AFC study's stages (``afc_*``), registered with ``rnnlab.tables`` on
import. The training log is the shared ``train_log`` with the study's extra columns
(``rnnlab.studies.two_afc.training.EXTRA_COLUMNS``)."""

from __future__ import annotations

from rnnlab.tables import RUN_COLUMNS, TableSchema, column, empty_frame, register

CURVE = (
    column("signed_coherence", "float64", "coherence, + towards right, − towards left"),
    column("n", "int64", "test trials"),
    column("n_right", "int64", "trials choosing right"),
    column("p_right", "float64", "fraction choosing right"),
)

SCHEMAS = register(
    TableSchema(
        "afc_psychometric",
        "Psychometric curve of the final network on the fixed test grid (2AFC study); PsychRNN "
        "runs: the same trials through the PsychRNN model.",
        RUN_COLUMNS + CURVE,
    ),
    TableSchema(
        "afc_psychometric_fit",
        "Logistic fit P(right) = γ_low + (1 − γ_low − γ_high)·σ(β(c − bias)) of the curve, and "
        "the trained-network checks (2AFC study).",
        RUN_COLUMNS + (
            column("slope", "float64", "β, per unit coherence"),
            column("bias", "float64", "coherence of the curve's midpoint"),
            column("lapse_low", "float64", "γ_low: P(right) on the strongest left evidence"),
            column("lapse_high", "float64", "γ_high: P(left) on the strongest right evidence"),
            column("log_likelihood", "float64", "binomial log-likelihood of the fit"),
            column("n_trials", "int64", "trials fitted"),
            column("converged", "bool", "the optimiser converged"),
            column("at_bound", "bool", "separated data: the slope sits at its bound"),
            column("top_coherence", "float64", "largest |coherence| of the grid"),
            column("accuracy_top", "float64", "accuracy at ± top_coherence"),
            column("p_right_zero", "float64", "P(right) at zero coherence"),
            column("p_right_zero_fit", "float64",
                   "the fitted curve at zero coherence (uses every trial of the grid)"),
        ),
    ),
    TableSchema(
        "psychrnn_train_log",
        "PsychRNN's own training log (its loss every loss_epoch iterations: the masked mean "
        "squared error of its outputs) of the library comparison (2AFC study).",
        RUN_COLUMNS + (
            column("step", "int64", "training iteration (batches of batch_size trials)"),
            column("loss", "float64", "PsychRNN's masked mean squared error"),
        ),
    ),
    TableSchema(
        "afc_trajectories",
        "Condition-averaged rate trajectories per signed coherence on the network's top 3 "
        "principal components (of all single-trial rates) (2AFC study).",
        RUN_COLUMNS + (
            column("signed_coherence", "float64", "condition"),
            column("time_step", "int64", "step of the trial"),
            column("pc1", "float64", "projection on PC 1"),
            column("pc2", "float64", "projection on PC 2"),
            column("pc3", "float64", "projection on PC 3"),
            column("explained_1", "float64", "fraction of the rates' variance on PC 1"),
            column("explained_2", "float64", "fraction of the rates' variance on PC 2"),
            column("explained_3", "float64", "fraction of the rates' variance on PC 3"),
        ),
    ),
    TableSchema(
        "afc_centroids",
        "Class-centroid separation of the decision-time rates at each checkpoint, non-zero "
        "coherence test trials (2AFC study).",
        RUN_COLUMNS + (
            column("checkpoint_step", "int64", "training step of the checkpoint"),
            column("separation", "float64", "‖μ_left − μ_right‖₂ (rate units)"),
            column("within_spread", "float64", "RMS distance of a trial to its class centroid"),
            column("separation_ratio", "float64", "separation / within_spread"),
        ),
    ),
    TableSchema(
        "afc_robustness",
        "Accuracy (non-zero coherences) with a random fraction of units silenced (2AFC study).",
        RUN_COLUMNS + (
            column("fraction", "float64", "fraction of units silenced"),
            column("draw", "int64", "random set of units"),
            column("n_silenced", "int64", "units silenced"),
            column("accuracy", "float64", "fraction correct"),
        ),
    ),
    TableSchema(
        "afc_fixed_points",
        "Fixed and slow points of the noise-free map at constant inputs, in the trajectories' "
        "PCA space (2AFC study).",
        RUN_COLUMNS + (
            column("input_condition", "string", "no stimulus, left or right evidence"),
            column("kind", "string", "fixed, slow or local_minimum"),
            column("motif", "string", "label from the map's eigenvalues"),
            column("q", "float64", "½‖F(h) − h‖²"),
            column("max_abs_eigenvalue", "float64", "largest |λ| of the map's Jacobian"),
            column("stable", "bool", "max |λ| < 1"),
            column("pc1", "float64", "rates relu(h) on PC 1"),
            column("pc2", "float64", "rates relu(h) on PC 2"),
            column("pc3", "float64", "rates relu(h) on PC 3"),
        ),
    ),
    TableSchema(
        "afc_saliency",
        "Gradient saliency mean |∂(logit_correct − logit_wrong)/∂r_i,t| per unit (2AFC study).",
        RUN_COLUMNS + (
            column("unit", "int64", "unit index"),
            column("saliency", "float64", "mean over trials and steps"),
            column("rank", "int64", "0 = most salient"),
            column("top_k", "bool", "among the k lesioned/clamped units"),
        ),
    ),
    TableSchema(
        "afc_lesion",
        "Psychometric curves intact, with the top-k units lesioned and with k random units "
        "lesioned (several draws) (2AFC study).",
        RUN_COLUMNS + (
            column("condition", "string", "intact, top_k or random_k"),
            column("draw", "int64", "random set (random_k), else 0"),
        ) + CURVE + (column("accuracy", "float64", "accuracy on non-zero coherences"),),
    ),
    TableSchema(
        "afc_clamp",
        "Accuracy and P(right) with the top-k (or k random) units clamped to a constant rate "
        "(2AFC study).",
        RUN_COLUMNS + (
            column("units", "string", "top_k or random_k"),
            column("draw", "int64", "random set (random_k), else 0"),
            column("clamp_value", "float64", "the clamped rate"),
            column("accuracy", "float64", "accuracy on non-zero coherences"),
            column("p_right", "float64", "fraction choosing right"),
        ),
    ),
)


def empty(name: str):
    return empty_frame(name)
