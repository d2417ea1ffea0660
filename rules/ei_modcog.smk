# E/I RNNs on Mod-Cog (seed 003): the study's plug-in (rnnlab.studies.ei_modcog) and the rules
# of its own stages. Training, checkpoint evaluation, aggregates and figures are shared rules.
register_study("ei_modcog")


rule collect_gradients:
    input:
        unpack(stage_inputs(checkpoints="checkpoints")),
    output:
        **stage_outputs("collect_gradients", "gradients", "unit_gradients", "gradient_saliency"),
    log:
        stage_log("collect_gradients"),
    benchmark:
        stage_benchmark("collect_gradients")
    wildcard_constraints:
        study="ei_modcog",
    conda:
        "../envs/torch.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=per_seed_job(20),
    params:
        stage=stage("rnnlab.studies.ei_modcog.stages.gradients:collect_gradients"),
        settings=stage_settings("gradients"),
    script:
        "../workflow_scripts/stage.py"


rule gradient_metrics:
    input:
        unpack(stage_inputs(unit_gradients="unit_gradients.parquet")),
    output:
        **stage_outputs("gradient_metrics", "gradient_metrics"),
    log:
        stage_log("gradient_metrics"),
    benchmark:
        stage_benchmark("gradient_metrics")
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
        unpack(stage_inputs(checkpoints="checkpoints")),
    output:
        **stage_outputs("weight_statistics", "weight_statistics", "weight_histograms"),
    log:
        stage_log("weight_statistics"),
    benchmark:
        stage_benchmark("weight_statistics")
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
        unpack(stage_inputs(checkpoints="checkpoints")),
    output:
        **stage_outputs(
            "fixed_points",
            "fixed_points",
            "fixed_point_search",
            "fixed_point_trajectories",
            "delay_trajectories",
        ),
    log:
        stage_log("fixed_points"),
    benchmark:
        stage_benchmark("fixed_points")
    wildcard_constraints:
        study="ei_modcog",
    conda:
        "../envs/torch.yaml"
    threads: 1
    resources:
        mem_mb=per_attempt(4000),
        runtime=per_seed_job(120),
    params:
        stage=stage("rnnlab.studies.ei_modcog.stages.fixed_points:fixed_points"),
        settings=stage_settings("fixed_points"),
    script:
        "../workflow_scripts/stage.py"
