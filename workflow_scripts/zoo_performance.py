"""Validation score, example trials and (cddm) psychometric surface of a trained network."""

from script_setup import provenance, start

start(snakemake)

from rnnlab.stages.zoo_performance import task_performance  # noqa: E402
from rnnlab.tables import write_table  # noqa: E402

tables = task_performance(snakemake.input.checkpoints, **snakemake.params.settings)
for name, frame in tables.items():
    write_table(frame, snakemake.output[name], name, provenance(snakemake))
