"""The Snakemake workflow itself: lint, format, config validation, DAG shape, and the whole DAG
on the tiny test config, twice, bit for bit."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from rnnlab.tables import all_schemas, read_table, read_table_name

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ZOO_FIGURES = [
    "example_trials",
    "fixed_point_structure",
    "cddm_analysis",
    "eigenvalue_spectra",
    "validation_table",
]
WORKFLOW_PARTS = ["Snakefile", "rules", "workflow_scripts", "config", "envs", "report", "profiles", "src"]
STUDY_FIGURES = [
    "learning_curves",
    "checkpoint_accuracy",
    "gradient_credit",
    "weight_signs",
    "fixed_point_motifs",
    "gradient_saliency",
    "sweep_accuracy",
    "fixed_point_rings",
    "lr_sweep",
    "ablations",
    "size_sweep",
]


def copy_workflow(destination: Path) -> Path:
    destination.mkdir(parents=True)
    for part in WORKFLOW_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, destination / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, destination / part)
    return destination


def snakemake(directory: Path, *arguments: str, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "snakemake"), *arguments],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"},
    )


def job_counts(dry_run_output: str) -> dict[str, int]:
    table = dry_run_output.split("Job stats:")[1]
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\w+)\s+(\d+)$", table, re.M)}


@pytest.fixture
def workflow(tmp_path):
    return copy_workflow(tmp_path / "workflow")


def test_lint_reports_nothing():
    result = snakemake(ROOT, "--lint", "--configfile", "config/test.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Lints for" not in result.stdout + result.stderr, result.stdout + result.stderr


# Run from a clean interpreter: the Snakefile parsed as a dry run does, then which heavy
# libraries that parse imported (every Snakemake call parses: dry runs, `make plan`, each job a
# cluster runs).
PARSE_IMPORTS = """
import atexit, sys
atexit.register(lambda: print("IMPORTED", *sorted(
    {"torch", "tensorflow", "matplotlib", "sklearn"} & set(sys.modules))))
