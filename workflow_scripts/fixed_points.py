"""Fixed points of the final checkpoint at each named input condition."""

from script_setup import provenance, start

start(snakemake)

from rnnlab.stages.fixed_points import fixed_points  # noqa: E402
from rnnlab.tables import write_table  # noqa: E402

points, searches, trajectories = fixed_points(snakemake.input.checkpoints, snakemake.params.settings)
source = provenance(snakemake)
write_table(points, snakemake.output.points, "fixed_points", source)
write_table(searches, snakemake.output.searches, "fixed_point_search", source)
write_table(trajectories, snakemake.output.trajectories, "fixed_point_trajectories", source)
