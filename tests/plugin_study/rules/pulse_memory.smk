# A tiny study plugged in from tests/plugin_study: its plug-in and the rule of its own stage.
register_study("pulse_memory")


rule recall_error:
    input:
        checkpoints=f"{RUN_DIRECTORY}/checkpoints",
    output:
        recall_errors=f"{RUN_DIRECTORY}/recall_errors.parquet",
    log:
        "results/logs/recall_error/{study}/{run}/seed{seed}.log",
    benchmark:
        "results/benchmarks/recall_error/{study}/{run}/seed{seed}.tsv"
    wildcard_constraints:
        study="pulse_memory",
    conda:
        "../envs/torch.yaml"
    threads: 1
    params:
        stage=stage("rnnlab.studies.pulse_memory.stages:recall_error"),
        settings=stage_settings("recall_error"),
    script:
        "../workflow_scripts/stage.py"
