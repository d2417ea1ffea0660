# Visual working memory (seed 002): the study's plug-in (rnnlab.studies.vwm) and the rules of
# its own stages. Training, aggregates and figures are shared rules.
register_study("vwm")


rule vwm_behaviour:
    input:
        checkpoints=f"{RUN_DIRECTORY}/checkpoints",
    output:
        error_statistics=f"{RUN_DIRECTORY}/error_statistics.parquet",
        error_histograms=f"{RUN_DIRECTORY}/error_histograms.parquet",
        mixture_fits=f"{RUN_DIRECTORY}/mixture_fits.parquet",
        mixture_densities=f"{RUN_DIRECTORY}/mixture_densities.parquet",
        snr=f"{RUN_DIRECTORY}/snr.parquet",
    log:
        "results/logs/vwm_behaviour/{study}/{run}/seed{seed}.log",
    benchmark:
        "results/benchmarks/vwm_behaviour/{study}/{run}/seed{seed}.tsv"
    wildcard_constraints:
        study="vwm",
    conda:
        "../envs/torch.yaml"
    threads: 1
    resources:
        mem_mb=3000,
        runtime=30,
    params:
        stage=stage("rnnlab.studies.vwm.stages.behaviour:behaviour"),
        settings=stage_settings("behaviour"),
    script:
        "../workflow_scripts/stage.py"


rule vwm_population:
    input:
        checkpoints=f"{RUN_DIRECTORY}/checkpoints",
    output:
        input_statistics=f"{RUN_DIRECTORY}/input_statistics.parquet",
        selectivity=f"{RUN_DIRECTORY}/selectivity.parquet",
        selectivity_units=f"{RUN_DIRECTORY}/selectivity_units.parquet",
        normalisation=f"{RUN_DIRECTORY}/normalisation.parquet",
        dale_signs=f"{RUN_DIRECTORY}/dale_signs.parquet",
    log:
        "results/logs/vwm_population/{study}/{run}/seed{seed}.log",
    benchmark:
        "results/benchmarks/vwm_population/{study}/{run}/seed{seed}.tsv"
    wildcard_constraints:
        study="vwm",
    conda:
        "../envs/torch.yaml"
    threads: 1
    resources:
        mem_mb=3000,
        runtime=30,
    params:
        stage=stage("rnnlab.studies.vwm.stages.population:population"),
        settings=stage_settings("population"),
    script:
        "../workflow_scripts/stage.py"


rule vwm_fixed_point_analysis:
    input:
        checkpoints=f"{RUN_DIRECTORY}/checkpoints",
    output:
        vwm_fixed_points=f"{RUN_DIRECTORY}/vwm_fixed_points.parquet",
        vwm_fixed_point_search=f"{RUN_DIRECTORY}/vwm_fixed_point_search.parquet",
        vwm_trajectories=f"{RUN_DIRECTORY}/vwm_trajectories.parquet",
    log:
        "results/logs/vwm_fixed_point_analysis/{study}/{run}/seed{seed}.log",
    benchmark:
        "results/benchmarks/vwm_fixed_point_analysis/{study}/{run}/seed{seed}.tsv"
    wildcard_constraints:
        study="vwm",
    conda:
        "../envs/torch.yaml"
    threads: 1
    resources:
        mem_mb=per_attempt(4000),
        runtime=per_attempt(60),
    params:
        stage=stage("rnnlab.studies.vwm.stages.fixed_points:fixed_points"),
        settings=stage_settings("fixed_points"),
    script:
        "../workflow_scripts/stage.py"
