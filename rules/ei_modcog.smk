# E/I RNNs on Mod-Cog (seed 003): the study's plug-in (rnnlab.studies.ei_modcog) and the rules
# of its own stages. Training, checkpoint evaluation, aggregates and figures are shared rules.
register_study("ei_modcog")


rule collect_gradients:
    input:
        checkpoints=f"{RUN_DIRECTORY}/checkpoints",
    output:
        gradients=f"{RUN_DIRECTORY}/gradients.parquet",
        unit_gradients=f"{RUN_DIRECTORY}/unit_gradients.parquet",
        gradient_saliency=f"{RUN_DIRECTORY}/gradient_saliency.parquet",
    log:
        "results/logs/collect_gradients/{study}/{run}/seed{seed}.log",
    benchmark:
        "results/benchmarks/collect_gradients/{study}/{run}/seed{seed}.tsv"
    wildcard_constraints:
        study="ei_modcog",
    conda:
        "../envs/torch.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=20,
    params:
        stage=stage("rnnlab.studies.ei_modcog.stages.gradients:collect_gradients"),
        settings=stage_settings("gradients"),
    script:
        "../workflow_scripts/stage.py"


rule gradient_metrics:
    input:
        unit_gradients=f"{RUN_DIRECTORY}/unit_gradients.parquet",
    output:
        gradient_metrics=f"{RUN_DIRECTORY}/gradient_metrics.parquet",
    log:
        "results/logs/gradient_metrics/{study}/{run}/seed{seed}.log",
    benchmark:
        "results/benchmarks/gradient_metrics/{study}/{run}/seed{seed}.tsv"
    wildcard_constraints:
        study="ei_modcog",
    conda:
        "../envs/tables.yaml"
    threads: 1
    params:
        stage=stage("rnnlab.studies.ei_modcog.stages.gradient_metrics:gradient_metrics"),
        settings={},
    script:
        "../workflow_scripts/stage.py"


rule weight_statistics:
    input:
        checkpoints=f"{RUN_DIRECTORY}/checkpoints",
    output:
        weight_statistics=f"{RUN_DIRECTORY}/weight_statistics.parquet",
        weight_histograms=f"{RUN_DIRECTORY}/weight_histograms.parquet",
    log:
        "results/logs/weight_statistics/{study}/{run}/seed{seed}.log",
    benchmark:
        "results/benchmarks/weight_statistics/{study}/{run}/seed{seed}.tsv"
    wildcard_constraints:
        study="ei_modcog",
    conda:
        "../envs/torch.yaml"
    threads: 1
    params:
        stage=stage("rnnlab.studies.ei_modcog.stages.weights:weight_statistics"),
        settings=stage_settings("weights"),
    script:
        "../workflow_scripts/stage.py"


rule fixed_points:
    input:
        checkpoints=f"{RUN_DIRECTORY}/checkpoints",
    output:
        fixed_points=f"{RUN_DIRECTORY}/fixed_points.parquet",
        fixed_point_search=f"{RUN_DIRECTORY}/fixed_point_search.parquet",
        fixed_point_trajectories=f"{RUN_DIRECTORY}/fixed_point_trajectories.parquet",
        delay_trajectories=f"{RUN_DIRECTORY}/delay_trajectories.parquet",
    log:
        "results/logs/fixed_points/{study}/{run}/seed{seed}.log",
    benchmark:
        "results/benchmarks/fixed_points/{study}/{run}/seed{seed}.tsv"
    wildcard_constraints:
        study="ei_modcog",
    conda:
        "../envs/torch.yaml"
    threads: 1
    resources:
        mem_mb=per_attempt(4000),
        runtime=per_attempt(120),
    params:
        stage=stage("rnnlab.studies.ei_modcog.stages.fixed_points:fixed_points"),
        settings=stage_settings("fixed_points"),
    script:
        "../workflow_scripts/stage.py"
