"""Train one (run, seed): checkpoints and train_log.parquet."""

from script_setup import provenance, start

start(snakemake)

from rnnlab.experiment import train_run  # noqa: E402
from rnnlab.tables import write_table  # noqa: E402

run_config = snakemake.params.run
log = train_run(run_config, int(snakemake.wildcards.seed), snakemake.output.checkpoints)
write_table(log, snakemake.output.train_log, "train_log", provenance(snakemake, run_config))
