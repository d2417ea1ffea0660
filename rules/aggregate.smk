rule aggregate:
    input:
        aggregate_inputs,
    output:
        "results/{study}/aggregate/{aggregate}.parquet",
    log:
        "results/logs/aggregate/{study}/{aggregate}.log",
    benchmark:
        "results/benchmarks/aggregate/{study}/{aggregate}.tsv"
    conda:
        "../envs/tables.yaml"
    threads: 1
    params:
        statistics=config["statistics"],
    script:
        "../workflow_scripts/aggregate.py"
