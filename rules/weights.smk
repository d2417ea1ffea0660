rule weight_statistics:
    input:
        checkpoints=f"{RUN_DIRECTORY}/checkpoints",
    output:
        statistics=f"{RUN_DIRECTORY}/weight_statistics.parquet",
        histograms=f"{RUN_DIRECTORY}/weight_histograms.parquet",
    log:
        "results/logs/weight_statistics/{study}/{run}/seed{seed}.log",
    benchmark:
        "results/benchmarks/weight_statistics/{study}/{run}/seed{seed}.tsv"
    conda:
        "../envs/torch.yaml"
    threads: 1
    params:
        weights=study_section("weights"),
        code=code_fingerprint("rnnlab.stages.weights", "rnnlab.tables"),
    script:
        "../workflow_scripts/weight_statistics.py"
