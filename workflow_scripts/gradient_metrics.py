"""Fisher information and Gini per population: gradient_metrics.parquet."""

from script_setup import provenance, start

start(snakemake, uses_torch=False)

from rnnlab.analysis.credit import population_metrics_by_checkpoint  # noqa: E402
from rnnlab.tables import read_table, write_table  # noqa: E402

units = read_table(snakemake.input.unit_gradients, "unit_gradients")
write_table(
    population_metrics_by_checkpoint(units), snakemake.output.metrics, "gradient_metrics", provenance(snakemake)
)
