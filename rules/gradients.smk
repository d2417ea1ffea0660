rule collect_gradients:
    input:
        checkpoints=f"{RUN_DIRECTORY}/checkpoints",
    output:
        gradients=f"{RUN_DIRECTORY}/gradients.parquet",
        unit_gradients=f"{RUN_DIRECTORY}/unit_gradients.parquet",
    log:
        "results/logs/collect_gradients/{study}/{run}/seed{seed}.log",
    benchmark:
        "results/benchmarks/collect_gradients/{study}/{run}/seed{seed}.tsv"
    conda:
        "../envs/torch.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=20,
    params:
        gradients=study_section("gradients"),
        code=code_fingerprint("rnnlab.stages.gradients", "rnnlab.tables"),
    script:
        "../workflow_scripts/collect_gradients.py"


rule gradient_metrics:
    input:
        unit_gradients=f"{RUN_DIRECTORY}/unit_gradients.parquet",
    output:
        metrics=f"{RUN_DIRECTORY}/gradient_metrics.parquet",
    log:
        "results/logs/gradient_metrics/{study}/{run}/seed{seed}.log",
    benchmark:
        "results/benchmarks/gradient_metrics/{study}/{run}/seed{seed}.tsv"
    conda:
        "../envs/tables.yaml"
    threads: 1
    params:
        code=code_fingerprint("rnnlab.analysis.credit", "rnnlab.tables"),
    script:
        "../workflow_scripts/gradient_metrics.py"
