"""Exact and slow fixed points of a trained network's flow, and attractor analytics."""

from script_setup import provenance, start

start(snakemake)

from rnnlab.stages.zoo_fixed_points import equilibria  # noqa: E402
from rnnlab.tables import write_table  # noqa: E402

tables = equilibria(snakemake.input.checkpoints, snakemake.params.settings)
for name, frame in tables.items():
    write_table(frame, snakemake.output[name], name, provenance(snakemake))
