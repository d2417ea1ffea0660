# Every checkpoint of a (run, seed) on one seeded test set: a study asks for it by reading the
# `evaluation` table in an aggregate; its `evaluation` config section gives n_trials and seed.
rule evaluate_checkpoints:
    input:
        unpack(stage_inputs(checkpoints="checkpoints")),
    output:
        **stage_outputs("evaluate_checkpoints", "evaluation"),
    log:
        stage_log("evaluate_checkpoints"),
    benchmark:
        stage_benchmark("evaluate_checkpoints")
    conda:
        "../envs/torch.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=per_seed_job(20),
    params:
        stage=stage("rnnlab.stages.evaluation:evaluate_checkpoints"),
        settings=stage_settings("evaluation"),
    script:
        "../workflow_scripts/stage.py"
