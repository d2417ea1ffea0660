"""A study plugs in with only its own files: tests/plugin_study holds a tiny study (its own task,
run, stage, table, aggregate and figure), laid out as it would be in the repository. Added to a
copy of the workflow with one `include:` line and one config section, it builds its figure
through the real Snakemake workflow, by all three kinds of target, and changes nothing of the
other studies."""

from __future__ import annotations

import filecmp
import shutil
from pathlib import Path

import pytest
import yaml

from test_workflow import ROOT, copy_workflow, job_counts, snakemake

PLUGIN = Path(__file__).parent / "plugin_study"
NAME = "pulse_memory"
FIGURE = f"results/figures/{NAME}/recall_curve.png"
INCLUDE = f'include: "rules/{NAME}.smk"\n'


def plug_in(workflow: Path) -> None:
    """What a developer adding the study does: its files, one include line, one config section."""
    for part in ("src", "rules", "config", "report"):
        shutil.copytree(PLUGIN / part, workflow / part, dirs_exist_ok=True)
    snakefile = workflow / "Snakefile"
    lines = snakefile.read_text().splitlines(keepends=True)
    last_study = max(i for i, line in enumerate(lines) if line.startswith('include: "rules/')
                     and "PIPELINE" not in "".join(lines[:i]))
    snakefile.write_text("".join(lines[: last_study + 1] + [INCLUDE] + lines[last_study + 1:]))
    config = workflow / "config" / "config.yaml"
    section = yaml.safe_load((PLUGIN / "config_section.yaml").read_text())
    text = config.read_text().rstrip("\n") + "\n\n"
    text += "\n".join("  " + line for line in yaml.safe_dump(section, sort_keys=False).splitlines())
    config.write_text(text + "\n")


def changed_files(workflow: Path) -> dict[str, str]:
    """{path: "new" or "changed"} of the copy against the repository."""
    changes = {}
    for path in workflow.rglob("*"):
        relative = path.relative_to(workflow)
        if path.is_dir() or relative.parts[0] in ("results", ".snakemake") or \
                "__pycache__" in relative.parts:
            continue
        original = ROOT / relative
        if not original.exists():
            changes[str(relative)] = "new"
        elif not filecmp.cmp(path, original, shallow=False):
            changes[str(relative)] = "changed"
    return changes


@pytest.fixture(scope="module")
def plugged(tmp_path_factory):
    workflow = copy_workflow(tmp_path_factory.mktemp("plugin") / "workflow")
    plug_in(workflow)
    return workflow


def test_the_study_touches_only_its_own_files_one_include_and_one_config_section(plugged):
    changes = changed_files(plugged)
    own = {
        str(path.relative_to(PLUGIN))
        for path in PLUGIN.rglob("*")
        if path.is_file() and path.name not in ("README.md", "config_section.yaml")
        and "__pycache__" not in path.parts
    }
    assert {path for path, kind in changes.items() if kind == "new"} == own
    assert {path for path, kind in changes.items() if kind == "changed"} == {
        "Snakefile", "config/config.yaml"
    }
    snakefile = (plugged / "Snakefile").read_text().splitlines(keepends=True)
    original = (ROOT / "Snakefile").read_text().splitlines(keepends=True)
    assert [line for line in snakefile if line not in original] == [INCLUDE]
    config = yaml.safe_load((plugged / "config" / "config.yaml").read_text())
    original_config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    config["studies"].pop(NAME)
    assert config == original_config


@pytest.mark.slow(seconds=25)
def test_the_plugged_in_study_builds_its_figure_through_the_workflow(plugged):
    arguments = ("--configfile", "config/test.yaml")
    # Its figure is part of `rule all`, and its study target builds only its own ancestors.
    everything = job_counts(snakemake(plugged, "-n", *arguments).stdout)
    assert everything[f"{NAME}_recall_curve"] == 1
    counts = job_counts(snakemake(plugged, "-n", NAME, *arguments).stdout)
    assert counts == {
        "train": 2, "recall_error": 2, "aggregate": 1, f"{NAME}_recall_curve": 1, NAME: 1,
        "total": 7,
    }
    result = snakemake(plugged, "--cores", "2", NAME, *arguments)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert (plugged / FIGURE).stat().st_size > 5_000
    # The other two kinds of target name the same, now finished, figure.
    for target in (f"{NAME}_recall_curve", FIGURE):
        output = snakemake(plugged, "-n", target, *arguments)
        assert "Nothing to be done" in output.stdout + output.stderr, target
    # Its table is registered by its own package, found by the figure job without help.
    log = (plugged / f"results/logs/figures/{NAME}/recall_curve.log").read_text()
    assert "Error" not in log


def test_the_plugged_in_study_config_is_checked_against_its_own_schema(plugged, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"studies": {NAME: {"recall_error": {"n_trails": 3},
                                                      "runs": {"recall": {"task": {"name": "x"}}}}}}))
    result = snakemake(plugged, "-n", "--configfile", "config/test.yaml", str(bad))
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert f"studies.{NAME}.recall_error.n_trails: unknown key (did you mean 'n_trials'?)" in output
    assert f"studies.{NAME}.runs.recall.task.name: 'x' is not one of pulse_memory" in output
