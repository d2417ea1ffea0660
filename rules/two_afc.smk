# 2AFC perceptual discrimination (seed 000): the study's plug-in (rnnlab.studies.two_afc) and the
# rules of its own stages. Training (the study's own train_run), aggregates and figures are
# shared rules.
register_study("two_afc")


# Everything measured on one trained torch network (psychometric fit, PCA trajectories, and by
# the run's role centroids, robustness, fixed points or causal perturbations), in one job.
rule two_afc_analysis:
    input:
        unpack(stage_inputs(checkpoints="checkpoints")),
    output:
        **stage_outputs(
            "two_afc_analysis",
            "afc_psychometric",
            "afc_psychometric_fit",
            "afc_trajectories",
            "afc_centroids",
            "afc_robustness",
            "afc_fixed_points",
            "afc_saliency",
            "afc_lesion",
            "afc_clamp",
        ),
    log:
        stage_log("two_afc_analysis"),
    benchmark:
        stage_benchmark("two_afc_analysis")
    wildcard_constraints:
        study="two_afc",
        run=r"(?!psychrnn_)[a-z][a-z0-9_]*",
    conda:
        "../envs/torch.yaml"
    threads: 1
    resources:
        mem_mb=per_attempt(2000),
        runtime=per_seed_job(30),
    params:
        stage=stage("rnnlab.studies.two_afc.stages.analysis:analyse"),
        settings=stage_settings("analysis"),
    script:
        "../workflow_scripts/stage.py"


# The real PsychRNN (TensorFlow) in its own env: trained, then tested on the study's fixed
# trials. No torch in this job, and TensorFlow in no other.
rule two_afc_psychrnn:
    output:
        afc_psychometric=f"{RUN_DIRECTORY}/afc_psychometric.parquet",
        afc_psychometric_fit=f"{RUN_DIRECTORY}/afc_psychometric_fit.parquet",
        afc_trajectories=f"{RUN_DIRECTORY}/afc_trajectories.parquet",
        psychrnn_train_log=f"{RUN_DIRECTORY}/psychrnn_train_log.parquet",
    log:
        "results/logs/two_afc_psychrnn/{study}/{run}/seed{seed}.log",
    benchmark:
        "results/benchmarks/two_afc_psychrnn/{study}/{run}/seed{seed}.tsv"
    wildcard_constraints:
        study="two_afc",
        run="psychrnn_(baseline|noisy)",
    conda:
        "../envs/psychrnn.yaml"
    threads: 1
    resources:
        mem_mb=per_attempt(3000),
        runtime=per_attempt(60),
    params:
        # `run` makes `make plan` bill the job as training (experiment.train_run of a psychrnn
        # run trains the same model in a fresh interpreter).
        run=run_config,
        stage=stage("rnnlab.studies.two_afc.psychrnn_library:psychrnn_job"),
        # The study's test grid, the run and its training seed.
        settings=lambda wildcards: dict(
            stage_settings("psychrnn")(wildcards),
            run_config=run_config(wildcards),
            training_seed=int(wildcards.seed),
        ),
    script:
        "../workflow_scripts/stage.py"
