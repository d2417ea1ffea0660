# System A (seed 001): the study's plug-in (rnnlab.studies.system_a) and the rules of its own
# stages. Training (its own epoch loop, rnnlab.studies.system_a.training, through the shared
# train rule), aggregates and figures are shared rules.
register_study("system_a")


rule system_a_performance:
    input:
        unpack(stage_inputs(checkpoints="checkpoints")),
    output:
        **stage_outputs(
            "system_a_performance", "duration_precision", "pulse_trials", "weight_alignment"
        ),
    log:
        stage_log("system_a_performance"),
    benchmark:
        stage_benchmark("system_a_performance")
    wildcard_constraints:
        study="system_a",
    conda:
        "../envs/torch.yaml"
    threads: 1
    resources:
        mem_mb=per_attempt(2000),
        runtime=per_seed_job(20),
    params:
        stage=stage("rnnlab.studies.system_a.stages.performance:performance"),
        settings=stage_settings("evaluation"),
    script:
        "../workflow_scripts/stage.py"


rule system_a_dimensionality:
    input:
        unpack(stage_inputs(checkpoints="checkpoints")),
    output:
        **stage_outputs(
            "system_a_dimensionality",
            "participation_ratios",
            "pc_projections",
            "sign_flip_ratios",
            "connectivity_spectrum",
        ),
    log:
        stage_log("system_a_dimensionality"),
    benchmark:
        stage_benchmark("system_a_dimensionality")
    wildcard_constraints:
        study="system_a",
    conda:
        "../envs/torch.yaml"
    threads: 1
    resources:
        mem_mb=per_attempt(2000),
        runtime=per_seed_job(20),
    params:
        stage=stage("rnnlab.studies.system_a.stages.dimensionality:dimensionality"),
        settings=stage_settings("dimensionality"),
    script:
        "../workflow_scripts/stage.py"
