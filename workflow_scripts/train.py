"""Train one (run, seed): checkpoints and train_log.parquet, resuming a killed job's state."""

from script_setup import provenance, start

start(snakemake)

from rnnlab.experiment import train_run  # noqa: E402
from rnnlab.tables import write_table  # noqa: E402
from rnnlab.training.resume import ResumeStore  # noqa: E402

run_config = snakemake.params.run
seed = int(snakemake.wildcards.seed)
resume = ResumeStore.for_training(
    snakemake.params.resume_directory,
    run_config,
    seed,
    snakemake.params.code,
    snakemake.resources.resume_interval_seconds,
)
log = train_run(run_config, seed, snakemake.output.checkpoints, resume)
write_table(log, snakemake.output.train_log, "train_log", provenance(snakemake, run_config))
resume.finish()
