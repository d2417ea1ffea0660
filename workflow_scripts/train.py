"""Train a run's seeds, resuming a killed job's state: one seed into the rule train's outputs
(checkpoints, train_log.parquet), or a seed group, one seed after the other, into
<group>/seed<seed>/{checkpoints,train_log.parquet} (rule train_seed_group; each seed trains
exactly as in a job of its own)."""

from pathlib import Path

from script_setup import finish, provenance, start

start(snakemake, uses_torch=True)

from rnnlab.experiment import train_run  # noqa: E402
from rnnlab.tables import write_table  # noqa: E402
from rnnlab.training.resume import ResumeStore  # noqa: E402

if hasattr(snakemake.params, "seeds"):  # a seed group
    group = Path(snakemake.output[0])
    places = [
        (seed, resume, group / f"seed{seed}" / "checkpoints",
         group / f"seed{seed}" / "train_log.parquet")
        for seed, resume in zip(snakemake.params.seeds, snakemake.params.resume_directories)
    ]
else:
    places = [
        (
            int(snakemake.wildcards.seed),
            snakemake.params.resume_directory,
            snakemake.output.checkpoints,
            snakemake.output.train_log,
        )
    ]

run_config = snakemake.params.run
stores = []
for seed, resume_directory, checkpoints, train_log in places:
    resume = ResumeStore.for_training(
        resume_directory,
        run_config,
        seed,
        snakemake.params.code,
        snakemake.resources.resume_interval_seconds,
    )
    log = train_run(
        run_config, seed, checkpoints, resume,
        progress_interval_seconds=snakemake.resources.progress_interval_seconds,
    )
    write_table(log, train_log, "train_log", provenance(snakemake, run_config, seed=seed))
    stores.append(resume)
# Only now: if a group's job dies on a later seed, Snakemake deletes the whole group directory,
# and the finished seeds resume from their final states instead of training again.
for resume in stores:
    resume.finish()
finish()
