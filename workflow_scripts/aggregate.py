"""Across-seed summary of one of a study's aggregates: aggregate/<name>.parquet."""

from pathlib import Path

from script_setup import finish, provenance, start

start(snakemake)

from rnnlab.aggregation import aggregate  # noqa: E402
from rnnlab.tables import read_tables, write_table  # noqa: E402

by_table = {}
for path in snakemake.input:
    by_table.setdefault(Path(path).stem, []).append(path)
tables = {name: read_tables(paths, name) for name, paths in by_table.items()}
statistics = snakemake.params.statistics
frame = aggregate(
    snakemake.params.aggregate["function"],
    tables,
    statistics["seed"],
    statistics["bootstrap_resamples"],
    **snakemake.params.aggregate.get("settings", {}),
)
write_table(frame, snakemake.output[0], "statistic", provenance(snakemake, seed="all"))
finish()
