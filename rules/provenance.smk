# What made the figures, for the report: quick, so it runs on the submit host.
from rnnlab.provenance import software_versions


localrules:
    provenance,


rule provenance:
    output:
        versions=report(
            "results/provenance/software_versions.tsv",
            caption="../report/provenance/software_versions.rst",
            category="Provenance",
            labels={"item": "software versions"},
        ),
        configuration=report(
            "results/provenance/configuration.json",
            caption="../report/provenance/configuration.rst",
            category="Provenance",
            labels={"item": "resolved configuration"},
        ),
    log:
        "results/logs/provenance.log",
    conda:
        "../envs/tables.yaml"
    params:
        # Params, so that a new package version or an edited configuration rewrites them.
        versions=software_versions(),
        configuration=PIPELINE.resolved_configuration(),
        code=code_fingerprint("rnnlab.provenance"),
    script:
        "../workflow_scripts/provenance.py"
