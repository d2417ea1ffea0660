"""Write the run's software versions and resolved configuration for the report."""

from script_setup import finish, start

start(snakemake)

from rnnlab.provenance import write_configuration, write_software_versions  # noqa: E402

write_software_versions(snakemake.params.versions, snakemake.output.versions)
write_configuration(snakemake.params.configuration, snakemake.output.configuration)
finish()
