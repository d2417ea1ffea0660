"""Train the seeds of one seed group of a run, one after the other, into the group directory:
<group>/seed<seed>/checkpoints and <group>/seed<seed>/train_log.parquet (see rule
train_seed_group). Each seed trains exactly as in its own job, resume state included."""

from pathlib import Path

from script_setup import provenance, start

start(snakemake)

from rnnlab.experiment import train_run  # noqa: E402
from rnnlab.tables import write_table  # noqa: E402
from rnnlab.training.resume import ResumeStore  # noqa: E402

run_config = snakemake.params.run
group = Path(snakemake.output[0])
stores = []
for seed, resume_directory in zip(snakemake.params.seeds, snakemake.params.resume_directories):
    resume = ResumeStore.for_training(
        resume_directory,
        run_config,
        seed,
        snakemake.params.code,
        snakemake.resources.resume_interval_seconds,
    )
    log = train_run(run_config, seed, group / f"seed{seed}" / "checkpoints", resume)
    write_table(
        log,
        group / f"seed{seed}" / "train_log.parquet",
        "train_log",
        provenance(snakemake, run_config, seed=seed),
    )
    stores.append(resume)
# Only now: if the job dies on a later seed, Snakemake deletes the whole group directory, and
# the finished seeds resume from their final states instead of training again.
for resume in stores:
    resume.finish()
