from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


report: "report/workflow.rst"


include: "rules/common.smk"
# Studies: one line each. rules/<study>.smk registers the study's plug-in
# (rnnlab.studies.<study>) and holds the rules of its own stages.
include: "rules/ei_modcog.smk"
include: "rules/ctrnn_zoo.smk"
include: "rules/system_a.smk"
include: "rules/two_afc.smk"
include: "rules/vwm.smk"


# Every study is in: check the configuration against them all and resolve every run.
PIPELINE = checked_pipeline()


wildcard_constraints:
    study=PIPELINE.study_pattern(),
    run=PIPELINE.run_pattern(),
    seed=r"\d+",
    seed_group=r"seeds(_\d+)+",
    aggregate=PIPELINE.aggregate_pattern(),


# Stages every study shares, every study's figures, and the provenance of a run.
include: "rules/train.smk"
include: "rules/evaluate.smk"
include: "rules/stage_groups.smk"
include: "rules/aggregate.smk"
include: "rules/figures.smk"
include: "rules/provenance.smk"


rule all:
    default_target: True
    input:
        PIPELINE.all_figures(),
        rules.provenance.output,
