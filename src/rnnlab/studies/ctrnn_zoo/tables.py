"""Parquet tables of the CTRNN zoo's own stages (performance, equilibria, attractor analytics),
registered with ``rnnlab.tables`` on import."""

from __future__ import annotations

from rnnlab.tables import RUN_COLUMNS, SEARCH_COUNT_COLUMNS, TableSchema, column, register

SCHEMAS = register(
    TableSchema(
        "task_performance",
        "Zoo task performance of the final checkpoint on a fixed seeded test set, noise off.",
        RUN_COLUMNS
        + (
            column("task", "string", "task name"),
            column("validation_score", "float64", "1 − MSE / variance of the targets (loss steps)"),
            column("mse", "float64", "mean squared error over the loss steps and channels"),
            column("ideal_score", "float64", "validation score of the task's ideal observer (Bayes-optimal outputs given the inputs so far) on the same trials: 1 unless noise in the input limits it (cddm)"),
            column("score_fraction_of_ideal", "float64", "validation_score / ideal_score"),
            column("n_trials", "int64", "test trials"),
        ),
    ),
    TableSchema(
        "example_trials",
        "Outputs vs targets of a few random test trials (zoo tasks), one row per step and channel.",
        RUN_COLUMNS
        + (
            column("task", "string", "task name"),
            column("trial", "int64", "index of the trial in the fixed test set"),
            column("time_step", "int64", "time step t (0 = first step of the trial)"),
            column("time_ms", "float64", "t · dt in ms"),
            column("channel", "int64", "output channel"),
            column("output", "float64", "network output"),
            column("target", "float64", "target output"),
            column("in_loss", "bool", "the step enters the loss (False in grace windows)"),
        ),
    ),
    TableSchema(
        "psychometric",
        "cddm choices on the full condition grid (empty for other tasks).",
        RUN_COLUMNS
        + (
            column("context", "string", "motion or colour"),
            column("relevant_coherence", "float64", "signed coherence of the cued stimulus"),
            column("irrelevant_coherence", "float64", "signed coherence of the other stimulus"),
            column("fraction_right", "float64", "fraction of trials choosing right"),
            column("n", "int64", "trials in the cell"),
        ),
    ),
    TableSchema(
        "psychometric_fits",
        "Probit fits of the cddm psychometric curves per context and axis (empty otherwise).",
        RUN_COLUMNS
        + (
            column("context", "string", "motion or colour"),
            column("axis", "string", "relevant or irrelevant (coherence the curve runs along)"),
            column("slope", "float64", "probit slope β (per unit coherence)"),
            column("bias", "float64", "coherence of 50 % right choices (−α/β)"),
            column("log_likelihood", "float64", "binomial log-likelihood of the fit"),
            column("n", "int64", "trials"),
        ),
    ),
    TableSchema(
        "equilibria",
        "Unique equilibria (and slow points) of the noise-free flow dx/dt of a zoo network.",
        RUN_COLUMNS
        + (
            column("task", "string", "task name"),
            column("input_condition", "string", "named constant input (task.fixed_point_conditions)"),
            column("point", "int64", "index of the point within its input condition"),
            column("mode", "string", "search: exact (root, q < 1e-12) or slow (slow-point search, q < its q_tolerance)"),
            column("rhs_squared_norm", "float64", "‖dx/dt‖² = 2q at the point, in 1/ms²"),
            column("stability", "string", "stable / marginal / unstable from max Re λ of the flow Jacobian"),
            column("max_real_eigenvalue", "float64", "largest Re λ of the flow Jacobian, in 1/ms"),
            column("n_unstable", "int64", "eigenvalues with Re λ > tolerance × max|λ|"),
            column("eigenvalues_real", "list<float64>", "real parts of the eigenvalues, by descending Re λ (1/ms)"),
            column("eigenvalues_imag", "list<float64>", "imaginary parts of the same eigenvalues"),
            column("state", "list<float64>", "coordinates of the point (N values)"),
            column("pc1", "float64", "projection on PC1 of the network's trajectories"),
            column("pc2", "float64", "projection on PC2"),
            column("pc3", "float64", "projection on PC3"),
        ),
    ),
    TableSchema(
        "equilibrium_search",
        "Bookkeeping of each equilibrium search (exact and slow, per input condition): what "
        "happened to every initial state, the slow tolerance and how slow the trials' own "
        "end-of-period states are.",
        RUN_COLUMNS
        + (
            column("input_condition", "string", "named constant input"),
        )
        + SEARCH_COUNT_COLUMNS
        + (
            column("mode", "string", "exact (roots) or slow (slow-point search)"),
            column("period", "string", "task period whose states the input holds"),
            column("period_ms", "float64", "longest duration of that period on the test trials, T"),
            column("manifold_scale", "float64", "RMS spread L of the end-of-period states (state units)"),
            column("q_tolerance", "float64", "q tolerance of the search, 1/ms² (slow: ½(f·L/T)²)"),
            column("held_q_median", "float64", "median q of the end-of-period states under the input"),
            column("held_fraction_slow", "float64", "fraction of those states below the slow tolerance"),
        ),
    ),
    TableSchema(
        "equilibrium_trajectories",
        "Example test trajectories of a zoo network projected on the equilibria's PCs.",
        RUN_COLUMNS
        + (
            column("trial", "int64", "test trial index"),
            column("time_step", "int64", "time step"),
            column("period", "string", "task period at this step"),
            column("condition", "string", "label of the trial's condition (e.g. motion +0.40)"),
            column("pc1", "float64", "projection on PC1"),
            column("pc2", "float64", "projection on PC2"),
            column("pc3", "float64", "projection on PC3"),
        ),
    ),
    TableSchema(
        "attractor_analytics",
        "Attractor geometry (line / ring / flip-flop) of the equilibria, long format.",
        RUN_COLUMNS
        + (
            column("task", "string", "task name"),
            column("input_condition", "string", "named constant input the points belong to"),
            column("analysis", "string", "line, ring or flip_flop"),
            column("point", "int64", "point index in equilibria (−1 for a summary row)"),
            column("quantity", "string", "what the value is (e.g. position, coverage)"),
            column("value", "float64", "its value (NaN when too few points)"),
        ),
    ),
)
