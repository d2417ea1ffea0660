"""Parquet tables of the E/I Mod-Cog study's own stages (gradients, weights, fixed points),
registered with ``rnnlab.tables`` on import."""

from __future__ import annotations

from rnnlab.tables import CHECKPOINT_COLUMNS, RUN_COLUMNS, SEARCH_COUNT_COLUMNS, TableSchema, column, register

SCHEMAS = register(
    TableSchema(
        "gradients",
        "Time course of ∂L/∂h_t per population, averaged over the trials running at t.",
        RUN_COLUMNS
        + CHECKPOINT_COLUMNS
        + (
            column("time_step", "int64", "time step t (0 = first step of the trial)"),
            column("population", "string", "E or I"),
            column("l2_norm", "float64", "‖g_t‖₂ over the population's units"),
            column("rms", "float64", "per-unit norm √(Σg²/n)"),
            column("mean_abs", "float64", "mean |g| over the population's units"),
            column("cosine", "float64", "cosine(h_t, g_t) within the population"),
            column("gated_rms", "float64", "per-unit norm of the gate-adjusted gradient g_t·φ′(u_t)"),
            column("n_trials", "int64", "trials still running at t"),
        ),
    ),
    TableSchema(
        "unit_gradients",
        "Per-unit gradient statistics at each checkpoint.",
        RUN_COLUMNS
        + CHECKPOINT_COLUMNS
        + (
            column("unit", "int64", "unit index"),
            column("population", "string", "E or I"),
            column("fisher", "float64", "F_i = mean over trials and steps of (∂L/∂h_i)²"),
            column("mean_abs", "float64", "mean over trials and steps of |∂L/∂h_i|"),
            column("cumulative_abs", "float64", "cumulative backprop: Σ_t |∂L/∂h_i,t| per trial, mean over trials"),
        ),
    ),
    TableSchema(
        "gradient_saliency",
        "Time × unit saliency map at each checkpoint: mean |∂L/∂h_i,t| over the trials running at t.",
        RUN_COLUMNS
        + CHECKPOINT_COLUMNS
        + (
            column("unit", "int64", "unit index"),
            column("population", "string", "E or I"),
            column("time_step", "int64", "time step t (0 = first step of the trial)"),
            column("mean_abs", "float64", "mean |∂L/∂h_i,t| over the running trials"),
        ),
    ),
    TableSchema(
        "gradient_metrics",
        "Fisher information and its inequality (Gini) within each population.",
        RUN_COLUMNS
        + CHECKPOINT_COLUMNS
        + (
            column("population", "string", "E or I"),
            column("fisher_mean", "float64", "mean F_i over the population"),
            column("fisher_median", "float64", "median F_i over the population"),
            column("gini", "float64", "Gini coefficient of F_i within the population"),
            column("cumulative_abs_mean", "float64", "mean cumulative backprop per unit over the population"),
            column("n_units", "int64", "units in the population"),
        ),
    ),
    TableSchema(
        "weight_statistics",
        "Sign consistency and magnitude of W_rec per presynaptic population.",
        RUN_COLUMNS
        + CHECKPOINT_COLUMNS
        + (
            column("population", "string", "presynaptic population, E or I"),
            column("n_weights", "int64", "weights in the population's columns"),
            column("n_sign_flips", "int64", "weights whose sign differs from the step-0 checkpoint"),
            column(
                "n_sign_corrections",
                "int64",
                "cumulative updates that crossed zero and were reflected back (0 under EG)",
            ),
            column("n_mixed_sign_columns", "int64", "columns violating Dale's law"),
            column("log10_abs_mean", "float64", "mean of log10|w|"),
            column("log10_abs_std", "float64", "standard deviation of log10|w|"),
            column("log10_abs_skew", "float64", "skewness of log10|w| (0 for a log-normal |w|)"),
        ),
    ),
    TableSchema(
        "weight_histograms",
        "Histogram of log10|w| of W_rec per presynaptic population.",
        RUN_COLUMNS
        + CHECKPOINT_COLUMNS
        + (
            column("population", "string", "presynaptic population, E or I"),
            column("bin_left", "float64", "left edge of the log10|w| bin"),
            column("bin_right", "float64", "right edge of the log10|w| bin"),
            column("count", "int64", "weights in the bin"),
        ),
    ),
    TableSchema(
        "fixed_points",
        "One row per unique fixed point, slow point or local minimum of q (`kind`) of the "
        "noise-free map, per input condition.",
        RUN_COLUMNS
        + (
            column("inhibitory_fraction", "float64", "fraction of inhibitory units"),
            column("input_condition", "string", "named constant input (fixation, go, stimulus_k)"),
            column("point", "int64", "index of the point within its input condition"),
            column("q", "float64", "½‖F(h,u) − h‖² at the point"),
            column("is_converged", "bool", "q below the converged tolerance (kind fixed)"),
            column("kind", "string",
               "fixed (q < converged tolerance) / slow (q < slow-point tolerance) / "
               "local_minimum (a local minimum of q above both: a ghost, not a fixed point)"),
            column("motif", "string", "stable / continuous / rotational / saddle"),
            column("max_abs_eigenvalue", "float64", "largest |λ| of the map Jacobian"),
            column("n_unstable", "int64", "eigenvalues with |λ| > 1 + tolerance"),
            column("eigenvalues_real", "list<float64>", "real parts of the top eigenvalues by |λ|"),
            column("eigenvalues_imag", "list<float64>", "imaginary parts of the same eigenvalues"),
            column("state", "list<float64>", "coordinates of the point (N values)"),
            column("pc1", "float64", "projection on PC1 of the network's trajectories"),
            column("pc2", "float64", "projection on PC2"),
            column("pc3", "float64", "projection on PC3"),
            column("delay_pc1", "float64",
                   "projection on PC1 of the memory-period (delay) states; NaN without one"),
            column("delay_pc2", "float64", "projection on the memory-period PC2"),
            column("delay_pc3", "float64", "projection on the memory-period PC3"),
        ),
    ),
    TableSchema(
        "fixed_point_search",
        "Bookkeeping of each fixed-point search: what happened to every initial state.",
        RUN_COLUMNS
        + (
            column("inhibitory_fraction", "float64", "fraction of inhibitory units"),
            column("input_condition", "string", "named constant input"),
        )
        + SEARCH_COUNT_COLUMNS,
    ),
    TableSchema(
        "fixed_point_trajectories",
        "Example test trajectories projected on the same PCs as the fixed points.",
        RUN_COLUMNS
        + (
            column("inhibitory_fraction", "float64", "fraction of inhibitory units"),
            column("trial", "int64", "test trial index"),
            column("time_step", "int64", "time step"),
            column("period", "string", "task period at this step"),
            column("condition_direction", "float64", "stimulus direction of the trial (rad)"),
            column("pc1", "float64", "projection on PC1"),
            column("pc2", "float64", "projection on PC2"),
            column("pc3", "float64", "projection on PC3"),
        ),
    ),
    TableSchema(
        "delay_trajectories",
        "Mean memory-period (delay) trajectory of each (stimulus direction, ring) condition of "
        "the fixed-point search's test trials, on the PCs of the memory-period states.",
        RUN_COLUMNS
        + (
            column("inhibitory_fraction", "float64", "fraction of inhibitory units"),
            column("direction", "float64", "stimulus direction held (rad)"),
            column("modality", "int64", "ring the stimulus was shown on (0: ring 1)"),
            column("period_step", "int64", "step from the memory period's start"),
            column("n_trials", "int64", "trials averaged (those still in the period)"),
            column("pc1", "float64", "projection on PC1 of the memory-period states"),
            column("pc2", "float64", "projection on PC2"),
            column("pc3", "float64", "projection on PC3"),
            column("variance_pc1", "float64", "fraction of memory-period variance on PC1"),
            column("variance_pc2", "float64", "fraction on PC2"),
            column("variance_pc3", "float64", "fraction on PC3"),
        ),
    ),
)
