if seeds_per_job() == 1:

    rule train:
        output:
            checkpoints=directory(f"{RUN_DIRECTORY}/checkpoints"),
            train_log=f"{RUN_DIRECTORY}/train_log.parquet",
        log:
            "results/logs/train/{study}/{run}/seed{seed}.log",
        benchmark:
            "results/benchmarks/train/{study}/{run}/seed{seed}.tsv"
        priority: TRAINING_PRIORITY
        conda:
            "../envs/torch.yaml"
        threads: 1
        resources:
            mem_mb=2000,
            runtime=training_runtime,
            # Not params: how often the resume state is saved and how often the log reports
            # progress change no result.
            resume_interval_seconds=config["training_resume"]["interval_seconds"],
            progress_interval_seconds=config["training_logs"]["progress_interval_seconds"],
        params:
            run=run_config,
            resume_directory=RESUME_DIRECTORY,
            code=training_code,
        script:
            "../workflow_scripts/train.py"

else:

    # One process trains the seeds of a group one after the other (each exactly as alone),
    # paying the start-up of Python, torch and Snakemake once.
    rule train_seed_group:
        output:
            directory(SEED_GROUP_DIRECTORY),
        log:
            "results/logs/train_seed_group/{study}/{run}/{seed_group}.log",
        benchmark:
            "results/benchmarks/train_seed_group/{study}/{run}/{seed_group}.tsv"
        priority: TRAINING_PRIORITY
        conda:
            "../envs/torch.yaml"
        threads: 1
        resources:
            mem_mb=2000,
            runtime=training_runtime,
            resume_interval_seconds=config["training_resume"]["interval_seconds"],
            progress_interval_seconds=config["training_logs"]["progress_interval_seconds"],
        params:
            run=run_config,
            seeds=group_seeds,
            resume_directories=group_resume_directories,
            code=training_code,
        script:
            "../workflow_scripts/train.py"

    # A seed's outputs, copied out of its group's: a lost per-seed output comes back alone,
    # without retraining the group or rerunning the other seeds' downstream jobs.
    rule copy_trained_seed:
        input:
            seed_group_directory,
        output:
            checkpoints=directory(f"{RUN_DIRECTORY}/checkpoints"),
            train_log=f"{RUN_DIRECTORY}/train_log.parquet",
        log:
            "results/logs/copy_trained_seed/{study}/{run}/seed{seed}.log",
        localrule: True
        conda:
            "../envs/tables.yaml"
        shell:
            "(mkdir -p {output.checkpoints}"
            " && cp -R {input}/seed{wildcards.seed}/checkpoints/. {output.checkpoints}/"
            " && cp {input}/seed{wildcards.seed}/train_log.parquet {output.train_log}) 2> {log}"
