"""Parquet tables of System A's own stages, registered with ``rnnlab.tables`` on import."""

from __future__ import annotations

from rnnlab.tables import CHECKPOINT_COLUMNS, RUN_COLUMNS, TableSchema, column, register

PR_COLUMNS = (
    column("pr_thesis_eig", "float64",
           "thesis formula (Σc)²/Σc² on numpy.linalg.eig's eigenvectors, as the thesis computes it"),
    column("pr_thesis_eigh", "float64", "thesis formula on numpy.linalg.eigh's eigenvectors"),
    column("pr_aligned", "float64", "(Σ|c|)²/Σc²: the thesis formula with all signs agreeing (its maximum)"),
    column("pr_invariant", "float64", "(Σc²)²/Σc⁴: the sign-invariant participation ratio"),
    column("pr_invariant_significant", "float64",
           "(Σc²)²/Σc⁴ on the PCs with variance above tolerance × the largest"),
    column("significant_fraction", "float64", "fraction of |v|² on those significant PCs"),
    column("n_significant", "int64", "number of significant PCs"),
    column("sign_flip_median", "float64", "median of the thesis formula over random eigenvector signs"),
    column("sign_flip_low", "float64", "its 2.5 % quantile over random signs"),
    column("sign_flip_high", "float64", "its 97.5 % quantile over random signs"),
    column("activity_dimension", "float64", "(Σλ)²/Σλ² of the covariance eigenvalues"),
    column("eig_complex", "bool", "numpy.linalg.eig returned complex values (real parts used)"),
)

SCHEMAS = register(
    TableSchema(
        "duration_precision",
        "System A: squared error on the thesis's precision trials (one per test duration, "
        "onset fixed), scored where the target is positive; one row per checkpoint and duration.",
        RUN_COLUMNS + CHECKPOINT_COLUMNS + (
            column("duration_ms", "float64", "pulse duration of the test trial"),
            column("mse", "float64", "mean squared error from the cost onset on (mse_loss2)"),
            column("target", "float64", "target output: target_per_ms × duration"),
            column("mean_output", "float64", "mean network output over the scored steps"),
            column("end_output", "float64", "network output at the last step of the trial"),
        ),
    ),
    TableSchema(
        "pulse_trials",
        "System A: input, output and target of the final network on one test trial per "
        "duration, one row per step (extended beyond the training trial length).",
        RUN_COLUMNS + (
            column("duration_ms", "float64", "pulse duration of the trial"),
            column("time_ms", "float64", "time of the step's end (step index + 1) × dt"),
            column("input", "float64", "input u"),
            column("output", "float64", "network output z = tanh(h)·w"),
            column("target", "float64", "target output (0 before the cost onset)"),
            column("scored", "bool", "the step enters the precision (target > 0)"),
            column("trained_length", "bool", "the step lies within the training trial length"),
        ),
    ),
    TableSchema(
        "weight_alignment",
        "System A: the input and output weights at each checkpoint.",
        RUN_COLUMNS + CHECKPOINT_COLUMNS + (
            column("epoch", "float64", "training epochs done"),
            column("cosine_input_output", "float64", "cosine(I, w) = I·w / (|I||w|)"),
            column("input_norm", "float64", "|I|"),
            column("output_norm", "float64", "|w|"),
            column("cosine_input_initial", "float64", "cosine(I, I at step 0)"),
            column("cosine_output_initial", "float64", "cosine(w, w at step 0)"),
        ),
    ),
    TableSchema(
        "participation_ratios",
        "System A: participation ratios of I on the PCs of spontaneous activity and of w on "
        "those of the memory period (final network), every formula side by side.",
        RUN_COLUMNS + (
            column("vector", "string", "input (I, spontaneous PCs) or output (w, memory PCs)"),
        ) + PR_COLUMNS,
    ),
    TableSchema(
        "pc_projections",
        "System A: each PC (eigh, by decreasing variance) with the weight vector's coefficient.",
        RUN_COLUMNS + (
            column("vector", "string", "input or output"),
            column("pc", "int64", "rank of the PC (0 = largest variance)"),
            column("eigenvalue", "float64", "variance along the PC"),
            column("coefficient", "float64", "c = e·v (eigh's sign)"),
            column("significant", "bool", "variance above tolerance × the largest"),
        ),
    ),
    TableSchema(
        "sign_flip_ratios",
        "System A: the thesis PR formula after random sign flips of the eigenvectors.",
        RUN_COLUMNS + (
            column("vector", "string", "input or output"),
            column("draw", "int64", "index of the random sign vector"),
            column("pr_thesis", "float64", "(Σ s_i c_i)² / Σ c_i² for random signs s"),
        ),
    ),
    TableSchema(
        "connectivity_spectrum",
        "System A: eigenvalues of the recurrent weights g·G.",
        RUN_COLUMNS + (
            column("real", "float64", "real part"),
            column("imag", "float64", "imaginary part"),
            column("gain", "float64", "g"),
            column("n_units", "int64", "N"),
        ),
    ),
)
