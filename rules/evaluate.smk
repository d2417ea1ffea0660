# Every checkpoint of a (run, seed) on one seeded test set: a study asks for it by reading the
# `evaluation` table in an aggregate; its `evaluation` config section gives n_trials and seed.
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
        stage=stage("rnnlab.stages.evaluation:evaluate_checkpoints"),
        settings=stage_settings("evaluation"),
    script:
        "../workflow_scripts/stage.py"
