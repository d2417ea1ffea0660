from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


report: "report/workflow.rst"


include: "rules/common.smk"
include: "rules/train.smk"
include: "rules/evaluate.smk"
include: "rules/gradients.smk"
include: "rules/weights.smk"
include: "rules/fixed_points.smk"
include: "rules/aggregate.smk"
include: "rules/figures_ei_modcog.smk"
include: "rules/zoo.smk"
include: "rules/figures_ctrnn_zoo.smk"
include: "rules/provenance.smk"


rule all:
    default_target: True
    input:
        all_figures(),
        rules.provenance.output,
