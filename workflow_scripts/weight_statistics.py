"""Sign consistency and log10|w| histograms of W_rec at every checkpoint."""

from script_setup import provenance, start

start(snakemake)

from rnnlab.stages.weights import weight_statistics  # noqa: E402
from rnnlab.tables import write_table  # noqa: E402

settings = snakemake.params.weights
statistics, histograms = weight_statistics(
    snakemake.input.checkpoints, settings["log10_min"], settings["log10_max"], settings["n_bins"]
)
write_table(statistics, snakemake.output.statistics, "weight_statistics", provenance(snakemake))
write_table(histograms, snakemake.output.histograms, "weight_histograms", provenance(snakemake))
