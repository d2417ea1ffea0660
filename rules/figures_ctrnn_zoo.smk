# Figures are quick and read small tables: on a cluster they run on the submit host.
localrules:
    ctrnn_zoo_example_trials,
    ctrnn_zoo_fixed_point_structure,
    ctrnn_zoo_cddm_analysis,
    ctrnn_zoo_eigenvalue_spectra,
    ctrnn_zoo_validation_table,
    ctrnn_zoo,


rule ctrnn_zoo_example_trials:
    input:
        trials=first_seed_files("example_trials.parquet", ZOO_RUNS, ZOO),
    output:
        report(
            figure_file("example_trials", ZOO),
            caption="../report/ctrnn_zoo/example_trials.rst",
            category=ZOO_REPORT_CATEGORY,
            labels={"figure": "outputs against targets on random test trials"},
        ),
    log:
        "results/logs/figures/ctrnn_zoo/example_trials.log",
    conda:
        "../envs/plot.yaml"
    params:
        figure="ctrnn_zoo.example_trials",
        code=ZOO_PLOTTING_CODE,
    script:
        "../workflow_scripts/plot_figure.py"


rule ctrnn_zoo_fixed_point_structure:
    input:
        points=first_seed_files("equilibria.parquet", ZOO_RUNS, ZOO),
        trajectories=first_seed_files("equilibrium_trajectories.parquet", ZOO_RUNS, ZOO),
    output:
        report(
            figure_file("fixed_point_structure", ZOO),
            caption="../report/ctrnn_zoo/fixed_point_structure.rst",
            category=ZOO_REPORT_CATEGORY,
            labels={"figure": "fixed-point structure"},
        ),
    log:
        "results/logs/figures/ctrnn_zoo/fixed_point_structure.log",
    conda:
        "../envs/plot.yaml"
    params:
        figure="ctrnn_zoo.fixed_point_structure",
        code=ZOO_PLOTTING_CODE,
    script:
        "../workflow_scripts/plot_figure.py"


rule ctrnn_zoo_cddm_analysis:
    input:
        psychometric=per_seed("psychometric.parquet", ["cddm"], ZOO),
        fits=per_seed("psychometric_fits.parquet", ["cddm"], ZOO),
        analytics=first_seed_files("attractor_analytics.parquet", ["cddm"], ZOO),
        points=first_seed_files("equilibria.parquet", ["cddm"], ZOO),
    output:
        report(
            figure_file("cddm_analysis", ZOO),
            caption="../report/ctrnn_zoo/cddm_analysis.rst",
            category=ZOO_REPORT_CATEGORY,
            labels={"figure": "psychometric curves and line attractors"},
        ),
    log:
        "results/logs/figures/ctrnn_zoo/cddm_analysis.log",
    conda:
        "../envs/plot.yaml"
    params:
        figure="ctrnn_zoo.cddm_analysis",
        code=ZOO_PLOTTING_CODE,
    script:
        "../workflow_scripts/plot_figure.py"


rule ctrnn_zoo_eigenvalue_spectra:
    input:
        points=first_seed_files("equilibria.parquet", ZOO_RUNS, ZOO),
    output:
        report(
            figure_file("eigenvalue_spectra", ZOO),
            caption="../report/ctrnn_zoo/eigenvalue_spectra.rst",
            category=ZOO_REPORT_CATEGORY,
            labels={"figure": "eigenvalue spectra"},
        ),
    log:
        "results/logs/figures/ctrnn_zoo/eigenvalue_spectra.log",
    conda:
        "../envs/plot.yaml"
    params:
        figure="ctrnn_zoo.eigenvalue_spectra",
        code=ZOO_PLOTTING_CODE,
    script:
        "../workflow_scripts/plot_figure.py"


rule ctrnn_zoo_validation_table:
    input:
        performance=aggregate_file("zoo_performance", ZOO),
    output:
        report(
            figure_file("validation_table", ZOO),
            caption="../report/ctrnn_zoo/validation_table.rst",
            category=ZOO_REPORT_CATEGORY,
            labels={"figure": "validation scores"},
        ),
    log:
        "results/logs/figures/ctrnn_zoo/validation_table.log",
    conda:
        "../envs/plot.yaml"
    params:
        figure="ctrnn_zoo.validation_table",
        code=ZOO_PLOTTING_CODE,
    script:
        "../workflow_scripts/plot_figure.py"


rule ctrnn_zoo:
    default_target: False
    input:
        study_figures(ZOO),
