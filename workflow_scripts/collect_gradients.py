"""∂L/∂h_t at every checkpoint: gradients.parquet (time courses), unit_gradients.parquet."""

from script_setup import provenance, start

start(snakemake)

from rnnlab.stages.gradients import collect_gradients  # noqa: E402
from rnnlab.tables import write_table  # noqa: E402

settings = snakemake.params.gradients
timecourse, units = collect_gradients(
    snakemake.input.checkpoints, settings["n_trials"], settings["seed"]
)
write_table(timecourse, snakemake.output.gradients, "gradients", provenance(snakemake))
write_table(units, snakemake.output.unit_gradients, "unit_gradients", provenance(snakemake))
