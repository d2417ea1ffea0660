"""Draw one figure from Parquet tables (never checkpoints; no torch)."""

from script_setup import start

start(snakemake, uses_torch=False)

import importlib  # noqa: E402

from rnnlab.plotting.style import save_figure  # noqa: E402
from rnnlab.tables import read_table, read_table_name  # noqa: E402

study, figure_name = snakemake.params.figure.rsplit(".", 1)
draw = getattr(importlib.import_module(f"rnnlab.plotting.{study}"), figure_name)
tables = {name: read_table(path, read_table_name(path)) for name, path in snakemake.input.items()}
figure = draw(**tables)
save_figure(figure, snakemake.output[0])
