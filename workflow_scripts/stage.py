"""Run one stage of a study: ``params.stage["function"]`` ("module:function") is called with the
job's named inputs (paths) and ``params.settings`` as keyword arguments, and returns
{table name: DataFrame}; each table is written to the job's output of the same name."""

from script_setup import configure_torch, provenance, start

start(snakemake)

from rnnlab.tables import write_table  # noqa: E402
from rnnlab.workflow.names import resolve  # noqa: E402

stage = resolve(snakemake.params.stage["function"])
configure_torch(snakemake)  # only where the stage's modules brought torch in
tables = stage(**dict(snakemake.input.items()), **snakemake.params.settings)
unwritten = set(snakemake.output.keys()) - set(tables)
if unwritten:
    raise RuntimeError(f"stage {snakemake.params.stage['function']} returned no {sorted(unwritten)}")
source = provenance(snakemake)
for name, frame in tables.items():
    write_table(frame, snakemake.output[name], name, source)
