rule train:
    output:
        checkpoints=directory(f"{RUN_DIRECTORY}/checkpoints"),
        train_log=f"{RUN_DIRECTORY}/train_log.parquet",
    params:
        run=run_config,
    log:
        "results/logs/train/{study}/{run}/seed{seed}.log",
    benchmark:
        "results/benchmarks/train/{study}/{run}/seed{seed}.tsv"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=60,
    conda:
        "../envs/torch.yaml"
    script:
        "../workflow_scripts/train.py"
