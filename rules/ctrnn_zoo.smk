# The CTRNN task zoo (seed 004): the study's plug-in (rnnlab.studies.ctrnn_zoo) and the rules of
# its own stages. Training, aggregates and figures are shared rules.
register_study("ctrnn_zoo")


rule zoo_performance:
    input:
        unpack(stage_inputs(checkpoints="checkpoints")),
    output:
        **stage_outputs(
            "zoo_performance",
            "task_performance",
            "example_trials",
            "psychometric",
            "psychometric_fits",
        ),
    log:
        stage_log("zoo_performance"),
    benchmark:
        stage_benchmark("zoo_performance")
    wildcard_constraints:
        study="ctrnn_zoo",
    conda:
        "../envs/torch.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=per_seed_job(20),
    params:
        stage=stage("rnnlab.studies.ctrnn_zoo.stages.performance:task_performance"),
        settings=stage_settings("evaluation"),
    script:
        "../workflow_scripts/stage.py"


rule zoo_equilibria:
    input:
        unpack(stage_inputs(checkpoints="checkpoints")),
    output:
        **stage_outputs(
            "zoo_equilibria",
            "equilibria",
            "equilibrium_search",
            "equilibrium_trajectories",
            "attractor_analytics",
        ),
    log:
        stage_log("zoo_equilibria"),
    benchmark:
        stage_benchmark("zoo_equilibria")
    wildcard_constraints:
        study="ctrnn_zoo",
    conda:
        "../envs/torch.yaml"
    threads: 1
    resources:
        mem_mb=per_attempt(4000),
        runtime=per_seed_job(60),
    params:
        stage=stage("rnnlab.studies.ctrnn_zoo.stages.equilibria:equilibria"),
        settings=stage_settings("fixed_points"),
    script:
        "../workflow_scripts/stage.py"
