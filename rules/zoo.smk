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
        study=ZOO,
    conda:
        "../envs/torch.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=20,
    params:
        settings=study_section("evaluation"),
        code=code_fingerprint("rnnlab.stages.zoo_performance", "rnnlab.tables"),
    script:
        "../workflow_scripts/zoo_performance.py"


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
        study=ZOO,
    conda:
        "../envs/torch.yaml"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=60,
    params:
        settings=study_section("fixed_points"),
        code=code_fingerprint("rnnlab.stages.zoo_fixed_points", "rnnlab.tables"),
    script:
        "../workflow_scripts/zoo_equilibria.py"
