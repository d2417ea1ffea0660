# The CTRNN task zoo (seed 004): the study's plug-in (rnnlab.studies.ctrnn_zoo) and the rules of
# its own stages. Training, aggregates and figures are shared rules.
register_study("ctrnn_zoo")


rule zoo_performance:
    input:
        checkpoints=f"{RUN_DIRECTORY}/checkpoints",
    output:
        task_performance=f"{RUN_DIRECTORY}/task_performance.parquet",
        example_trials=f"{RUN_DIRECTORY}/example_trials.parquet",
        psychometric=f"{RUN_DIRECTORY}/psychometric.parquet",
        psychometric_fits=f"{RUN_DIRECTORY}/psychometric_fits.parquet",
    log:
        "results/logs/zoo_performance/{study}/{run}/seed{seed}.log",
    benchmark:
        "results/benchmarks/zoo_performance/{study}/{run}/seed{seed}.tsv"
    wildcard_constraints:
        study="ctrnn_zoo",
    conda:
        "../envs/torch.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=20,
    params:
        stage=stage("rnnlab.studies.ctrnn_zoo.stages.performance:task_performance"),
        settings=stage_settings("evaluation"),
    script:
        "../workflow_scripts/stage.py"


rule zoo_equilibria:
    input:
        checkpoints=f"{RUN_DIRECTORY}/checkpoints",
    output:
        equilibria=f"{RUN_DIRECTORY}/equilibria.parquet",
        equilibrium_search=f"{RUN_DIRECTORY}/equilibrium_search.parquet",
        equilibrium_trajectories=f"{RUN_DIRECTORY}/equilibrium_trajectories.parquet",
        attractor_analytics=f"{RUN_DIRECTORY}/attractor_analytics.parquet",
    log:
        "results/logs/zoo_equilibria/{study}/{run}/seed{seed}.log",
    benchmark:
        "results/benchmarks/zoo_equilibria/{study}/{run}/seed{seed}.tsv"
    wildcard_constraints:
        study="ctrnn_zoo",
    conda:
        "../envs/torch.yaml"
    threads: 1
    resources:
        mem_mb=per_attempt(4000),
        runtime=per_attempt(60),
    params:
        stage=stage("rnnlab.studies.ctrnn_zoo.stages.equilibria:equilibria"),
        settings=stage_settings("fixed_points"),
    script:
        "../workflow_scripts/stage.py"
