# System A (seed 001): the study's plug-in (rnnlab.studies.system_a) and the rules of its own
# stages. Training (its own epoch loop, rnnlab.studies.system_a.training, through the shared
# train rule), aggregates and figures are shared rules.
register_study("system_a")


rule system_a_performance:
    input:
        checkpoints=f"{RUN_DIRECTORY}/checkpoints",
    output:
        duration_precision=f"{RUN_DIRECTORY}/duration_precision.parquet",
        pulse_trials=f"{RUN_DIRECTORY}/pulse_trials.parquet",
        weight_alignment=f"{RUN_DIRECTORY}/weight_alignment.parquet",
    log:
        "results/logs/system_a_performance/{study}/{run}/seed{seed}.log",
    benchmark:
        "results/benchmarks/system_a_performance/{study}/{run}/seed{seed}.tsv"
    wildcard_constraints:
        study="system_a",
    conda:
        "../envs/torch.yaml"
    threads: 1
    resources:
        mem_mb=per_attempt(2000),
        runtime=per_attempt(20),
    params:
        stage=stage("rnnlab.studies.system_a.stages.performance:performance"),
        settings=stage_settings("evaluation"),
    script:
        "../workflow_scripts/stage.py"


rule system_a_dimensionality:
    input:
        checkpoints=f"{RUN_DIRECTORY}/checkpoints",
    output:
        participation_ratios=f"{RUN_DIRECTORY}/participation_ratios.parquet",
        pc_projections=f"{RUN_DIRECTORY}/pc_projections.parquet",
        sign_flip_ratios=f"{RUN_DIRECTORY}/sign_flip_ratios.parquet",
        connectivity_spectrum=f"{RUN_DIRECTORY}/connectivity_spectrum.parquet",
    log:
        "results/logs/system_a_dimensionality/{study}/{run}/seed{seed}.log",
    benchmark:
        "results/benchmarks/system_a_dimensionality/{study}/{run}/seed{seed}.tsv"
    wildcard_constraints:
        study="system_a",
    conda:
        "../envs/torch.yaml"
    threads: 1
    resources:
        mem_mb=per_attempt(2000),
        runtime=per_attempt(20),
    params:
        stage=stage("rnnlab.studies.system_a.stages.dimensionality:dimensionality"),
        settings=stage_settings("dimensionality"),
    script:
        "../workflow_scripts/stage.py"
