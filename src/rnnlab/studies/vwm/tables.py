"""Parquet tables of the vwm study's own stages, registered with ``rnnlab.tables`` on import.
Every table holds the final checkpoint's network of one (run, seed)."""

from __future__ import annotations

from rnnlab.tables import RUN_COLUMNS, SEARCH_COUNT_COLUMNS, TableSchema, column, register

SET_SIZE = column("set_size", "int64", "items shown on the trial")
POPULATION = column("population", "string", "E or I (the unit's sign in Dale's law)")
UNIT = column("unit", "int64", "unit index (E units first)")

SCHEMAS = register(
    TableSchema(
        "error_statistics",
        "Circular statistics of the report errors of every shown item, per set size (vwm).",
        RUN_COLUMNS + (
            SET_SIZE,
            column("n_errors", "int64", "errors pooled (trials × shown items)"),
            column("mean_resultant_length", "float64", "R̄ = |mean e^{iε}|"),
            column("circular_variance", "float64", "−2 ln R̄ (rad², the seed's 'circular variance')"),
            column("circular_sd", "float64", "√(−2 ln R̄), rad"),
            column("circular_kurtosis", "float64", "(R₂cos(θ₂−2θ₁) − R₁⁴)/(1−R₁)²"),
            column("linear_sd", "float64", "standard deviation of the wrapped errors, rad"),
            column("mean_absolute_error", "float64", "mean |ε|, rad"),
        ),
    ),
    TableSchema(
        "error_histograms",
        "Density of the report errors per set size on equal bins of [−π, π) (vwm).",
        RUN_COLUMNS + (
            SET_SIZE,
            column("bin_left", "float64", "left edge of the bin, rad"),
            column("bin_right", "float64", "right edge of the bin, rad"),
            column("density", "float64", "fraction of errors in the bin / bin width, 1/rad"),
        ),
    ),
    TableSchema(
        "mixture_fits",
        "Maximum-likelihood mixture fits (memory component + uniform guesses) per set size (vwm).",
        RUN_COLUMNS + (
            SET_SIZE,
            column("model", "string", "von_mises (VM + uniform) or gaussian (wrapped normal + uniform)"),
            column("guess_rate", "float64", "g, weight of the uniform component"),
            column("width", "float64", "κ of the von Mises or σ (rad) of the normal"),
            column("sd", "float64", "SD of the memory component, rad (VM: √(−2 ln A₁(κ)))"),
            column("log_likelihood", "float64", "log-likelihood at the fit"),
            column("n_errors", "int64", "errors fitted"),
            column("converged", "bool", "the optimiser reported success"),
        ),
    ),
    TableSchema(
        "mixture_densities",
        "Fitted mixture densities on a grid of errors, per set size and model (vwm).",
        RUN_COLUMNS + (
            SET_SIZE,
            column("model", "string", "von_mises or gaussian"),
            column("error", "float64", "report error, rad"),
            column("density", "float64", "fitted density, 1/rad"),
        ),
    ),
    TableSchema(
        "snr",
        "Signal-to-noise ratio of the decoded item 0 over repeats of one stimulus (vwm).",
        RUN_COLUMNS + (
            SET_SIZE,
            column("stimulus", "int64", "index of the repeated stimulus"),
            column("theta", "float64", "orientation of item 0, rad"),
            column("signal_power", "float64", "|mean decoded point|² over repeats and decode steps"),
            column("noise_power_step", "float64", "trace of the covariance of single-step points"),
            column("noise_power_average", "float64", "trace of the covariance of window-mean points"),
            column("snr_step_db", "float64", "10 log10(signal / noise_step): per time step"),
            column("snr_average_db", "float64", "10 log10(signal / noise_average): decode-window mean"),
            column("n_repeats", "int64", "repeats of the stimulus"),
        ),
    ),
    TableSchema(
        "input_statistics",
        "Per unit: mean and SD over trials and steps of its rate and of its inputs (vwm).",
        RUN_COLUMNS + (
            UNIT,
            POPULATION,
            column("signal", "string",
                   "rate (Hz, delay), excitatory / inhibitory / recurrent (net) input from the E, "
                   "I, all units (delay), external input B·u (stimulus)"),
            column("mean_value", "float64", "mean over trials and the period's steps"),
            column("sd_value", "float64", "SD over trials and the period's steps"),
        ),
    ),
    TableSchema(
        "selectivity",
        "Vector strength of each unit's decode-window rate for each item slot, set size 1 (vwm).",
        RUN_COLUMNS + (
            UNIT,
            POPULATION,
            column("item", "int64", "item slot k"),
            column("vector_strength", "float64",
                   "R_ik = |Σ r̄_i e^{iθ_k}| / Σ r̄_i over the trials showing slot k (NaN: silent unit)"),
        ),
    ),
    TableSchema(
        "selectivity_units",
        "Per unit: mean decode-window rate and inverse participation ratio of its vector "
        "strengths over the item slots, set size 1 (vwm).",
        RUN_COLUMNS + (
            UNIT,
            POPULATION,
            column("mean_rate_hz", "float64", "mean decode-window rate, Hz"),
            column("ipr", "float64",
                   "(Σ_k R_ik)² / (M Σ_k R_ik²): 1 = equally tuned to every slot (mixed), "
                   "1/M = tuned to one slot (NaN: silent unit)"),
            column("active", "bool", "mean rate above the stage's activity threshold"),
        ),
    ),
    TableSchema(
        "normalisation",
        "Divisive normalisation: least-squares weights of r12 ≈ w1·r1 + w2·r2 across units, per "
        "pair of orientations (vwm).",
        RUN_COLUMNS + (
            column("trial", "int64", "pair index"),
            column("theta_1", "float64", "orientation of item 1 (slot 0), rad"),
            column("theta_2", "float64", "orientation of item 2 (slot 1), rad"),
            column("w1", "float64", "weight of the item-1-alone response"),
            column("w2", "float64", "weight of the item-2-alone response"),
            column("r_squared", "float64", "fraction of the variance of r12 across units explained"),
            column("in_region", "bool", "0 ≤ w1 ≤ 1 and 0 ≤ w2 ≤ 1 (sub-linear summation)"),
        ),
    ),
    TableSchema(
        "dale_signs",
        "Sign violations of the trained W_eff per presynaptic population (vwm).",
        RUN_COLUMNS + (
            POPULATION,
            column("n_synapses", "int64", "weights in the population's columns"),
            column("n_sign_violations", "int64", "weights whose sign is not the presynaptic unit's"),
            column("n_zero", "int64", "weights exactly 0 (set there by the projection)"),
            column("n_clipped", "int64", "updates × weights the projection set to 0 during training"),
            column("projection", "string", "the run's dale_projection (clip or none)"),
        ),
    ),
    TableSchema(
        "vwm_fixed_points",
        "Fixed and slow points of the noise-free map, per searched period (vwm).",
        RUN_COLUMNS + (
            column("period", "string", "task period whose real input was held (decode, stimulus)"),
            column("point", "int64", "index of the point within its search"),
            column("q", "float64", "½‖F(h,u) − h‖² (Hz²)"),
            column("kind", "string", "fixed, slow or local_minimum"),
            column("motif", "string", "stable, continuous, rotational or saddle (|λ| of J_map)"),
            column("max_abs_eigenvalue", "float64", "largest |λ| of the map's Jacobian"),
            column("n_unstable", "int64", "eigenvalues with |λ| > 1 + tolerance"),
            column("n_marginal", "int64", "eigenvalues with ||λ| − 1| ≤ tolerance"),
            column("pc1", "float64", "projection on PC 1 of the decode-window states"),
            column("pc2", "float64", "projection on PC 2"),
            column("pc3", "float64", "projection on PC 3"),
            column("decoded_angle", "float64", "atan2 of the readout of slot 0 at the point, rad"),
            column("readout_norm", "float64", "|readout of slot 0| at the point"),
            column("mean_rate_hz", "float64", "mean rate of the point, Hz"),
        ),
    ),
    TableSchema(
        "vwm_fixed_point_search",
        "What happened to the initial states of each fixed-point search (vwm).",
        RUN_COLUMNS + (
            column("period", "string", "task period whose real input was held"),
            column("input_norm", "float64", "mean ‖u‖ of the held inputs"),
        ) + SEARCH_COUNT_COLUMNS,
    ),
    TableSchema(
        "vwm_trajectories",
        "Noise-free example trajectories (set size 1, item in slot 0) in the fixed points' PC "
        "space (vwm).",
        RUN_COLUMNS + (
            column("trial", "int64", "trial index"),
            column("theta", "float64", "orientation shown, rad"),
            column("time_ms", "float64", "end of the step, ms from trial start"),
            column("period", "string", "init, stimulus, delay or decode"),
            column("pc1", "float64", "projection on PC 1"),
            column("pc2", "float64", "projection on PC 2"),
            column("pc3", "float64", "projection on PC 3"),
            column("decoded_angle", "float64", "atan2 of the noise-free readout of slot 0, rad"),
        ),
    ),
)
