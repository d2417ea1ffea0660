"""Every checkpoint of a (run, seed) on the fixed test set: evaluation.parquet."""

from script_setup import provenance, start

start(snakemake)

from rnnlab.stages.evaluation import evaluate_checkpoints  # noqa: E402
from rnnlab.tables import write_table  # noqa: E402

settings = snakemake.params.evaluation
frame = evaluate_checkpoints(snakemake.input.checkpoints, settings["n_trials"], settings["seed"])
write_table(frame, snakemake.output.evaluation, "evaluation", provenance(snakemake))