from snakemake.cli import main
sys.argv = ["snakemake", "results/figures/vwm/circular_statistics.png", "-n", "-q", "rules"]
main()
"""


def test_parsing_the_workflow_imports_no_torch_tensorflow_or_plotting():
    """Parsing costs every Snakemake call; torch alone would add ≈ 3 s of CPU to each (it did:
    a study's config check imported its training module)."""
    result = subprocess.run([sys.executable, "-c", PARSE_IMPORTS], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    imported = [line for line in result.stdout.splitlines() if line.startswith("IMPORTED")]
    assert imported == ["IMPORTED"], result.stdout[-2000:] + result.stderr[-2000:]


def test_snakefmt_check_passes():
    result = subprocess.run(
        [str(BIN / "snakefmt"), "--check", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


RULES_PROBE = """
import json, sys
from pathlib import Path
from snakemake.api import SnakemakeApi
from snakemake.settings.types import ConfigSettings, OutputSettings, ResourceSettings

with SnakemakeApi(OutputSettings(quiet=None)) as api:
    workflow = api.workflow(
        resource_settings=ResourceSettings(),
        config_settings=ConfigSettings(configfiles=[Path(p) for p in sys.argv[1:]]),
        snakefile=Path("Snakefile"),
        workdir=Path("."),
    )._workflow
    print(json.dumps({
        rule.name: dict(log=bool(rule.log), conda=rule.conda_env, benchmark=bool(rule.benchmark),
                        local=workflow.is_local(rule), job=rule.script is not None
                        or rule.shellcmd is not None, priority=rule.priority)
        for rule in workflow.rules
    }))
"""


def workflow_rules(directory: Path, *configfiles: str) -> dict[str, dict]:
    """Every rule of the workflow as Snakemake parsed it: has a log, its conda env, has a
    benchmark, is local, runs a job (script or shell)."""
    result = subprocess.run([sys.executable, "-c", RULES_PROBE, *configfiles], cwd=directory,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("configfile, kinds", [
    ("config/test.yaml", {"train", "fixed_points"}),
    # seeds grouped per job: the group rules and their copy rules
    ("config/config.yaml", {"train_seed_group", "copy_trained_seed", "copy_fixed_points"}),
])
def test_every_job_rule_has_conda_log_and_a_pinned_env_and_compute_a_benchmark(configfile, kinds):
    rules = workflow_rules(ROOT, configfile)
    jobs = {name: rule for name, rule in rules.items() if rule["job"]}
    assert kinds | {"aggregate", "fixed_points", "ctrnn_zoo_cddm_analysis"} <= set(jobs)
    for name, rule in jobs.items():
        assert rule["log"], f"rule {name} has no log"
        assert rule["conda"] and (ROOT / "rules" / rule["conda"]).resolve().is_file(), name
        # Compute jobs (everything that is not a quick local figure, copy or provenance job)
        # record their time and memory.
        assert rule["benchmark"] or rule["local"] and name != "aggregate", f"rule {name}"
    targets = {name for name, rule in rules.items() if not rule["job"]}
    assert {"all", "ei_modcog", "ctrnn_zoo"} <= targets
    # What trains goes first (rules/common.smk: TRAINING_PRIORITY): nothing else has priority.
    training = kinds & {"train", "train_seed_group"} | {"two_afc_psychrnn"}
    assert {name for name, rule in jobs.items() if rule["priority"] > 0} == training


def write_config(workflow: Path, edit) -> None:
    config = yaml.safe_load((workflow / "config" / "test.yaml").read_text())
    edit(config)
    (workflow / "config" / "config.yaml").write_text(yaml.safe_dump(config))


BAD_CONFIGS = {
    "unknown key": (lambda c: c["studies"]["ei_modcog"].update(sedes=[1]),
                    "studies.ei_modcog.sedes: unknown key"),
    "wrong type": (lambda c: c["studies"]["ei_modcog"].update(seeds="one"),
                   "studies.ei_modcog.seeds: 'one' is not of type 'array'"),
    "missing study": (lambda c: c["studies"].pop("ei_modcog"), "studies.ei_modcog: missing section"),
    "unknown study": (lambda c: c["studies"].update(ei_modkog={}),
                      "studies.ei_modkog: no such study is included"),
    "unknown model key": (
        lambda c: c["studies"]["ei_modcog"]["training_defaults"]["model"].update(hiden_size=3),
        "studies.ei_modcog.training_defaults.model.hiden_size: unknown key"),
    "bad optimizer": (
        lambda c: c["studies"]["ei_modcog"]["runs"]["gd"].update(optimizer={"name": "adamw"}),
        "studies.ei_modcog.runs.gd.optimizer.name: 'adamw' is not one of eg, gd, adam"),
    "zoo run named after another task": (
        lambda c: c["studies"]["ctrnn_zoo"]["runs"]["dmts"]["task"].update(name="cddm"),
        "studies.ctrnn_zoo.runs.dmts: the run trains task 'cddm'"),
    "bad example fraction": (
        lambda c: c["studies"]["ei_modcog"]["fixed_point_sweep"].update(example_inhibitory_fraction=0.3),
        "studies.ei_modcog.fixed_point_sweep.example_inhibitory_fraction: 0.3 is not one of"),
    "bad task in a derived run": (
        lambda c: c["studies"]["ei_modcog"]["fixed_point_sweep"]["run"].update(task={"name": "dm3"}),
        "studies.ei_modcog.fixed_point_sweep.run (fraction 0.2).task.name: 'dm3' is not one of anti,"),
    "bad seeds per stage job": (lambda c: c.update(stage_jobs={"seeds_per_job": 0}),
                                "stage_jobs.seeds_per_job: 0 is less than the minimum of 1"),
    "training time for no such run": (
        lambda c: c.update(training_jobs={"runtime_minutes": {"ei_modcog/eq": 30}}),
        "training_jobs.runtime_minutes.ei_modcog/eq: no such study or run"),
}


@pytest.mark.parametrize("case", ["unknown key", "missing study", "bad task in a derived run",
                                  "bad seeds per stage job"])
def test_bad_config_fails_before_any_job_naming_the_key_without_traceback(workflow, case):
    edit, named = BAD_CONFIGS[case]
    write_config(workflow, edit)
    result = snakemake(workflow, "-n", "--cores", "1")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert named in output, output[-3000:]
    assert "Traceback" not in output and 'File "' not in output, output[-3000:]
    assert not (workflow / "results").exists()


@pytest.mark.parametrize("case", sorted(BAD_CONFIGS))
def test_bad_config_is_refused_naming_the_key(case):
    """Every case of the workflow's configuration check, in-process (the end-to-end test above
    shows on a few that Snakemake stops with the same message and no traceback)."""
    from rnnlab.workflow.config import ConfigError, deep_merge
    from rnnlab.workflow.pipeline import Pipeline, included_studies, load_study

    edit, named = BAD_CONFIGS[case]
    config = yaml.safe_load((ROOT / "config" / "test.yaml").read_text())
    edit(config)
    config = deep_merge(yaml.safe_load((ROOT / "config" / "config.yaml").read_text()), config)
    if case == "missing study":  # the end-to-end test replaces config.yaml: no section at all
        config["studies"].pop("ei_modcog")
    with pytest.raises(ConfigError) as refused:
        Pipeline(config, [load_study(s) for s in included_studies(ROOT)], ROOT)
    assert named in str(refused.value)


def test_every_config_problem_is_reported_in_one_pass(workflow):
    def edit(config):
        config["statistics"]["bootstrap_resamples"] = 5
        config["studies"]["ei_modcog"]["training_defaults"]["model"]["hiden_size"] = 3
        config["studies"]["ei_modcog"]["runs"]["eg"]["optimizer"]["name"] = "sgd"
        config["studies"]["ctrnn_zoo"]["evaluation"]["n_trial"] = 4

    write_config(workflow, edit)
    result = snakemake(workflow, "-n", "--cores", "1")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "the configuration has 4 problems" in output, output[-3000:]
    for key in ("statistics.bootstrap_resamples: 5 is less than the minimum of 100",
                "studies.ei_modcog.training_defaults.model.hiden_size: unknown key",
                "studies.ei_modcog.runs.eg.optimizer.name: 'sgd' is not one of",
                "studies.ctrnn_zoo.evaluation.n_trial: unknown key"):
        assert key in output, (key, output[-3000:])


def test_every_resolved_run_has_the_run_schema_defaults(workflow):
    result = snakemake(workflow, "--cores", "1", "provenance", "--configfile", "config/test.yaml")
    assert result.returncode == 0, result.stderr[-3000:]
    configuration = json.loads((workflow / "results/provenance/configuration.json").read_text())
    schema = yaml.safe_load((ROOT / "config" / "run.schema.yaml").read_text())["properties"]
    runs = [run for study in configuration["resolved_runs"].values() for run in study.values()]
    shared = [run for run in runs if run["study"] in ("ei_modcog", "ctrnn_zoo")]
    assert len(shared) == 14  # eg, gd, two sweep runs, five family runs, five zoo tasks
    assert len(runs) == 26  # and system_a 1, two_afc 6 + 4 library-comparison runs, vwm 1
    for run in runs:
        # a study's $defs.run replaces sections of the run schema for its runs
        own = yaml.safe_load((ROOT / "config" / "studies" / f"{run['study']}.schema.yaml")
                             .read_text()).get("$defs", {}).get("run", {})
        for section in ("model", "optimizer", "training"):
            # Opt-in settings (x-when-absent) stay absent unless given, so that adding one
            # changes no existing run's parameters.
            properties = own.get(section, schema[section])["properties"]
            required = {key for key, value in properties.items() if "x-when-absent" not in value}
            assert required <= set(run[section]), (run["run"], section)
    # A run that sets its own length in config/config.yaml keeps it under the test config unless
    # the test config sets it again (a zoo run trained 3000 steps in the test suite that way).
    long = {f"{run['study']}/{run['run']}": run["training"].get("steps", run["training"].get("epochs"))
            for run in runs if run["training"].get("steps", run["training"].get("epochs", 0)) > 50}
    assert long == {}
    gd = configuration["resolved_runs"]["ei_modcog"]["gd"]
    assert gd["optimizer"]["recurrent_learning_rate"] == 0.1  # the run's override wins
    assert gd["training"]["fixdown_weight"] == 0.1  # a schema default


def test_one_figure_target_builds_only_its_ancestors():
    result = snakemake(ROOT, "-n", "--configfile", "config/test.yaml", "--forceall",
                       "results/figures/ei_modcog/learning_curves.png")
    assert result.returncode == 0, result.stderr
    counts = job_counts(result.stdout)
    # 2 runs × 2 seeds trained, one aggregate, one figure: no evaluation, gradients, fixed points.
    assert counts == {"train": 4, "aggregate": 1, "ei_modcog_learning_curves": 1, "total": 6}


def test_named_targets_exist_for_the_study_and_each_figure():
    result = snakemake(ROOT, "-n", "--configfile", "config/test.yaml", "--forceall",
                       "ei_modcog_fixed_point_motifs")
    assert result.returncode == 0, result.stderr
    counts = job_counts(result.stdout)
    assert counts["fixed_points"] == 2 and "collect_gradients" not in counts
    result = snakemake(ROOT, "-n", "--configfile", "config/test.yaml", "--forceall", "ei_modcog")
    assert result.returncode == 0, result.stderr
    assert all(f"ei_modcog_{name}" in job_counts(result.stdout) for name in STUDY_FIGURES)


GROUPS = "training_jobs:\n  seeds_per_job: 2\nstage_jobs:\n  seeds_per_job: 2\n"


def test_seed_groups_make_group_jobs_and_per_seed_copies(workflow):
    """training_jobs.seeds_per_job and stage_jobs.seeds_per_job: several seeds per training or
    stage process, each seed's outputs copied out by a job of its own. (That a grouped seed
    equals the seed trained and analysed alone, and that a lost seed comes back alone, is
    checked on the whole DAG, below.)"""
    (workflow / "config" / "groups.yaml").write_text(GROUPS)
    result = snakemake(workflow, "-n", "ei_modcog_checkpoint_accuracy",
                       "--configfile", "config/test.yaml", "config/groups.yaml")
    counts = job_counts(result.stdout)
    # eg and gd: seeds 1 and 2 in one group each; the two sweep runs have seed 1 only.
    assert counts["train_seed_group"] == 4 and counts["copy_trained_seed"] == 6
    assert counts["evaluate_checkpoints"] == 4 and counts["copy_evaluate_checkpoints"] == 6
    assert "train" not in counts
    logs = snakemake(workflow, "-n", "--configfile", "config/test.yaml", "config/groups.yaml")
    assert "results/logs/evaluate_checkpoints/ei_modcog/eg/seeds_1_2.log" in logs.stdout


def test_a_stage_that_trains_its_seeds_runs_a_seed_group_in_one_job(workflow):
    """A stage without per-seed inputs (two_afc_psychrnn trains PsychRNN: its seed is an
    argument, params.seed_argument) is grouped like any stage: one TensorFlow process per run's
    seed group (default config: seeds 1 and 2 of each condition), each seed copied out."""
    result = snakemake(workflow, "-n", "two_afc_library_comparison")
    assert result.returncode == 0, result.stderr[-3000:]
    counts = job_counts(result.stdout)
    assert counts["two_afc_psychrnn"] == 2 and counts["copy_two_afc_psychrnn"] == 4
    assert "results/logs/two_afc_psychrnn/two_afc/psychrnn_noisy/seeds_1_2.log" in result.stdout


def lost_seed_comes_back_alone(workflow: Path, *arguments: str) -> None:
    """Everything of one seed lost and asked for again: the seed's outputs are copied out of its
    training group again (no training), byte for byte, and nothing outside the seed's directory
    but its stage group is touched."""
    seed2 = workflow / "results/ei_modcog/runs/eg/seed2"
    files = sorted((seed2 / "checkpoints").glob("step_*.pt")) + [seed2 / "train_log.parquet"]
    contents = {path: path.read_bytes() for path in files}
    times = {
        path: path.stat().st_mtime_ns
        for path in (workflow / "results").rglob("*")
        if path.is_file() and seed2 not in path.parents and not {"logs", "benchmarks"} & set(path.parts)
    }
    shutil.rmtree(seed2)
    target = str(seed2.relative_to(workflow) / "evaluation.parquet")
    trained = str(seed2.relative_to(workflow) / "train_log.parquet")
    counts = job_counts(snakemake(workflow, "-n", trained, target, *arguments).stdout)
    # The seed's checkpoints come back newer than its stage group's tables: the group (both
    # seeds, identically) is analysed again, and only the lost seed's table copied out.
    assert counts == {"copy_trained_seed": 1, "evaluate_checkpoints": 1,
                      "copy_evaluate_checkpoints": 1, "total": 3}
    result = snakemake(workflow, "--cores", "2", trained, target, *arguments)
    assert result.returncode == 0, result.stderr[-3000:]
    assert {path: path.read_bytes() for path in files} == contents
    group = workflow / "results/ei_modcog/runs/eg/stage_groups/evaluate_checkpoints/seeds_1_2"
    touched = [path for path, time in times.items() if path.stat().st_mtime_ns != time]
    assert touched and all(group in path.parents for path in touched), touched

    # A lost table alone comes back by its copy job alone, byte for byte.
    table = seed2 / "evaluation.parquet"
    content = table.read_bytes()
    table.unlink()
    counts = job_counts(snakemake(workflow, "-n", target, *arguments).stdout)
    assert counts == {"copy_evaluate_checkpoints": 1, "total": 1}
    result = snakemake(workflow, "--cores", "2", target, *arguments)
    assert result.returncode == 0, result.stderr[-3000:]
    assert table.read_bytes() == content


def pipeline_of_test_config(directory: Path = ROOT):
    """The workflow's pipeline (studies, runs, files, figures) on the test configuration."""
    from rnnlab.workflow.config import deep_merge
    from rnnlab.workflow.pipeline import Pipeline, included_studies, load_study

    def load(name):
        return yaml.safe_load((directory / "config" / name).read_text())

    config = deep_merge(load("config.yaml"), load("test.yaml"))
    return Pipeline(config, [load_study(s) for s in included_studies(directory)], directory)


def figure_defects_of_every_figure(directory: Path) -> dict[str, list[str]]:
    """Every figure of the workflow in ``directory`` drawn again from the Parquet tables its
    job read, and checked as printed (rnnlab.plotting.checks): {figure: defects}."""
    from rnnlab.plotting.checks import figure_defects
    from rnnlab.plotting.style import close_figure
    from rnnlab.tables import read_input
    from rnnlab.workflow.names import resolve

    pipeline = pipeline_of_test_config(directory)
    found = {}
    for study in pipeline.enabled:
        for name, figure in pipeline.figures[study].items():
            inputs = pipeline.figure_inputs(study, name)
            tables = {
                keyword: read_input(
                    directory / paths if isinstance(paths, str) else [directory / p for p in paths]
                )
                for keyword, paths in inputs.items()
            }
            drawn = resolve(figure.draw)(**tables, **figure.options)
            defects = figure_defects(drawn)
            close_figure(drawn)
            if defects:
                found[f"{study}/{name}"] = defects
    return found


def run_everything(directory: Path, *configfiles: str) -> None:
    result = snakemake(directory, "--cores", "2", "--configfile", "config/test.yaml", *configfiles)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-5000:]


@pytest.mark.slow(seconds=330)
def test_whole_dag_on_the_test_config_is_complete_valid_and_bit_identical(tmp_path):
    first = copy_workflow(tmp_path / "first")
    run_everything(first)
    figures = pipeline_of_test_config(first).all_figures()
    assert len(figures) >= len(STUDY_FIGURES) + len(ZOO_FIGURES)
    for figure in figures:
        assert (first / figure).stat().st_size > 10_000, figure
    tables = sorted((first / "results").rglob("*.parquet"))
    assert {read_table_name(p) for p in tables} == set(all_schemas())
    for path in tables:
        read_table(path, read_table_name(path))  # raises if the file breaks its schema

    assert figure_defects_of_every_figure(first) == {}

    nothing_to_do = snakemake(first, "-n", "--configfile", "config/test.yaml")
    assert "Nothing to be done" in nothing_to_do.stdout + nothing_to_do.stderr

    report = snakemake(first, "--report", "results/report.zip", "--configfile", "config/test.yaml")
    assert report.returncode == 0, report.stderr[-3000:]
    with zipfile.ZipFile(first / "results" / "report.zip") as archive:
        names = archive.namelist()
    assert sum(name.endswith(".png") for name in names) >= len(figures)
    assert any(name.endswith("software_versions.tsv") for name in names)
    assert any(name.endswith("configuration.json") for name in names)

    # Every per-seed table of two two-seed runs of two studies (every kind of per-seed stage
    # of the test config but the zoo's, which has one seed) again from scratch, two seeds per
    # training job and per stage job (training_jobs and stage_jobs: seeds_per_job): every
    # checkpoint and table is the same, byte for byte – each seed of a group is trained and
    # analysed exactly as alone – and a lost seed comes back alone, copied out of its groups.
    # (ei_modcog's gd, a third two-seed run, has eg's stages: it would add minutes, no check.)
    second = copy_workflow(tmp_path / "second")
    (second / "config" / "groups.yaml").write_text(GROUPS)
    paired = sorted(str(p.relative_to(first))
                    for run in ("ei_modcog/runs/eg", "system_a/runs/model_a")
                    for p in (first / "results" / run).glob("seed2/*.parquet"))
    assert len({Path(p).parent for p in paired}) == 2
    assert {read_table_name(first / p) for p in paired} >= {
        "evaluation", "gradient_metrics", "weight_statistics", "participation_ratios"}
    targets = [t.replace("seed2", f"seed{seed}") for t in paired for seed in (1, 2)]
    # targets first: --configfile takes every file name after it
    result = snakemake(second, *targets, "--cores", "2", "--configfile", "config/test.yaml",
                       "config/groups.yaml")
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-5000:]
    assert "train_seed_group" in result.stdout + result.stderr
    assert list((second / "results/ei_modcog/runs/eg/seed_groups").iterdir())
    assert list((second / "results/system_a/runs/model_a/stage_groups").iterdir())
    outputs = [p for target in targets for p in (first / Path(target).parent).rglob("*")
               if p.suffix == ".parquet" or (p.suffix == ".pt" and "checkpoints" in p.parts)]
    assert len(outputs) >= len(targets) + 6
    different = [
        str(p.relative_to(first))
        for p in outputs
        if p.read_bytes() != (second / p.relative_to(first)).read_bytes()
    ]
    assert different == []
    lost_seed_comes_back_alone(second, "--configfile", "config/test.yaml", "config/groups.yaml")

    # Rerun exactly what changed: a plotting edit reruns figures only (an edit of one figure's
    # module only that figure), a model edit everything.
    figures = first / "src" / "rnnlab" / "studies" / "ei_modcog" / "figures"
    plotting = figures / "weights.py"
    plotting.write_text(plotting.read_text() + "\n# an edit\n")
    counts = job_counts(snakemake(first, "-n", "--configfile", "config/test.yaml").stdout)
    assert set(counts) - {"total", "all"} == {"ei_modcog_weight_signs"}
    plotting = figures / "shared.py"
    plotting.write_text(plotting.read_text() + "\n# an edit\n")
    counts = job_counts(snakemake(first, "-n", "--configfile", "config/test.yaml").stdout)
    assert set(counts) - {"total", "all"} == {f"ei_modcog_{name}" for name in STUDY_FIGURES}
    model = first / "src" / "rnnlab" / "models" / "leaky_rnn.py"
    model.write_text(model.read_text() + "\n# an edit\n")
    counts = job_counts(snakemake(first, "-n", "--configfile", "config/test.yaml").stdout)
    assert counts["train"] == len(list((first / "results").glob("*/runs/*/seed*/train_log.parquet")))
    assert counts["zoo_equilibria"] == 5 and counts["fixed_points"] == 2
