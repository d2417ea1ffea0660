rule fixed_points:
    input:
        checkpoints=f"{RUN_DIRECTORY}/checkpoints",
    output:
        points=f"{RUN_DIRECTORY}/fixed_points.parquet",
        searches=f"{RUN_DIRECTORY}/fixed_point_search.parquet",
        trajectories=f"{RUN_DIRECTORY}/fixed_point_trajectories.parquet",
    log:
        "results/logs/fixed_points/{study}/{run}/seed{seed}.log",
    benchmark:
        "results/benchmarks/fixed_points/{study}/{run}/seed{seed}.tsv"
    conda:
        "../envs/torch.yaml"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=60,
    params:
        settings=fixed_point_settings,
        code=code_fingerprint("rnnlab.stages.fixed_points", "rnnlab.tables"),
    script:
        "../workflow_scripts/fixed_points.py"
