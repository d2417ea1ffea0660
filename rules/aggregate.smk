rule aggregate:
    input:
        aggregate_inputs,
    output:
        "results/{study}/aggregate/{aggregate}.parquet",
    params:
        statistics=config["statistics"],
    log:
        "results/logs/aggregate/{study}/{aggregate}.log",
    benchmark:
        "results/benchmarks/aggregate/{study}/{aggregate}.tsv"
    threads: 1
    conda:
        "../envs/tables.yaml"
    script:
        "../workflow_scripts/aggregate.py"
