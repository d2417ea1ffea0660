# Visual working memory (seed 002): the study's plug-in (rnnlab.studies.vwm) and the rules of
# its own stages. Training, aggregates and figures are shared rules.
register_study("vwm")


rule vwm_behaviour:
    input:
        unpack(stage_inputs(checkpoints="checkpoints")),
    output:
        **stage_outputs(
            "vwm_behaviour",
            "error_statistics",
            "error_histograms",
            "mixture_fits",
            "mixture_densities",
            "snr",
        ),
    log:
        stage_log("vwm_behaviour"),
    benchmark:
        stage_benchmark("vwm_behaviour")
    wildcard_constraints:
        study="vwm",
    conda:
        "../envs/torch.yaml"
    threads: 1
    resources:
        mem_mb=3000,
        runtime=per_seed_job(30),
    params:
        stage=stage("rnnlab.studies.vwm.stages.behaviour:behaviour"),
        settings=stage_settings("behaviour"),
    script:
        "../workflow_scripts/stage.py"


rule vwm_population:
    input:
        unpack(stage_inputs(checkpoints="checkpoints")),
    output:
        **stage_outputs(
            "vwm_population",
            "input_statistics",
            "selectivity",
            "selectivity_units",
            "normalisation",
            "dale_signs",
        ),
    log:
        stage_log("vwm_population"),
    benchmark:
        stage_benchmark("vwm_population")
    wildcard_constraints:
        study="vwm",
    conda:
        "../envs/torch.yaml"
    threads: 1
    resources:
        mem_mb=3000,
        runtime=per_seed_job(30),
    params:
        stage=stage("rnnlab.studies.vwm.stages.population:population"),
        settings=stage_settings("population"),
    script:
        "../workflow_scripts/stage.py"


rule vwm_fixed_point_analysis:
    input:
        unpack(stage_inputs(checkpoints="checkpoints")),
    output:
        **stage_outputs(
            "vwm_fixed_point_analysis",
            "vwm_fixed_points",
            "vwm_fixed_point_search",
            "vwm_trajectories",
        ),
    log:
        stage_log("vwm_fixed_point_analysis"),
    benchmark:
        stage_benchmark("vwm_fixed_point_analysis")
    wildcard_constraints:
        study="vwm",
    conda:
        "../envs/torch.yaml"
    threads: 1
    resources:
        mem_mb=per_attempt(4000),
        runtime=per_seed_job(60),
    params:
        stage=stage("rnnlab.studies.vwm.stages.fixed_points:fixed_points"),
        settings=stage_settings("fixed_points"),
    script:
        "../workflow_scripts/stage.py"
