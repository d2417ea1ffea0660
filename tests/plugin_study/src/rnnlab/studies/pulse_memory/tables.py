"""The table of pulse_memory's own stage."""

from __future__ import annotations

from rnnlab.tables import RUN_COLUMNS, TableSchema, column, register

SCHEMAS = register(
    TableSchema(
        "recall_errors",
        "Squared recall error of the final network per amplitude bin (pulse_memory).",
        RUN_COLUMNS
        + (
            column("amplitude", "float64", "centre of the amplitude bin"),
            column("squared_error", "float64", "mean squared error of the report in the bin"),
        ),
    ),
)
