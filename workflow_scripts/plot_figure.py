"""Draw one figure from Parquet tables (never checkpoints; no torch)."""

from script_setup import start

start(snakemake, uses_torch=False)

import importlib  # noqa: E402

from rnnlab.plotting.style import save_figure  # noqa: E402
from rnnlab.tables import read_table, read_table_name, read_tables  # noqa: E402

study, figure_name = snakemake.params.figure.rsplit(".", 1)
draw = getattr(importlib.import_module(f"rnnlab.plotting.{study}"), figure_name)

def load(paths):
    """One table, or the concatenation of several files of the same table (runs, seeds)."""
    if isinstance(paths, str):
        return read_table(paths, read_table_name(paths))
    return read_tables(paths, read_table_name(paths[0]))


tables = {name: load(paths) for name, paths in snakemake.input.items()}
figure = draw(**tables)
save_figure(figure, snakemake.output[0])
