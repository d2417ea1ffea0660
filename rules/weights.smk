rule weight_statistics:
    input:
        checkpoints=f"{RUN_DIRECTORY}/checkpoints",
    output:
        statistics=f"{RUN_DIRECTORY}/weight_statistics.parquet",
        histograms=f"{RUN_DIRECTORY}/weight_histograms.parquet",
    params:
        weights=study_section("weights"),
    log:
        "results/logs/weight_statistics/{study}/{run}/seed{seed}.log",
    benchmark:
        "results/benchmarks/weight_statistics/{study}/{run}/seed{seed}.tsv"
    threads: 1
    conda:
        "../envs/torch.yaml"
    script:
        "../workflow_scripts/weight_statistics.py"
