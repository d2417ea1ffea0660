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
        # Not a param: how often the resume state is saved changes no result.
        resume_interval_seconds=config["training_resume"]["interval_seconds"],
    params:
        run=run_config,
        resume_directory=RESUME_DIRECTORY,
        code=TRAINING_CODE,
    script:
        "../workflow_scripts/train.py"
