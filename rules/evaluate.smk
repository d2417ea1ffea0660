rule evaluate_checkpoints:
    input:
        checkpoints=f"{RUN_DIRECTORY}/checkpoints",
    output:
        evaluation=f"{RUN_DIRECTORY}/evaluation.parquet",
    log:
        "results/logs/evaluate_checkpoints/{study}/{run}/seed{seed}.log",
    benchmark:
        "results/benchmarks/evaluate_checkpoints/{study}/{run}/seed{seed}.tsv"
    conda:
        "../envs/torch.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=20,
    params:
        evaluation=study_section("evaluation"),
        code=code_fingerprint("rnnlab.stages.evaluation", "rnnlab.tables"),
    script:
        "../workflow_scripts/evaluate_checkpoints.py"
