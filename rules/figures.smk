# One rule per figure of every enabled study, made from its plug-in's figure registry: target
# `<study>_<figure>` or its file results/figures/<study>/<figure>.png; and one target per study.
# Figures read Parquet tables only (no checkpoints, no torch) and run on the submit host.
for study in PIPELINE.enabled:
    for figure in PIPELINE.figures[study].values():

        rule:
            name:
                f"{study}_{figure.name}"
            input:
                **PIPELINE.figure_inputs(study, figure.name),
            output:
                report(
                    PIPELINE.figure_file(study, figure.name),
                    caption=f"../{PIPELINE.caption(study, figure.name)}",
                    category=PIPELINE.studies[study].title,
                    labels={"figure": figure.label},
                ),
            log:
                f"results/logs/figures/{study}/{figure.name}.log",
            localrule: True
            conda:
                "../envs/plot.yaml"
            params:
                draw=figure.draw,
                options=dict(figure.options),
                code=figure_code(study, figure.name),
            script:
                "../workflow_scripts/plot_figure.py"

    rule:
        name:
            study
        default_target: False
        input:
            PIPELINE.study_figures(study),
        localrule: True
