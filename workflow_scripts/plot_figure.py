"""Draw one figure from Parquet tables (never checkpoints; no torch): ``params.draw``
("module:function") gets one DataFrame per named input and ``params.options``."""

from script_setup import finish, start

start(snakemake)

from rnnlab.plotting.style import save_figure  # noqa: E402
from rnnlab.tables import read_input  # noqa: E402
from rnnlab.workflow.names import resolve  # noqa: E402

draw = resolve(snakemake.params.draw)
tables = {name: read_input(paths) for name, paths in snakemake.input.items()}
save_figure(draw(**tables, **snakemake.params.options), snakemake.output[0])
finish()
