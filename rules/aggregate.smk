localrules:
    aggregate,


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
        code=code_fingerprint("rnnlab.aggregation", "rnnlab.tables"),
    script:
        "../workflow_scripts/aggregate.py"
