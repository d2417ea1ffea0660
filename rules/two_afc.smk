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
# trials. No torch in this job, and TensorFlow in no other. A seed group's seeds train one after
# the other in one process (TensorFlow's import alone costs ~10 CPU-s), each as in a job of its
# own (the graph, numpy's and TensorFlow's seeds are reset per seed).
rule two_afc_psychrnn:
    output:
        **stage_outputs(
            "two_afc_psychrnn",
            "afc_psychometric",
            "afc_psychometric_fit",
            "afc_trajectories",
            "psychrnn_train_log",
        ),
    log:
        stage_log("two_afc_psychrnn"),
    benchmark:
        stage_benchmark("two_afc_psychrnn")
    wildcard_constraints:
        study="two_afc",
        run="psychrnn_(baseline|noisy)",
    priority: TRAINING_PRIORITY  # it trains
    conda:
        "../envs/psychrnn.yaml"
    threads: 1
    resources:
        mem_mb=per_attempt(3000),
        runtime=per_seed_job(60),
    params:
        # `run` makes `make plan` bill the job as training (experiment.train_run of a psychrnn
        # run trains the same model in a fresh interpreter).
        run=run_config,
        stage=stage("rnnlab.studies.two_afc.psychrnn_library:psychrnn_job"),
        seed_argument="training_seed",
        # The study's test grid and the run.
        settings=lambda wildcards: dict(
            stage_settings("psychrnn")(wildcards), run_config=run_config(wildcards)
        ),
    script:
        "../workflow_scripts/stage.py"
