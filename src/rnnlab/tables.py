"""Every Parquet table the pipeline writes: its columns, their types and meaning, in one place.

``write_table`` checks a frame against its schema, attaches provenance (study, run, seed,
config hash, rnnlab version) to the file metadata and writes atomically (temporary file, then
rename), so an interrupted job never leaves a half-written table. ``read_table`` checks the
schema again and names the file in every error.

Tables whose schema allows extra columns (task condition columns ``condition_*``, the grouping
columns of aggregates) still must hold every listed column.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

import rnnlab

PROVENANCE_KEY = b"rnnlab.provenance"

_TYPES = {
    "string": pa.string(),
    "int64": pa.int64(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
    "list<float64>": pa.list_(pa.float64()),
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str


@dataclass(frozen=True)
class TableSchema:
    name: str
    description: str
    columns: tuple[Column, ...]
    extra_columns: str | None = None  # None: no extra columns; "prefix:<p>": only <p>*; "any"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


class TableError(ValueError):
    """A Parquet file is missing, unreadable, or does not match its schema."""


def _c(name: str, type_: str, description: str) -> Column:
    return Column(name, type_, description)


_RUN = (
    _c("run", "string", "run name from the study config (e.g. eg, gd, inhibition_0.2)"),
    _c("seed", "int64", "training seed"),
)
_CHECKPOINT = (_c("checkpoint_step", "int64", "training step at which the checkpoint was saved"),)
_SEARCH_COUNTS = (
    _c("n_initial", "int64", "initial states searched from"),
    _c("n_converged", "int64", "initial states that reached q < converged tolerance"),
    _c("n_slow", "int64", "initial states that ended as slow points"),
    _c("n_failed", "int64", "initial states that ended above the slow-point tolerance"),
    _c("n_local_minima", "int64",
       "of the failed, those at a local minimum of q that is not a root (descent stalled, "
       "gradient vanished: e.g. a saddle-node ghost)"),
    _c("n_outliers", "int64", "points dropped as distance outliers"),
    _c("n_unique", "int64", "unique points kept"),
)
_STATISTIC = (
    _c("quantity", "string", "what is summarised"),
    _c("mean", "float64", "mean over seeds"),
    _c("ci_low", "float64", "lower end of the bootstrap 95% CI of the mean (NaN when n = 1)"),
    _c("ci_high", "float64", "upper end of the bootstrap 95% CI of the mean (NaN when n = 1)"),
    _c("n", "int64", "number of seeds"),
)

SCHEMAS: dict[str, TableSchema] = {
    s.name: s
    for s in [
        TableSchema(
            "train_log",
            "One row per logged training step.",
            _RUN
            + (
                _c("step", "int64", "optimiser steps taken before this batch"),
                _c("loss", "float64", "total training loss of the batch"),
                _c("fixation_mse", "float64", "MSE to the fixation target outside decisions"),
                _c("decision_cross_entropy", "float64", "label-smoothed CE on decision steps"),
                _c("decision_accuracy", "float64", "fraction of decision steps argmax = label"),
                _c("learning_rate", "float64", "step size of W_rec at this step"),
                _c("grad_norm", "float64", "global gradient norm before clipping"),
            ),
        ),
        TableSchema(
            "evaluation",
            "One row per test trial and checkpoint; condition_* columns describe the trial.",
            _RUN
            + _CHECKPOINT
            + (
                _c("task", "string", "task name"),
                _c("trial", "int64", "index of the trial in the fixed test set"),
                _c("label", "int64", "correct choice (1 + ring index)"),
                _c("choice", "int64", "argmax of the decision-period mean output (0 = fixate)"),
                _c("correct", "bool", "choice == label"),
            ),
            extra_columns="prefix:condition_",
        ),
        TableSchema(
            "gradients",
            "Time course of ∂L/∂h_t per population, averaged over the trials running at t.",
            _RUN
            + _CHECKPOINT
            + (
                _c("time_step", "int64", "time step t (0 = first step of the trial)"),
                _c("population", "string", "E or I"),
                _c("l2_norm", "float64", "‖g_t‖₂ over the population's units"),
                _c("rms", "float64", "per-unit norm √(Σg²/n)"),
                _c("mean_abs", "float64", "mean |g| over the population's units"),
                _c("cosine", "float64", "cosine(h_t, g_t) within the population"),
                _c("n_trials", "int64", "trials still running at t"),
            ),
        ),
        TableSchema(
            "unit_gradients",
            "Per-unit gradient statistics at each checkpoint.",
            _RUN
            + _CHECKPOINT
            + (
                _c("unit", "int64", "unit index"),
                _c("population", "string", "E or I"),
                _c("fisher", "float64", "F_i = mean over trials and steps of (∂L/∂h_i)²"),
                _c("mean_abs", "float64", "mean over trials and steps of |∂L/∂h_i|"),
            ),
        ),
        TableSchema(
            "gradient_metrics",
            "Fisher information and its inequality (Gini) within each population.",
            _RUN
            + _CHECKPOINT
            + (
                _c("population", "string", "E or I"),
                _c("fisher_mean", "float64", "mean F_i over the population"),
                _c("fisher_median", "float64", "median F_i over the population"),
                _c("gini", "float64", "Gini coefficient of F_i within the population"),
                _c("n_units", "int64", "units in the population"),
            ),
        ),
        TableSchema(
            "weight_statistics",
            "Sign consistency and magnitude of W_rec per presynaptic population.",
            _RUN
            + _CHECKPOINT
            + (
                _c("population", "string", "presynaptic population, E or I"),
                _c("n_weights", "int64", "weights in the population's columns"),
                _c("n_sign_flips", "int64", "weights whose sign differs from the step-0 checkpoint"),
                _c(
                    "n_sign_corrections",
                    "int64",
                    "cumulative updates that crossed zero and were reflected back (0 under EG)",
                ),
                _c("n_mixed_sign_columns", "int64", "columns violating Dale's law"),
                _c("log10_abs_mean", "float64", "mean of log10|w|"),
                _c("log10_abs_std", "float64", "standard deviation of log10|w|"),
                _c("log10_abs_skew", "float64", "skewness of log10|w| (0 for a log-normal |w|)"),
            ),
        ),
        TableSchema(
            "weight_histograms",
            "Histogram of log10|w| of W_rec per presynaptic population.",
            _RUN
            + _CHECKPOINT
            + (
                _c("population", "string", "presynaptic population, E or I"),
                _c("bin_left", "float64", "left edge of the log10|w| bin"),
                _c("bin_right", "float64", "right edge of the log10|w| bin"),
                _c("count", "int64", "weights in the bin"),
            ),
        ),
        TableSchema(
            "fixed_points",
            "One row per unique fixed point, slow point or local minimum of q (`kind`) of the "
            "noise-free map, per input condition.",
            _RUN
            + (
                _c("inhibitory_fraction", "float64", "fraction of inhibitory units"),
                _c("input_condition", "string", "named constant input (fixation, go, stimulus_k)"),
                _c("point", "int64", "index of the point within its input condition"),
                _c("q", "float64", "½‖F(h,u) − h‖² at the point"),
                _c("is_converged", "bool", "q below the converged tolerance (kind fixed)"),
                _c("kind", "string",
                   "fixed (q < converged tolerance) / slow (q < slow-point tolerance) / "
                   "local_minimum (a local minimum of q above both: a ghost, not a fixed point)"),
                _c("motif", "string", "stable / continuous / rotational / saddle"),
                _c("max_abs_eigenvalue", "float64", "largest |λ| of the map Jacobian"),
                _c("n_unstable", "int64", "eigenvalues with |λ| > 1 + tolerance"),
                _c("eigenvalues_real", "list<float64>", "real parts of the top eigenvalues by |λ|"),
                _c("eigenvalues_imag", "list<float64>", "imaginary parts of the same eigenvalues"),
                _c("state", "list<float64>", "coordinates of the point (N values)"),
                _c("pc1", "float64", "projection on PC1 of the network's trajectories"),
                _c("pc2", "float64", "projection on PC2"),
                _c("pc3", "float64", "projection on PC3"),
            ),
        ),
        TableSchema(
            "fixed_point_search",
            "Bookkeeping of each fixed-point search: what happened to every initial state.",
            _RUN
            + (
                _c("inhibitory_fraction", "float64", "fraction of inhibitory units"),
                _c("input_condition", "string", "named constant input"),
            )
            + _SEARCH_COUNTS,
        ),
        TableSchema(
            "fixed_point_trajectories",
            "Example test trajectories projected on the same PCs as the fixed points.",
            _RUN
            + (
                _c("inhibitory_fraction", "float64", "fraction of inhibitory units"),
                _c("trial", "int64", "test trial index"),
                _c("time_step", "int64", "time step"),
                _c("period", "string", "task period at this step"),
                _c("condition_direction", "float64", "stimulus direction of the trial (rad)"),
                _c("pc1", "float64", "projection on PC1"),
                _c("pc2", "float64", "projection on PC2"),
                _c("pc3", "float64", "projection on PC3"),
            ),
        ),
        TableSchema(
            "task_performance",
            "Zoo task performance of the final checkpoint on a fixed seeded test set, noise off.",
            _RUN
            + (
                _c("task", "string", "task name"),
                _c("validation_score", "float64", "1 − MSE / variance of the targets (loss steps)"),
                _c("mse", "float64", "mean squared error over the loss steps and channels"),
                _c("n_trials", "int64", "test trials"),
            ),
        ),
        TableSchema(
            "example_trials",
            "Outputs vs targets of a few random test trials (zoo tasks), one row per step and channel.",
            _RUN
            + (
                _c("task", "string", "task name"),
                _c("trial", "int64", "index of the trial in the fixed test set"),
                _c("time_step", "int64", "time step t (0 = first step of the trial)"),
                _c("time_ms", "float64", "t · dt in ms"),
                _c("channel", "int64", "output channel"),
                _c("output", "float64", "network output"),
                _c("target", "float64", "target output"),
                _c("in_loss", "bool", "the step enters the loss (False in grace windows)"),
            ),
        ),
        TableSchema(
            "psychometric",
            "cddm choices on the full condition grid (empty for other tasks).",
            _RUN
            + (
                _c("context", "string", "motion or colour"),
                _c("relevant_coherence", "float64", "signed coherence of the cued stimulus"),
                _c("irrelevant_coherence", "float64", "signed coherence of the other stimulus"),
                _c("fraction_right", "float64", "fraction of trials choosing right"),
                _c("n", "int64", "trials in the cell"),
            ),
        ),
        TableSchema(
            "psychometric_fits",
            "Probit fits of the cddm psychometric curves per context and axis (empty otherwise).",
            _RUN
            + (
                _c("context", "string", "motion or colour"),
                _c("axis", "string", "relevant or irrelevant (coherence the curve runs along)"),
                _c("slope", "float64", "probit slope β (per unit coherence)"),
                _c("bias", "float64", "coherence of 50 % right choices (−α/β)"),
                _c("log_likelihood", "float64", "binomial log-likelihood of the fit"),
                _c("n", "int64", "trials"),
            ),
        ),
        TableSchema(
            "equilibria",
            "Unique equilibria (and slow points) of the noise-free flow dx/dt of a zoo network.",
            _RUN
            + (
                _c("task", "string", "task name"),
                _c("input_condition", "string", "named constant input (task.fixed_point_conditions)"),
                _c("point", "int64", "index of the point within its input condition"),
                _c("mode", "string", "search: exact (root, q < 1e-12) or slow (slow-point search, q < its q_tolerance)"),
                _c("rhs_squared_norm", "float64", "‖dx/dt‖² = 2q at the point, in 1/ms²"),
                _c("stability", "string", "stable / marginal / unstable from max Re λ of the flow Jacobian"),
                _c("max_real_eigenvalue", "float64", "largest Re λ of the flow Jacobian, in 1/ms"),
                _c("n_unstable", "int64", "eigenvalues with Re λ > tolerance × max|λ|"),
                _c("eigenvalues_real", "list<float64>", "real parts of the eigenvalues, by descending Re λ (1/ms)"),
                _c("eigenvalues_imag", "list<float64>", "imaginary parts of the same eigenvalues"),
                _c("state", "list<float64>", "coordinates of the point (N values)"),
                _c("pc1", "float64", "projection on PC1 of the network's trajectories"),
                _c("pc2", "float64", "projection on PC2"),
                _c("pc3", "float64", "projection on PC3"),
            ),
        ),
        TableSchema(
            "equilibrium_search",
            "Bookkeeping of each equilibrium search (exact and slow, per input condition): what "
            "happened to every initial state, the slow tolerance and how slow the trials' own "
            "end-of-period states are.",
            _RUN
            + (
                _c("input_condition", "string", "named constant input"),
            )
            + _SEARCH_COUNTS
            + (
                _c("mode", "string", "exact (roots) or slow (slow-point search)"),
                _c("period", "string", "task period whose states the input holds"),
                _c("period_ms", "float64", "longest duration of that period on the test trials, T"),
                _c("manifold_scale", "float64", "RMS spread L of the end-of-period states (state units)"),
                _c("q_tolerance", "float64", "q tolerance of the search, 1/ms² (slow: ½(f·L/T)²)"),
                _c("held_q_median", "float64", "median q of the end-of-period states under the input"),
                _c("held_fraction_slow", "float64", "fraction of those states below the slow tolerance"),
            ),
        ),
        TableSchema(
            "equilibrium_trajectories",
            "Example test trajectories of a zoo network projected on the equilibria's PCs.",
            _RUN
            + (
                _c("trial", "int64", "test trial index"),
                _c("time_step", "int64", "time step"),
                _c("period", "string", "task period at this step"),
                _c("condition", "string", "label of the trial's condition (e.g. motion +0.40)"),
                _c("pc1", "float64", "projection on PC1"),
                _c("pc2", "float64", "projection on PC2"),
                _c("pc3", "float64", "projection on PC3"),
            ),
        ),
        TableSchema(
            "attractor_analytics",
            "Attractor geometry (line / ring / flip-flop) of the equilibria, long format.",
            _RUN
            + (
                _c("task", "string", "task name"),
                _c("input_condition", "string", "named constant input the points belong to"),
                _c("analysis", "string", "line, ring or flip_flop"),
                _c("point", "int64", "point index in equilibria (−1 for a summary row)"),
                _c("quantity", "string", "what the value is (e.g. position, coverage)"),
                _c("value", "float64", "its value (NaN when too few points)"),
            ),
        ),
        TableSchema(
            "statistic",
            "Across-seed summary; the other columns say what was grouped by.",
            _STATISTIC,
            extra_columns="any",
        ),
    ]
}


@dataclass(frozen=True)
class Provenance:
    study: str
    run: str
    seed: int | str
    config_hash: str
    rnnlab_version: str = rnnlab.__version__

    def to_json(self) -> str:
        return json.dumps(self.__dict__, sort_keys=True)


def config_hash(config: dict) -> str:
    """Stable short hash of a (JSON-serialisable) configuration."""
    canonical = json.dumps(config, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _arrow_schema(schema: TableSchema, frame: pd.DataFrame) -> pa.Schema:
    listed = {c.name: _TYPES[c.type] for c in schema.columns}
    fields = []
    for name in frame.columns:
        if name in listed:
            fields.append(pa.field(name, listed[name]))
        else:
            inferred = pa.Table.from_pandas(frame[[name]], preserve_index=False).schema[0].type
            fields.append(pa.field(name, inferred))
    return pa.schema(fields)


def check_frame(frame: pd.DataFrame, table: str, where: str = "frame") -> None:
    """Raise TableError naming ``where`` if ``frame`` lacks a column or has a forbidden one."""
    schema = SCHEMAS[table]
    missing = [c for c in schema.column_names if c not in frame.columns]
    if missing:
        raise TableError(f"{where}: table {table!r} lacks column(s) {missing}")
    extra = [c for c in frame.columns if c not in schema.column_names]
    if extra and schema.extra_columns != "any":
        prefix = (schema.extra_columns or "").removeprefix("prefix:") or None
        bad = [c for c in extra if prefix is None or not c.startswith(prefix)]
        if bad:
            raise TableError(f"{where}: table {table!r} has unexpected column(s) {bad}")


_PANDAS_DTYPES = {"string": object, "int64": "int64", "float64": "float64", "bool": "bool",
                  "list<float64>": object}


def empty_frame(table: str) -> pd.DataFrame:
    """Zero-row frame with the columns (and dtypes) of schema ``table``."""
    return pd.DataFrame(
        {c.name: pd.Series(dtype=_PANDAS_DTYPES[c.type]) for c in SCHEMAS[table].columns}
    )


def write_table(frame: pd.DataFrame, path: str | Path, table: str, provenance: Provenance) -> None:
    """Check ``frame`` against schema ``table`` and write it atomically with provenance."""
    path = Path(path)
    check_frame(frame, table, str(path))
    schema = SCHEMAS[table]
    extra = [c for c in frame.columns if c not in schema.column_names]
    # Grouping columns of a summary read best first; optional detail columns read best last.
    order = extra + schema.column_names if schema.extra_columns == "any" else schema.column_names + extra
    ordered = frame[order]
    arrow = pa.Table.from_pandas(
        ordered.reset_index(drop=True),
        schema=_arrow_schema(schema, ordered),
        preserve_index=False,
    )
    metadata = {PROVENANCE_KEY: provenance.to_json().encode(), b"rnnlab.table": table.encode()}
    arrow = arrow.replace_schema_metadata(metadata)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.partial")
    pq.write_table(arrow, temporary)
    os.replace(temporary, path)


def _normalised(arrow_type: pa.DataType) -> pa.DataType:
    """Treat large_string / large_list (what pandas may write) like string / list."""
    if pa.types.is_large_string(arrow_type):
        return pa.string()
    if pa.types.is_large_list(arrow_type):
        return pa.list_(_normalised(arrow_type.value_type))
    return arrow_type


def read_table(path: str | Path, table: str | None = None) -> pd.DataFrame:
    """Read a table written by ``write_table``; check it against ``table`` when given."""
    path = Path(path)
    try:
        arrow = pq.read_table(path)
    except FileNotFoundError as error:
        raise TableError(f"{path}: no such Parquet file") from error
    except (OSError, pa.ArrowException) as error:
        raise TableError(f"{path}: not a readable Parquet file ({error})") from error
    if table is not None:
        schema = SCHEMAS[table]
        for column in schema.columns:
            if column.name in arrow.schema.names:
                actual = arrow.schema.field(column.name).type
                if _normalised(actual) != _TYPES[column.type]:
                    raise TableError(
                        f"{path}: column {column.name!r} is {actual}, schema {table!r} "
                        f"says {column.type}"
                    )
    frame = arrow.to_pandas()
    if table is not None:
        check_frame(frame, table, str(path))
    return frame


def read_provenance(path: str | Path) -> dict:
    metadata = pq.read_schema(path).metadata or {}
    if PROVENANCE_KEY not in metadata:
        raise TableError(f"{path}: no rnnlab provenance in the Parquet metadata")
    return json.loads(metadata[PROVENANCE_KEY])


def read_table_name(path: str | Path) -> str:
    """The schema name a file was written with (from its Parquet metadata)."""
    try:
        metadata = pq.read_schema(path).metadata or {}
    except (OSError, pa.ArrowException) as error:
        raise TableError(f"{path}: not a readable Parquet file ({error})") from error
    if b"rnnlab.table" not in metadata:
        raise TableError(f"{path}: not written by rnnlab (no table name in its metadata)")
    return metadata[b"rnnlab.table"].decode()


def read_tables(paths, table: str) -> pd.DataFrame:
    """Concatenate several tables of the same schema."""
    frames = [read_table(p, table) for p in paths]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def documentation_markdown() -> str:
    """All schemas as Markdown (used to write docs/tables.md)."""
    lines = ["# Parquet tables written by rnnlab", ""]
    for schema in SCHEMAS.values():
        lines += [f"## `{schema.name}`", "", schema.description, ""]
        lines += ["| column | type | meaning |", "|---|---|---|"]
        lines += [f"| `{c.name}` | {c.type} | {c.description} |" for c in schema.columns]
        if schema.extra_columns:
            lines += ["", f"Extra columns allowed: {schema.extra_columns}."]
        lines.append("")
    return "\n".join(lines)
