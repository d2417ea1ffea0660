# Figures are quick and read small tables: on a cluster they run on the submit host.
localrules:
    ei_modcog_learning_curves,
    ei_modcog_checkpoint_accuracy,
    ei_modcog_gradient_credit,
    ei_modcog_fixed_point_motifs,
    ei_modcog_weight_signs,
    ei_modcog,


rule ei_modcog_learning_curves:
    input:
        curves=aggregate_file("learning_curves"),
    output:
        report(
            figure_file("learning_curves"),
            caption="../report/ei_modcog/learning_curves.rst",
            category=REPORT_CATEGORY,
            labels={"figure": "a: learning curves"},
        ),
    log:
        "results/logs/figures/ei_modcog/learning_curves.log",
    conda:
        "../envs/plot.yaml"
    params:
        figure="ei_modcog.learning_curves",
        code=PLOTTING_CODE,
    script:
        "../workflow_scripts/plot_figure.py"


rule ei_modcog_checkpoint_accuracy:
    input:
        accuracy=aggregate_file("checkpoint_accuracy"),
    output:
        report(
            figure_file("checkpoint_accuracy"),
            caption="../report/ei_modcog/checkpoint_accuracy.rst",
            category=REPORT_CATEGORY,
            labels={"figure": "b: checkpoint accuracy"},
        ),
    log:
        "results/logs/figures/ei_modcog/checkpoint_accuracy.log",
    conda:
        "../envs/plot.yaml"
    params:
        figure="ei_modcog.checkpoint_accuracy",
        code=PLOTTING_CODE,
    script:
        "../workflow_scripts/plot_figure.py"


rule ei_modcog_gradient_credit:
    input:
        timecourse=aggregate_file("gradient_timecourse"),
        metrics=aggregate_file("gradient_metrics"),
    output:
        report(
            figure_file("gradient_credit"),
            caption="../report/ei_modcog/gradient_credit.rst",
            category=REPORT_CATEGORY,
            labels={"figure": "c: E vs I credit assignment"},
        ),
    log:
        "results/logs/figures/ei_modcog/gradient_credit.log",
    conda:
        "../envs/plot.yaml"
    params:
        figure="ei_modcog.gradient_credit",
        code=PLOTTING_CODE,
    script:
        "../workflow_scripts/plot_figure.py"


rule ei_modcog_fixed_point_motifs:
    input:
        counts=aggregate_file("fixed_point_counts"),
        points=example_run_file("fixed_points.parquet"),
        trajectories=example_run_file("fixed_point_trajectories.parquet"),
    output:
        report(
            figure_file("fixed_point_motifs"),
            caption="../report/ei_modcog/fixed_point_motifs.rst",
            category=REPORT_CATEGORY,
            labels={"figure": "d: fixed points vs inhibition"},
        ),
    log:
        "results/logs/figures/ei_modcog/fixed_point_motifs.log",
    conda:
        "../envs/plot.yaml"
    params:
        figure="ei_modcog.fixed_point_motifs",
        code=PLOTTING_CODE,
    script:
        "../workflow_scripts/plot_figure.py"


rule ei_modcog_weight_signs:
    input:
        statistics=aggregate_file("weight_statistics"),
        histograms=aggregate_file("weight_histograms"),
    output:
        report(
            figure_file("weight_signs"),
            caption="../report/ei_modcog/weight_signs.rst",
            category=REPORT_CATEGORY,
            labels={"figure": "e: weight signs and magnitudes"},
        ),
    log:
        "results/logs/figures/ei_modcog/weight_signs.log",
    conda:
        "../envs/plot.yaml"
    params:
        figure="ei_modcog.weight_signs",
        code=PLOTTING_CODE,
    script:
        "../workflow_scripts/plot_figure.py"


rule ei_modcog:
    default_target: False
    input:
        study_figures(),
