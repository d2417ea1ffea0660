"""Draw one figure from Parquet tables (never checkpoints; no torch): ``params.draw``
("module:function") gets one DataFrame per named input and ``params.options``."""

from script_setup import start

start(snakemake)

from rnnlab.plotting.style import save_figure  # noqa: E402
from rnnlab.tables import read_table, read_table_name, read_tables  # noqa: E402
from rnnlab.workflow.names import resolve  # noqa: E402


def load(paths):
    """One table, or the concatenation of several files of the same table (runs, seeds)."""
    if isinstance(paths, str):
        return read_table(paths, read_table_name(paths))
    return read_tables(paths, read_table_name(paths[0]))


draw = resolve(snakemake.params.draw)
tables = {name: load(paths) for name, paths in snakemake.input.items()}
save_figure(draw(**tables, **snakemake.params.options), snakemake.output[0])
