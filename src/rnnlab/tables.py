"""Parquet tables: their schemas (columns, types, meaning), checked writing and reading, and the
registry every study adds its own tables to.

``write_table`` checks a frame against its schema, attaches provenance (study, run, seed,
config hash, rnnlab version) to the file metadata and writes atomically (temporary file, then
rename), so an interrupted job never leaves a half-written table. ``read_table`` checks the
schema again and names the file in every error.

The tables every study shares (``train_log``, ``evaluation``, ``statistic``) are defined here;
a study defines the tables of its own stages in ``rnnlab.studies.<study>.tables`` and registers
them with :func:`register` on import. :func:`table_schema` finds a study's table even in a process
that has not imported the study yet (a figure job reading whatever files it was given).

Tables whose schema allows extra columns (task condition columns ``condition_*``, the grouping
columns of aggregates) still must hold every listed column.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import os
import pkgutil
import sys
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
    extras_first: bool = False  # extra columns before the listed ones (grouping columns)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


class TableError(ValueError):
    """A Parquet file is missing, unreadable, or does not match its schema."""


def column(name: str, type_: str, description: str) -> Column:
    return Column(name, type_, description)


RUN_COLUMNS = (
    column("run", "string", "run name from the study config (e.g. eg, gd, inhibition_0.2)"),
    column("seed", "int64", "training seed"),
)
CHECKPOINT_COLUMNS = (column("checkpoint_step", "int64", "training step at which the checkpoint was saved"),)
SEARCH_COUNT_COLUMNS = (
    column("n_initial", "int64", "initial states searched from"),
    column("n_converged", "int64", "initial states that reached q < converged tolerance"),
    column("n_slow", "int64", "initial states that ended as slow points"),
    column("n_failed", "int64", "initial states that ended above the slow-point tolerance"),
    column("n_local_minima", "int64",
       "of the failed, those at a local minimum of q that is not a root (descent stalled, "
       "gradient vanished: e.g. a saddle-node ghost)"),
    column("n_outliers", "int64", "points dropped as distance outliers"),
    column("n_unique", "int64", "unique points kept"),
)
STATISTIC_COLUMNS = (
    column("quantity", "string", "what is summarised"),
    column("mean", "float64", "mean over seeds"),
    column("ci_low", "float64", "lower end of the bootstrap 95% CI of the mean (NaN when n = 1)"),
    column("ci_high", "float64", "upper end of the bootstrap 95% CI of the mean (NaN when n = 1)"),
    column("n", "int64", "number of seeds"),
)


#: Every registered table schema by name: the shared ones below and those of the studies imported
#: so far (:func:`all_schemas` imports every study's).
SCHEMAS: dict[str, TableSchema] = {}
_owners: dict[str, str] = {}  # table name -> module that registered it


def register(*schemas: TableSchema) -> dict[str, TableSchema]:
    """Add ``schemas`` to the registry (again registering an identical schema is a no-op); returns
    them by name.

    Raises:
        ValueError: another table of the same name is registered (table names are global: they
            name the files of every study's runs in docs/tables.md and in Parquet metadata).
    """
    owner = sys._getframe(1).f_globals.get("__name__", "rnnlab.tables")
    for schema in schemas:
        _owners.setdefault(schema.name, owner)
        known = SCHEMAS.get(schema.name)
        if known is not None and known != schema:
            raise ValueError(f"two different tables are named {schema.name!r}")
        SCHEMAS[schema.name] = schema
    return {schema.name: schema for schema in schemas}


def _import_studies() -> None:
    """Import every study's ``tables`` module (each registers its schemas)."""
    import rnnlab.studies

    for study in pkgutil.iter_modules(rnnlab.studies.__path__):
        if importlib.util.find_spec(f"rnnlab.studies.{study.name}.tables") is not None:
            importlib.import_module(f"rnnlab.studies.{study.name}.tables")


def table_schema(name: str) -> TableSchema:
    """The schema of table ``name``, importing the studies' tables if it is not registered yet."""
    if name not in SCHEMAS:
        _import_studies()
    try:
        return SCHEMAS[name]
    except KeyError:
        raise TableError(f"unknown table {name!r}; known tables: {', '.join(sorted(SCHEMAS))}") from None


def all_schemas() -> dict[str, TableSchema]:
    """Every table of the library: the shared ones and every study's."""
    _import_studies()
    return dict(SCHEMAS)


register(
    TableSchema(
        "train_log",
        "One row per logged training step; NaN where a quantity does not apply to the task "
        "(e.g. the decision terms of a regression task); a study's own trainer may log further "
        "quantities in extra columns after these.",
        RUN_COLUMNS
        + (
            column("step", "int64", "optimiser steps taken before this batch"),
            column("loss", "float64", "total training loss of the batch"),
            column("fixation_mse", "float64", "MSE to the fixation target outside decisions"),
            column("decision_cross_entropy", "float64", "label-smoothed CE on decision steps"),
            column("decision_accuracy", "float64", "fraction of decision steps argmax = label"),
            column("learning_rate", "float64", "step size of W_rec at this step"),
            column("grad_norm", "float64", "global gradient norm before clipping"),
        ),
        extra_columns="any",
    ),
    TableSchema(
        "evaluation",
        "One row per test trial and checkpoint; condition_* columns describe the trial.",
        RUN_COLUMNS
        + CHECKPOINT_COLUMNS
        + (
            column("task", "string", "task name"),
            column("trial", "int64", "index of the trial in the fixed test set"),
            column("label", "int64", "correct choice (1 + ring index)"),
            column("choice", "int64", "argmax of the decision-period mean output (0 = fixate)"),
            column("correct", "bool", "choice == label"),
        ),
        extra_columns="prefix:condition_",
    ),
    TableSchema(
        "statistic",
        "Across-seed summary; the other columns say what was grouped by.",
        STATISTIC_COLUMNS,
        extra_columns="any",
        extras_first=True,
    ),
)


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
    schema = table_schema(table)
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
        {c.name: pd.Series(dtype=_PANDAS_DTYPES[c.type]) for c in table_schema(table).columns}
    )


