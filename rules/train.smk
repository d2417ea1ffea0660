rule train:
    output:
        checkpoints=directory(f"{RUN_DIRECTORY}/checkpoints"),
        train_log=f"{RUN_DIRECTORY}/train_log.parquet",
    log:
        "results/logs/train/{study}/{run}/seed{seed}.log",
    benchmark:
        "results/benchmarks/train/{study}/{run}/seed{seed}.tsv"
    conda:
        "../envs/torch.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=60,
    params:
        run=run_config,
        code=code_fingerprint("rnnlab.experiment", "rnnlab.tables"),
    script:
        "../workflow_scripts/train.py"
