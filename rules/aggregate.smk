localrules:
    aggregate,


# An across-seed summary of one of a study's aggregates (its plug-in names the function, the
# per-seed tables and the runs): mean, bootstrap 95% CI and n seeds.
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
        aggregate=aggregate_function,
    script:
        "../workflow_scripts/aggregate.py"