def write_table(frame: pd.DataFrame, path: str | Path, table: str, provenance: Provenance) -> None:
    """Check ``frame`` against schema ``table`` and write it atomically with provenance."""
    path = Path(path)
    check_frame(frame, table, str(path))
    schema = table_schema(table)
    extra = [c for c in frame.columns if c not in schema.column_names]
    # Grouping columns of a summary read best first; optional detail columns read best last.
    order = extra + schema.column_names if schema.extras_first else schema.column_names + extra
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
        schema = table_schema(table)
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


def read_input(paths: str | Path | list) -> pd.DataFrame:
    """A job's input: one table (a path), or the rows of several files of the same table (a
    list: the runs and seeds of a figure), each checked against the schema it was written with."""
    if isinstance(paths, (str, Path)):
        return read_table(paths, read_table_name(paths))
    paths = list(paths)
    if not paths:
        raise TableError("no files given")
    return read_tables(paths, read_table_name(paths[0]))


def documentation_markdown() -> str:
    """Every table as Markdown (docs/tables.md): the shared ones, then each study's."""
    schemas = all_schemas()
    owners: dict[str, list[TableSchema]] = {}
    for schema in schemas.values():
        module = _owners.get(schema.name, "rnnlab.tables")
        owners.setdefault(module, []).append(schema)
    lines = ["# Parquet tables written by rnnlab", ""]
    for module in sorted(owners, key=lambda m: (m != "rnnlab.tables", m)):
        title = "Shared by every study" if module == "rnnlab.tables" else f"Study `{module.split('.')[2]}`"
        lines += [f"## {title} (`{module}`)", ""]
        for schema in owners[module]:
            lines += [f"### `{schema.name}`", "", schema.description, ""]
            lines += ["| column | type | meaning |", "|---|---|---|"]
            lines += [f"| `{c.name}` | {c.type} | {c.description} |" for c in schema.columns]
            if schema.extra_columns:
                lines += ["", f"Extra columns allowed: {schema.extra_columns}."]
            lines.append("")
    return "\n".join(lines)
