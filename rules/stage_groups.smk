# stage_jobs.seeds_per_job > 1: each per-seed stage (rules/common.smk: stage_outputs) analyses
# seed groups; here, per stage, a local job per seed copies the seed's tables out of its group's
# directory to the seed's run directory, where aggregates and figures read them. A lost per-seed
# table is copied again alone, without rerunning the group or the other seeds' downstream jobs.
for stage_rule, stage_tables in GROUPED_STAGES.items():

    rule:
        name:
            f"copy_{stage_rule}"
        input:
            stage_group_of_seed(stage_rule),
        output:
            **{table: f"{RUN_DIRECTORY}/{table}.parquet" for table in stage_tables},
        log:
            f"results/logs/copy_{stage_rule}/{{study}}/{{run}}/seed{{seed}}.log",
        wildcard_constraints:
            **workflow.get_rule(stage_rule).wildcard_constraints,
        localrule: True
        conda:
            "../envs/tables.yaml"
        params:
            tables=" ".join(stage_tables),
        shell:
            "(for table in {params.tables}; do"
            " cp {input}/seed{wildcards.seed}/$table.parquet"
            " results/{wildcards.study}/runs/{wildcards.run}/seed{wildcards.seed}/;"
            " done) 2> {log}"
